//! What the lecture's recipe reads off a run while it trains: the update/weight ratio, the best
//! validation snapshot (early stopping) and the meaning of the curves (step 6).

pub mod curves;
pub mod early_stop;
pub mod update_ratio;

pub use curves::{describe_divergence, diagnose, is_diverged, Diagnosis, Finding};
pub use early_stop::EarlyStopping;
pub use update_ratio::UpdateRatio;
