//! Fully connected layer: y = x·Wᵀ + b, PyTorch layout W: (OUT, IN).
//! Shapes: N batch, IN input features (C·H·W of the input), OUT output features.

use super::{Init, Layer, Mode, ParamKind};
use crate::kernels::Real;
use crate::{Rng, Tensor};

pub struct Linear<T> {
    inp: usize,
    out: usize,
    /// (OUT, IN)
    pub weight: Vec<T>,
    /// (OUT)
    pub bias: Vec<T>,
    dweight: Vec<T>,
    dbias: Vec<T>,
}

impl<T: Real> Linear<T> {
    pub fn new(inp: usize, out: usize, init: Init, rng: &mut Rng) -> Self {
        let mut weight = vec![T::zero(); out * inp];
        init.fill(&mut weight, inp, rng);
        Linear { inp, out, weight, bias: vec![T::zero(); out], dweight: vec![T::zero(); out * inp], dbias: vec![T::zero(); out] }
    }
}

impl<T: Real> Layer<T> for Linear<T> {
    fn kind(&self) -> &'static str {
        "linear"
    }

    fn output_shape(&self) -> [usize; 3] {
        [self.out, 1, 1]
    }

    fn forward(&mut self, x: &Tensor<T>, y: &mut Tensor<T>, _mode: Mode, _rng: &mut Rng) {
        let n = x.batch();
        debug_assert_eq!(x.sample_len(), self.inp);
        y.resize([n, self.out, 1, 1]);
        // y: (N, OUT) = x (N, IN) · Wᵀ (IN, OUT), with every row pre-filled with the bias
        for row in y.data.chunks_exact_mut(self.out) {
            row.copy_from_slice(&self.bias);
        }
        T::gemm(n, self.out, self.inp, &x.data, self.inp, 1, &self.weight, 1, self.inp, &mut y.data, self.out, true);
    }

    fn backward(&mut self, x: &Tensor<T>, _y: &Tensor<T>, dy: &Tensor<T>, dx: Option<&mut Tensor<T>>) {
        let n = x.batch();
        // dW: (OUT, IN) = dyᵀ (OUT, N) · x (N, IN)
        T::gemm(self.out, self.inp, n, &dy.data, 1, self.out, &x.data, self.inp, 1, &mut self.dweight, self.inp, false);
        // db: (OUT) = column sums of dy (N, OUT)
        self.dbias.iter_mut().for_each(|v| *v = T::zero());
        for row in dy.data.chunks_exact(self.out) {
            for (d, &g) in self.dbias.iter_mut().zip(row) {
                *d = *d + g;
            }
        }
        if let Some(dx) = dx {
            dx.resize(x.shape);
            // dx: (N, IN) = dy (N, OUT) · W (OUT, IN)
            T::gemm(n, self.inp, self.out, &dy.data, self.out, 1, &self.weight, self.inp, 1, &mut dx.data, self.inp, false);
        }
    }

    fn visit_params(&mut self, f: &mut dyn FnMut(ParamKind, &mut [T], &mut [T])) {
        f(ParamKind::Weight, &mut self.weight, &mut self.dweight);
        f(ParamKind::Bias, &mut self.bias, &mut self.dbias);
    }

    fn weights(&self) -> &[T] {
        &self.weight
    }

    fn param_count(&self) -> usize {
        self.weight.len() + self.bias.len()
    }
}
