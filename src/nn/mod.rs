//! Layers: one file per family, forward and backward side by side (llm.c / micrograd style).
//!
//! Every layer works on NCHW batches (`Tensor`), takes train/eval explicitly, and caches exactly
//! what its backward needs. Backward *overwrites* parameter gradients (one backward per step) and
//! writes the input gradient only when asked: the first layer's input gradient is never needed.

pub mod activation;
pub mod batchnorm;
pub mod conv;
pub mod dropout;
pub mod flatten;
pub mod fractional_pool;
pub mod linear;
pub mod params;
pub mod pool;
pub mod residual;

use crate::kernels::Real;
use crate::{Rng, Tensor};

pub use activation::{Activation, ActivationKind};
pub use batchnorm::{BatchNorm, BatchNormConfig};
pub use conv::Conv2d;
pub use dropout::Dropout;
pub use flatten::Flatten;
pub use fractional_pool::{fmp_boundaries, FractionalMaxPool2d, FractionalMaxPoolConfig};
pub use linear::Linear;
pub use params::{under_prefix, BufferInfo, LocalParam, ParamInfo, ParamKind, ParamRole};
pub use pool::{AvgPool2d, MaxPool2d};
pub use residual::{survival_linear, ResidualBlock};

/// Training adds randomness; evaluation marginalizes over it (the lecture's common pattern).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    Train,
    Eval,
}

/// `f(kind, value, grad)`, called once per parameter buffer by `Layer::visit_params`.
pub type ParamVisitor<'a, T> = dyn FnMut(ParamKind, &mut [T], &mut [T]) + 'a;

/// `f(info, value, grad)`, called once per parameter buffer by `Model::visit_named_params`.
pub type NamedParamVisitor<'a, T> = dyn FnMut(&ParamInfo, &mut [T], &mut [T]) + 'a;

pub trait Layer<T: Real>: Send {
    /// Short name shown on the page ("conv2d", "relu", ...).
    fn kind(&self) -> &'static str;

    /// Per-sample output shape (C, H, W).
    fn output_shape(&self) -> [usize; 3];

    /// y = f(x). `y` is resized by the layer; its allocation is reused across steps.
    fn forward(&mut self, x: &Tensor<T>, y: &mut Tensor<T>, mode: Mode, rng: &mut Rng);

    /// Given the forward's `x`, `y` and the output gradient `dy`, overwrite parameter gradients and,
    /// if `dx` is given, write the input gradient into it.
    fn backward(&mut self, x: &Tensor<T>, y: &Tensor<T>, dy: &Tensor<T>, dx: Option<&mut Tensor<T>>);

    /// Calls `f(kind, value, grad)` for each parameter buffer, in a fixed order.
    fn visit_params(&mut self, _f: &mut ParamVisitor<'_, T>) {}

    /// Calls `f` for each state buffer that is not trained but is part of the model (BatchNorm's
    /// running statistics), in a fixed order: what a snapshot must keep besides the parameters.
    fn visit_buffers(&mut self, _f: &mut dyn FnMut(&mut [T])) {}

    /// Local name, PyTorch shape and role of each parameter buffer, in `visit_params` order
    /// (see `params` for the layouts).
    fn param_names(&self) -> Vec<LocalParam> {
        Vec::new()
    }

    /// Local name and shape of each state buffer, in `visit_buffers` order.
    fn buffer_names(&self) -> Vec<BufferInfo> {
        Vec::new()
    }

    /// The weight buffer shown on the page (empty for parameter-free layers).
    fn weights(&self) -> &[T] {
        &[]
    }

    fn param_count(&self) -> usize {
        0
    }
}

/// Weight initialization: N(0, std²) with std = gain/√fan_in, or a fixed std (`Small`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Init {
    /// std = √(2/fan_in): keeps ReLU activations' scale (He et al. 2015).
    Kaiming,
    /// std = 1/√fan_in: the lecture's "Xavier" for tanh-like activations.
    Xavier,
    /// std = 0.01 whatever the layer's width: the lecture's `W = 0.01 * np.random.randn(Din, Dout)`,
    /// fine for a shallow network but in a deep one the activations shrink to 0 layer by layer.
    Small,
    /// For the classifier layer: small weights so every class starts near probability 1/K.
    #[serde(skip)]
    Output,
}

/// Scale of the classifier's initial weights relative to 1/√fan_in. With features of second moment
/// m, logits start with standard deviation ≈ OUTPUT_GAIN·√m; the lecture's step 1 expects the
/// initial loss to be ≈ ln(C), which needs logits well below 1 in spread.
pub const OUTPUT_GAIN: f64 = 0.1;

/// The standard deviation of `Init::Small` (the lecture's 0.01).
pub const SMALL_STD: f64 = 0.01;

impl Init {
    pub fn std(self, fan_in: usize) -> f64 {
        match self {
            Init::Kaiming => (2.0 / fan_in as f64).sqrt(),
            Init::Xavier => (1.0 / fan_in as f64).sqrt(),
            Init::Small => SMALL_STD,
            Init::Output => OUTPUT_GAIN * (1.0 / fan_in as f64).sqrt(),
        }
    }

    pub fn fill<T: Real>(self, w: &mut [T], fan_in: usize, rng: &mut Rng) {
        let std = self.std(fan_in);
        w.iter_mut().for_each(|v| *v = T::of(std * rng.normal()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Sample standard deviation of `n` weights drawn by `init` for a layer with `fan_in` inputs.
    fn drawn_std(init: Init, fan_in: usize, n: usize) -> f64 {
        let mut w = vec![0.0f64; n];
        init.fill(&mut w, fan_in, &mut Rng::new(3));
        let mean = w.iter().sum::<f64>() / n as f64;
        (w.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / (n - 1) as f64).sqrt()
    }

    #[test]
    fn small_init_draws_have_std_0_01_whatever_the_width() {
        // 40 000 draws: the sample std is within ±1% of σ with overwhelming probability (its
        // relative standard error is 1/√(2n) ≈ 0.35%).
        for fan_in in [16, 3072] {
            let std = drawn_std(Init::Small, fan_in, 40_000);
            assert!((std - 0.01).abs() < 1e-4, "fan_in {fan_in}: std {std}, want 0.01");
        }
        // Unlike Xavier, whose scale follows the width.
        let xavier = drawn_std(Init::Xavier, 16, 40_000);
        assert!(
            (xavier - 0.25).abs() < 2.5e-3,
            "Xavier at fan_in 16: std {xavier}, want 0.25"
        );
    }

    #[test]
    fn small_init_is_named_small_in_configs() {
        assert_eq!(serde_json::to_value(Init::Small).unwrap(), "small");
        assert_eq!(
            serde_json::from_value::<Init>("small".into()).unwrap(),
            Init::Small
        );
    }
}
