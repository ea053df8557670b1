//! Per-channel normalization `x = (v − mean[c]) / std[c]` of intensities `v = byte / 255`. Loaded
//! sets compute it from their training split (the validation split shares those numbers, so the
//! validation images are not looked at); generated sets use the fixed map (0.35, 0.3) of every
//! channel that their rendering was stored with.

use super::{rgba_from_planes, PIXEL_MEAN, PIXEL_SCALE};
use serde::Serialize;

/// A channel this close to constant would be divided by (almost) zero; its values are scaled as if
/// it varied by one grey level instead.
pub const MIN_STD: f32 = 1.0 / 255.0;

/// Mean and standard deviation per channel, in intensities (byte / 255).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Normalization {
    pub mean: Vec<f32>,
    pub std: Vec<f32>,
}

impl Normalization {
    /// The generated sets' map: mean 0.35 and std 0.3 on every one of `c` channels.
    pub fn fixed(c: usize) -> Normalization {
        Normalization {
            mean: vec![PIXEL_MEAN; c],
            std: vec![PIXEL_SCALE; c],
        }
    }

    /// Population mean and standard deviation per channel of (n, c, plane) bytes. The sums are
    /// exact integers, so the result does not depend on the order of the images.
    pub fn from_bytes(pixels: &[u8], c: usize, plane: usize) -> Normalization {
        let mut sum = vec![0u64; c];
        let mut squares = vec![0u64; c];
        for image in pixels.chunks_exact(c * plane) {
            for (ch, values) in image.chunks_exact(plane).enumerate() {
                // u64: one 256×256 plane's squares alone can pass 2^32.
                let (s, q) = values.iter().fold((0u64, 0u64), |(s, q), &b| {
                    let b = b as u64;
                    (s + b, q + b * b)
                });
                sum[ch] += s;
                squares[ch] += q;
            }
        }
        let count = (pixels.len() / c.max(1)) as f64;
        let mut mean = Vec::with_capacity(c);
        let mut std = Vec::with_capacity(c);
        for ch in 0..c {
            let m = sum[ch] as f64 / count;
            let var = (squares[ch] as f64 / count - m * m).max(0.0);
            mean.push((m / 255.0) as f32);
            std.push(((var.sqrt() / 255.0) as f32).max(MIN_STD));
        }
        Normalization { mean, std }
    }

    /// Whether this is the fixed map of the generated sets.
    pub fn is_fixed(&self) -> bool {
        *self == Normalization::fixed(self.mean.len())
    }

    /// Value under this normalization → intensity (not clamped).
    #[inline]
    pub fn to_intensity(&self, x: f32, ch: usize) -> f32 {
        x * self.std[ch] + self.mean[ch]
    }

    /// Rewrites (C, plane) values from this normalization to `to`, in place.
    pub fn convert(&self, image: &mut [f32], to: &Normalization, plane: usize) {
        for (ch, values) in image.chunks_exact_mut(plane).enumerate() {
            for x in values {
                *x = (self.to_intensity(*x, ch) - to.mean[ch]) / to.std[ch];
            }
        }
    }

    /// (C, H, W) values under this normalization → RGBA bytes (intensities clamped to [0, 1]).
    pub fn to_rgba8(&self, img: &[f32]) -> Vec<u8> {
        rgba_from_planes(img, self.mean.len(), |x, ch| {
            (self.to_intensity(x, ch).clamp(0.0, 1.0) * 255.0 + 0.5) as u8
        })
    }
}
