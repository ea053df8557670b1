//! Augmentation and mixing (src/augment/): invariants, reference literals, identity magnitudes and
//! the statistics of the random draws, each against the definition in the lecture or the paper.
#![cfg(not(target_arch = "wasm32"))]

use trainlab::augment::color::{adjust_brightness, adjust_contrast, adjust_saturation, ColorJitter};
use trainlab::augment::crop::{
    apply_scale_crop, random_scale_crop, resize, resize_crop, resized_dims, sample_scale_crop, tta_views,
    ScaleCrop, TTA_VIEWS,
};
use trainlab::augment::cutout::{cutout, erase, BoxSize, Fill, Rect};
use trainlab::augment::flip::hflip;
use trainlab::augment::mix::{MixKind, Mixer};
use trainlab::augment::ops;
use trainlab::augment::pca::{symmetric_eigen3, PcaColor};
use trainlab::augment::randaugment::{Op, RandAugment};
use trainlab::augment::smoothing::{one_hot_smoothed, smooth, smoothed_values};
use trainlab::augment::Augment;
use trainlab::data::{self, normalise};
use trainlab::Rng;

/// A (C, H, W) image of uniform intensities in [0, 1].
fn random_image(c: usize, h: usize, w: usize, rng: &mut Rng) -> Vec<f32> {
    (0..c * h * w).map(|_| rng.uniform() as f32).collect()
}

/// Random intensities with some pixels pinned at exactly 0 and 1 (the range edges ops must keep).
fn edgy_image(c: usize, h: usize, w: usize, rng: &mut Rng) -> Vec<f32> {
    (0..c * h * w)
        .map(|_| match rng.below(6) {
            0 => 0.0,
            1 => 1.0,
            _ => rng.uniform() as f32,
        })
        .collect()
}

fn in_unit_range(image: &[f32]) -> bool {
    image.iter().all(|v| (0.0..=1.0).contains(v))
}

// ---------------------------------------------------------------------------------------------
// Flip

#[test]
fn flip_twice_is_the_identity() {
    let mut rng = Rng::new(1);
    for (c, h, w) in [(3, 5, 7), (1, 4, 4), (3, 32, 32), (1, 1, 1)] {
        let img = random_image(c, h, w, &mut rng);
        let mut x = img.clone();
        hflip(&mut x, c, h, w);
        if w > 1 {
            assert_ne!(x, img);
        }
        hflip(&mut x, c, h, w);
        assert_eq!(x, img, "{c}x{h}x{w}");
    }
}

#[test]
fn flip_of_a_known_image() {
    // 1 channel, 2×3:      flipped:
    //   1 2 3                3 2 1
    //   4 5 6                6 5 4
    let mut x = vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0];
    hflip(&mut x, 1, 2, 3);
    assert_eq!(x, vec![3.0, 2.0, 1.0, 6.0, 5.0, 4.0]);
    // 2 channels, 1×3: each plane mirrors on its own.
    let mut x = vec![1.0, 2.0, 3.0, 10.0, 20.0, 30.0];
    hflip(&mut x, 2, 1, 3);
    assert_eq!(x, vec![3.0, 2.0, 1.0, 30.0, 20.0, 10.0]);
}

// ---------------------------------------------------------------------------------------------
// Crops and scales, test-time views

#[test]
fn bilinear_resize_uses_half_pixel_centres() {
    // PyTorch interpolate(mode="bilinear", align_corners=False) of [0, 1] to width 4:
    // source x = (x + 0.5)·2/4 − 0.5 = −0.25 (clamped to 0), 0.25, 0.75, 1.25 (upper index clamped)
    let mut out = vec![0.0; 4];
    resize(&[0.0, 1.0], 1, 1, 2, &mut out, 1, 4);
    assert_eq!(out, vec![0.0, 0.25, 0.75, 1.0]);
}

#[test]
fn crop_at_the_training_size_with_offset_zero_is_the_identity() {
    let mut rng = Rng::new(2);
    for (c, h, w) in [(3, 32, 32), (1, 28, 28), (3, 8, 12)] {
        let img = random_image(c, h, w, &mut rng);
        let mut out = vec![f32::NAN; c * h * w];
        let short = h.min(w);
        apply_scale_crop(
            &img,
            c,
            h,
            w,
            ScaleCrop {
                short_side: short,
                top: 0,
                left: 0,
            },
            &mut out,
            h,
            w,
        );
        assert_eq!(out, img, "{c}x{h}x{w}");
        // Drawn with the range [S, S], the only window of a square image is the whole image.
        if h == w {
            let crop = random_scale_crop(&img, c, h, w, (short, short), &mut out, h, w, &mut rng);
            assert_eq!(
                crop,
                ScaleCrop {
                    short_side: short,
                    top: 0,
                    left: 0
                }
            );
            assert_eq!(out, img);
        }
    }
}

#[test]
fn random_crops_stay_inside_the_resized_image_and_keep_the_range() {
    let mut rng = Rng::new(3);
    let (c, h, w) = (3, 32, 32);
    let mut seen = std::collections::BTreeSet::new();
    for _ in 0..200 {
        let img = edgy_image(c, h, w, &mut rng);
        let mut out = vec![0.0; c * h * w];
        let crop = random_scale_crop(&img, c, h, w, (32, 40), &mut out, h, w, &mut rng);
        seen.insert(crop.short_side);
        assert!((32..=40).contains(&crop.short_side));
        let (rh, rw) = resized_dims(h, w, crop.short_side);
        assert!(crop.top + h <= rh && crop.left + w <= rw, "{crop:?}");
        assert!(in_unit_range(&out));
    }
    assert_eq!(seen.len(), 9, "every L in [32, 40] is drawn: {seen:?}");
    // Non-square: the short side is L, the long side keeps the aspect ratio.
    assert_eq!(resized_dims(20, 40, 30), (30, 60));
    assert_eq!(resized_dims(40, 20, 30), (60, 30));
    // A range below the crop size is raised to the smallest L that holds the window.
    let crop = sample_scale_crop(32, 32, 32, 32, 10, 12, &mut rng);
    assert_eq!(
        crop,
        ScaleCrop {
            short_side: 32,
            top: 0,
            left: 0
        }
    );
}

#[test]
fn tta_gives_ten_views_and_the_centre_view_at_full_size_is_the_image() {
    let mut rng = Rng::new(4);
    let (c, h, w) = (3, 16, 16);
    let len = c * h * w;
    let img = random_image(c, h, w, &mut rng);
    let mut flipped = img.clone();
    hflip(&mut flipped, c, h, w);

    let mut views = vec![f32::NAN; TTA_VIEWS * len];
    tta_views(&img, c, h, w, 16, h, w, &mut views);
    assert_eq!(TTA_VIEWS, 10);
    assert_eq!(views.chunks_exact(len).count(), 10);
    for k in 0..5 {
        assert_eq!(&views[k * len..(k + 1) * len], &img[..], "view {k} at L = size");
        assert_eq!(
            &views[(5 + k) * len..(6 + k) * len],
            &flipped[..],
            "view {} at L = size",
            5 + k
        );
    }

    // At L = 20 the five windows are the corners and the centre of the 20×20 resize.
    tta_views(&img, c, h, w, 20, h, w, &mut views);
    let mut big = vec![0.0; c * 20 * 20];
    resize(&img, c, h, w, &mut big, 20, 20);
    let window = |top: usize, left: usize| {
        let mut out = vec![0.0; len];
        resize_crop(&img, c, h, w, (20, 20), (top, left), &mut out, h, w);
        out
    };
    for (k, (top, left)) in [(0, 0), (0, 4), (4, 0), (4, 4), (2, 2)].into_iter().enumerate() {
        let expect = window(top, left);
        assert_eq!(&views[k * len..(k + 1) * len], &expect[..], "view {k}");
        // The window is a crop of the full resize.
        for ch in 0..c {
            for y in 0..h {
                for x in 0..w {
                    assert_eq!(
                        expect[(ch * h + y) * w + x],
                        big[(ch * 20 + top + y) * 20 + left + x]
                    );
                }
            }
        }
        let mut mirrored = expect.clone();
        hflip(&mut mirrored, c, h, w);
        assert_eq!(
            &views[(5 + k) * len..(6 + k) * len],
            &mirrored[..],
            "view {}",
            5 + k
        );
    }
    assert!(in_unit_range(&views));
}

// ---------------------------------------------------------------------------------------------
// Colour jitter

#[test]
fn colour_jitter_with_zero_strength_is_the_identity_and_draws_nothing() {
    let mut rng = Rng::new(5);
    let img = random_image(3, 8, 8, &mut rng);
    let mut x = img.clone();
    let (mut a, mut b) = (Rng::new(9), Rng::new(9));
    ColorJitter::default().apply(&mut x, 3, &mut a);
    assert_eq!(x, img);
    assert_eq!(a.uniform(), b.uniform(), "no draw was made");
}

#[test]
fn colour_jitter_keeps_the_range() {
    let mut rng = Rng::new(6);
    let jitter = ColorJitter {
        brightness: 0.9,
        contrast: 0.9,
        saturation: 0.9,
    };
    for c in [3, 1] {
        for _ in 0..200 {
            let mut x = edgy_image(c, 8, 8, &mut rng);
            jitter.apply(&mut x, c, &mut rng);
            assert!(in_unit_range(&x));
        }
    }
}

#[test]
fn colour_adjustments_follow_their_definitions() {
    // Brightness multiplies: factor 0.5 halves every intensity.
    let mut x = vec![0.2, 0.4, 0.8, 1.0];
    adjust_brightness(&mut x, 0.5);
    assert_eq!(x, vec![0.1, 0.2, 0.4, 0.5]);
    // Contrast 0 gives the mean grey everywhere (grey image: the mean of the values).
    let mut x = vec![0.0, 0.25, 0.5, 1.0];
    adjust_contrast(&mut x, 1, 0.0);
    x.iter().for_each(|&v| assert!((v - 0.4375).abs() < 1e-6));
    // Saturation 0 gives the per-pixel luma in all three channels; grey images are untouched.
    let mut x = vec![1.0, 0.0, 0.0, 1.0, 0.0, 0.0]; // two pixels: red and green
    adjust_saturation(&mut x, 3, 0.0);
    let (r, g) = (0.299f32, 0.587f32);
    for (i, e) in [r, g, r, g, r, g].iter().enumerate() {
        assert!((x[i] - e).abs() < 1e-6, "{x:?}");
    }
    let mut grey = vec![0.3, 0.7];
    adjust_saturation(&mut grey, 1, 0.0);
    assert_eq!(grey, vec![0.3, 0.7]);
}

// ---------------------------------------------------------------------------------------------
// PCA colour augmentation

/// A stored RGB data set whose channels are correlated (a shared brightness plus per-channel
/// noise), as in natural images.
fn correlated_rgb(n: usize, h: usize, w: usize, rng: &mut Rng) -> Vec<f32> {
    let plane = h * w;
    let mut images = vec![0.0; n * 3 * plane];
    for img in images.chunks_exact_mut(3 * plane) {
        for p in 0..plane {
            let base = rng.uniform() as f32;
            for (ch, weight) in [0.9f32, 0.6, 0.3].iter().enumerate() {
                let v = (0.05 + weight * base + 0.1 * rng.uniform() as f32 * (ch as f32 + 1.0) / 3.0)
                    .clamp(0.0, 1.0);
                img[ch * plane + p] = normalise(v);
            }
        }
    }
    images
}

#[test]
fn jacobi_eigenvectors_are_orthonormal_and_reconstruct_the_covariance() {
    let mut rng = Rng::new(7);
    let images = correlated_rgb(50, 8, 8, &mut rng);
    let pca = PcaColor::fit(&images, 3, 8, 8);
    assert!(pca.rgb);
    let (l, p) = (pca.eigenvalues, pca.eigenvectors);
    assert!(l[0] >= l[1] && l[1] >= l[2] && l[2] > 0.0, "{l:?}");
    for i in 0..3 {
        for j in 0..3 {
            let dot: f64 = (0..3).map(|k| p[i][k] * p[j][k]).sum();
            let expect = if i == j { 1.0 } else { 0.0 };
            assert!((dot - expect).abs() < 1e-12, "p{i}·p{j} = {dot}");
        }
    }
    // V Λ Vᵀ = Σ
    for a in 0..3 {
        for b in 0..3 {
            let rebuilt: f64 = (0..3).map(|i| l[i] * p[i][a] * p[i][b]).sum();
            assert!((rebuilt - pca.covariance[a][b]).abs() < 1e-12, "Σ[{a}][{b}]");
        }
    }
    // Σ itself, recomputed the slow way (two passes over the intensities).
    let plane = 64;
    let pixels: Vec<[f64; 3]> = images
        .chunks_exact(3 * plane)
        .flat_map(|img| {
            (0..plane).map(move |q| [0, 1, 2].map(|ch| data::denormalise(img[ch * plane + q]) as f64))
        })
        .collect();
    let n = pixels.len() as f64;
    let mean = [0, 1, 2].map(|ch| pixels.iter().map(|v| v[ch]).sum::<f64>() / n);
    for a in 0..3 {
        for b in 0..3 {
            let cov = pixels
                .iter()
                .map(|v| (v[a] - mean[a]) * (v[b] - mean[b]))
                .sum::<f64>()
                / n;
            assert!((cov - pca.covariance[a][b]).abs() < 1e-9);
        }
    }
}

#[test]
fn jacobi_on_matrices_with_known_spectra() {
    // [[2,1,0],[1,2,0],[0,0,3]]: eigenvalues 3 (twice: (1,1,0)/√2 and (0,0,1)) and 1 ((1,−1,0)/√2).
    let (l, p) = symmetric_eigen3([[2.0, 1.0, 0.0], [1.0, 2.0, 0.0], [0.0, 0.0, 3.0]]);
    assert!(
        (l[0] - 3.0).abs() < 1e-14 && (l[1] - 3.0).abs() < 1e-14 && (l[2] - 1.0).abs() < 1e-14,
        "{l:?}"
    );
    let s = std::f64::consts::FRAC_1_SQRT_2;
    assert!((p[2][0].abs() - s).abs() < 1e-14 && (p[2][0] + p[2][1]).abs() < 1e-14 && p[2][2].abs() < 1e-14);
    // Diagonal input: already diagonal, sorted.
    let (l, _) = symmetric_eigen3([[1.0, 0.0, 0.0], [0.0, 5.0, 0.0], [0.0, 0.0, 2.0]]);
    assert_eq!(l, [5.0, 2.0, 1.0]);
}

#[test]
fn pca_offset_covariance_is_std_squared_times_v_lambda_squared_v_transposed() {
    // AlexNet adds δ = Σ αᵢ λᵢ pᵢ, αᵢ ~ N(0, σ²): Cov(δ) = σ² V Λ² Vᵀ (= σ²Σ², see pca.rs).
    let cov = [[0.08, 0.05, 0.02], [0.05, 0.07, 0.03], [0.02, 0.03, 0.06]];
    let pca = PcaColor::from_covariance(cov);
    let std = 0.1f32;
    let mut rng = Rng::new(8);
    let draws = 50_000;
    let mut m2 = [[0.0f64; 3]; 3];
    let mut mean = [0.0f64; 3];
    for _ in 0..draws {
        let d = pca.sample_offset(std, &mut rng).map(|x| x as f64);
        for a in 0..3 {
            mean[a] += d[a] / draws as f64;
            for b in 0..3 {
                m2[a][b] += d[a] * d[b] / draws as f64;
            }
        }
    }
    let (l, p) = (pca.eigenvalues, pca.eigenvectors);
    let sigma2 = (std as f64).powi(2);
    let scale = sigma2 * l[0] * l[0];
    for a in 0..3 {
        assert!(mean[a].abs() < 0.02 * scale.sqrt(), "mean {mean:?}");
        for b in 0..3 {
            let expect: f64 = sigma2 * (0..3).map(|i| l[i] * l[i] * p[i][a] * p[i][b]).sum::<f64>();
            // Σ² computed directly, to state the identity V Λ² Vᵀ = Σ·Σ.
            let sigma_sq: f64 = (0..3).map(|k| cov[a][k] * cov[k][b]).sum();
            assert!((expect - sigma2 * sigma_sq).abs() < 1e-15);
            assert!(
                (m2[a][b] - expect).abs() < 0.03 * scale,
                "Cov(δ)[{a}][{b}] = {} vs {expect}",
                m2[a][b]
            );
        }
    }
}

#[test]
fn pca_shifts_every_pixel_by_the_same_offset_and_is_a_no_op_on_grey() {
    let mut rng = Rng::new(10);
    let images = correlated_rgb(20, 4, 4, &mut rng);
    let pca = PcaColor::fit(&images, 3, 4, 4);
    let img: Vec<f32> = (0..48).map(|i| 0.2 + 0.01 * i as f32 % 0.6).collect();
    let mut x = img.clone();
    let delta = pca.apply(&mut x, 3, 0.1, &mut rng);
    for (ch, d) in delta.iter().enumerate() {
        for q in 0..16 {
            let i = ch * 16 + q;
            assert!((x[i] - (img[i] + d)).abs() < 1e-6);
        }
    }
    // Grey: an empty basis, no change, no draw.
    let grey = PcaColor::fit(&[0.0; 2 * 16], 1, 4, 4);
    assert!(!grey.rgb);
    let mut g = vec![0.5; 16];
    let (mut a, mut b) = (Rng::new(11), Rng::new(11));
    assert_eq!(grey.apply(&mut g, 1, 0.1, &mut a), [0.0; 3]);
    assert_eq!(g, vec![0.5; 16]);
    assert_eq!(a.uniform(), b.uniform());
}

// ---------------------------------------------------------------------------------------------
// RandAugment

#[test]
fn every_randaugment_op_keeps_pixels_in_range_at_random_magnitudes() {
    let mut rng = Rng::new(12);
    let mut scratch = Vec::new();
    for (c, h, w) in [(3, 8, 8), (1, 7, 5), (3, 32, 32)] {
        for op in Op::ALL {
            for _ in 0..30 {
                let mut x = edgy_image(c, h, w, &mut rng);
                let m = rng.range(0.0, 10.0) as f32;
                let arg = op.level_to_arg(m, &mut rng);
                op.apply(&mut x, c, h, w, arg, &mut scratch);
                assert!(in_unit_range(&x), "{op:?} at M = {m} (arg {arg}) on {c}x{h}x{w}");
            }
            // The extremes of the scale too.
            for m in [0.0, 10.0] {
                let mut x = edgy_image(c, h, w, &mut rng);
                let arg = op.level_to_arg(m, &mut rng);
                op.apply(&mut x, c, h, w, arg, &mut scratch);
                assert!(in_unit_range(&x), "{op:?} at M = {m}");
            }
        }
    }
}

#[test]
fn every_op_with_a_magnitude_is_the_identity_at_its_identity_argument_and_at_m_zero() {
    let mut rng = Rng::new(13);
    let mut scratch = Vec::new();
    for op in Op::ALL {
        let Some(identity) = op.identity_arg() else {
            assert!(matches!(op, Op::AutoContrast | Op::Equalize));
            continue;
        };
        for (c, h, w) in [(3, 8, 8), (1, 6, 9)] {
            let img = edgy_image(c, h, w, &mut rng);
            let mut x = img.clone();
            op.apply(&mut x, c, h, w, identity, &mut scratch);
            assert_eq!(x, img, "{op:?} at {identity}");
            // M = 0 maps to the identity argument (up to the sign of a zero).
            assert_eq!(op.level_to_arg(0.0, &mut rng), identity, "{op:?}");
        }
    }
}

#[test]
fn randaugment_magnitude_ten_reaches_the_documented_extremes() {
    let mut rng = Rng::new(14);
    let mut signs = std::collections::HashMap::new();
    for _ in 0..200 {
        for op in Op::ALL {
            let arg = op.level_to_arg(10.0, &mut rng);
            let expect = match op {
                Op::Rotate => 30.0,
                Op::ShearX | Op::ShearY => 0.3,
                Op::TranslateX | Op::TranslateY => 0.45,
                Op::Solarize => 0.0,
                Op::Posterize => 4.0,
                Op::Color | Op::Contrast | Op::Brightness | Op::Sharpness => {
                    assert!(
                        (arg - 0.1).abs() < 1e-6 || (arg - 1.9).abs() < 1e-6,
                        "{op:?}: {arg}"
                    );
                    *signs.entry((op, arg > 1.0)).or_insert(0) += 1;
                    continue;
                }
                _ => 0.0,
            };
            assert!((arg.abs() - expect).abs() < 1e-6, "{op:?}: {arg}");
            *signs.entry((op, arg < 0.0)).or_insert(0) += 1;
        }
    }
    for op in [Op::Rotate, Op::ShearX, Op::TranslateY, Op::Brightness] {
        assert!(
            signs.contains_key(&(op, true)) && signs.contains_key(&(op, false)),
            "{op:?} gets both signs"
        );
    }
    // M is clamped to the scale.
    assert_eq!(Op::Posterize.level_to_arg(25.0, &mut rng), 4.0);
}

#[test]
fn randaugment_ops_follow_their_definitions() {
    let mut s = Vec::new();
    // Solarize at threshold 0.5 (128 of 256 levels): 0.6 (level 153) inverts, 0.4 (102) stays.
    let mut x = vec![0.4, 0.6, 1.0, 0.0];
    ops::solarize(&mut x, 0.5);
    assert_eq!(x, vec![0.4, 1.0 - 0.6, 0.0, 0.0]);
    // Threshold 0 inverts everything, 0 included.
    let mut x = vec![0.0, 1.0];
    ops::solarize(&mut x, 0.0);
    assert_eq!(x, vec![1.0, 0.0]);
    // Posterize to 1 bit: level 153 → 128, level 102 → 0.
    let mut x = vec![0.6, 0.4];
    ops::posterize(&mut x, 1);
    assert_eq!(x, vec![128.0 / 255.0, 0.0]);
    // AutoContrast stretches each channel's [min, max] to [0, 1].
    let mut x = vec![0.2, 0.4, 0.6, 0.5, 0.5, 0.5];
    ops::auto_contrast(&mut x, 2);
    assert!((x[0] - 0.0).abs() < 1e-6 && (x[1] - 0.5).abs() < 1e-6 && (x[2] - 1.0).abs() < 1e-6);
    assert_eq!(&x[3..], &[0.5, 0.5, 0.5], "a constant channel is left alone");
    // Equalize (PIL's rule) on 1,024 pixels at two levels, 51 and 102: step = (1024 − 512)/255 = 2,
    // lut[51] = ⌊1/2⌋ = 0, lut[102] = ⌊(1 + 512)/2⌋ = 256 → 255.
    let mut x: Vec<f32> = (0..1024).map(|i| if i % 2 == 0 { 0.2 } else { 0.4 }).collect();
    ops::equalize(&mut x, 1);
    assert!(x
        .iter()
        .enumerate()
        .all(|(i, &v)| v == if i % 2 == 0 { 0.0 } else { 1.0 }));
    // TranslateX by a quarter of a width-4 row moves the content right one pixel, grey fills in.
    let mut x = vec![0.1, 0.2, 0.3, 0.4];
    ops::translate_x(&mut x, 1, 1, 4, 0.25, &mut s);
    assert_eq!(x, vec![0.5, 0.1, 0.2, 0.3]);
    let mut x = vec![0.1, 0.2, 0.3, 0.4];
    ops::translate_y(&mut x, 1, 4, 1, -0.25, &mut s);
    assert_eq!(x, vec![0.2, 0.3, 0.4, 0.5]);
    // Rotate 90° counter-clockwise (as seen on screen, rows going down) about the centre.
    let mut x: Vec<f32> = (1..=9).map(|v| v as f32 / 10.0).collect();
    ops::rotate(&mut x, 1, 3, 3, 90.0, &mut s);
    let expect = [3.0, 6.0, 9.0, 2.0, 5.0, 8.0, 1.0, 4.0, 7.0].map(|v| v / 10.0);
    for (a, b) in x.iter().zip(expect) {
        assert!((a - b).abs() < 1e-6, "{x:?}");
    }
    // ShearX by 1 on 3×3 about the centre row: row y reads from x + (y − 1), grey outside.
    let mut x: Vec<f32> = (1..=9).map(|v| v as f32 / 10.0).collect();
    ops::shear_x(&mut x, 1, 3, 3, 1.0, &mut s);
    let expect = [0.5, 0.1, 0.2, 0.4, 0.5, 0.6, 0.8, 0.9, 0.5];
    for (a, b) in x.iter().zip(expect) {
        assert!((a - b).abs() < 1e-6, "{x:?}");
    }
    // Sharpness 0 is PIL's SMOOTH filter inside, the border unchanged: centre of a 3×3 with a
    // single bright pixel in the middle becomes 5/13.
    let mut x = vec![0.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0];
    ops::sharpness(&mut x, 1, 3, 3, 0.0, &mut s);
    assert!((x[4] - 5.0 / 13.0).abs() < 1e-6);
    assert!(x.iter().enumerate().all(|(i, &v)| i == 4 || v == 0.0));
}

#[test]
fn randaugment_driver_applies_exactly_n_ops() {
    let mut rng = Rng::new(15);
    let (c, h, w) = (3, 8, 8);
    let mut scratch = Vec::new();
    let mut applied = Vec::new();
    let mut counts = [0usize; 14];
    for n in [0, 1, 2, 3, 5] {
        for _ in 0..100 {
            let img = random_image(c, h, w, &mut rng);
            let mut x = img.clone();
            RandAugment { n, m: 7.0 }.apply(&mut x, c, h, w, &mut rng, &mut scratch, &mut applied);
            assert_eq!(applied.len(), n);
            // Replaying the recorded ops by hand gives the same image: these n ops, and nothing
            // else, were applied.
            let mut replay = img.clone();
            for &(op, arg) in &applied {
                op.apply(&mut replay, c, h, w, arg, &mut scratch);
                counts[op as usize] += 1;
            }
            assert_eq!(replay, x);
            if n == 0 {
                assert_eq!(x, img);
            }
        }
    }
    // 1,100 uniform draws among 14 ops: each expected ~79 times.
    assert!(counts.iter().all(|&k| k > 40), "{counts:?}");
}

// ---------------------------------------------------------------------------------------------
// Cutout / random erasing

#[test]
fn cutout_erases_exactly_the_clipped_box_at_every_position() {
    let (c, h, w) = (2, 8, 6);
    let mut rng = Rng::new(16);
    for (bh, bw) in [(4, 3), (3, 3), (1, 1), (8, 6), (20, 20)] {
        for cy in 0..h {
            for cx in 0..w {
                let rect = Rect::centred(cy, cx, bh, bw, h, w);
                // Expected extent, independently: rows [cy − ⌊bh/2⌋, cy − ⌊bh/2⌋ + bh) ∩ [0, h).
                let span = |centre: usize, len: usize, n: usize| {
                    let start = centre as i64 - (len / 2) as i64;
                    (
                        start.max(0) as usize,
                        ((start + len as i64).min(n as i64)) as usize,
                    )
                };
                let ((y0, y1), (x0, x1)) = (span(cy, bh, h), span(cx, bw, w));
                assert_eq!(rect, Rect { y0, y1, x0, x1 });
                let mut x = vec![1.0f32; c * h * w];
                erase(&mut x, c, h, w, rect, Fill::Zero, &mut rng);
                let erased = x.iter().filter(|&&v| v == 0.0).count();
                assert_eq!(erased, c * (y1 - y0) * (x1 - x0), "box {bh}x{bw} at ({cy}, {cx})");
                for ch in 0..c {
                    for y in 0..h {
                        for xx in 0..w {
                            let v = x[(ch * h + y) * w + xx];
                            assert_eq!(v == 0.0, rect.contains(y, xx));
                        }
                    }
                }
            }
        }
    }
}

#[test]
fn random_cutout_fills_only_its_box() {
    let (c, h, w) = (3, 10, 10);
    let mut rng = Rng::new(17);
    let mut clipped = 0;
    for fill in [Fill::Zero, Fill::Mean, Fill::Random] {
        for _ in 0..300 {
            let img = random_image(c, h, w, &mut rng);
            let mut x = img.clone();
            let rect = cutout(&mut x, c, h, w, BoxSize::Length(4), fill, &mut rng);
            if rect.area() < 16 {
                clipped += 1;
            }
            assert!(in_unit_range(&x));
            for ch in 0..c {
                let plane = &img[ch * h * w..(ch + 1) * h * w];
                let mean = (plane.iter().map(|&v| v as f64).sum::<f64>() / (h * w) as f64) as f32;
                for y in 0..h {
                    for xx in 0..w {
                        let i = (ch * h + y) * w + xx;
                        if !rect.contains(y, xx) {
                            assert_eq!(x[i], img[i], "outside the box nothing changes");
                        } else {
                            match fill {
                                Fill::Zero => assert_eq!(x[i], 0.0),
                                Fill::Mean => assert!((x[i] - mean).abs() < 1e-6),
                                Fill::Random => {}
                            }
                        }
                    }
                }
            }
        }
    }
    assert!(clipped > 50, "boxes at the border are clipped ({clipped})");
    assert_eq!(BoxSize::Area(0.25).dims(32, 32), (16, 16));
    assert_eq!(BoxSize::Length(40).dims(32, 28), (32, 28));
}

// ---------------------------------------------------------------------------------------------
// Label smoothing

#[test]
fn label_smoothing_matches_the_lecture() {
    // K = 10, ε = 0.1: 1 − 9/10·0.1 = 0.91 on the class, 0.1/10 = 0.01 elsewhere.
    let (k, eps) = (10, 0.1);
    assert_eq!(smoothed_values(k, eps), (1.0 - 0.9 * 0.1, 0.01));
    let labels = [3u8, 0, 9];
    let mut t = vec![0.0; 3 * k];
    one_hot_smoothed(&labels, k, eps, &mut t);
    for (row, &l) in t.chunks_exact(k).zip(&labels) {
        for (j, &v) in row.iter().enumerate() {
            let expect = if j == l as usize { 0.91 } else { 0.01 };
            assert!((v - expect).abs() < 1e-7, "{row:?}");
        }
        assert!((row.iter().sum::<f32>() - 1.0).abs() < 1e-6);
    }
    // The soft-target form t(1 − ε) + ε/K on a one-hot row is the same thing.
    let mut s = vec![0.0; 3 * k];
    one_hot_smoothed(&labels, k, 0.0, &mut s);
    smooth(&mut s, k, eps);
    for (a, b) in s.iter().zip(&t) {
        assert!((a - b).abs() < 1e-7);
    }
    // On a soft row it keeps the sum at 1; the lecture's slide example K = 3, ε = 0.15: 0.9/0.05.
    let mut soft = vec![0.6, 0.4, 0.0];
    smooth(&mut soft, 3, 0.15);
    assert!((soft.iter().sum::<f32>() - 1.0).abs() < 1e-6);
    let (on, off) = smoothed_values(3, 0.15);
    assert!((on - 0.9).abs() < 1e-6 && (off - 0.05).abs() < 1e-6);
}

// ---------------------------------------------------------------------------------------------
// Mixup, CutMix

#[test]
fn mixup_lambda_follows_beta_alpha_alpha() {
    for alpha in [0.2f32, 1.0] {
        let mixer = Mixer {
            mixup_alpha: alpha,
            ..Mixer::default()
        };
        let mut rng = Rng::new(18);
        let draws = 20_000;
        let mut lambdas = Vec::with_capacity(draws);
        let mut t = vec![0.0; 2 * 3];
        for _ in 0..draws {
            let mut images = vec![1.0, -1.0];
            let info = mixer.apply(&mut images, 2, 1, 1, 1, &[0, 2], 3, &mut t, &mut rng);
            assert_eq!(info.kind, MixKind::Mixup);
            let l = info.lambda;
            // x₀ = λ·1 + (1 − λ)·(−1), targets λ on class 0 and 1 − λ on class 2.
            assert!((images[0] - (2.0 * l - 1.0)).abs() < 1e-6);
            assert!((t[0] - l).abs() < 1e-6 && (t[2] - (1.0 - l)).abs() < 1e-6);
            lambdas.push(l as f64);
        }
        let n = draws as f64;
        let mean = lambdas.iter().sum::<f64>() / n;
        let var = lambdas.iter().map(|l| (l - mean).powi(2)).sum::<f64>() / n;
        let a = alpha as f64;
        // Beta(α, α): mean α/(2α) = 1/2, variance α²/((2α)²(2α + 1)) = 1/(4(2α + 1)).
        let expect_var = 1.0 / (4.0 * (2.0 * a + 1.0));
        assert!((mean - 0.5).abs() < 0.015, "α = {alpha}: mean {mean}");
        assert!(
            (var - expect_var).abs() < 0.008,
            "α = {alpha}: var {var} vs {expect_var}"
        );
        // Small α puts λ near 0 or 1 ("blend weights close to 0/1"), α = 1 is uniform.
        let extreme = lambdas.iter().filter(|&&l| !(0.1..=0.9).contains(&l)).count() as f64 / n;
        if alpha < 1.0 {
            assert!(extreme > 0.5, "α = {alpha}: {extreme}");
        } else {
            assert!((extreme - 0.2).abs() < 0.02, "α = 1: {extreme}");
        }
    }
}

#[test]
fn cutmix_label_weight_is_exactly_the_pasted_pixel_fraction() {
    let (c, h, w, k) = (2, 5, 7, 10);
    let len = c * h * w;
    let mixer = Mixer {
        cutmix_alpha: 1.0,
        ..Mixer::default()
    };
    let mut rng = Rng::new(19);
    let mut clipped = 0;
    for n in [2usize, 3, 4] {
        let labels: Vec<u8> = (0..n as u8).map(|i| i * 2 + 1).collect();
        for _ in 0..1_000 {
            // Image i is the constant i + 1 — distinctive, so every pixel tells its source.
            let mut images: Vec<f32> = (0..n)
                .flat_map(|i| std::iter::repeat_n(i as f32 + 1.0, len))
                .collect();
            let mut t = vec![0.0; n * k];
            let info = mixer.apply(&mut images, n, c, h, w, &labels, k, &mut t, &mut rng);
            assert_eq!(info.kind, MixKind::CutMix);
            let rect = info.rect.unwrap();
            let nominal = ((1.0 - info.lambda_drawn as f64).sqrt() * h as f64).round() as usize
                * ((1.0 - info.lambda_drawn as f64).sqrt() * w as f64).round() as usize;
            if rect.area() < nominal {
                clipped += 1;
            }
            for i in 0..n {
                let j = n - 1 - i;
                assert_eq!(info.partner(i), j);
                let img = &images[i * len..(i + 1) * len];
                let from_partner = img.iter().filter(|&&v| v == j as f32 + 1.0).count();
                let own = img.iter().filter(|&&v| v == i as f32 + 1.0).count();
                assert_eq!(
                    own + from_partner - if i == j { len } else { 0 },
                    len,
                    "only own and partner pixels"
                );
                let row = &t[i * k..(i + 1) * k];
                assert!((row.iter().sum::<f32>() - 1.0).abs() < 1e-6);
                if i == j {
                    // The middle of an odd batch is its own partner: unchanged image, plain label.
                    assert!(img.iter().all(|&v| v == i as f32 + 1.0));
                    assert!((row[labels[i] as usize] - 1.0).abs() < 1e-6);
                    continue;
                }
                // Pasted pixels are exactly the box, in every channel.
                assert_eq!(from_partner, c * rect.area());
                let fraction = (from_partner / c) as f64 / (h * w) as f64;
                assert_eq!(
                    row[labels[j] as usize], fraction as f32,
                    "partner weight = pasted fraction"
                );
                assert!((row[labels[i] as usize] - (1.0 - fraction) as f32).abs() < 1e-7);
                assert!((info.lambda - (1.0 - fraction) as f32).abs() < 1e-7);
            }
        }
    }
    assert!(clipped > 300, "many boxes clipped at the border ({clipped})");
}

#[test]
fn mixed_targets_sum_to_one_and_compose_with_label_smoothing() {
    let (n, c, h, w, k, eps) = (8, 3, 6, 6, 10, 0.1f32);
    let mixer = Mixer {
        mixup_alpha: 0.4,
        cutmix_alpha: 1.0,
        switch_prob: 0.5,
        prob: 0.8,
        label_smoothing: eps,
    };
    let mut rng = Rng::new(20);
    let mut kinds = std::collections::HashMap::new();
    for _ in 0..400 {
        let labels: Vec<u8> = (0..n).map(|_| rng.below(k) as u8).collect();
        let mut images = random_image(n * c, h, w, &mut rng);
        let mut t = vec![0.0; n * k];
        let info = mixer.apply(&mut images, n, c, h, w, &labels, k, &mut t, &mut rng);
        *kinds.entry(info.kind).or_insert(0) += 1;
        for i in 0..n {
            let row = &t[i * k..(i + 1) * k];
            assert!((row.iter().sum::<f32>() - 1.0).abs() < 1e-6, "{row:?}");
            // Independently: smooth the λ-blend of the two one-hot labels.
            let mut expect = vec![0.0f32; k];
            expect[labels[i] as usize] += info.lambda;
            expect[labels[info.partner(i)] as usize] += 1.0 - info.lambda;
            smooth(&mut expect, k, eps);
            for (a, b) in row.iter().zip(&expect) {
                assert!((a - b).abs() < 1e-6, "{:?}: {row:?} vs {expect:?}", info.kind);
            }
            assert!(row.iter().all(|&v| v >= eps / k as f32 - 1e-7));
        }
    }
    // prob 0.8, then an even switch: ~80 unmixed, ~160 of each method.
    for (kind, lo) in [(MixKind::None, 50), (MixKind::Mixup, 120), (MixKind::CutMix, 120)] {
        assert!(kinds.get(&kind).copied().unwrap_or(0) > lo, "{kinds:?}");
    }
}

#[test]
fn mixer_switches_and_probabilities() {
    let (n, c, h, w, k) = (4, 1, 4, 4, 3);
    let labels = [0u8, 1, 2, 1];
    let mut rng = Rng::new(21);
    let mut images = random_image(n * c, h, w, &mut rng);
    let orig = images.clone();
    let mut t = vec![0.0; n * k];
    // prob 0: nothing is mixed, targets are (smoothed) one-hot.
    let off = Mixer {
        mixup_alpha: 1.0,
        cutmix_alpha: 1.0,
        prob: 0.0,
        label_smoothing: 0.3,
        ..Mixer::default()
    };
    for _ in 0..20 {
        let info = off.apply(&mut images, n, c, h, w, &labels, k, &mut t, &mut rng);
        assert_eq!(info.kind, MixKind::None);
        assert_eq!(info.lambda, 1.0);
        assert_eq!(images, orig);
        let mut expect = vec![0.0; n * k];
        one_hot_smoothed(&labels, k, 0.3, &mut expect);
        assert_eq!(t, expect);
    }
    // switch_prob 1 / 0 with both on: always CutMix / always Mixup; one method alone is always it.
    let cases = [
        (1.0, 1.0, 1.0, MixKind::CutMix),
        (1.0, 1.0, 0.0, MixKind::Mixup),
        (0.0, 1.0, 0.0, MixKind::CutMix),
        (1.0, 0.0, 1.0, MixKind::Mixup),
    ];
    for (mixup_alpha, cutmix_alpha, switch_prob, kind) in cases {
        let mixer = Mixer {
            mixup_alpha,
            cutmix_alpha,
            switch_prob,
            ..Mixer::default()
        };
        for _ in 0..20 {
            let mut x = orig.clone();
            assert_eq!(
                mixer.apply(&mut x, n, c, h, w, &labels, k, &mut t, &mut rng).kind,
                kind
            );
        }
    }
    // Everything off: plain one-hot targets, images untouched.
    let mut x = orig.clone();
    let info = Mixer::default().apply(&mut x, n, c, h, w, &labels, k, &mut t, &mut rng);
    assert_eq!((info.kind, x == orig), (MixKind::None, true));
    let mut expect = vec![0.0; n * k];
    one_hot_smoothed(&labels, k, 0.0, &mut expect);
    assert_eq!(t, expect);
}

// ---------------------------------------------------------------------------------------------
// The pipeline and its settings

#[test]
fn default_pipeline_is_the_identity_and_draws_nothing() {
    let aug = Augment::default();
    assert!(aug.is_identity() && aug.mixer().is_off());
    assert_eq!(aug.validate(), Ok(()));
    let ds = data::shapes(4, 32, 3, &mut Rng::new(22));
    let mut state = aug.state(ds.floats().unwrap(), 3, 32, 32);
    assert!(state.pca.is_none());
    let (mut a, mut b) = (Rng::new(23), Rng::new(23));
    for i in 0..4 {
        let mut x = ds.image(i).to_vec();
        aug.apply(&mut x, 3, 32, 32, &mut a, &mut state);
        assert_eq!(x, ds.image(i));
    }
    assert_eq!(a.uniform(), b.uniform());
}

#[test]
fn settings_parse_from_camel_case_json_and_validate() {
    let json = r#"{
        "hflip": 0.5, "cropScale": [1.0, 1.25], "colorJitter": {"brightness": 0.4, "contrast": 0.4, "saturation": 0.4},
        "pcaStd": 0.1, "randaugmentN": 2, "randaugmentM": 9, "reprob": 0.25, "cutoutSize": {"length": 8},
        "cutoutFill": "random", "mixupAlpha": 0.2, "cutmixAlpha": 1.0, "mixupSwitchProb": 0.5, "mixupProb": 1.0,
        "labelSmoothing": 0.1
    }"#;
    let aug: Augment = serde_json::from_str(json).unwrap();
    assert_eq!(aug.randaugment_n, 2);
    assert_eq!(aug.cutout_size, BoxSize::Length(8));
    assert_eq!(aug.cutout_fill, Fill::Random);
    assert_eq!(aug.validate(), Ok(()));
    let back: Augment = serde_json::from_str(&serde_json::to_string(&aug).unwrap()).unwrap();
    assert_eq!(back, aug);
    // Missing fields take the defaults; unknown fields are refused.
    let partial: Augment = serde_json::from_str(r#"{"hflip": 0.5, "cutoutSize": {"area": 0.3}}"#).unwrap();
    assert_eq!(
        partial,
        Augment {
            hflip: 0.5,
            cutout_size: BoxSize::Area(0.3),
            ..Augment::default()
        }
    );
    assert!(serde_json::from_str::<Augment>(r#"{"hflipp": 0.5}"#).is_err());
    // Messages name the field and the value.
    let bad = Augment {
        hflip: 1.5,
        ..Augment::default()
    };
    assert_eq!(
        bad.validate(),
        Err("hflip: must be a probability in [0, 1], got 1.5".into())
    );
    let bad = Augment {
        randaugment_m: 11.0,
        ..Augment::default()
    };
    assert!(bad.validate().unwrap_err().starts_with("randaugmentM:"));
    let bad = Augment {
        label_smoothing: 1.0,
        ..Augment::default()
    };
    assert!(bad.validate().unwrap_err().starts_with("labelSmoothing:"));
    let bad = Augment {
        crop_scale: [0.5, 1.0],
        ..Augment::default()
    };
    assert!(bad.validate().unwrap_err().starts_with("cropScale:"));
}

#[test]
fn full_pipeline_keeps_stored_values_in_range_and_is_deterministic() {
    let (c, h, w) = (3, 32, 32);
    let ds = data::shapes(16, h, 3, &mut Rng::new(24));
    let aug = Augment {
        hflip: 0.5,
        crop_scale: [1.0, 1.25],
        color_jitter: ColorJitter {
            brightness: 0.4,
            contrast: 0.4,
            saturation: 0.4,
        },
        pca_std: 0.1,
        randaugment_n: 2,
        randaugment_m: 9.0,
        reprob: 0.5,
        cutout_size: BoxSize::Area(0.25),
        cutout_fill: Fill::Random,
        ..Augment::default()
    };
    assert_eq!(aug.validate(), Ok(()));
    let run = |seed: u64| {
        let mut state = aug.state(ds.floats().unwrap(), c, h, w);
        assert!(state.pca.is_some());
        let mut rng = Rng::new(seed);
        let mut out = ds.floats().unwrap().to_vec();
        let mut flips = 0;
        for img in out.chunks_exact_mut(c * h * w) {
            let applied = aug.apply(img, c, h, w, &mut rng, &mut state);
            assert_eq!(state.ops.len(), 2);
            assert!(applied.crop.is_some());
            flips += applied.flipped as usize;
        }
        (out, flips)
    };
    let (a, flips) = run(25);
    let (b, _) = run(25);
    assert_eq!(a, b, "same seed, same images");
    assert_ne!(a, ds.floats().unwrap());
    assert!((2..=14).contains(&flips), "{flips}");
    let (lo, hi) = (normalise(0.0), normalise(1.0));
    assert!(a.iter().all(|&x| x >= lo - 1e-6 && x <= hi + 1e-6));
    // Grey data: PCA is skipped, the rest runs.
    let grey = data::shapes(4, 28, 1, &mut Rng::new(26));
    let mut state = aug.state(grey.floats().unwrap(), 1, 28, 28);
    assert!(state.pca.is_none());
    let mut x = grey.image(0).to_vec();
    aug.apply(&mut x, 1, 28, 28, &mut Rng::new(27), &mut state);
    assert!(x.iter().all(|&v| v >= lo - 1e-6 && v <= hi + 1e-6));
}
