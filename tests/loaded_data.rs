//! Loaded data sets (issue 9): bytes kept as bytes, normalization from the training split, the
//! seeded split, every refusal named, presets that adapt to the data's shape and class count, and
//! runs on loaded data that learn, evaluate and resume bit for bit.

// Expected values may come from std's math: an implementation independent of the core's
// (src/math.rs, the `libm` crate) that clippy.toml otherwise keeps out.
#![allow(clippy::disallowed_methods)]
#![cfg(not(target_arch = "wasm32"))]

mod idx_files;

use idx_files::idx;
use std::rc::Rc;
use trainlab::config::Config;
use trainlab::data::cifar::CIFAR_RECORD_LEN;
use trainlab::data::idx::{IDX_IMAGES_MAGIC, IDX_LABELS_MAGIC};
use trainlab::data::limits::Limits;
use trainlab::data::{stratified_split, LoadedData, Normalization, Split};
use trainlab::session::Session;
use trainlab::Rng;

fn names(k: usize) -> Vec<String> {
    (0..k).map(|i| format!("class {i}")).collect()
}

fn split(val_fraction: f64, seed: u64) -> Split {
    Split { val_fraction, seed }
}

/// `n` random images of (c, s, s) whose channels have different means and spreads, labels cycling
/// through `k` classes; each image's first byte is its index (mod 256) so it can be traced.
fn random_images(n: usize, [c, h, w]: [usize; 3], k: usize, seed: u64) -> (Vec<u8>, Vec<u8>) {
    let mut rng = Rng::new(seed);
    let mut pixels = Vec::with_capacity(n * c * h * w);
    for i in 0..n {
        for ch in 0..c {
            let (lo, span) = [(10.0, 60.0), (100.0, 150.0), (0.0, 255.0)][ch % 3];
            for p in 0..h * w {
                let v = if ch == 0 && p == 0 {
                    (i % 256) as f64
                } else {
                    lo + span * rng.uniform()
                };
                pixels.push(v as u8);
            }
        }
    }
    (pixels, (0..n).map(|i| (i % k) as u8).collect())
}

/// 4 classes of grey s×s images: class q is bright in quadrant q, over a noisy dark ground.
fn quadrants(per_class: usize, s: usize, seed: u64) -> (Vec<u8>, Vec<u8>) {
    let mut rng = Rng::new(seed);
    let (mut pixels, mut labels) = (Vec::new(), Vec::new());
    for i in 0..4 * per_class {
        let q = i % 4;
        labels.push(q as u8);
        for y in 0..s {
            for x in 0..s {
                let inside = (y * 2 / s) * 2 + x * 2 / s == q;
                let base = if inside { 170.0 } else { 30.0 };
                pixels.push((base + 60.0 * rng.uniform()) as u8);
            }
        }
    }
    (pixels, labels)
}

fn idx_images(pixels: &[u8], n: usize, h: usize, w: usize) -> Vec<u8> {
    idx(IDX_IMAGES_MAGIC, &[n as u32, h as u32, w as u32], pixels)
}

fn idx_labels(labels: &[u8]) -> Vec<u8> {
    idx(IDX_LABELS_MAGIC, &[labels.len() as u32], labels)
}

fn config(json: &str) -> Config {
    Config::from_json(json).expect("test config")
}

fn mean_std(xs: &[f64]) -> (f64, f64) {
    let n = xs.len() as f64;
    let mean = xs.iter().sum::<f64>() / n;
    let var = xs.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / n;
    (mean, var.sqrt())
}

#[test]
fn normalization_comes_from_the_training_split_and_the_validation_split_shares_it() {
    let (pixels, labels) = random_images(300, [3, 10, 10], 3, 1);
    let data = LoadedData::from_pixels(
        "rgb",
        &pixels,
        &labels,
        [3, 10, 10],
        names(3),
        split(0.2, 4),
        &Limits::default(),
    )
    .unwrap();
    let (train, val) = (&data.train, &data.val);
    assert_eq!(
        val.normalization, train.normalization,
        "validation uses the training numbers"
    );
    // The numbers are the training bytes' own statistics, per channel, in byte / 255.
    let plane = 100;
    let bytes = train.bytes().unwrap();
    for ch in 0..3 {
        let values: Vec<f64> = bytes
            .chunks_exact(3 * plane)
            .flat_map(|img| {
                img[ch * plane..(ch + 1) * plane]
                    .iter()
                    .map(|&b| b as f64 / 255.0)
            })
            .collect();
        let (m, s) = mean_std(&values);
        assert!(
            (train.normalization.mean[ch] as f64 - m).abs() < 1e-6,
            "channel {ch} mean"
        );
        assert!(
            (train.normalization.std[ch] as f64 - s).abs() < 1e-6,
            "channel {ch} std"
        );
    }
    // What the network sees of the training split: mean 0, std 1 in every channel.
    let mut per_channel = vec![Vec::new(); 3];
    for i in 0..train.len() {
        let x = train.image(i);
        for ch in 0..3 {
            per_channel[ch].extend(x[ch * plane..(ch + 1) * plane].iter().map(|&v| v as f64));
        }
    }
    for (ch, values) in per_channel.iter().enumerate() {
        let (m, s) = mean_std(values);
        assert!(m.abs() < 1e-4, "channel {ch}: mean {m}");
        assert!((s - 1.0).abs() < 1e-4, "channel {ch}: std {s}");
    }
    // The channels really differ, so a single map could not have done this.
    assert!(train.normalization.mean[1] > 2.0 * train.normalization.mean[0]);
    // A different training split gives different numbers; its validation split follows it.
    let other = LoadedData::from_pixels(
        "rgb",
        &pixels,
        &labels,
        [3, 10, 10],
        names(3),
        split(0.5, 9),
        &Limits::default(),
    )
    .unwrap();
    assert_ne!(other.train.normalization, train.normalization);
    assert_eq!(other.val.normalization, other.train.normalization);
}

#[test]
fn bytes_become_floats_exactly_by_the_formula() {
    let (pixels, labels) = random_images(40, [3, 9, 9], 2, 2);
    let data = LoadedData::from_pixels(
        "exact",
        &pixels,
        &labels,
        [3, 9, 9],
        names(2),
        split(0.25, 1),
        &Limits::default(),
    )
    .unwrap();
    let norm = &data.train.normalization;
    for set in [&data.train, &data.val] {
        let bytes = set.bytes().unwrap();
        for i in 0..set.len() {
            let x = set.image(i);
            for (p, (&v, &b)) in x.iter().zip(&bytes[i * 243..(i + 1) * 243]).enumerate() {
                let ch = p / 81;
                let expected = (b as f32 / 255.0 - norm.mean[ch]) / norm.std[ch];
                assert_eq!(v.to_bits(), expected.to_bits(), "image {i} value {p}");
            }
        }
    }
    // Under the fixed map (what the augmentations read) the same bytes give (b/255 − 0.35) / 0.3.
    let mut fixed = vec![0.0; 243];
    data.train.copy_image_as(0, &mut fixed, &Normalization::fixed(3));
    let b = data.train.bytes().unwrap()[5];
    assert_eq!(
        fixed[5].to_bits(),
        trainlab::data::normalise(b as f32 / 255.0).to_bits()
    );
    // And the page sees the bytes themselves.
    let rgba = data.train.to_rgba8(0);
    let first = &data.train.bytes().unwrap()[..243];
    assert_eq!(&rgba[..4], &[first[0], first[81], first[162], 255]);
}

#[test]
fn the_seeded_split_is_deterministic_disjoint_covering_and_stratified() {
    let labels: Vec<u8> = (0..103).map(|i| [0, 0, 0, 1, 1, 2][i % 6]).chain([3]).collect();
    let (train, val) = stratified_split(&labels, 4, 0.2, 11);
    assert_eq!(
        (train.clone(), val.clone()),
        stratified_split(&labels, 4, 0.2, 11),
        "same seed, same split"
    );
    assert_ne!(
        train,
        stratified_split(&labels, 4, 0.2, 12).0,
        "another seed, another split"
    );
    let mut all: Vec<usize> = train.iter().chain(&val).copied().collect();
    all.sort_unstable();
    assert_eq!(
        all,
        (0..labels.len()).collect::<Vec<_>>(),
        "disjoint and covering"
    );
    for class in 0..4u8 {
        let count = labels.iter().filter(|&&l| l == class).count();
        let in_val = val.iter().filter(|&&i| labels[i] == class).count();
        let expected = ((0.2 * count as f64).round() as usize).min(count - 1);
        assert_eq!(in_val, expected, "class {class} of {count}");
    }
    assert!(
        train.iter().any(|&i| labels[i] == 3),
        "a class of one image keeps it for training"
    );
    // Shuffled: a class-sorted input does not come out class-sorted.
    let sorted: Vec<u8> = (0..40).map(|i| (i / 10) as u8).collect();
    let (t, _) = stratified_split(&sorted, 4, 0.25, 1);
    assert!(t[..10].iter().any(|&i| sorted[i] != sorted[t[0]]));

    // Through LoadedData: the traced first bytes of train and validation are the input's, once.
    let (pixels, labels) = random_images(200, [1, 8, 8], 5, 3);
    let load = |seed| {
        LoadedData::from_pixels(
            "split",
            &pixels,
            &labels,
            [1, 8, 8],
            names(5),
            split(0.3, seed),
            &Limits::default(),
        )
        .unwrap()
    };
    let (a, b) = (load(5), load(5));
    assert_eq!(a.train.bytes(), b.train.bytes());
    assert_eq!(a.val.labels, b.val.labels);
    assert_eq!((a.train.len(), a.val.len()), (140, 60));
    let mut traced: Vec<u8> = [&a.train, &a.val]
        .iter()
        .flat_map(|s| {
            s.bytes()
                .unwrap()
                .chunks_exact(64)
                .map(|img| img[0])
                .collect::<Vec<_>>()
        })
        .collect();
    traced.sort_unstable();
    assert_eq!(traced, (0..200).map(|i| i as u8).collect::<Vec<_>>());
}

fn pixels_error(
    pixels: &[u8],
    labels: &[u8],
    shape: [usize; 3],
    classes: Vec<String>,
    fraction: f64,
) -> String {
    LoadedData::from_pixels(
        "own",
        pixels,
        labels,
        shape,
        classes,
        split(fraction, 1),
        &Limits::default(),
    )
    .expect_err("refused")
    .to_string()
}

#[test]
fn every_bad_set_is_refused_with_a_message_naming_it() {
    let (pixels, labels) = random_images(20, [1, 8, 8], 2, 4);
    let cases = [
        // One class.
        (
            pixels_error(&pixels, &[0; 20], [1, 8, 8], names(1), 0.2),
            vec!["own class names", "1 class", "at least 2"],
        ),
        // A class without any image.
        (
            pixels_error(&pixels, &labels, [1, 8, 8], names(3), 0.2),
            vec!["own labels", "class 2 (\"class 2\") has no training image"],
        ),
        // A label beyond the class names.
        (
            pixels_error(&pixels, &[0, 1, 0, 5].repeat(5), [1, 8, 8], names(2), 0.2),
            vec!["own labels", "image 3", "label 5", "out of range for 2 classes"],
        ),
        // Pixels and labels that do not match.
        (
            pixels_error(&pixels[..1000], &labels, [1, 8, 8], names(2), 0.2),
            vec!["own pixels", "image 15", "1000 bytes", "1280 bytes"],
        ),
        (
            pixels_error(&pixels, &labels[..19], [1, 8, 8], names(2), 0.2),
            vec!["own pixels", "1280 bytes", "1216 bytes"],
        ),
        (
            pixels_error(&pixels, &[], [1, 8, 8], names(2), 0.2),
            vec!["own labels", "no labels"],
        ),
        // Shapes beyond the limits, checked before anything is allocated.
        (
            pixels_error(&pixels, &labels, [2, 8, 8], names(2), 0.2),
            vec!["own pixels", "2 channels"],
        ),
        (
            pixels_error(&pixels, &labels, [1, 4, 16], names(2), 0.2),
            vec!["own pixels", "height 4", "8…256"],
        ),
        // Splits that leave nothing, class names that cannot be told apart.
        (
            pixels_error(&pixels, &labels, [1, 8, 8], names(2), 1.0),
            vec!["own", "validation fraction", "got 1"],
        ),
        (
            pixels_error(&pixels[..128], &labels[..2], [1, 8, 8], names(2), 0.2),
            vec!["leaves no validation image"],
        ),
        (
            pixels_error(&pixels, &labels, [1, 8, 8], vec!["cat".into(), "cat".into()], 0.2),
            vec!["own class names", "class 1", "\"cat\" of class 0"],
        ),
    ];
    for (message, parts) in cases {
        for part in parts {
            assert!(message.contains(part), "{message:?} lacks {part:?}");
        }
    }
    let reserved = LoadedData::from_pixels(
        "shapes",
        &pixels,
        &labels,
        [1, 8, 8],
        names(2),
        split(0.2, 1),
        &Limits::default(),
    )
    .expect_err("a generated set's name");
    assert!(
        reserved
            .to_string()
            .contains("\"shapes\" is a generated data set"),
        "{reserved}"
    );
    let bad_name = LoadedData::from_pixels(
        "my set!",
        &pixels,
        &labels,
        [1, 8, 8],
        names(2),
        split(0.2, 1),
        &Limits::default(),
    )
    .expect_err("a name with a space");
    assert!(bad_name.to_string().contains("\"my set!\""), "{bad_name}");

    // IDX: counts that differ between the files of a pair, and a validation pair of another size.
    let (train_images, train_labels) = (idx_images(&pixels, 20, 8, 8), idx_labels(&labels));
    let short_labels = idx_labels(&labels[..19]);
    let e = LoadedData::from_idx(
        "digits",
        (("train-images", &train_images), ("train-labels", &short_labels)),
        None,
        names(2),
        split(0.2, 1),
        &Limits::default(),
    )
    .expect_err("19 labels for 20 images");
    assert!(
        e.to_string().starts_with("train-labels") && e.to_string().contains("19 labels"),
        "{e}"
    );
    let (big, _) = random_images(4, [1, 10, 10], 2, 1);
    let val_images = idx_images(&big, 4, 10, 10);
    let e = LoadedData::from_idx(
        "digits",
        (("train-images", &train_images), ("train-labels", &train_labels)),
        Some((
            ("val-images", &val_images),
            ("val-labels", &idx_labels(&[0, 1, 0, 1])),
        )),
        names(2),
        split(0.2, 1),
        &Limits::default(),
    )
    .expect_err("10×10 validation images for 8×8 training images");
    assert!(
        e.to_string().starts_with("val-images") && e.to_string().contains("10×10"),
        "{e}"
    );
}

#[test]
fn a_run_names_what_is_missing_or_too_small() {
    let (pixels, labels) = random_images(40, [1, 8, 8], 2, 5);
    let data = Rc::new(
        LoadedData::from_pixels(
            "tiny",
            &pixels,
            &labels,
            [1, 8, 8],
            names(2),
            split(0.25, 1),
            &Limits::default(),
        )
        .unwrap(),
    );
    let message = |json: &str, data: Option<Rc<LoadedData>>| {
        Session::with_data(config(json), data).err().expect("refused").0
    };
    assert_eq!(
        message(r#"{"dataset": "mnist"}"#, None),
        "dataset \"mnist\" is not loaded"
    );
    assert!(
        message(r#"{"dataset": "mnist"}"#, Some(data.clone())).contains("(the loaded data set is \"tiny\")")
    );
    let small = message(r#"{"dataset": "tiny", "preset": "lenet"}"#, Some(data.clone()));
    assert!(
        small.contains("\"lenet\"") && small.contains("1×8×8") && small.contains("at least 12×12"),
        "{small}"
    );
    assert!(message(r#"{"dataset": "no such set"}"#, None).starts_with("dataset: "));
    // The first trainSize images must hold every class.
    let sorted_labels: Vec<u8> = (0..40).map(|i| (i / 20) as u8).collect();
    let sorted = LoadedData::from_idx(
        "sorted",
        (
            ("imgs", &idx_images(&pixels, 40, 8, 8)),
            ("lbls", &idx_labels(&sorted_labels[..30])),
        ),
        Some((
            ("v", &idx_images(&pixels[..640], 10, 8, 8)),
            ("vl", &idx_labels(&sorted_labels[30..])),
        )),
        names(2),
        split(0.2, 1),
        &Limits::default(),
    );
    assert!(sorted.is_err(), "30 labels for 40 images");
    let sorted = LoadedData::from_idx(
        "sorted",
        (
            ("imgs", &idx_images(&pixels[..1920], 30, 8, 8)),
            ("lbls", &idx_labels(&sorted_labels[..30])),
        ),
        Some((
            ("v", &idx_images(&pixels[..640], 10, 8, 8)),
            ("vl", &idx_labels(&sorted_labels[30..])),
        )),
        names(2),
        split(0.2, 1),
        &Limits::default(),
    )
    .unwrap();
    let missing = message(
        r#"{"dataset": "sorted", "preset": "linear", "trainSize": 10}"#,
        Some(Rc::new(sorted)),
    );
    assert!(
        missing.contains("first 10 training images") && missing.contains("class 1"),
        "{missing}"
    );
    // Generated sets keep their cap; loaded ones may have 60,000.
    assert!(config(r#"{"trainSize": 60000}"#).validate().is_err());
    assert!(config(r#"{"trainSize": 60000, "dataset": "mnist"}"#)
        .validate()
        .is_ok());
}

#[test]
fn lenet_adapts_to_the_datas_shape_and_class_count() {
    for (shape, classes) in [([1, 28, 28], 10), ([3, 32, 32], 3), ([1, 20, 24], 5)] {
        let (pixels, labels) = random_images(60, shape, classes, 6);
        let data = LoadedData::from_pixels(
            "set",
            &pixels,
            &labels,
            shape,
            names(classes),
            split(0.2, 1),
            &Limits::default(),
        )
        .unwrap();
        let s = Session::with_data(
            config(r#"{"dataset": "set", "preset": "lenet"}"#),
            Some(Rc::new(data)),
        )
        .unwrap();
        assert_eq!(s.model.input_shape, shape);
        assert_eq!(s.model.output_shape(), [classes, 1, 1]);
        let first = &s.model.layers[0];
        assert_eq!(first.kind(), "conv2d");
        // 6 filters of 5×5 over the data's channels, plus their biases.
        assert_eq!(first.param_count(), 6 * shape[0] * 25 + 6, "{shape:?}");
        assert_eq!(s.train.class_names, names(classes));
    }
    // An explicit layer list takes the data's input too.
    let (pixels, labels) = random_images(30, [3, 12, 12], 3, 7);
    let data = LoadedData::from_pixels(
        "set",
        &pixels,
        &labels,
        [3, 12, 12],
        names(3),
        split(0.2, 1),
        &Limits::default(),
    )
    .unwrap();
    let s = Session::with_data(
        config(
            r#"{"dataset": "set", "layers": [{"type": "flatten"}, {"type": "linear", "outFeatures": 3}]}"#,
        ),
        Some(Rc::new(data)),
    )
    .unwrap();
    assert_eq!(s.model.param_count(), 3 * 12 * 12 * 3 + 3);
}

#[test]
fn a_short_run_on_a_small_loaded_set_learns_and_evaluates() {
    let (pixels, labels) = quadrants(60, 16, 8);
    let data = Rc::new(
        LoadedData::from_pixels(
            "quads",
            &pixels,
            &labels,
            [1, 16, 16],
            names(4),
            split(0.25, 2),
            &Limits::default(),
        )
        .unwrap(),
    );
    let mut s = Session::with_data(
        config(r#"{"dataset": "quads", "preset": "shapes-cnn", "batchSize": 16, "learningRate": 0.02, "seed": 4}"#),
        Some(data.clone()),
    )
    .unwrap();
    assert_eq!((s.train.len(), s.val.len()), (180, 60));
    let losses: Vec<f64> = (0..80).map(|_| s.step().loss).collect();
    let (first, last) = (losses[0], losses[70..].iter().sum::<f64>() / 10.0);
    assert!((first - (4f64).ln()).abs() < 0.3, "starts near ln 4: {first}");
    assert!(last < 0.3 * first, "the loss falls: {first} → {last}");
    let report = s.evaluate();
    assert!(report.val_accuracy > 0.8, "{}", report.val_accuracy);
    assert_eq!(report.confusion.len(), 4);
    assert_eq!(report.confusion.iter().flatten().sum::<usize>(), 60);
    for w in &report.most_wrong {
        // The thumbnail is the validation image's own bytes, grey into R, G and B.
        let bytes = &s.val.bytes().unwrap()[w.index * 256..(w.index + 1) * 256];
        assert_eq!(w.rgb.len(), 256 * 3);
        assert!(w.rgb.chunks_exact(3).zip(bytes).all(|(px, &b)| px == [b, b, b]));
    }
    let preview = s.preview(2);
    assert_eq!(preview.images[0].rgba.len(), 16 * 16 * 4);
    // Without augmentation the preview shows the batch's bytes back (up to rounding).
    let idx = s.batch_indices()[0];
    let bytes = &s.train.bytes().unwrap()[idx * 256..(idx + 1) * 256];
    assert!(preview.images[0]
        .rgba
        .chunks_exact(4)
        .zip(bytes)
        .all(|(px, &b)| px[0].abs_diff(b) <= 1));
}

#[test]
fn export_and_import_with_loaded_data_continue_bit_for_bit() {
    let (pixels, labels) = random_images(90, [3, 12, 12], 3, 9);
    let data = Rc::new(
        LoadedData::from_pixels(
            "rgb",
            &pixels,
            &labels,
            [3, 12, 12],
            names(3),
            split(0.2, 3),
            &Limits::default(),
        )
        .unwrap(),
    );
    // Augmentation on, PCA colour included: the loaded set's fixed-map view and its sample basis.
    let json = r#"{"dataset": "rgb", "preset": "mlp", "batchSize": 10, "seed": 2,
        "augment": {"hflip": 0.5, "pcaStd": 0.1, "cropScale": [1, 1.25]}}"#;
    let mut a = Session::with_data(config(json), Some(data.clone())).unwrap();
    for _ in 0..11 {
        a.step();
    }
    let state = a.export_state();
    let mut b = Session::with_data(config(json), Some(data.clone())).unwrap();
    b.import_state(&state).unwrap();
    for _ in 0..9 {
        assert_eq!(a.step().loss.to_bits(), b.step().loss.to_bits());
    }
    assert_eq!(a.evaluate(), b.evaluate());
    // The saved order covers the loaded training split; a run with fewer images refuses it.
    let mut fewer = Session::with_data(
        config(&json.replace(r#""seed": 2"#, r#""seed": 2, "trainSize": 50"#)),
        Some(data),
    )
    .unwrap();
    let e = fewer.import_state(&state).expect_err("72 images saved, 50 here");
    assert!(
        e.0.contains("72 training images") && e.0.contains("has 50"),
        "{}",
        e.0
    );
}

#[test]
fn cifar_batches_become_a_set_with_or_without_a_test_batch() {
    let record = |label: u8, seed: usize| {
        let mut r = vec![label];
        r.extend((0..3072).map(|p| ((p * 7 + seed * 13) % 256) as u8));
        r
    };
    let batch = |labels: &[u8]| -> Vec<u8> {
        labels
            .iter()
            .enumerate()
            .flat_map(|(i, &l)| record(l, i))
            .collect()
    };
    let train_labels: Vec<u8> = (0..30).map(|i| (i % 3) as u8).collect();
    let (train, test) = (batch(&train_labels), batch(&[0, 1, 2, 2]));
    assert_eq!(train.len(), 30 * CIFAR_RECORD_LEN);
    let meta = b"cat\ndog\nbird\n";
    let data = LoadedData::from_cifar(
        "pets",
        &[("data_batch_1.bin", &train), ("test_batch.bin", &test)],
        Some(("batches.meta.txt", meta)),
        Split::default(),
        &Limits::default(),
    )
    .unwrap();
    assert_eq!((data.train.len(), data.val.len()), (30, 4));
    assert_eq!(data.train.shape(), [3, 32, 32]);
    assert_eq!(data.train.class_names, ["cat", "dog", "bird"]);
    assert_eq!(data.val.labels, [0, 1, 2, 2]);
    let summary = data.summary();
    assert_eq!(summary.train_counts, [10, 10, 10]);
    assert_eq!(summary.samples.len(), 3 * 8);
    assert_eq!(summary.samples[8].label, 1);
    let split_data = LoadedData::from_cifar(
        "pets",
        &[("data_batch_1.bin", &train)],
        Some(("batches.meta.txt", meta)),
        split(0.2, 4),
        &Limits::default(),
    )
    .unwrap();
    assert_eq!((split_data.train.len(), split_data.val.len()), (24, 6));
    let e = LoadedData::from_cifar(
        "pets",
        &[("notes.txt", b"hi")],
        None,
        Split::default(),
        &Limits::default(),
    )
    .expect_err("not a batch");
    assert!(
        e.to_string().starts_with("notes.txt") && e.to_string().contains("data_batch_N.bin"),
        "{e}"
    );
    let one = LoadedData::from_cifar(
        "pets",
        &[("data_batch_1.bin", &batch(&[0, 0, 0]))],
        Some(("batches.meta.txt", b"cat\n")),
        Split::default(),
        &Limits::default(),
    )
    .expect_err("one class");
    assert!(one.to_string().contains("1 class"), "{one}");
}

#[test]
fn sixty_thousand_28x28_images_are_kept_as_47_mb_of_bytes_shared_by_every_run() {
    let (n, side) = (60_000usize, 28usize);
    let pixels: Vec<u8> = (0..n * side * side)
        .map(|p| ((p * 2654435761usize) >> 7) as u8)
        .collect();
    let labels: Vec<u8> = (0..n).map(|i| (i % 10) as u8).collect();
    let (images, label_file) = (idx_images(&pixels, n, side, side), idx_labels(&labels));
    let (val_pixels, val_labels) = (&pixels[..10_000 * 784], &labels[..10_000]);
    let (val_images, val_label_file) = (idx_images(val_pixels, 10_000, side, side), idx_labels(val_labels));
    drop(pixels);
    let started = std::time::Instant::now();
    let data = LoadedData::from_idx(
        "mnist",
        (("train-images", &images), ("train-labels", &label_file)),
        Some((("val-images", &val_images), ("val-labels", &val_label_file))),
        names(10),
        Split::default(),
        &Limits::default(),
    )
    .unwrap();
    eprintln!(
        "LoadedData::from_idx, 60,000 + 10,000 images of 28×28: {:?}",
        started.elapsed()
    );
    assert_eq!(data.train.bytes().unwrap().len(), 47_040_000, "one byte a pixel");
    assert!(data.train.floats().is_none());
    assert_eq!(data.val.bytes().unwrap().len(), 7_840_000);
    let data = Rc::new(data);
    let started = std::time::Instant::now();
    let s = Session::with_data(
        config(r#"{"dataset": "mnist", "preset": "lenet", "trainSize": 60000}"#),
        Some(data.clone()),
    )
    .unwrap();
    eprintln!("Session::with_data on it: {:?}", started.elapsed());
    assert_eq!(s.train.len(), 60_000);
    assert_eq!(
        s.train.bytes().unwrap().as_ptr(),
        data.train.bytes().unwrap().as_ptr(),
        "the run shares the set's pixels"
    );
    let small = Session::with_data(
        config(r#"{"dataset": "mnist", "preset": "lenet"}"#),
        Some(data.clone()),
    )
    .unwrap();
    assert_eq!(
        (small.train.len(), small.val.len()),
        (4000, 1000),
        "the first trainSize and valSize images"
    );
    assert_eq!(
        small.train.bytes().unwrap().as_ptr(),
        data.train.bytes().unwrap().as_ptr()
    );
}

#[test]
fn owned_idx_images_become_the_pixels_in_place_and_read_as_borrowed_ones_do() {
    use std::borrow::Cow;
    use trainlab::data::idx::{read_idx_images, read_idx_images_cow};
    let (pixels, labels) = random_images(30, [1, 9, 11], 3, 12);
    let file = idx_images(&pixels, 30, 9, 11);
    let borrowed = read_idx_images("imgs", &file, &Limits::default()).unwrap();
    let owned = read_idx_images_cow("imgs", Cow::Owned(file.clone()), &Limits::default()).unwrap();
    assert_eq!(owned, borrowed);
    assert_eq!(owned.pixels, pixels);
    // Refusals are the same too: a file one byte short.
    let short = Cow::Owned(file[..file.len() - 1].to_vec());
    assert_eq!(
        read_idx_images_cow("imgs", short, &Limits::default()).unwrap_err(),
        read_idx_images("imgs", &file[..file.len() - 1], &Limits::default()).unwrap_err()
    );
    let label_file = idx_labels(&labels);
    let a = LoadedData::from_idx_files(
        "set",
        (("imgs", Cow::Owned(file.clone())), ("lbls", &label_file)),
        None,
        names(3),
        split(0.2, 5),
        &Limits::default(),
    )
    .unwrap();
    let b = LoadedData::from_idx(
        "set",
        (("imgs", &file), ("lbls", &label_file)),
        None,
        names(3),
        split(0.2, 5),
        &Limits::default(),
    )
    .unwrap();
    assert_eq!((a.train.bytes(), a.val.bytes()), (b.train.bytes(), b.val.bytes()));
    assert_eq!(a.train.shape(), [1, 9, 11]);
}
