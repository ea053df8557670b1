//! Max and average pooling over KH×KW windows with a stride, no padding (PyTorch defaults:
//! stride = kernel size). Shapes: N batch, C channels, (H, W) in, (OH, OW) out.

use super::{Layer, Mode};
use crate::kernels::{ConvGeom, Real};
use crate::parallel;
use crate::{Rng, Tensor};

/// Max pooling. Forward records, per output, the flat input index of the window's maximum
/// (first one on ties), so backward routes each gradient to exactly that input.
pub struct MaxPool2d {
    g: ConvGeom,
    /// (N, C, OH, OW) → index into the sample's (C, H, W)
    argmax: Vec<u32>,
}

impl MaxPool2d {
    pub fn new(g: ConvGeom) -> Self {
        MaxPool2d {
            g,
            argmax: Vec::new(),
        }
    }
}

impl<T: Real> Layer<T> for MaxPool2d {
    fn kind(&self) -> &'static str {
        "maxpool2d"
    }

    fn output_shape(&self) -> [usize; 3] {
        [self.g.c, self.g.oh, self.g.ow]
    }

    fn forward(&mut self, x: &Tensor<T>, y: &mut Tensor<T>, _mode: Mode, _rng: &mut Rng) {
        let g = self.g;
        let n = x.batch();
        y.resize([n, g.c, g.oh, g.ow]);
        self.argmax.resize(y.len(), 0);
        let per_sample = g.c * g.oh * g.ow;
        // Images are independent: split the batch across threads (crate::parallel).
        let images = parallel::ranges(n, parallel::parts(n, x.len()));
        let ys = parallel::split_mut(&mut y.data, per_sample, &images);
        let argmaxes = parallel::split_mut(&mut self.argmax, per_sample, &images);
        let work: Vec<_> = images.into_iter().zip(ys).zip(argmaxes).collect();
        parallel::run(work, |((images, ys), argmaxes)| {
            let parts = ys
                .chunks_exact_mut(per_sample)
                .zip(argmaxes.chunks_exact_mut(per_sample));
            for (i, (y, argmax)) in images.zip(parts) {
                T::maxpool_forward(x.sample(i), &g, y, argmax);
            }
        });
    }

    fn backward(&mut self, x: &Tensor<T>, _y: &Tensor<T>, dy: &Tensor<T>, dx: Option<&mut Tensor<T>>) {
        let Some(dx) = dx else { return };
        dx.resize(x.shape);
        let (g, n, argmax) = (self.g, x.batch(), &self.argmax);
        let per_sample = g.c * g.oh * g.ow;
        let images = parallel::ranges(n, parallel::parts(n, x.len()));
        let dxs = parallel::split_mut(&mut dx.data, x.sample_len(), &images);
        let work: Vec<_> = images.into_iter().zip(dxs).collect();
        parallel::run(work, |(images, dxs)| {
            for (i, dx) in images.zip(dxs.chunks_exact_mut(x.sample_len())) {
                let range = i * per_sample..(i + 1) * per_sample;
                T::maxpool_backward(&dy.data[range.clone()], &argmax[range], &g, dx);
            }
        });
    }
}

/// Average pooling: each output is the mean of its window; backward spreads the gradient evenly.
pub struct AvgPool2d {
    g: ConvGeom,
}

impl AvgPool2d {
    pub fn new(g: ConvGeom) -> Self {
        AvgPool2d { g }
    }
}

impl<T: Real> Layer<T> for AvgPool2d {
    fn kind(&self) -> &'static str {
        "avgpool2d"
    }

    fn output_shape(&self) -> [usize; 3] {
        [self.g.c, self.g.oh, self.g.ow]
    }

    fn forward(&mut self, x: &Tensor<T>, y: &mut Tensor<T>, _mode: Mode, _rng: &mut Rng) {
        let g = self.g;
        y.resize([x.batch(), g.c, g.oh, g.ow]);
        let scale = T::of(1.0 / (g.kh * g.kw) as f64);
        for i in 0..x.batch() {
            let xs = x.sample(i);
            let ys = y.sample_mut(i);
            for c in 0..g.c {
                for oy in 0..g.oh {
                    for ox in 0..g.ow {
                        let mut acc = T::zero();
                        for ky in 0..g.kh {
                            let row = (c * g.h + oy * g.stride + ky) * g.w + ox * g.stride;
                            acc = acc + xs[row..row + g.kw].iter().copied().sum();
                        }
                        ys[(c * g.oh + oy) * g.ow + ox] = acc * scale;
                    }
                }
            }
        }
    }

    fn backward(&mut self, x: &Tensor<T>, _y: &Tensor<T>, dy: &Tensor<T>, dx: Option<&mut Tensor<T>>) {
        let Some(dx) = dx else { return };
        let g = self.g;
        dx.resize(x.shape);
        dx.fill(T::zero());
        let scale = T::of(1.0 / (g.kh * g.kw) as f64);
        for i in 0..x.batch() {
            let dys = dy.sample(i);
            let dxs = dx.sample_mut(i);
            for c in 0..g.c {
                for oy in 0..g.oh {
                    for ox in 0..g.ow {
                        let share = dys[(c * g.oh + oy) * g.ow + ox] * scale;
                        for ky in 0..g.kh {
                            let row = (c * g.h + oy * g.stride + ky) * g.w + ox * g.stride;
                            dxs[row..row + g.kw].iter_mut().for_each(|d| *d = *d + share);
                        }
                    }
                }
            }
        }
    }
}
