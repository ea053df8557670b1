//! Built-in data sets, generated from the seed at start-up so the page needs no download.
//!
//! Pixel normalisation (every data set here): renderers work in intensities `v` in [0, 1] and
//! store `x = (v - 0.35) / 0.3`, so stored values lie in [-1.17, 2.17]. The two constants are
//! (rounded) the mean and standard deviation of the shapes set's RGB intensities; its figures are
//! light on dark grounds, so the mean sits well below 0.5. Stored RGB shapes images have mean ≈ 0
//! and standard deviation ≈ 1.05 (per channel the means run from -0.17 (G) to +0.27 (B): the
//! figure/ground contrast is set in luminance, which weighs green most and blue least); grey ones
//! come out at mean ≈ -0.14, standard deviation ≈ 0.92. One fixed affine map rather than
//! per-channel or per-run statistics keeps the inverse trivial: [`Dataset::to_rgba8`] undoes it to
//! show an image on the page, and augmentations can reason in intensities if they want to. The
//! noise set uses the same map (its uniform intensities come out at mean 0.5, std 0.96).

pub mod cifar;
pub mod error;
pub mod idx;
pub mod limits;
mod noise;
mod shapes;

pub use noise::noise;
pub use shapes::{shapes, SHAPE_CLASSES};

/// Intensity `v` in [0, 1] that is stored as 0.
pub const PIXEL_MEAN: f32 = 0.35;
/// Intensity step that is stored as 1.
pub const PIXEL_SCALE: f32 = 0.3;

/// Intensity in [0, 1] → stored value.
#[inline]
pub fn normalise(v: f32) -> f32 {
    (v - PIXEL_MEAN) / PIXEL_SCALE
}

/// Stored value → intensity (not clamped).
#[inline]
pub fn denormalise(x: f32) -> f32 {
    x * PIXEL_SCALE + PIXEL_MEAN
}

/// A labelled image set held in one NCHW buffer.
#[derive(Clone, Debug)]
pub struct Dataset {
    /// (n, c, h, w), normalised as described in the module comment.
    pub images: Vec<f32>,
    /// One class index in [0, classes) per image.
    pub labels: Vec<u8>,
    pub n: usize,
    pub c: usize,
    pub h: usize,
    pub w: usize,
    pub classes: usize,
    pub class_names: Vec<String>,
}

impl Dataset {
    pub fn len(&self) -> usize {
        self.n
    }

    pub fn is_empty(&self) -> bool {
        self.n == 0
    }

    /// Floats per image: c*h*w.
    pub fn image_len(&self) -> usize {
        self.c * self.h * self.w
    }

    /// Image `i` as (c, h, w).
    pub fn image(&self, i: usize) -> &[f32] {
        let len = self.image_len();
        &self.images[i * len..(i + 1) * len]
    }

    /// Image `i` as RGBA bytes, row-major (h*w*4), ready for an `ImageData` on the page. Grey
    /// images are repeated into R, G and B.
    pub fn to_rgba8(&self, i: usize) -> Vec<u8> {
        let img = self.image(i);
        let plane = self.h * self.w;
        let byte = |x: f32| (denormalise(x).clamp(0.0, 1.0) * 255.0 + 0.5) as u8;
        let mut out = Vec::with_capacity(plane * 4);
        for p in 0..plane {
            for ch in 0..3 {
                // Grey: channel 0 for all three; RGB: channel ch. Other channel counts show the
                // first three planes (or repeat the last one).
                let src = ch.min(self.c - 1);
                out.push(byte(img[src * plane + p]));
            }
            out.push(255);
        }
        out
    }
}
