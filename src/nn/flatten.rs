//! Flatten: (N, C, H, W) → (N, C·H·W, 1, 1). The memory layout is already row-major per sample, so
//! both passes are plain copies.

use super::{Layer, Mode};
use crate::kernels::Real;
use crate::{Rng, Tensor};

pub struct Flatten {
    features: usize,
}

impl Flatten {
    pub fn new(input: [usize; 3]) -> Self {
        Flatten {
            features: input.iter().product(),
        }
    }
}

impl<T: Real> Layer<T> for Flatten {
    fn kind(&self) -> &'static str {
        "flatten"
    }

    fn output_shape(&self) -> [usize; 3] {
        [self.features, 1, 1]
    }

    fn forward(&mut self, x: &Tensor<T>, y: &mut Tensor<T>, _mode: Mode, _rng: &mut Rng) {
        y.resize([x.batch(), self.features, 1, 1]);
        y.data.copy_from_slice(&x.data);
    }

    fn backward(&mut self, x: &Tensor<T>, _y: &Tensor<T>, dy: &Tensor<T>, dx: Option<&mut Tensor<T>>) {
        if let Some(dx) = dx {
            dx.resize(x.shape);
            dx.data.copy_from_slice(&dy.data);
        }
    }
}
