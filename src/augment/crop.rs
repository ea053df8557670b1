//! Random crops and scales (training) and the fixed set of test-time views (evaluation), the
//! ResNet recipe of the lecture: He et al., "Deep Residual Learning for Image Recognition", CVPR
//! 2016, §3.4 (scale augmentation of Simonyan & Zisserman, "Very Deep Convolutional Networks",
//! ICLR 2015) and its 10-crop testing (Krizhevsky et al. 2012).
//!
//! Training: pick a short side L uniformly among the integers in [lo, hi], resize the image
//! (bilinear) so its short side is L, and cut a random window of the training size from it.
//! ResNet trains 224×224 crops with L ∈ [256, 480], i.e. L/224 ∈ [1.14, 2.14]; scaled to our 32×32
//! images a range like [32, 40] keeps figures recognisable (the pipeline takes it relative to the
//! image, see `Augment::crop_scale`). With L equal to the training size the only window is the whole
//! image and the op is the identity.
//!
//! Testing (the marginalization of the random crops): resize to a short side L and take 10 views,
//! the 4 corners and the centre, each also flipped; the caller averages the predictions. ResNet
//! does this at 5 scales; call [`tta_views`] once per scale for that.
//!
//! Resampling: bilinear with half-pixel centres (PyTorch's `align_corners=False`): output pixel y
//! samples source row `(y + 0.5)·H/RH − 0.5`, clamped to the image. There is no antialiasing,
//! which only matters for downscaling; crops here only upscale (L ≥ training size). Equal sizes
//! sample exactly on source pixels, so a resize to the same size is bit-exact.
//!
//! These ops only move and interpolate pixels, so they work in either pixel space and keep any
//! range (an interpolation is a convex combination).

use super::flip::hflip;
use crate::Rng;

/// Number of views [`tta_views`] writes: 4 corners + centre, each with its flip.
pub const TTA_VIEWS: usize = 10;

/// (RH, RW) of an (H, W) image resized so that its short side is `short_side` (aspect kept, the
/// long side rounded).
pub fn resized_dims(h: usize, w: usize, short_side: usize) -> (usize, usize) {
    let long = |a: usize, b: usize| ((short_side as f64) * a as f64 / b as f64).round() as usize;
    if h <= w {
        (short_side, long(w, h))
    } else {
        (long(h, w), short_side)
    }
}

/// Writes the (OH, OW) window at (top, left) of `src` resized to (RH, RW), without building the
/// resized image. `src`: (C, H, W); `dst`: (C, OH, OW). `top + OH ≤ RH`, `left + OW ≤ RW`.
#[allow(clippy::too_many_arguments)]
pub fn resize_crop(
    src: &[f32],
    c: usize,
    h: usize,
    w: usize,
    (rh, rw): (usize, usize),
    (top, left): (usize, usize),
    dst: &mut [f32],
    oh: usize,
    ow: usize,
) {
    debug_assert_eq!(src.len(), c * h * w, "src must be (C, H, W)");
    debug_assert_eq!(dst.len(), c * oh * ow, "dst must be (C, OH, OW)");
    debug_assert!(
        top + oh <= rh && left + ow <= rw,
        "window outside the resized image"
    );
    // One source coordinate → (lower index, upper index, weight of the upper one).
    let axis = |i: usize, n_in: usize, n_out: usize| -> (usize, usize, f32) {
        let s = ((i as f64 + 0.5) * (n_in as f64 / n_out as f64) - 0.5).max(0.0);
        let i0 = (s.floor() as usize).min(n_in - 1);
        let i1 = (i0 + 1).min(n_in - 1);
        (i0, i1, (s - i0 as f64).min(1.0) as f32)
    };
    for ch in 0..c {
        let plane = &src[ch * h * w..(ch + 1) * h * w];
        let out = &mut dst[ch * oh * ow..(ch + 1) * oh * ow];
        for y in 0..oh {
            let (y0, y1, fy) = axis(top + y, h, rh);
            for x in 0..ow {
                let (x0, x1, fx) = axis(left + x, w, rw);
                let top_row = plane[y0 * w + x0] * (1.0 - fx) + plane[y0 * w + x1] * fx;
                let bottom_row = plane[y1 * w + x0] * (1.0 - fx) + plane[y1 * w + x1] * fx;
                out[y * ow + x] = top_row * (1.0 - fy) + bottom_row * fy;
            }
        }
    }
}

/// Bilinear resize of a (C, H, W) image to (C, OH, OW).
pub fn resize(src: &[f32], c: usize, h: usize, w: usize, dst: &mut [f32], oh: usize, ow: usize) {
    resize_crop(src, c, h, w, (oh, ow), (0, 0), dst, oh, ow);
}

/// One draw of the random scale-and-crop: the short side L and the window's top-left corner in the
/// resized image.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ScaleCrop {
    pub short_side: usize,
    pub top: usize,
    pub left: usize,
}

/// Draws L uniformly among the integers in [lo, hi] (raised, if needed, to the smallest L whose
/// resized image holds an OH×OW window), then a uniform window position.
pub fn sample_scale_crop(
    h: usize,
    w: usize,
    oh: usize,
    ow: usize,
    lo: usize,
    hi: usize,
    rng: &mut Rng,
) -> ScaleCrop {
    let fits = |l: usize| {
        let (rh, rw) = resized_dims(h, w, l);
        rh >= oh && rw >= ow
    };
    let mut lo = lo.max(1);
    while !fits(lo) {
        lo += 1;
    }
    let hi = hi.max(lo);
    let short_side = lo + rng.below(hi - lo + 1);
    let (rh, rw) = resized_dims(h, w, short_side);
    let top = rng.below(rh - oh + 1);
    let left = rng.below(rw - ow + 1);
    ScaleCrop {
        short_side,
        top,
        left,
    }
}

/// Applies a drawn [`ScaleCrop`]: `src` (C, H, W) → `dst` (C, OH, OW).
#[allow(clippy::too_many_arguments)]
pub fn apply_scale_crop(
    src: &[f32],
    c: usize,
    h: usize,
    w: usize,
    crop: ScaleCrop,
    dst: &mut [f32],
    oh: usize,
    ow: usize,
) {
    let dims = resized_dims(h, w, crop.short_side);
    resize_crop(src, c, h, w, dims, (crop.top, crop.left), dst, oh, ow);
}

/// Draws and applies a random scale-and-crop (see the module comment); returns the draw.
#[allow(clippy::too_many_arguments)]
pub fn random_scale_crop(
    src: &[f32],
    c: usize,
    h: usize,
    w: usize,
    (lo, hi): (usize, usize),
    dst: &mut [f32],
    oh: usize,
    ow: usize,
    rng: &mut Rng,
) -> ScaleCrop {
    let crop = sample_scale_crop(h, w, oh, ow, lo, hi, rng);
    apply_scale_crop(src, c, h, w, crop, dst, oh, ow);
    crop
}

/// The test-time views of `image` (C, H, W) resized to short side `short_side` (≥ the view size):
/// `views` is (10, C, OH, OW) in the order top-left, top-right, bottom-left, bottom-right, centre,
/// then the same five mirrored. The centre window is at ⌊(RH − OH)/2⌋, ⌊(RW − OW)/2⌋. With
/// `short_side` equal to the image's short side and OH×OW its size, views 0–4 are the image itself.
#[allow(clippy::too_many_arguments)]
pub fn tta_views(
    image: &[f32],
    c: usize,
    h: usize,
    w: usize,
    short_side: usize,
    oh: usize,
    ow: usize,
    views: &mut [f32],
) {
    let view_len = c * oh * ow;
    assert_eq!(views.len(), TTA_VIEWS * view_len, "views must be (10, C, OH, OW)");
    let (rh, rw) = resized_dims(h, w, short_side);
    assert!(
        rh >= oh && rw >= ow,
        "short side {short_side} gives {rh}x{rw}, smaller than the {oh}x{ow} views"
    );
    let (bottom, right) = (rh - oh, rw - ow);
    let corners = [
        (0, 0),
        (0, right),
        (bottom, 0),
        (bottom, right),
        (bottom / 2, right / 2),
    ];
    let (plain, flipped) = views.split_at_mut(5 * view_len);
    for (k, &at) in corners.iter().enumerate() {
        let view = &mut plain[k * view_len..(k + 1) * view_len];
        resize_crop(image, c, h, w, (rh, rw), at, view, oh, ow);
        let mirror = &mut flipped[k * view_len..(k + 1) * view_len];
        mirror.copy_from_slice(view);
        hflip(mirror, c, oh, ow);
    }
}
