//! Inverse square root (Vaswani et al. 2017, the lecture's α_t = α₀/√t):
//!
//! ```text
//! α_t = α₀ / √max(t, 1)
//! ```
//!
//! With steps counted from 0 the formula is undefined for the first update, so t = max(step, 1):
//! updates 0 and 1 both use α₀, update 4 uses α₀/2, update 100 uses α₀/10. Usually combined with
//! a warmup, which replaces the first steps anyway.

pub fn lr(base_lr: f64, step: u64) -> f64 {
    base_lr / (step.max(1) as f64).sqrt()
}
