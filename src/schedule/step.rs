//! Step decay (PyTorch `MultiStepLR`): multiply the rate by γ at each milestone,
//!
//! ```text
//! α_t = α₀ · γ^(number of milestones m with m ≤ t)
//! ```
//!
//! The lecture's ResNet recipe is ×0.1 after epochs 30, 60 and 90. Milestones here are in steps
//! (updates); [`milestones_from_epochs`] converts epoch milestones with the run's steps per epoch.
//! The update with index t = m is the first one at the lower rate, as in PyTorch when
//! `scheduler.step()` follows every `optimizer.step()`.

pub fn lr(base_lr: f64, step: u64, milestones: &[u64], gamma: f64) -> f64 {
    let passed = milestones.iter().filter(|&&m| m <= step).count();
    base_lr * crate::math::powi(gamma, passed as i32)
}

/// Epoch milestones (e.g. the lecture's [30, 60, 90]) as step milestones.
pub fn milestones_from_epochs(epochs: &[u64], steps_per_epoch: u64) -> Vec<u64> {
    epochs.iter().map(|e| e.saturating_mul(steps_per_epoch)).collect()
}
