//! Cosine annealing with warm restarts (SGDR, Loshchilov & Hutter 2017; PyTorch
//! `CosineAnnealingWarmRestarts` given the step explicitly). Cycle i lasts T_i = T_0·T_multⁱ steps;
//! inside a cycle, at T_cur steps since its restart,
//!
//! ```text
//! α_t = η_min + ½·(α₀ − η_min)·(1 + cos(π·T_cur/T_i))
//! ```
//!
//! so the rate jumps back to α₀ at steps T_0, T_0 + T_0·T_mult, T_0 + T_0·T_mult + T_0·T_mult², ...
//! The position is found by integer arithmetic. PyTorch uses a floating logarithm for T_mult > 1,
//! which gives the same values except where it rounds down at a restart: with T_0 = 3, T_mult = 3
//! it computes log(243)/log(3) = 4.999999999999999 and reports η_min at step 363 instead of the
//! restart to α₀ (tests/schedule.rs checks both the agreement and this one step).

use crate::math;
use std::f64::consts::PI;

/// (T_cur, T_i): steps since the last restart and the length of the current cycle.
pub fn position(step: u64, t_0: u64, t_mult: u64) -> (u64, u64) {
    if t_mult <= 1 {
        return (step % t_0, t_0);
    }
    let (mut start, mut len) = (0u64, t_0);
    // Cycle lengths grow geometrically, so this runs at most ~64 times.
    while step - start >= len {
        start += len;
        len = len.saturating_mul(t_mult);
    }
    (step - start, len)
}

pub fn lr(base_lr: f64, step: u64, t_0: u64, t_mult: u64, eta_min: f64) -> f64 {
    let (t_cur, t_i) = position(step, t_0, t_mult);
    eta_min + 0.5 * (base_lr - eta_min) * (1.0 + math::cos(PI * t_cur as f64 / t_i as f64))
}

/// The steps at which a cycle ends (= the next one restarts), up to and including `limit`:
/// T_0, T_0 + T_0·T_mult, ... As counts of completed updates, these are where a snapshot
/// ensemble takes its snapshots.
pub fn cycle_ends(t_0: u64, t_mult: u64, limit: u64) -> Vec<u64> {
    cycle_ends_iter(t_0, t_mult, limit).collect()
}

/// `cycle_ends` one at a time, for callers that must not hold them all: with T_mult = 1 there are
/// limit / T_0 of them, which for a huge `limit` does not fit in memory.
pub fn cycle_ends_iter(t_0: u64, t_mult: u64, limit: u64) -> impl Iterator<Item = u64> {
    let mut next = Some((t_0, t_0));
    std::iter::from_fn(move || {
        let (end, len) = next?;
        if end > limit {
            next = None;
            return None;
        }
        let len = len.saturating_mul(t_mult.max(1));
        next = end.checked_add(len).map(|e| (e, len));
        Some(end)
    })
}
