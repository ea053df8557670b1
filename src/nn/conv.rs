//! 2-D convolution (cross-correlation, PyTorch semantics) via im2col + GEMM, one image at a time.
//! Shapes: N batch, C input channels, OC output channels, K = C·KH·KW, P = OH·OW output pixels.
//!
//! In training, forward keeps every image's im2col matrix for backward when the batch's matrices
//! fit in `COLS_CACHE_FLOATS`; otherwise backward rebuilds them. Caching halves im2col work (a
//! quarter of a LeNet step), but for vgg-mini's second conv at batch 64 the cache would be N·K·P
//! = 75 MB, so large layers trade the copy for memory.

use super::{Init, Layer, LocalParam, Mode, ParamKind, ParamRole, ParamVisitor};
use crate::kernels::{ConvGeom, Real};
use crate::{Rng, Tensor};

/// Largest im2col cache a layer keeps between forward and backward (16 M floats = 64 MB).
const COLS_CACHE_FLOATS: usize = 16 << 20;

pub struct Conv2d<T> {
    g: ConvGeom,
    oc: usize,
    /// (OC, K)
    pub weight: Vec<T>,
    /// (OC)
    pub bias: Vec<T>,
    dweight: Vec<T>,
    dbias: Vec<T>,
    /// (N, K, P) when the batch's im2col matrices are cached for backward, else (K, P) scratch
    cols: Vec<T>,
    /// Whether `cols` holds the matrices of every image of the last training forward.
    cached: bool,
    /// Largest cache allowed, in floats (a field so a test can force the rebuilding path).
    cache_limit: usize,
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
            cached: false,
            cache_limit: COLS_CACHE_FLOATS,
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

    fn forward(&mut self, x: &Tensor<T>, y: &mut Tensor<T>, mode: Mode, _rng: &mut Rng) {
        let (n, k, p) = (x.batch(), self.g.col_rows(), self.g.col_cols());
        y.resize([n, self.oc, self.g.oh, self.g.ow]);
        self.cached = mode == Mode::Train && n * k * p <= self.cache_limit;
        if self.cached && self.cols.len() < n * k * p {
            self.cols.resize(n * k * p, T::zero());
        }
        for i in 0..n {
            let cols = if self.cached {
                &mut self.cols[i * k * p..(i + 1) * k * p]
            } else {
                &mut self.cols[..k * p]
            };
            T::im2col(x.sample(i), &self.g, cols);
            let out = y.sample_mut(i); // (OC, P)
            for (row, &b) in out.chunks_exact_mut(p).zip(&self.bias) {
                row.iter_mut().for_each(|v| *v = b);
            }
            // out (OC, P) += W (OC, K) · cols (K, P)
            T::gemm(self.oc, p, k, &self.weight, k, 1, cols, p, 1, out, p, true);
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
            let cols = if self.cached {
                &self.cols[i * k * p..(i + 1) * k * p]
            } else {
                T::im2col(x.sample(i), &self.g, &mut self.cols[..k * p]);
                &self.cols[..k * p]
            };
            // dW (OC, K) += dy_i (OC, P) · cols_iᵀ (P, K)
            T::gemm(self.oc, k, p, dyi, p, 1, cols, 1, p, &mut self.dweight, k, i > 0);
            for (d, row) in self.dbias.iter_mut().zip(dyi.chunks_exact(p)) {
                *d = *d + <T as Real>::sum(row);
            }
            if let Some(dx) = dx.as_deref_mut() {
                // dcols (K, P) = Wᵀ (K, OC) · dy_i (OC, P)
                T::gemm(
                    k,
                    p,
                    self.oc,
                    &self.weight,
                    1,
                    k,
                    dyi,
                    p,
                    1,
                    &mut self.dcols,
                    p,
                    false,
                );
                T::col2im(&self.dcols, &self.g, dx.sample_mut(i));
            }
        }
        if n == 0 {
            self.dweight.iter_mut().for_each(|v| *v = T::zero());
        }
    }

    fn visit_params(&mut self, f: &mut ParamVisitor<'_, T>) {
        f(ParamKind::Weight, &mut self.weight, &mut self.dweight);
        f(ParamKind::Bias, &mut self.bias, &mut self.dbias);
    }

    /// `weight` `[out, in, kh, kw]` (stored as (OC, C·KH·KW), the same memory) and `bias` `[out]`.
    fn param_names(&self) -> Vec<LocalParam> {
        let g = &self.g;
        vec![
            LocalParam::new("weight", vec![self.oc, g.c, g.kh, g.kw], ParamRole::Weight),
            LocalParam::new("bias", vec![self.oc], ParamRole::Bias),
        ]
    }

    fn weights(&self) -> &[T] {
        &self.weight
    }

    fn param_count(&self) -> usize {
        self.weight.len() + self.bias.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Backward must give the same gradients whether the im2col matrices were cached or rebuilt.
    #[test]
    fn cached_and_rebuilt_columns_give_identical_gradients() {
        let g = ConvGeom::new(2, 6, 5, 3, 3, 2, 1).unwrap();
        let mut rng = Rng::new(3);
        let x = Tensor::from_vec([3, 2, 6, 5], (0..180).map(|_| rng.normal()).collect::<Vec<f64>>());
        let mut grads = Vec::new();
        for limit in [COLS_CACHE_FLOATS, 0] {
            let mut conv = Conv2d::<f64>::new(g, 4, Init::Kaiming, &mut Rng::new(1));
            conv.cache_limit = limit;
            let (mut y, mut dx) = (Tensor::default(), Tensor::default());
            conv.forward(&x, &mut y, Mode::Train, &mut rng);
            assert_eq!(conv.cached, limit > 0);
            let dy = Tensor::from_vec(y.shape, (0..y.len()).map(|i| (i as f64 * 0.37).sin()).collect());
            conv.backward(&x, &y, &dy, Some(&mut dx));
            grads.push((conv.dweight.clone(), conv.dbias.clone(), dx.data));
        }
        assert_eq!(grads[0], grads[1]);
    }
}
