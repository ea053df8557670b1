//! Colour jitter: random brightness, contrast and saturation, the lecture's "simple" colour
//! augmentation (as popularised by Howard, "Some Improvements on Deep Convolutional Neural Network
//! Based Image Classification", ICLR 2014, and torchvision's `ColorJitter`).
//!
//! Semantics are torchvision's (which are PIL's `ImageEnhance`): each enabled component draws a
//! factor f ~ U[max(0, 1 − s), 1 + s] for its strength s, then
//! - brightness: v ← f·v (a blend with black);
//! - contrast:   v ← f·v + (1 − f)·m, m the mean grey level of the whole image;
//! - saturation: v ← f·v + (1 − f)·g, g the pixel's own grey level (a no-op for grey images);
//!
//! each followed by clamping to [0, 1]. Grey is Rec. 601 luma ([`super::LUMA`]).
//!
//! Order: torchvision applies the components in a random order per image; here the order is fixed
//! (brightness, contrast, saturation), which keeps one draw per enabled component and makes a run
//! easier to reason about. Hue jitter is left out (the issue asks for these three).
//!
//! Works on intensities (see the module comment of `augment`). A strength of 0 draws nothing and
//! leaves the image unchanged.

use super::LUMA;
use crate::Rng;
use serde::{Deserialize, Serialize};

/// Strengths of the three jitter components (torchvision `ColorJitter(brightness, contrast,
/// saturation)`); 0 switches a component off. timm's `--color-jitter 0.4` means 0.4 for all three.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct ColorJitter {
    pub brightness: f32,
    pub contrast: f32,
    pub saturation: f32,
}

impl ColorJitter {
    pub fn is_off(&self) -> bool {
        self.brightness == 0.0 && self.contrast == 0.0 && self.saturation == 0.0
    }

    /// Jitters a (C, H, W) intensity image in place (fixed order, see the module comment).
    pub fn apply(&self, image: &mut [f32], c: usize, rng: &mut Rng) {
        if self.brightness > 0.0 {
            adjust_brightness(image, jitter_factor(self.brightness, rng));
        }
        if self.contrast > 0.0 {
            adjust_contrast(image, c, jitter_factor(self.contrast, rng));
        }
        if self.saturation > 0.0 {
            adjust_saturation(image, c, jitter_factor(self.saturation, rng));
        }
    }
}

/// f ~ U[max(0, 1 − s), 1 + s].
pub fn jitter_factor(strength: f32, rng: &mut Rng) -> f32 {
    let s = strength as f64;
    rng.range((1.0 - s).max(0.0), 1.0 + s) as f32
}

/// v ← clamp(f·v). Factor 1 is the identity.
pub fn adjust_brightness(image: &mut [f32], factor: f32) {
    if factor == 1.0 {
        return;
    }
    image.iter_mut().for_each(|v| *v = (*v * factor).clamp(0.0, 1.0));
}

/// v ← clamp(f·v + (1 − f)·m), m = mean grey level of the image. Factor 1 is the identity.
pub fn adjust_contrast(image: &mut [f32], c: usize, factor: f32) {
    if factor == 1.0 || image.is_empty() {
        return;
    }
    let plane = image.len() / c;
    let mean = (0..plane)
        .map(|p| grey_at(image, c, plane, p) as f64)
        .sum::<f64>()
        / plane as f64;
    let offset = (1.0 - factor) * mean as f32;
    image
        .iter_mut()
        .for_each(|v| *v = (factor * *v + offset).clamp(0.0, 1.0));
}

/// v ← clamp(f·v + (1 − f)·g), g = the pixel's grey level; f = 0 gives the grey image, f > 1
/// oversaturates. Grey images (C = 1) are their own grey level, so this is a no-op for them.
pub fn adjust_saturation(image: &mut [f32], c: usize, factor: f32) {
    if factor == 1.0 || c != 3 {
        return;
    }
    let plane = image.len() / 3;
    for p in 0..plane {
        let g = (1.0 - factor) * grey_at(image, 3, plane, p);
        for ch in 0..3 {
            let v = &mut image[ch * plane + p];
            *v = (factor * *v + g).clamp(0.0, 1.0);
        }
    }
}

/// Grey level of pixel `p` of a (C, H, W) image with `plane` = H·W: luma for RGB, the value itself
/// otherwise.
#[inline]
pub fn grey_at(image: &[f32], c: usize, plane: usize, p: usize) -> f32 {
    if c == 3 {
        LUMA[0] * image[p] + LUMA[1] * image[plane + p] + LUMA[2] * image[2 * plane + p]
    } else {
        image[p]
    }
}
