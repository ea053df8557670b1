//! Inverted dropout (Srivastava et al. 2014, "Dropout: a simple way to prevent neural networks from
//! overfitting"), the lecture's first example of "training: add randomness; testing: marginalize".
//!
//! Train: each activation is kept with probability 1 − p and the kept ones are scaled by 1/(1 − p),
//! so E[y] = x element by element. Eval: y = x — the marginalization over masks is exact for this
//! one layer because the scaling already happened in training (ConvNetJS scaled at test time by the
//! wrong factor; tests/regularizers.rs checks the train and eval statistics, not only gradients).
//! p = 0 is the identity in both modes and draws nothing from the RNG.
//! Shapes: any (N, C, H, W); the mask has the batch's shape.

use super::{Layer, Mode};
use crate::kernels::Real;
use crate::{Rng, Tensor};

pub struct Dropout<T> {
    /// Probability of dropping an activation, in [0, 1).
    p: f64,
    /// Per-sample shape (C, H, W); dropout does not change it.
    shape: [usize; 3],
    /// (N, C, H, W) multipliers of the last training forward: 0 (dropped) or 1/(1 − p) (kept).
    /// Backward is dx = dy ⊙ mask. Kept between steps so a step allocates nothing.
    mask: Vec<T>,
    /// Whether the last forward applied `mask` (train with p > 0); otherwise backward is dx = dy.
    masked: bool,
}

impl<T: Real> Dropout<T> {
    /// `p` is the drop probability (PyTorch's `nn.Dropout(p)`); panics unless 0 ≤ p < 1 (the
    /// config validates it first with a message for the user).
    pub fn new(p: f64, shape: [usize; 3]) -> Self {
        assert!((0.0..1.0).contains(&p), "dropout p must be in [0, 1), got {p}");
        Dropout {
            p,
            shape,
            mask: Vec::new(),
            masked: false,
        }
    }

    pub fn p(&self) -> f64 {
        self.p
    }
}

impl<T: Real> Layer<T> for Dropout<T> {
    fn kind(&self) -> &'static str {
        "dropout"
    }

    fn output_shape(&self) -> [usize; 3] {
        self.shape
    }

    fn forward(&mut self, x: &Tensor<T>, y: &mut Tensor<T>, mode: Mode, rng: &mut Rng) {
        y.resize(x.shape);
        self.masked = mode == Mode::Train && self.p > 0.0;
        if !self.masked {
            // Eval (or p = 0): the expectation over masks is x itself.
            y.data.copy_from_slice(&x.data);
            return;
        }
        let keep = 1.0 - self.p;
        let scale = T::of(1.0 / keep);
        self.mask.resize(x.len(), T::zero());
        // One uniform draw per element, in memory order, so a seed fixes the mask.
        for ((m, yv), &xv) in self.mask.iter_mut().zip(y.data.iter_mut()).zip(&x.data) {
            *m = if rng.bernoulli(keep) { scale } else { T::zero() };
            *yv = xv * *m;
        }
    }

    fn backward(&mut self, x: &Tensor<T>, _y: &Tensor<T>, dy: &Tensor<T>, dx: Option<&mut Tensor<T>>) {
        let Some(dx) = dx else { return };
        dx.resize(x.shape);
        if self.masked {
            // dx = dy ⊙ mask: a dropped unit passes no gradient, a kept one is scaled like its value.
            for ((d, &g), &m) in dx.data.iter_mut().zip(&dy.data).zip(&self.mask) {
                *d = g * m;
            }
        } else {
            dx.data.copy_from_slice(&dy.data);
        }
    }
}
