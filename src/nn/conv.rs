//! 2-D convolution (cross-correlation, PyTorch semantics) via im2col + GEMM, one image at a time.
//! Shapes: N batch, C input channels, OC output channels, K = C·KH·KW, P = OH·OW output pixels.
//!
//! In training, forward keeps every image's im2col matrix for backward when the batch's matrices
//! fit in `COLS_CACHE_FLOATS`; otherwise backward rebuilds them, one image at a time into a
//! scratch matrix that stays in the CPU's cache (with threads, each thread its own rows of it).
//! Caching saves the second im2col only while the cache itself stays in the CPU's cache: past a
//! few MB every image's matrix goes out to memory and comes back for the weight gradient, which
//! cost more than rebuilding it (see the constant).
//!
//! Threads (`crate::parallel`): forward and the input gradient split the batch into runs of whole
//! images, each part with its own im2col/dcols scratch. The weight gradient is a sum over images,
//! so it is split by columns of dW (blocks of K) instead: every part rebuilds (or reads from the
//! cache) only its block's rows of each image's im2col matrix and adds the images in batch order
//! into its own columns, exactly as the single-thread loop does (a GEMM's element does not
//! depend on which rows or columns the call covers). Without the feature each loop is one part.

use super::{Init, Layer, LocalParam, Mode, ParamKind, ParamRole, ParamVisitor};
use crate::kernels::{ConvGeom, Real};
use crate::parallel;
use crate::{Rng, Tensor};

/// Largest im2col cache a layer keeps between forward and backward (512 K floats = 2 MB).
/// Measured in Node 20 (wasm simd128, alternating A/B) against a 64 MB limit: cifar-convnetjs at
/// batch 64 (caches of 4.9, 6.6 and 2 M floats, now all rebuilt) 5% faster, at batch 16 4% faster;
/// lenet at batch 64 (1.25 and 0.96 M floats) and vgg-mini no different; lenet at batch 8 (157 K
/// and 120 K floats, cached under both limits) 8% slower when nothing was cached.
const COLS_CACHE_FLOATS: usize = 1 << 19;

pub struct Conv2d<T> {
    g: ConvGeom,
    oc: usize,
    /// (OC, K)
    pub weight: Vec<T>,
    /// (OC)
    pub bias: Vec<T>,
    dweight: Vec<T>,
    dbias: Vec<T>,
    /// (N, K, P): the batch's im2col matrices, kept for backward when they fit
    cols: Vec<T>,
    /// Whether `cols` holds the matrices of every image of the last training forward.
    cached: bool,
    /// Largest cache allowed, in floats (a field so a test can force the rebuilding path).
    cache_limit: usize,
    /// One (K, P) im2col scratch per part (image) being worked on at once, when not cached
    scratch: Vec<Vec<T>>,
    /// One (K, P) scratch per part for an image's column gradient
    dcols: Vec<Vec<T>>,
    /// One (OC, K-block) weight-gradient buffer per part when dW is split by columns
    dw_parts: Vec<Vec<T>>,
}

/// At least `parts` buffers of `len` elements in `bufs` (they only grow, so a run allocates only
/// in its first step).
fn ensure_buffers<T: Real>(bufs: &mut Vec<Vec<T>>, parts: usize, len: usize) {
    if bufs.len() < parts {
        bufs.resize_with(parts, Vec::new);
    }
    for b in &mut bufs[..parts] {
        if b.len() < len {
            b.resize(len, T::zero());
        }
    }
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
            cols: Vec::new(),
            cached: false,
            cache_limit: COLS_CACHE_FLOATS,
            scratch: vec![vec![T::zero(); scratch]],
            dcols: vec![vec![T::zero(); scratch]],
            dw_parts: Vec::new(),
        }
    }

    pub fn geometry(&self) -> ConvGeom {
        self.g
    }

    /// dW (OC, K) = Σ dy_i · cols_iᵀ and dbias += Σ rows of dy_i over the batch's `n` images in
    /// order, where cols_i, image i's im2col matrix, comes from `source`.
    ///
    /// Split over blocks of K (columns of dW): a part needs only its block's rows of each cols_i,
    /// so it packs only those (the GEMM packs its transposed B, colsᵀ, panel by panel) and, when the
    /// forward pass kept no cache, rebuilds only those rows itself. So the threads meet once per
    /// layer, not twice per group of rebuilt images (cifar-convnetjs on two cores in Chromium:
    /// 1.64–1.70× one thread, was 1.48–1.51× with ~29 hand-overs a step). A part's columns are
    /// strided in dW, so with several parts each sums into its own contiguous (OC, K-block)
    /// buffer, copied back afterwards; copies do not change values, and each element is still
    /// summed image by image in batch order. dbias is split by output channels among the parts.
    fn accumulate_weight_grad(&mut self, dy: &Tensor<T>, n: usize, source: ColsSource<'_, T>) {
        let (g, k, p, oc) = (self.g, self.g.col_rows(), self.g.col_cols(), self.oc);
        let parts = parallel::parts(k, n * oc * k * p);
        let blocks = parallel::ranges(k, parts);
        let widest = blocks.iter().map(|b| b.len()).max().unwrap_or(0);
        let rebuilt = matches!(source, ColsSource::Rebuilt(_));
        ensure_buffers(&mut self.scratch, parts, if rebuilt { widest * p } else { 0 });
        // One part sums straight into dW; several each into their own (OC, block) buffer.
        let outs: Vec<&mut [T]> = if parts == 1 {
            vec![&mut self.dweight[..]]
        } else {
            ensure_buffers(&mut self.dw_parts, parts, oc * widest);
            self.dw_parts.iter_mut().take(parts).map(|b| &mut b[..]).collect()
        };
        let rows = parallel::ranges(oc, parts);
        let db = parallel::split_mut(&mut self.dbias, 1, &rows);
        let work: Vec<_> = blocks
            .iter()
            .cloned()
            .zip(outs)
            .zip(rows.into_iter().zip(db))
            .zip(self.scratch.iter_mut())
            .collect();
        parallel::run(work, |(((block, out), (rows, db)), scratch)| {
            let width = block.len();
            let out = &mut out[..oc * width];
            for i in 0..n {
                let dyi = dy.sample(i); // (OC, P)
                let cols: &[T] = match &source {
                    ColsSource::Cached(all) => &all[(i * k + block.start) * p..(i * k + block.end) * p],
                    ColsSource::Rebuilt(x) => {
                        T::im2col_rows(x.sample(i), &g, block.clone(), &mut scratch[..width * p]);
                        &scratch[..width * p]
                    }
                };
                // dW[:, block] (OC, width) += dy_i (OC, P) · cols_i[block]ᵀ (P, width)
                T::gemm(oc, width, p, dyi, p, 1, cols, 1, p, out, width, i > 0);
                for (d, row) in db
                    .iter_mut()
                    .zip(dyi[rows.start * p..rows.end * p].chunks_exact(p))
                {
                    *d = *d + <T as Real>::sum(row);
                }
            }
        });
        if parts == 1 {
            return;
        }
        for (block, buf) in blocks.iter().zip(&self.dw_parts) {
            let width = block.len();
            for (dst, src) in self
                .dweight
                .chunks_exact_mut(k)
                .zip(buf.chunks_exact(width).take(oc))
            {
                dst[block.clone()].copy_from_slice(src);
            }
        }
    }
}

/// Where the filter gradient reads each image's im2col matrix from.
enum ColsSource<'a, T> {
    /// The forward pass's cache: (N, K, P).
    Cached(&'a [T]),
    /// Rebuilt from the layer's input (N, C, H, W), by each part for its own rows.
    Rebuilt(&'a Tensor<T>),
}

impl<T: Real> Layer<T> for Conv2d<T> {
    fn kind(&self) -> &'static str {
        "conv2d"
    }

    fn output_shape(&self) -> [usize; 3] {
        [self.oc, self.g.oh, self.g.ow]
    }

    fn forward(&mut self, x: &Tensor<T>, y: &mut Tensor<T>, mode: Mode, _rng: &mut Rng) {
        let (n, k, p, oc) = (x.batch(), self.g.col_rows(), self.g.col_cols(), self.oc);
        y.resize([n, oc, self.g.oh, self.g.ow]);
        self.cached = mode == Mode::Train && n * k * p <= self.cache_limit;
        let images = parallel::ranges(n, parallel::parts(n, n * oc * k * p));
        // Each part's im2col destination: its images' slots of the cache, or its own scratch.
        let cols: Vec<&mut [T]> = if self.cached {
            if self.cols.len() < n * k * p {
                self.cols.resize(n * k * p, T::zero());
            }
            parallel::split_mut(&mut self.cols[..n * k * p], k * p, &images)
        } else {
            ensure_buffers(&mut self.scratch, images.len(), k * p);
            self.scratch.iter_mut().map(|s| &mut s[..k * p]).collect()
        };
        let outs = parallel::split_mut(&mut y.data, oc * p, &images);
        let (g, cached, weight, bias) = (&self.g, self.cached, &self.weight, &self.bias);
        let work: Vec<_> = images.into_iter().zip(cols).zip(outs).collect();
        parallel::run(work, |((images, cols), outs)| {
            for (j, i) in images.enumerate() {
                let cols = if cached {
                    &mut cols[j * k * p..(j + 1) * k * p]
                } else {
                    &mut cols[..]
                };
                T::im2col(x.sample(i), g, cols);
                let out = &mut outs[j * oc * p..(j + 1) * oc * p]; // (OC, P)
                for (row, &b) in out.chunks_exact_mut(p).zip(bias) {
                    row.iter_mut().for_each(|v| *v = b);
                }
                // out (OC, P) += W (OC, K) · cols (K, P)
                T::gemm(oc, p, k, weight, k, 1, cols, p, 1, out, p, true);
            }
        });
    }

    fn backward(&mut self, x: &Tensor<T>, _y: &Tensor<T>, dy: &Tensor<T>, dx: Option<&mut Tensor<T>>) {
        let (n, k, p, oc) = (x.batch(), self.g.col_rows(), self.g.col_cols(), self.oc);
        let work_all = n * oc * k * p;
        self.dbias.iter_mut().for_each(|v| *v = T::zero());
        let cols = std::mem::take(&mut self.cols);
        let source = if self.cached {
            ColsSource::Cached(&cols[..n * k * p])
        } else {
            ColsSource::Rebuilt(x)
        };
        self.accumulate_weight_grad(dy, n, source);
        self.cols = cols;
        if n == 0 {
            self.dweight.iter_mut().for_each(|v| *v = T::zero());
        }
        let Some(dx) = dx else { return };
        dx.resize(x.shape);
        let images = parallel::ranges(n, parallel::parts(n, work_all));
        ensure_buffers(&mut self.dcols, images.len(), k * p);
        let dxs = parallel::split_mut(&mut dx.data, x.sample_len(), &images);
        let (g, weight, sample) = (&self.g, &self.weight, x.sample_len());
        let work: Vec<_> = images.into_iter().zip(dxs).zip(self.dcols.iter_mut()).collect();
        parallel::run(work, |((images, dxs), dcols)| {
            for (j, i) in images.enumerate() {
                // dcols (K, P) = Wᵀ (K, OC) · dy_i (OC, P)
                T::gemm(k, p, oc, weight, 1, k, dy.sample(i), p, 1, dcols, p, false);
                T::col2im(&dcols[..k * p], g, &mut dxs[j * sample..(j + 1) * sample]);
            }
        });
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
