//! Linear decay to zero (the lecture's α_t = α₀·(1 − t/T)):
//!
//! ```text
//! α_t = α₀·(1 − t/T)   for 0 ≤ t ≤ T,   0 after T (never negative)
//! ```

pub fn lr(base_lr: f64, step: u64, total_steps: u64) -> f64 {
    if step >= total_steps {
        return 0.0;
    }
    base_lr * (1.0 - step as f64 / total_steps as f64)
}
