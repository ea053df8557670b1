//! Hyperparameter search (lecture: "Choosing hyperparameters: grid search / random search"): the K
//! trial points of a search over two hyperparameters, each on a log or linear scale. Grid search puts
//! them on a lattice; random search draws each coordinate uniformly in its axis' scale, so every trial
//! tries a new value of the important parameter (the slide's "random layout"). The page trains one
//! short run per trial (www/search/); this module only decides where the trials are.

mod spec;
mod trials;

pub use spec::{Method, Param, Scale, SearchError, SearchSpec, MAX_TRIALS, SEARCHABLE};
pub use trials::{grid_side, search_trials, Trial};
