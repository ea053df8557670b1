//! Lecture labs that are not a training run: the weight-initialization experiment, the
//! learning-rate finder (hyperparameter step 3) and the activation explorer's curves.
//! Plain Rust with serde reports; src/api.rs exposes them to the page.

pub mod activation_curves;
pub mod init_lab;
pub mod lr_finder;

pub use activation_curves::{activation_curve, activation_curves, ActivationCurve};
pub use init_lab::{
    run_init_lab, Histogram, InitLab, InitLabConfig, InitLabReport, InitScheme, LabActivation, LayerStats,
};
pub use lr_finder::{find_lr, LrFinder, LrFinderConfig, LrFinderResult, LrPoint, StopReason};
