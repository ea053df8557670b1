//! SGD with momentum, PyTorch semantics (dampening 0, not Nesterov):
//!   g ← g + λ·w (weights only);  v ← μ·v + g;  w ← w − lr·v
//! With v starting at zero the first step is v = g, exactly as PyTorch's buffer initialisation.
//! Weight decay is not applied to biases (they do not cause overfitting and decaying them only
//! shifts activations).

use crate::kernels::Real;
use crate::model::Model;
use crate::nn::ParamKind;

pub struct Sgd<T> {
    pub momentum: f64,
    pub weight_decay: f64,
    /// One velocity buffer per parameter buffer, in the model's visiting order.
    velocity: Vec<Vec<T>>,
}

impl<T: Real> Sgd<T> {
    pub fn new(model: &mut Model<T>, momentum: f64, weight_decay: f64) -> Self {
        let mut velocity = Vec::new();
        model.visit_params(&mut |_, w, _| velocity.push(vec![T::zero(); w.len()]));
        Sgd { momentum, weight_decay, velocity }
    }

    pub fn step(&mut self, model: &mut Model<T>, lr: f64) {
        let (lr, mu) = (T::of(lr), T::of(self.momentum));
        let wd = self.weight_decay;
        let mut i = 0;
        let velocity = &mut self.velocity;
        model.visit_params(&mut |kind, w, g| {
            let decay = if kind == ParamKind::Weight { T::of(wd) } else { T::zero() };
            T::sgd_momentum(w, g, &mut velocity[i], lr, mu, decay);
            i += 1;
        });
    }
}
