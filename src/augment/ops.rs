//! The image operations of RandAugment (Cubuk et al., "RandAugment: Practical automated data
//! augmentation with a reduced search space", NeurIPS 2020; the op list of AutoAugment, Cubuk et
//! al., CVPR 2019), each with its natural argument. The RandAugment tables (which op, which
//! argument for a magnitude M) are in `randaugment.rs`; this file only knows what each op does.
//!
//! Semantics follow PIL's `ImageOps`/`ImageEnhance`, which is what the paper's and timm's
//! implementations call, translated to float intensities v ∈ [0, 1] on (C, H, W) images:
//! - ops defined on 8-bit levels (Solarize, Posterize, Equalize) look at q = round(255·v) and write
//!   levels back as q/255;
//! - enhance ops (Color, Contrast, Brightness, Sharpness) blend with a degenerate image,
//!   v ← f·v + (1 − f)·d, and clamp (f > 1 extrapolates);
//! - geometric ops (Rotate, Shear, Translate) sample the source at the inverse-mapped point with
//!   bilinear interpolation; neighbours outside the image read as mid grey ([`FILL_GREY`]).
//!   They act about the image centre (PIL shears about the top-left corner; about the centre the
//!   figure stays in view, as in torchvision's `affine`).
//!
//! Every op keeps pixels in [0, 1]. Every op with a magnitude returns the image unchanged, bit for
//! bit, at its identity argument (angle/shear/translation 0, enhance factor 1, Solarize threshold
//! 1 = 256/256, Posterize 8 bits); they return early there rather than rely on the arithmetic.
//! `scratch` is a reusable buffer (resized, never shrunk) for the ops that need a copy.

use super::color::{adjust_brightness, adjust_contrast, adjust_saturation};
use super::FILL_GREY;
use crate::math;

/// 8-bit level of an intensity.
#[inline]
fn level(v: f32) -> u8 {
    (v.clamp(0.0, 1.0) * 255.0).round() as u8
}

/// Maximizes each channel's contrast: maps its [min, max] linearly onto [0, 1] (PIL `autocontrast`
/// with cutoff 0). A constant channel is left as it is.
pub fn auto_contrast(image: &mut [f32], c: usize) {
    let plane = image.len() / c.max(1);
    for ch in image.chunks_exact_mut(plane.max(1)) {
        let (lo, hi) = ch
            .iter()
            .fold((f32::INFINITY, f32::NEG_INFINITY), |(lo, hi), &v| {
                (lo.min(v), hi.max(v))
            });
        if hi > lo {
            let scale = 1.0 / (hi - lo);
            ch.iter_mut()
                .for_each(|v| *v = ((*v - lo) * scale).clamp(0.0, 1.0));
        }
    }
}

/// Histogram equalization of each channel on 256 levels, PIL's `equalize` rule: with h the level
/// histogram and step = ⌊(pixels − count of the highest occupied level) / 255⌋, level i maps to
/// ⌊(step/2 + Σ_{j<i} h_j) / step⌋ (capped at 255). A channel with one occupied level, or step 0,
/// is left unchanged.
pub fn equalize(image: &mut [f32], c: usize) {
    let plane = image.len() / c.max(1);
    for ch in image.chunks_exact_mut(plane.max(1)) {
        let mut hist = [0usize; 256];
        ch.iter().for_each(|&v| hist[level(v) as usize] += 1);
        let occupied = hist.iter().filter(|&&n| n > 0).count();
        if occupied <= 1 {
            continue;
        }
        let highest = hist.iter().rev().copied().find(|&n| n > 0).unwrap_or(0);
        let step = (ch.len() - highest) / 255;
        if step == 0 {
            continue;
        }
        let mut lut = [0u8; 256];
        let mut n = step / 2;
        for (i, entry) in lut.iter_mut().enumerate() {
            *entry = (n / step).min(255) as u8;
            n += hist[i];
        }
        ch.iter_mut()
            .for_each(|v| *v = lut[level(*v) as usize] as f32 / 255.0);
    }
}

/// Inverts every pixel whose 8-bit level is ≥ 256·`threshold` (PIL `solarize` with threshold
/// 256·t): v ← 1 − v. `threshold` 1 (256/256) inverts nothing, 0 inverts everything.
pub fn solarize(image: &mut [f32], threshold: f32) {
    if threshold >= 1.0 {
        return;
    }
    let cut = 256.0 * threshold;
    image
        .iter_mut()
        .filter(|v| level(**v) as f32 >= cut)
        .for_each(|v| *v = 1.0 - v.clamp(0.0, 1.0));
}

/// Keeps the `bits` most significant bits of each 8-bit level (PIL `posterize`); 8 or more bits
/// is the identity (the float image is then left unquantized), 0 bits gives black.
pub fn posterize(image: &mut [f32], bits: u32) {
    if bits >= 8 {
        return;
    }
    let mask: u8 = !(0xFFu16 >> bits) as u8;
    image
        .iter_mut()
        .for_each(|v| *v = (level(*v) & mask) as f32 / 255.0);
}

/// PIL `ImageEnhance.Color`: blend with the pixel's grey level (factor 0: grey, 1: unchanged).
pub fn color(image: &mut [f32], c: usize, factor: f32) {
    adjust_saturation(image, c, factor);
}

/// PIL `ImageEnhance.Contrast`: blend with the image's mean grey level.
pub fn contrast(image: &mut [f32], c: usize, factor: f32) {
    adjust_contrast(image, c, factor);
}

/// PIL `ImageEnhance.Brightness`: blend with black, v ← f·v.
pub fn brightness(image: &mut [f32], factor: f32) {
    adjust_brightness(image, factor);
}

/// PIL `ImageEnhance.Sharpness`: blend with PIL's SMOOTH-filtered image (3×3 kernel, 5 at the
/// centre and 1 around, /13); the one-pixel border of the smoothed image is the original, so
/// border pixels never change. Factor 0 smooths, 1 is the identity, 2 sharpens.
pub fn sharpness(image: &mut [f32], c: usize, h: usize, w: usize, factor: f32, scratch: &mut Vec<f32>) {
    if factor == 1.0 || h < 3 || w < 3 {
        return;
    }
    scratch.clear();
    scratch.extend_from_slice(image);
    let plane = h * w;
    for ch in 0..c {
        let src = &scratch[ch * plane..(ch + 1) * plane];
        let dst = &mut image[ch * plane..(ch + 1) * plane];
        for y in 1..h - 1 {
            for x in 1..w - 1 {
                let mut sum = 4.0 * src[y * w + x];
                for row in y - 1..=y + 1 {
                    sum += src[row * w + x - 1] + src[row * w + x] + src[row * w + x + 1];
                }
                let smooth = sum / 13.0;
                dst[y * w + x] = (smooth + factor * (src[y * w + x] - smooth)).clamp(0.0, 1.0);
            }
        }
    }
}

/// Rotates the content by `degrees` counter-clockwise (as seen on screen) about the image centre.
pub fn rotate(image: &mut [f32], c: usize, h: usize, w: usize, degrees: f32, scratch: &mut Vec<f32>) {
    if degrees == 0.0 {
        return;
    }
    let radians = (degrees as f64).to_radians();
    let (sin, cos) = (math::sin(radians), math::cos(radians));
    // Inverse map, y down: a point shown at offset (dx, dy) from the centre comes from
    // (cos·dx − sin·dy, sin·dx + cos·dy).
    affine(image, c, h, w, [cos, -sin, 0.0, sin, cos, 0.0], scratch);
}

/// Shears horizontally about the centre row: the pixel at (x, y) comes from (x + k·(y − cy), y).
pub fn shear_x(image: &mut [f32], c: usize, h: usize, w: usize, k: f32, scratch: &mut Vec<f32>) {
    if k == 0.0 {
        return;
    }
    affine(image, c, h, w, [1.0, k as f64, 0.0, 0.0, 1.0, 0.0], scratch);
}

/// Shears vertically about the centre column: the pixel at (x, y) comes from (x, y + k·(x − cx)).
pub fn shear_y(image: &mut [f32], c: usize, h: usize, w: usize, k: f32, scratch: &mut Vec<f32>) {
    if k == 0.0 {
        return;
    }
    affine(image, c, h, w, [1.0, 0.0, 0.0, k as f64, 1.0, 0.0], scratch);
}

/// Moves the content right by `fraction`·W pixels (left if negative).
pub fn translate_x(image: &mut [f32], c: usize, h: usize, w: usize, fraction: f32, scratch: &mut Vec<f32>) {
    if fraction == 0.0 {
        return;
    }
    affine(
        image,
        c,
        h,
        w,
        [1.0, 0.0, -(fraction as f64) * w as f64, 0.0, 1.0, 0.0],
        scratch,
    );
}

/// Moves the content down by `fraction`·H pixels (up if negative).
pub fn translate_y(image: &mut [f32], c: usize, h: usize, w: usize, fraction: f32, scratch: &mut Vec<f32>) {
    if fraction == 0.0 {
        return;
    }
    affine(
        image,
        c,
        h,
        w,
        [1.0, 0.0, 0.0, 0.0, 1.0, -(fraction as f64) * h as f64],
        scratch,
    );
}

/// Resamples a (C, H, W) image through an inverse affine map given about the image centre:
/// with (dx, dy) the offset of an output pixel centre from the image centre, the source point is
/// (m0·dx + m1·dy + m2, m3·dx + m4·dy + m5) from the centre. Bilinear; out-of-image neighbours
/// read as [`FILL_GREY`], so results stay in [0, 1] (convex combinations of in-range values).
fn affine(image: &mut [f32], c: usize, h: usize, w: usize, m: [f64; 6], scratch: &mut Vec<f32>) {
    scratch.clear();
    scratch.extend_from_slice(image);
    let plane = h * w;
    let (cx, cy) = (w as f64 / 2.0, h as f64 / 2.0);
    for y in 0..h {
        let dy = y as f64 + 0.5 - cy;
        for x in 0..w {
            let dx = x as f64 + 0.5 - cx;
            // Source point in index space (pixel i covers [i, i+1), centre i + 0.5).
            let sx = m[0] * dx + m[1] * dy + m[2] + cx - 0.5;
            let sy = m[3] * dx + m[4] * dy + m[5] + cy - 0.5;
            let (x0, y0) = (sx.floor(), sy.floor());
            let (fx, fy) = ((sx - x0) as f32, (sy - y0) as f32);
            let (x0, y0) = (x0 as i64, y0 as i64);
            let inside = |xi: i64, yi: i64| xi >= 0 && yi >= 0 && (xi as usize) < w && (yi as usize) < h;
            for ch in 0..c {
                let src = &scratch[ch * plane..(ch + 1) * plane];
                let at = |xi: i64, yi: i64| {
                    if inside(xi, yi) {
                        src[yi as usize * w + xi as usize]
                    } else {
                        FILL_GREY
                    }
                };
                let top = at(x0, y0) * (1.0 - fx) + at(x0 + 1, y0) * fx;
                let bottom = at(x0, y0 + 1) * (1.0 - fx) + at(x0 + 1, y0 + 1) * fx;
                image[ch * plane + y * w + x] = (top * (1.0 - fy) + bottom * fy).clamp(0.0, 1.0);
            }
        }
    }
}
