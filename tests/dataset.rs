//! The built-in data sets: determinism, balance, pixel statistics, and the property that keeps the
//! shapes set a test of shape rather than of brightness.
#![cfg(not(target_arch = "wasm32"))]

use trainlab::data::{self, denormalise, normalise, Dataset, SHAPE_CLASSES};
use trainlab::Rng;

fn shapes(n: usize, size: usize, channels: usize, seed: u64) -> Dataset {
    data::shapes(n, size, channels, &mut Rng::new(seed))
}

fn mean_std(xs: impl Iterator<Item = f64>) -> (f64, f64) {
    let xs: Vec<f64> = xs.collect();
    let n = xs.len() as f64;
    let mean = xs.iter().sum::<f64>() / n;
    let var = xs.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / n;
    (mean, var.sqrt())
}

#[test]
fn layout_matches_the_contract() {
    for (size, channels) in [(32, 3), (28, 1)] {
        let d = shapes(37, size, channels, 1);
        assert_eq!((d.n, d.c, d.h, d.w, d.classes), (37, channels, size, size, 10));
        assert_eq!(d.len(), 37);
        assert_eq!(d.floats().unwrap().len(), 37 * channels * size * size);
        assert_eq!(d.labels.len(), 37);
        assert_eq!(d.class_names, SHAPE_CLASSES.map(String::from).to_vec());
        assert_eq!(d.image(36), &d.floats().unwrap()[36 * channels * size * size..]);
    }
    let empty = shapes(0, 32, 3, 1);
    assert!(empty.is_empty() && empty.floats().unwrap().is_empty());
}

#[test]
fn same_seed_same_images_different_seed_differs() {
    for channels in [1, 3] {
        let (a, b, c) = (
            shapes(50, 32, channels, 9),
            shapes(50, 32, channels, 9),
            shapes(50, 32, channels, 10),
        );
        assert_eq!(a.labels, b.labels);
        assert!(
            a.floats()
                .unwrap()
                .iter()
                .zip(b.floats().unwrap())
                .all(|(x, y)| x.to_bits() == y.to_bits()),
            "same seed, different pixels"
        );
        // Clamped pixels (pure black or white) may coincide; whole images must not, and on
        // average pixels must differ by a good fraction of the value range.
        assert!(
            (0..a.n).all(|i| a.image(i) != c.image(i)),
            "seeds 9 and 10 share an image"
        );
        let diff = a
            .floats()
            .unwrap()
            .iter()
            .zip(c.floats().unwrap())
            .map(|(x, y)| (x - y).abs() as f64)
            .sum::<f64>()
            / a.floats().unwrap().len() as f64;
        assert!(diff > 0.5, "seeds 9 and 10: mean |difference| {diff}");
        assert_ne!(a.labels, c.labels);
    }
}

#[test]
fn classes_are_balanced() {
    // 1,003 is not a multiple of 10: counts may differ by one, never more.
    let d = shapes(1003, 32, 3, 2);
    let mut counts = [0usize; 10];
    for &l in &d.labels {
        counts[l as usize] += 1;
    }
    assert!(counts.iter().all(|&c| c == 100 || c == 101), "counts {counts:?}");
    // And shuffled, not in blocks: the first 50 labels already show most classes.
    let first: std::collections::HashSet<u8> = d.labels[..50].iter().copied().collect();
    assert!(
        first.len() >= 8,
        "first 50 labels use only {} classes",
        first.len()
    );
}

#[test]
fn pixel_statistics_follow_the_documented_normalisation() {
    // Documented: x = (v - 0.35) / 0.3 for intensities v in [0, 1]; RGB shapes come out at mean ~ 0,
    // std ~ 1.05; grey ones (luminance averages the channels) at mean ~ -0.14, std ~ 0.92.
    let (lo, hi) = (normalise(0.0), normalise(1.0));
    assert!(
        (lo + 1.1667).abs() < 1e-3 && (hi - 2.1667).abs() < 1e-3,
        "map changed: [{lo}, {hi}]"
    );
    for (size, channels, std_range) in [(32, 3, 0.85..1.2), (28, 1, 0.75..1.1)] {
        let d = shapes(500, size, channels, 3);
        assert!(
            d.floats().unwrap().iter().all(|x| (lo..=hi).contains(x)),
            "value outside [{lo}, {hi}]"
        );
        let (mean, std) = mean_std(d.floats().unwrap().iter().map(|&x| x as f64));
        assert!(mean.abs() < 0.25, "{channels} channels: mean {mean}");
        assert!(std_range.contains(&std), "{channels} channels: std {std}");
        // Every channel is used, none is constant.
        let plane = size * size;
        for ch in 0..channels {
            let (m, s) = mean_std(
                (0..d.n)
                    .flat_map(|i| d.image(i)[ch * plane..(ch + 1) * plane].to_vec())
                    .map(f64::from),
            );
            assert!(m.abs() < 0.35 && s > 0.7, "channel {ch}: mean {m} std {s}");
        }
    }
}

#[test]
fn grey_and_rgb_show_the_same_figures() {
    // One seed, two channel counts: the same labels, and the grey image is the luminance of the
    // RGB one up to the independent pixel noise.
    let (rgb, grey) = (shapes(200, 32, 3, 4), shapes(200, 32, 1, 4));
    assert_eq!(rgb.labels, grey.labels);
    assert_eq!((rgb.n, grey.n, rgb.c, grey.c), (200, 200, 3, 1));
    let plane = 32 * 32;
    let mut err = 0.0f64;
    for i in 0..rgb.n {
        let (c, g) = (rgb.image(i), grey.image(i));
        for p in 0..plane {
            let l = 0.299 * denormalise(c[p])
                + 0.587 * denormalise(c[plane + p])
                + 0.114 * denormalise(c[2 * plane + p]);
            err += (l - denormalise(g[p])).abs() as f64;
        }
    }
    let err = err / (rgb.n * plane) as f64;
    // Noise std is at most 0.07 per channel; mean absolute differences of that order are noise,
    // a different figure would differ by tenths.
    assert!(err < 0.06, "mean |luma(rgb) - grey| = {err}");
}

#[test]
fn brightness_does_not_tell_the_class() {
    // A class must not be recognisable from an image's mean brightness: the spread of the
    // per-class averages must be small next to the spread of brightness within a class.
    // (Figures are lighter than their grounds, but all ten outlines cover the same area.)
    let d = shapes(5000, 32, 3, 5);
    let brightness: Vec<f64> = (0..d.n)
        .map(|i| d.image(i).iter().map(|&x| x as f64).sum::<f64>() / d.image_len() as f64)
        .collect();
    let mut class_means = Vec::new();
    let mut within = Vec::new();
    for k in 0..10u8 {
        let (m, s) = mean_std((0..d.n).filter(|&i| d.labels[i] == k).map(|i| brightness[i]));
        class_means.push(m);
        within.push(s);
    }
    let spread = class_means.iter().cloned().fold(f64::MIN, f64::max)
        - class_means.iter().cloned().fold(f64::MAX, f64::min);
    let within = within.iter().sum::<f64>() / 10.0;
    assert!(
        spread < 0.35 * within,
        "class means {class_means:.3?} spread {spread:.3} vs within-class std {within:.3}"
    );
}

#[test]
fn rgba_view_undoes_the_normalisation() {
    let d = shapes(3, 32, 3, 6);
    let rgba = d.to_rgba8(2);
    assert_eq!(rgba.len(), 32 * 32 * 4);
    assert!(rgba.chunks(4).all(|p| p[3] == 255));
    let plane = 32 * 32;
    for p in [0, 517, plane - 1] {
        for ch in 0..3 {
            let v = denormalise(d.image(2)[ch * plane + p]);
            assert!(
                (rgba[p * 4 + ch] as f32 - v * 255.0).abs() <= 0.51,
                "pixel {p} channel {ch}"
            );
        }
    }
    let g = shapes(1, 28, 1, 6);
    let rgba = g.to_rgba8(0);
    assert!(
        rgba.chunks(4).all(|p| p[0] == p[1] && p[1] == p[2]),
        "grey shows as grey"
    );
}

#[test]
fn noise_is_uniform_with_uniform_labels() {
    let d = data::noise(2000, 16, 3, 7, &mut Rng::new(8));
    assert_eq!(
        (d.n, d.c, d.h, d.w, d.classes, d.class_names.len()),
        (2000, 3, 16, 16, 7, 7)
    );
    assert!(d.labels.iter().all(|&l| l < 7));
    assert!(d
        .floats()
        .unwrap()
        .iter()
        .all(|&x| (normalise(0.0)..=normalise(1.0)).contains(&x)));
    // Uniform on [0, 1] through the same map: mean (0.5 - 0.35) / 0.3, std (1/sqrt(12)) / 0.3.
    let (mean, std) = mean_std(d.floats().unwrap().iter().map(|&x| x as f64));
    assert!(
        (mean - 0.5).abs() < 0.01 && (std - 0.9623).abs() < 0.01,
        "mean {mean} std {std}"
    );
    let again = data::noise(2000, 16, 3, 7, &mut Rng::new(8));
    assert_eq!(d.labels, again.labels);
    assert_eq!(d.floats().unwrap(), again.floats().unwrap());
}
