//! RMSProp (Tieleman & Hinton 2012), PyTorch semantics (`torch.optim.RMSprop`, not centered):
//!
//! ```text
//! g' = g + λ·w                      (weights only by default)
//! sa = α·sa + (1 − α)·g'²           (sa starts at zero; α = 0.99 by default)
//! d  = √sa + eps                    (eps added after the square root, 1e-8 by default)
//! with momentum μ > 0:  b = μ·b + g'/d;  w = w − lr·b
//! without:              w = w − lr·g'/d
//! ```
//!
//! Plain loop (no SIMD kernel).

use super::{decay_for, scale_at, ParamView, StateGroups};
use crate::kernels::Real;

pub struct Rmsprop<T> {
    pub alpha: f64,
    pub eps: f64,
    pub momentum: f64,
    pub weight_decay: f64,
    pub decay_biases: bool,
    /// Running mean of g'² per parameter, in the model's visiting order.
    square_avg: Vec<Vec<T>>,
    /// Momentum buffers (empty buffers when μ = 0: PyTorch keeps none either).
    buf: Vec<Vec<T>>,
    /// Per-parameter learning-rate factors in visiting order (`Optimizer::set_lr_scales`); empty: 1.
    pub(crate) lr_scales: Vec<f64>,
}

impl<T: Real> Rmsprop<T> {
    pub fn new(
        params: &mut (impl ParamView<T> + ?Sized),
        alpha: f64,
        eps: f64,
        momentum: f64,
        weight_decay: f64,
    ) -> Self {
        let (mut square_avg, mut buf) = (Vec::new(), Vec::new());
        params.visit(&mut |_, w, _| {
            square_avg.push(vec![T::zero(); w.len()]);
            buf.push(if momentum > 0.0 {
                vec![T::zero(); w.len()]
            } else {
                Vec::new()
            });
        });
        Rmsprop {
            alpha,
            eps,
            momentum,
            weight_decay,
            decay_biases: false,
            square_avg,
            buf,
            lr_scales: Vec::new(),
        }
    }

    /// The state a saved run keeps: (name, one buffer per parameter buffer; the momentum buffers
    /// are empty when μ = 0).
    pub(crate) fn state_mut(&mut self) -> StateGroups<'_, T> {
        vec![
            ("square average", &mut self.square_avg),
            ("momentum buffer", &mut self.buf),
        ]
    }

    pub fn step(&mut self, params: &mut (impl ParamView<T> + ?Sized), lr: f64) {
        let (eps, alpha, mu) = (T::of(self.eps), T::of(self.alpha), T::of(self.momentum));
        let one_minus_alpha = T::of(1.0 - self.alpha);
        let (wd, all, with_momentum) = (self.weight_decay, self.decay_biases, self.momentum > 0.0);
        let mut i = 0;
        let (square_avg, buf, scales) = (&mut self.square_avg, &mut self.buf, &self.lr_scales);
        params.visit(&mut |p, w, g| {
            let (sa, b) = (&mut square_avg[i], &mut buf[i]);
            let lr = T::of(lr * scale_at(scales, i));
            i += 1;
            if p.frozen {
                return;
            }
            let decay = T::of(decay_for(p.role.decay_kind(), wd, all));
            if with_momentum {
                for (((wi, &gi), si), bi) in w.iter_mut().zip(g.iter()).zip(sa.iter_mut()).zip(b.iter_mut()) {
                    let gd = gi + decay * *wi;
                    *si = alpha * *si + one_minus_alpha * gd * gd;
                    *bi = mu * *bi + gd / (si.sqrt() + eps);
                    *wi = *wi - lr * *bi;
                }
            } else {
                for ((wi, &gi), si) in w.iter_mut().zip(g.iter()).zip(sa.iter_mut()) {
                    let gd = gi + decay * *wi;
                    *si = alpha * *si + one_minus_alpha * gd * gd;
                    *wi = *wi - lr * gd / (si.sqrt() + eps);
                }
            }
        });
        debug_assert_eq!(
            i,
            square_avg.len(),
            "the model's parameter list changed after the optimizer was built"
        );
    }
}
