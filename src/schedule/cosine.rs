//! Cosine decay (Loshchilov & Hutter 2017, without restarts; PyTorch `CosineAnnealingLR` in closed
//! form): the lecture's α_t = ½·α₀·(1 + cos(tπ/T)), with an optional floor η_min,
//!
//! ```text
//! α_t = η_min + ½·(α₀ − η_min)·(1 + cos(π·t/T))     for 0 ≤ t ≤ T
//! α_t = η_min                                        for t > T
//! ```
//!
//! After T it stays at the floor (timm's behaviour; PyTorch's recursive form would climb back up).

use crate::math;
use std::f64::consts::PI;

pub fn lr(base_lr: f64, step: u64, total_steps: u64, eta_min: f64) -> f64 {
    if step >= total_steps {
        return eta_min;
    }
    let progress = step as f64 / total_steps as f64;
    eta_min + 0.5 * (base_lr - eta_min) * (1.0 + math::cos(PI * progress))
}
