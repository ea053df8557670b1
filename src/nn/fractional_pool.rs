//! Fractional max pooling (Graham 2014, "Fractional Max-Pooling", arXiv:1412.6071).
//! Shapes: N batch, C channels, (H, W) in, (OH, OW) out, with OH = ⌊H/α⌋ for a ratio α ∈ (1, 2)
//! (√2 by default) or a requested output size.
//!
//! Ordinary 2×2 pooling halves each side; fractional pooling shrinks it by a non-integer ratio, so
//! a net can afford many more pooling layers. The pooling regions come from a pseudo-random
//! increasing sequence a_0 = 0 < a_1 < … < a_OH whose increments are ⌊α⌋ or ⌈α⌉ (1 or 2):
//!
//!   a_i = ⌈α(i + u)⌉ − ⌈αu⌉,   u ~ U(0, 1),   α = S / OH   (S = span, see below)
//!
//! shifted so that a_0 = 0 and, because α·OH = S is an integer, a_OH = S exactly. One u is drawn
//! per dimension (rows, then columns) per forward and shared by the batch and its channels.
//! Region (i, j) is
//!   disjoint:     [a_i, a_{i+1} − 1] × [b_j, b_{j+1} − 1]   with S = H: the regions tile [0, H)
//!   overlapping:  [a_i, a_{i+1}]     × [b_j, b_{j+1}]       with S = H − 1: each region shares
//!                 exactly one row (column) with the next, and the last one ends on the last row
//!                 (the paper's 1-based a_OH = N_in is our 0-based H − 1), so none leaves the input.
//!
//! The lecture's pattern: training uses fresh random regions every forward pass; testing averages
//! the predictions over several region samples. This layer draws regions from the passed RNG in
//! *both* modes; the averaging over several eval forwards is the caller's (model/session) job.
//!
//! Deviation from the paper, deliberate: Graham draws the sequence per image; here one (u_h, u_w)
//! pair per forward pass is shared by the whole batch, so "the regions of the last forward" is a
//! single pair of sequences the page and tests can show.

use super::{Layer, Mode};
use crate::kernels::Real;
use crate::{Rng, Tensor};
use std::ops::Range;

/// The boundaries a_0 … a_{n_out} of one dimension's pooling regions (length n_out + 1).
///
/// Disjoint: a_0 = 0, a_{n_out} = n_in, region i = [a_i, a_{i+1}).
/// Overlapping: a_0 = 0, a_{n_out} = n_in − 1, region i = [a_i, a_{i+1}] (inclusive).
/// Increments are ⌊α⌋ or ⌈α⌉ with α = span / n_out (span = n_in, or n_in − 1 when overlapping).
/// `u` is clamped to [0, 1].
///
/// Exact in integers: for an integer m > 0 and real x, ⌈x/m⌉ = ⌈⌈x⌉/m⌉, so with c = ⌈S·u⌉,
/// ⌈α(i + u)⌉ = ⌈(S·i + S·u)/n_out⌉ = ⌈(S·i + c)/n_out⌉ — one float rounding (c), none per i.
///
/// Panics if n_out is 0 or larger than the span (an increment would be 0).
pub fn fmp_boundaries(n_in: usize, n_out: usize, u: f64, overlapping: bool) -> Vec<usize> {
    let span = if overlapping { n_in.saturating_sub(1) } else { n_in };
    assert!(
        n_out >= 1 && n_out <= span,
        "fractional pooling: cannot pool {n_in} into {n_out} (overlapping: {overlapping})"
    );
    let u = if u.is_nan() { 0.0 } else { u.clamp(0.0, 1.0) };
    let c = ((span as f64) * u).ceil() as usize; // ⌈S·u⌉ ∈ [0, S]
    let ceil_div = |a: usize, b: usize| a.div_ceil(b);
    let offset = ceil_div(c, n_out); // ⌈αu⌉
    (0..=n_out)
        .map(|i| ceil_div(span * i + c, n_out) - offset)
        .collect()
}

/// Half-open input range [start, end) of region i of one dimension, given its boundaries.
fn span(bounds: &[usize], i: usize, overlapping: bool) -> Range<usize> {
    bounds[i]..bounds[i + 1] + overlapping as usize
}

/// The output size Graham uses for a ratio α: ⌊n_in / α⌋.
pub fn fmp_output_size(n_in: usize, alpha: f64) -> usize {
    (n_in as f64 / alpha).floor() as usize
}

/// Settings of one fractional max pooling layer (candle-style config with defaults).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct FractionalMaxPoolConfig {
    /// Pooling ratio α ∈ (1, 2); used when `output_size` is None. Default √2 (the paper's).
    pub alpha: f64,
    /// Requested (OH, OW); overrides `alpha`. Needs n_in/2 ≤ n_out < n_in per side (so the
    /// effective ratio lies in (1, 2]); when overlapping, n_out ≤ n_in − 1 as well.
    pub output_size: Option<[usize; 2]>,
    /// Overlapping regions [a_i, a_{i+1}] instead of disjoint [a_i, a_{i+1} − 1].
    pub overlapping: bool,
}

impl Default for FractionalMaxPoolConfig {
    fn default() -> Self {
        FractionalMaxPoolConfig {
            alpha: std::f64::consts::SQRT_2,
            output_size: None,
            overlapping: false,
        }
    }
}

/// Fractional max pooling. Forward records, per output, the flat input index of its region's
/// maximum (first one on ties, as `MaxPool2d`); backward routes each gradient to exactly that input.
pub struct FractionalMaxPool2d {
    /// input (C, H, W)
    c: usize,
    h: usize,
    w: usize,
    oh: usize,
    ow: usize,
    overlapping: bool,
    /// (OH + 1) row boundaries and (OW + 1) column boundaries of the last forward
    rows: Vec<usize>,
    cols: Vec<usize>,
    /// (N, C, OH, OW) → index into the sample's (C, H, W)
    argmax: Vec<u32>,
}

impl FractionalMaxPool2d {
    /// A layer for per-sample inputs of shape `input` = (C, H, W). Errors name the offending
    /// setting and value, in the style of the model builder's messages.
    pub fn new(input: [usize; 3], config: FractionalMaxPoolConfig) -> Result<Self, String> {
        let [c, h, w] = input;
        let FractionalMaxPoolConfig {
            alpha,
            output_size,
            overlapping,
        } = config;
        let [oh, ow] = match output_size {
            Some(size) => size,
            None => {
                if !(alpha > 1.0 && alpha < 2.0) {
                    return Err(format!("alpha: must be in (1, 2), got {alpha}"));
                }
                [fmp_output_size(h, alpha), fmp_output_size(w, alpha)]
            }
        };
        for (what, n_in, n_out) in [("height", h, oh), ("width", w, ow)] {
            // The effective ratio n_in/n_out must lie in (1, 2]; then the overlapping span
            // n_in − 1 ≥ n_out too, so every increment is at least 1.
            if n_out == 0 || n_out >= n_in || 2 * n_out < n_in {
                return Err(format!(
                    "outputSize: cannot pool {what} {n_in} into {n_out} (needs {n_in}/2 ≤ output < {n_in})"
                ));
            }
        }
        Ok(FractionalMaxPool2d {
            c,
            h,
            w,
            oh,
            ow,
            overlapping,
            // Before the first forward: the regions for u = 0.
            rows: fmp_boundaries(h, oh, 0.0, overlapping),
            cols: fmp_boundaries(w, ow, 0.0, overlapping),
            argmax: Vec::new(),
        })
    }

    /// Output size ⌊n/α⌋ per side.
    pub fn with_ratio(input: [usize; 3], alpha: f64, overlapping: bool) -> Result<Self, String> {
        Self::new(
            input,
            FractionalMaxPoolConfig {
                alpha,
                output_size: None,
                overlapping,
            },
        )
    }

    /// A requested output size (OH, OW).
    pub fn with_output_size(
        input: [usize; 3],
        output_size: [usize; 2],
        overlapping: bool,
    ) -> Result<Self, String> {
        Self::new(
            input,
            FractionalMaxPoolConfig {
                output_size: Some(output_size),
                overlapping,
                ..Default::default()
            },
        )
    }

    /// Row and column boundaries (a_0 … a_OH, b_0 … b_OW) of the last forward; see [`fmp_boundaries`].
    pub fn boundaries(&self) -> (&[usize], &[usize]) {
        (&self.rows, &self.cols)
    }

    /// Half-open input ranges [start, end) of output (i, j)'s region in the last forward.
    pub fn region(&self, i: usize, j: usize) -> (Range<usize>, Range<usize>) {
        (
            span(&self.rows, i, self.overlapping),
            span(&self.cols, j, self.overlapping),
        )
    }

    pub fn overlapping(&self) -> bool {
        self.overlapping
    }
}

impl<T: Real> Layer<T> for FractionalMaxPool2d {
    fn kind(&self) -> &'static str {
        "fractionalmaxpool2d"
    }

    fn output_shape(&self) -> [usize; 3] {
        [self.c, self.oh, self.ow]
    }

    /// Draws fresh regions (u_h, then u_w) in both modes: in training that is the regularizer, at
    /// test each forward is one sample of the average the caller takes.
    fn forward(&mut self, x: &Tensor<T>, y: &mut Tensor<T>, _mode: Mode, rng: &mut Rng) {
        let (u_h, u_w) = (rng.uniform(), rng.uniform());
        self.rows = fmp_boundaries(self.h, self.oh, u_h, self.overlapping);
        self.cols = fmp_boundaries(self.w, self.ow, u_w, self.overlapping);
        let (c, h, w, oh, ow) = (self.c, self.h, self.w, self.oh, self.ow);
        let n = x.batch();
        y.resize([n, c, oh, ow]);
        self.argmax.resize(y.len(), 0);
        let per_sample = c * oh * ow;
        for s in 0..n {
            let xs = x.sample(s); // (C, H, W)
            let ys = &mut y.data[s * per_sample..(s + 1) * per_sample]; // (C, OH, OW)
            let am = &mut self.argmax[s * per_sample..(s + 1) * per_sample];
            for ch in 0..c {
                for i in 0..oh {
                    for j in 0..ow {
                        let (rr, cc) = (
                            span(&self.rows, i, self.overlapping),
                            span(&self.cols, j, self.overlapping),
                        );
                        let mut best = (ch * h + rr.start) * w + cc.start;
                        for r in rr {
                            let row = (ch * h + r) * w;
                            for idx in row + cc.start..row + cc.end {
                                if xs[idx] > xs[best] {
                                    best = idx;
                                }
                            }
                        }
                        let o = (ch * oh + i) * ow + j;
                        ys[o] = xs[best];
                        am[o] = best as u32;
                    }
                }
            }
        }
    }

    /// dx = 0, then dx[argmax[o]] += dy[o]; overlapping regions may send several gradients to one
    /// input, so the scatter accumulates.
    fn backward(&mut self, x: &Tensor<T>, _y: &Tensor<T>, dy: &Tensor<T>, dx: Option<&mut Tensor<T>>) {
        let Some(dx) = dx else { return };
        dx.resize(x.shape);
        dx.fill(T::zero());
        let per_sample = self.c * self.oh * self.ow;
        for s in 0..x.batch() {
            let range = s * per_sample..(s + 1) * per_sample;
            let dxs = dx.sample_mut(s);
            for (&d, &idx) in dy.data[range.clone()].iter().zip(&self.argmax[range]) {
                dxs[idx as usize] = dxs[idx as usize] + d;
            }
        }
    }
}
