//! Linear warmup, composing with any schedule (Goyal et al. 2017). timm's convention: the ramp
//! starts from an absolute rate `warmup_lr_init` (not PyTorch `LinearLR`'s start_factor), and the
//! schedule underneath runs on the absolute step (timm's `warmup_prefix = False`: warmup does not
//! shift milestones, T or restarts).
//!
//! ```text
//! W = warmup_steps
//! α_t = lr_init + (s(W) − lr_init)·t/W    for t < W     (s = the schedule underneath)
//! α_t = s(t)                               for t ≥ W
//! ```
//!
//! One difference from timm: the ramp aims at the schedule's own value at W, s(W), where timm
//! aims at α₀ and then jumps to s(W). The curve is therefore continuous at the hand-over; for a
//! constant schedule the two are identical.

#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Warmup {
    /// W: updates 0..W use the ramp (0: no warmup).
    pub steps: u64,
    /// The rate of update 0.
    pub lr_init: f64,
}

impl Warmup {
    /// Whether update `step` is inside the warmup.
    pub fn covers(&self, step: u64) -> bool {
        step < self.steps
    }

    /// The ramp's rate at `step` < W, given the schedule's rate `target` = s(W).
    pub fn ramp(&self, step: u64, target: f64) -> f64 {
        self.lr_init + (target - self.lr_init) * (step as f64 / self.steps as f64)
    }
}
