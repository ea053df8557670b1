//! Constant: α_t = α₀ (the lecture's last decay slide, "Constant!": often good enough, and the
//! baseline every other schedule is compared against).

pub fn lr(base_lr: f64, _step: u64) -> f64 {
    base_lr
}
