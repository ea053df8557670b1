//! Cutout / random erasing: DeVries & Taylor, "Improved Regularization of Convolutional Neural
//! Networks with Cutout", 2017; Zhong et al., "Random Erasing Data Augmentation", AAAI 2020. The
//! lecture: "Training: set random image regions to 0. Testing: use the whole image", or "replace
//! random regions with mean value or random values".
//!
//! The box: its centre is a uniformly drawn pixel (row in [0, H), column in [0, W)) and the box is
//! clipped at the image border, so near an edge less than the nominal area is erased (DeVries &
//! Taylor's choice: it lets part of the box fall outside, so sometimes the object is untouched).
//! A box of B×B pixels covers rows [cy − ⌊B/2⌋, cy − ⌊B/2⌋ + B) ∩ [0, H), columns likewise.
//! The same sampler places CutMix's box (`mix.rs`).
//!
//! Fills (on intensities, like every per-image op here):
//! - [`Fill::Zero`]: v = 0, black — the lecture's "set to 0" taken literally on the image.
//!   (DeVries & Taylor's code zeroes the *normalised* tensor, which is the data set's mean
//!   intensity, 0.43 here; [`Fill::Mean`] is the closest per-image equivalent.)
//! - [`Fill::Mean`]: each channel's mean over the image before erasing.
//! - [`Fill::Random`]: per pixel and channel x ~ N(0, 1) in stored (normalised) space, as timm's
//!   `RandomErasing(mode="pixel")` draws after normalisation, converted to an intensity and clamped
//!   to [0, 1] so the image stays in range (about 15% of the draws land outside and are clamped).

use crate::data::denormalise;
use crate::Rng;
use serde::{Deserialize, Serialize};

/// What erased pixels become (see the module comment).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Fill {
    #[default]
    Zero,
    Mean,
    Random,
}

/// Nominal box size: `{"length": 16}` is DeVries & Taylor's B×B square in pixels; `{"area": 0.25}`
/// a box with the image's aspect ratio covering that fraction of it (sides √a·H × √a·W, rounded).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub enum BoxSize {
    Length(u32),
    Area(f32),
}

impl Default for BoxSize {
    /// A quarter of the image: DeVries & Taylor's 16×16 on 32×32 CIFAR-10.
    fn default() -> Self {
        BoxSize::Area(0.25)
    }
}

impl BoxSize {
    /// (box height, box width) in pixels for an H×W image, at most the image.
    pub fn dims(self, h: usize, w: usize) -> (usize, usize) {
        match self {
            BoxSize::Length(b) => ((b as usize).min(h), (b as usize).min(w)),
            BoxSize::Area(a) => {
                let side = (a.clamp(0.0, 1.0) as f64).sqrt();
                (
                    ((side * h as f64).round() as usize).min(h),
                    ((side * w as f64).round() as usize).min(w),
                )
            }
        }
    }
}

/// A half-open pixel rectangle: rows [y0, y1), columns [x0, x1).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rect {
    pub y0: usize,
    pub y1: usize,
    pub x0: usize,
    pub x1: usize,
}

impl Rect {
    pub fn area(&self) -> usize {
        (self.y1 - self.y0) * (self.x1 - self.x0)
    }

    pub fn contains(&self, y: usize, x: usize) -> bool {
        (self.y0..self.y1).contains(&y) && (self.x0..self.x1).contains(&x)
    }

    /// The bh×bw box centred on pixel (cy, cx), clipped to the H×W image.
    pub fn centred(cy: usize, cx: usize, bh: usize, bw: usize, h: usize, w: usize) -> Rect {
        let clip = |centre: usize, len: usize, n: usize| {
            let start = centre as i64 - (len / 2) as i64;
            let lo = start.clamp(0, n as i64) as usize;
            let hi = (start + len as i64).clamp(0, n as i64) as usize;
            (lo, hi)
        };
        let (y0, y1) = clip(cy, bh, h);
        let (x0, x1) = clip(cx, bw, w);
        Rect { y0, y1, x0, x1 }
    }
}

/// Draws a box of bh×bw centred on a uniform pixel, clipped at the border (two draws).
pub fn sample_box(h: usize, w: usize, bh: usize, bw: usize, rng: &mut Rng) -> Rect {
    if h == 0 || w == 0 {
        return Rect::default();
    }
    let cy = rng.below(h);
    let cx = rng.below(w);
    Rect::centred(cy, cx, bh, bw, h, w)
}

/// Fills `rect` of every channel of a (C, H, W) intensity image; only `Fill::Random` draws.
pub fn erase(image: &mut [f32], c: usize, h: usize, w: usize, rect: Rect, fill: Fill, rng: &mut Rng) {
    debug_assert_eq!(image.len(), c * h * w, "image must be (C, H, W)");
    let plane = h * w;
    for ch in image.chunks_exact_mut(plane.max(1)).take(c) {
        let mean = match fill {
            Fill::Mean => (ch.iter().map(|&v| v as f64).sum::<f64>() / plane as f64) as f32,
            _ => 0.0,
        };
        for y in rect.y0..rect.y1 {
            for v in &mut ch[y * w + rect.x0..y * w + rect.x1] {
                *v = match fill {
                    Fill::Zero => 0.0,
                    Fill::Mean => mean,
                    Fill::Random => denormalise(rng.normal() as f32).clamp(0.0, 1.0),
                };
            }
        }
    }
}

/// Cutout: draws a box of nominal `size` and erases it; returns the (clipped) box.
pub fn cutout(
    image: &mut [f32],
    c: usize,
    h: usize,
    w: usize,
    size: BoxSize,
    fill: Fill,
    rng: &mut Rng,
) -> Rect {
    let (bh, bw) = size.dims(h, w);
    let rect = sample_box(h, w, bh, bw, rng);
    erase(image, c, h, w, rect, fill, rng);
    rect
}
