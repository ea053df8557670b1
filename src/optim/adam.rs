//! Adam (Kingma & Ba 2015) and AdamW (Loshchilov & Hutter 2019), exactly as `torch.optim.Adam` /
//! `torch.optim.AdamW` (no amsgrad). At step t = 1, 2, ...:
//!
//! ```text
//! Adam (L2):        g' = g + λ·w               (the decay goes through m and v, so it is rescaled
//!                                               per coordinate by 1/√v̂)
//! AdamW (decoupled): w = w − lr·λ·w; g' = g     (the decay bypasses the moments)
//! m = β1·m + (1 − β1)·g'
//! v = β2·v + (1 − β2)·g'²
//! step_size = lr / (1 − β1ᵗ)
//! denom     = √v / √(1 − β2ᵗ) + eps             (= √v̂ + eps, v̂ = v/(1 − β2ᵗ))
//! w = w − step_size · m / denom
//! ```
//!
//! The per-step scalars (bias corrections, step size, decay factor) are computed in f64, as PyTorch
//! computes them in Python floats; the element-wise work runs in `T`. Weights only are decayed by
//! default. Plain loop (no SIMD kernel).

use super::{decay_for, scale_at, ParamView, StateGroups};
use crate::kernels::Real;
use crate::math;

pub struct Adam<T> {
    pub beta1: f64,
    pub beta2: f64,
    pub eps: f64,
    pub weight_decay: f64,
    /// AdamW: decay the weights directly (w ← w − lr·λ·w) instead of adding λ·w to the gradient.
    pub decoupled: bool,
    pub decay_biases: bool,
    /// Updates taken so far (the t of the bias corrections is `t` after the increment).
    t: u64,
    /// First and second moment estimates, one buffer per parameter buffer in visiting order.
    m: Vec<Vec<T>>,
    v: Vec<Vec<T>>,
    /// Per-parameter learning-rate factors in visiting order (`Optimizer::set_lr_scales`); empty: 1.
    pub(crate) lr_scales: Vec<f64>,
}

impl<T: Real> Adam<T> {
    /// Adam with L2 weight decay added to the gradient (`torch.optim.Adam`).
    pub fn new(
        params: &mut (impl ParamView<T> + ?Sized),
        betas: (f64, f64),
        eps: f64,
        weight_decay: f64,
    ) -> Self {
        let (mut m, mut v) = (Vec::new(), Vec::new());
        params.visit(&mut |_, w, _| {
            m.push(vec![T::zero(); w.len()]);
            v.push(vec![T::zero(); w.len()]);
        });
        Adam {
            beta1: betas.0,
            beta2: betas.1,
            eps,
            weight_decay,
            decoupled: false,
            decay_biases: false,
            t: 0,
            m,
            v,
            lr_scales: Vec::new(),
        }
    }

    /// AdamW: decoupled weight decay (`torch.optim.AdamW`).
    pub fn adamw(
        params: &mut (impl ParamView<T> + ?Sized),
        betas: (f64, f64),
        eps: f64,
        weight_decay: f64,
    ) -> Self {
        Adam {
            decoupled: true,
            ..Self::new(params, betas, eps, weight_decay)
        }
    }

    /// Updates taken so far.
    pub fn steps(&self) -> u64 {
        self.t
    }

    /// The state a saved run keeps: the update count (it sets the bias corrections) and (name, one
    /// buffer per parameter buffer).
    pub(crate) fn state_mut(&mut self) -> (&mut u64, StateGroups<'_, T>) {
        (
            &mut self.t,
            vec![("first moment", &mut self.m), ("second moment", &mut self.v)],
        )
    }

    pub fn step(&mut self, params: &mut (impl ParamView<T> + ?Sized), lr: f64) {
        self.t += 1;
        let t = self.t as f64;
        let bias_correction1 = 1.0 - math::powf(self.beta1, t);
        let bias_correction2_sqrt = (1.0 - math::powf(self.beta2, t)).sqrt();
        let bc2_sqrt = T::of(bias_correction2_sqrt);
        let (b1, b2, eps) = (T::of(self.beta1), T::of(self.beta2), T::of(self.eps));
        let (one_minus_b1, one_minus_b2) = (T::of(1.0 - self.beta1), T::of(1.0 - self.beta2));
        let (wd, all, decoupled) = (self.weight_decay, self.decay_biases, self.decoupled);
        let mut i = 0;
        let (ms, vs, scales) = (&mut self.m, &mut self.v, &self.lr_scales);
        params.visit(&mut |p, w, g| {
            let (m, v) = (&mut ms[i], &mut vs[i]);
            // A parameter group's own rate, as PyTorch's param_groups[k]["lr"].
            let lr = lr * scale_at(scales, i);
            let step_size = T::of(lr / bias_correction1);
            i += 1;
            if p.frozen {
                return;
            }
            let lambda = decay_for(p.role.decay_kind(), wd, all);
            // AdamW's factor (1 − lr·λ) in f64, as PyTorch's `param.mul_(1 - lr * weight_decay)`.
            let (shrink, l2) = if decoupled {
                (T::of(1.0 - lr * lambda), T::zero())
            } else {
                (T::one(), T::of(lambda))
            };
            for (((wi, &gi), mi), vi) in w.iter_mut().zip(g.iter()).zip(m.iter_mut()).zip(v.iter_mut()) {
                if decoupled {
                    *wi = *wi * shrink;
                }
                let gd = gi + l2 * *wi;
                *mi = b1 * *mi + one_minus_b1 * gd;
                *vi = b2 * *vi + one_minus_b2 * gd * gd;
                let denom = vi.sqrt() / bc2_sqrt + eps;
                *wi = *wi - step_size * *mi / denom;
            }
        });
        debug_assert_eq!(
            i,
            ms.len(),
            "the model's parameter list changed after the optimizer was built"
        );
    }
}
