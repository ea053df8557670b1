//! 2-D convolution (cross-correlation, PyTorch semantics) via im2col + GEMM, one image at a time.
//! Shapes: N batch, C input channels, OC output channels, K = C·KH·KW, P = OH·OW output pixels.
//!
//! The im2col matrix of an image is rebuilt in backward instead of cached: caching it for a whole
//! batch would cost N·K·P floats (75 MB for vgg-mini's second conv at batch 64), while rebuilding
//! is a memory copy next to a GEMM of K·P·OC multiply-adds.

use super::{Init, Layer, Mode, ParamKind};
use crate::kernels::{ConvGeom, Real};
use crate::{Rng, Tensor};

pub struct Conv2d<T> {
    g: ConvGeom,
    oc: usize,
    /// (OC, K)
    pub weight: Vec<T>,
    /// (OC)
    pub bias: Vec<T>,
    dweight: Vec<T>,
    dbias: Vec<T>,
    /// (K, P) scratch for one image
    cols: Vec<T>,
    /// (K, P) scratch for one image's column gradient
    dcols: Vec<T>,
}

impl<T: Real> Conv2d<T> {
    pub fn new(g: ConvGeom, oc: usize, init: Init, rng: &mut Rng) -> Self {
        let k = g.col_rows();
        let mut weight = vec![T::zero(); oc * k];
        init.fill(&mut weight, k, rng);
        let scratch = k * g.col_cols();
        Conv2d {
            g,
            oc,
            weight,
            bias: vec![T::zero(); oc],
            dweight: vec![T::zero(); oc * k],
            dbias: vec![T::zero(); oc],
            cols: vec![T::zero(); scratch],
            dcols: vec![T::zero(); scratch],
        }
    }

    pub fn geometry(&self) -> ConvGeom {
        self.g
    }
}

impl<T: Real> Layer<T> for Conv2d<T> {
    fn kind(&self) -> &'static str {
        "conv2d"
    }

    fn output_shape(&self) -> [usize; 3] {
        [self.oc, self.g.oh, self.g.ow]
    }

    fn forward(&mut self, x: &Tensor<T>, y: &mut Tensor<T>, _mode: Mode, _rng: &mut Rng) {
        let (n, k, p) = (x.batch(), self.g.col_rows(), self.g.col_cols());
        y.resize([n, self.oc, self.g.oh, self.g.ow]);
        for i in 0..n {
            T::im2col(x.sample(i), &self.g, &mut self.cols);
            let out = y.sample_mut(i); // (OC, P)
            for (row, &b) in out.chunks_exact_mut(p).zip(&self.bias) {
                row.iter_mut().for_each(|v| *v = b);
            }
            // out (OC, P) += W (OC, K) · cols (K, P)
            T::gemm(self.oc, p, k, &self.weight, k, 1, &self.cols, p, 1, out, p, true);
        }
    }

    fn backward(&mut self, x: &Tensor<T>, _y: &Tensor<T>, dy: &Tensor<T>, mut dx: Option<&mut Tensor<T>>) {
        let (n, k, p) = (x.batch(), self.g.col_rows(), self.g.col_cols());
        self.dbias.iter_mut().for_each(|v| *v = T::zero());
        if let Some(dx) = dx.as_deref_mut() {
            dx.resize(x.shape);
        }
        for i in 0..n {
            let dyi = dy.sample(i); // (OC, P)
            T::im2col(x.sample(i), &self.g, &mut self.cols);
            // dW (OC, K) += dy_i (OC, P) · cols_iᵀ (P, K)
            T::gemm(self.oc, k, p, dyi, p, 1, &self.cols, 1, p, &mut self.dweight, k, i > 0);
            for (d, row) in self.dbias.iter_mut().zip(dyi.chunks_exact(p)) {
                *d = *d + <T as Real>::sum(row);
            }
            if let Some(dx) = dx.as_deref_mut() {
                // dcols (K, P) = Wᵀ (K, OC) · dy_i (OC, P)
                T::gemm(k, p, self.oc, &self.weight, 1, k, dyi, p, 1, &mut self.dcols, p, false);
                T::col2im(&self.dcols, &self.g, dx.sample_mut(i));
            }
        }
        if n == 0 {
            self.dweight.iter_mut().for_each(|v| *v = T::zero());
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
