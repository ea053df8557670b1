//! Adagrad (Duchi, Hazan & Singer 2011), PyTorch semantics (`torch.optim.Adagrad` with its
//! defaults: eps 1e-10, initial accumulator 0, lr_decay 0):
//!
//! ```text
//! g' = g + λ·w                      (weights only by default)
//! s  = s + g'²                      (s starts at `initial_accumulator_value`)
//! w  = w − lr·g' / (√s + eps)
//! ```
//!
//! PyTorch's `lr_decay` (lr / (1 + (t − 1)·lr_decay)) is left out on purpose: optimizers here know
//! nothing of schedules, and the same curve is a schedule's job. Plain loop (no SIMD kernel).

use super::{decay_for, scale_at, ParamView, StateGroups};
use crate::kernels::Real;

pub struct Adagrad<T> {
    pub weight_decay: f64,
    pub eps: f64,
    pub decay_biases: bool,
    /// Σ g'² per parameter, one buffer per parameter buffer in the model's visiting order.
    sum_sq: Vec<Vec<T>>,
    /// Per-parameter learning-rate factors in visiting order (`Optimizer::set_lr_scales`); empty: 1.
    pub(crate) lr_scales: Vec<f64>,
}

impl<T: Real> Adagrad<T> {
    pub fn new(
        params: &mut (impl ParamView<T> + ?Sized),
        weight_decay: f64,
        eps: f64,
        initial_accumulator_value: f64,
    ) -> Self {
        let mut sum_sq = Vec::new();
        let init = T::of(initial_accumulator_value);
        params.visit(&mut |_, w, _| sum_sq.push(vec![init; w.len()]));
        Adagrad {
            weight_decay,
            eps,
            decay_biases: false,
            sum_sq,
            lr_scales: Vec::new(),
        }
    }

    /// The state a saved run keeps: (name, one buffer per parameter buffer).
    pub(crate) fn state_mut(&mut self) -> StateGroups<'_, T> {
        vec![("sum of squares", &mut self.sum_sq)]
    }

    pub fn step(&mut self, params: &mut (impl ParamView<T> + ?Sized), lr: f64) {
        let eps = T::of(self.eps);
        let (wd, all) = (self.weight_decay, self.decay_biases);
        let mut i = 0;
        let (sum_sq, scales) = (&mut self.sum_sq, &self.lr_scales);
        params.visit(&mut |p, w, g| {
            let s = &mut sum_sq[i];
            let lr = T::of(lr * scale_at(scales, i));
            i += 1;
            if p.frozen {
                return;
            }
            let decay = T::of(decay_for(p.role.decay_kind(), wd, all));
            for ((wi, &gi), si) in w.iter_mut().zip(g.iter()).zip(s.iter_mut()) {
                let gd = gi + decay * *wi;
                *si = *si + gd * gd;
                *wi = *wi - lr * gd / (si.sqrt() + eps);
            }
        });
        debug_assert_eq!(
            i,
            sum_sq.len(),
            "the model's parameter list changed after the optimizer was built"
        );
    }
}
