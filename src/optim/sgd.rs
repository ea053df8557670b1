//! SGD, with momentum and Nesterov momentum, PyTorch semantics (`torch.optim.SGD`, dampening 0):
//!
//! ```text
//! g' = g + λ·w                      (weight decay λ, weights only by default)
//! v  = μ·v + g'                     (v starts at zero, so the first step has v = g', exactly
//!                                    PyTorch's buffer initialisation)
//! g'' = g' + μ·v   if nesterov      (Sutskever et al. 2013, in PyTorch's form)
//! g'' = v          otherwise
//! w  = w − lr·g''
//! ```
//!
//! With μ = 0 this is plain SGD (v = g'). The plain-momentum update runs on the `sgd_momentum`
//! kernel (SIMD on the page); Nesterov is a plain loop. Weight decay is not applied to biases or
//! normalization parameters unless `decay_biases` is set (they do not cause overfitting, and
//! decaying them only shifts activations).

use super::{decay_for, scale_at, ParamView, StateGroups};
use crate::kernels::Real;

pub struct Sgd<T> {
    pub momentum: f64,
    pub weight_decay: f64,
    pub nesterov: bool,
    /// Decay `ParamKind::Bias` buffers too (PyTorch's behaviour when all parameters share a group).
    pub decay_biases: bool,
    /// One velocity buffer per parameter buffer, in the model's visiting order.
    velocity: Vec<Vec<T>>,
    /// Per-parameter learning-rate factors in visiting order (`Optimizer::set_lr_scales`); empty: 1.
    pub(crate) lr_scales: Vec<f64>,
}

impl<T: Real> Sgd<T> {
    /// Plain momentum (μ = 0: plain SGD); allocates one velocity buffer per parameter buffer.
    pub fn new(params: &mut (impl ParamView<T> + ?Sized), momentum: f64, weight_decay: f64) -> Self {
        let mut velocity = Vec::new();
        params.visit(&mut |_, w, _| velocity.push(vec![T::zero(); w.len()]));
        Sgd {
            momentum,
            weight_decay,
            nesterov: false,
            decay_biases: false,
            velocity,
            lr_scales: Vec::new(),
        }
    }

    /// The same optimizer with Nesterov momentum switched on or off.
    pub fn with_nesterov(mut self, nesterov: bool) -> Self {
        self.nesterov = nesterov;
        self
    }

    /// The state a saved run keeps: (name, one buffer per parameter buffer).
    pub(crate) fn state_mut(&mut self) -> StateGroups<'_, T> {
        vec![("velocity", &mut self.velocity)]
    }

    pub fn step(&mut self, params: &mut (impl ParamView<T> + ?Sized), lr: f64) {
        let mu = T::of(self.momentum);
        let (wd, all, nesterov) = (self.weight_decay, self.decay_biases, self.nesterov);
        let mut i = 0;
        let (velocity, scales) = (&mut self.velocity, &self.lr_scales);
        params.visit(&mut |p, w, g| {
            let v = &mut velocity[i];
            let lr = T::of(lr * scale_at(scales, i));
            i += 1;
            if p.frozen {
                return;
            }
            let decay = T::of(decay_for(p.role.decay_kind(), wd, all));
            if nesterov {
                for ((wi, &gi), vi) in w.iter_mut().zip(g.iter()).zip(v.iter_mut()) {
                    let gd = gi + decay * *wi;
                    *vi = mu * *vi + gd;
                    *wi = *wi - lr * (gd + mu * *vi);
                }
            } else {
                T::sgd_momentum(w, g, v, lr, mu, decay);
            }
        });
        debug_assert_eq!(
            i,
            velocity.len(),
            "the model's parameter list changed after the optimizer was built"
        );
    }
}
