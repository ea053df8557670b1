//! Cyclic cosine for snapshot ensembles (Huang et al. 2017, "Snapshot ensembles: train 1, get M
//! for free"): SGDR with T_mult = 1, i.e. every cycle lasts `period` steps,
//!
//! ```text
//! α_t = η_min + ½·(α₀ − η_min)·(1 + cos(π·(t mod period)/period))
//! ```
//!
//! Each cycle ends at a low rate in a local minimum; the model at the end of each cycle is one
//! member of the ensemble ([`snapshot_steps`]).

use super::sgdr;

pub fn lr(base_lr: f64, step: u64, period: u64, eta_min: f64) -> f64 {
    sgdr::lr(base_lr, step, period, 1, eta_min)
}

/// Counts of completed updates at which a cycle ends, up to `total_steps`: period, 2·period, ...
/// The model after that many updates (StepReport.step equal to one of these) is a snapshot.
pub fn snapshot_steps(period: u64, total_steps: u64) -> Vec<u64> {
    sgdr::cycle_ends(period, 1, total_steps)
}
