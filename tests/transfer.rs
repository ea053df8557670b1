//! Transfer learning: the weights file, loading all but the head, the three ways (frozen layers stay
//! put, fine-tuning's rate scale is applied), the target subset, nearest neighbours, and the
//! problems named.

use std::collections::HashMap;
use trainlab::config::{Config, LayerSpec};
use trainlab::data::limits::Limits;
use trainlab::data::{LoadedData, Split};
use trainlab::nn::ActivationKind;
use trainlab::optim::OptimizerConfig;
use trainlab::session::Session;
use trainlab::transfer::classes::keep_classes;
use trainlab::transfer::neighbours::nearest;
use trainlab::transfer::subset::per_class;
use trainlab::transfer::weights::{save, Pretrained, WeightsMeta, FORMAT_VERSION};
use trainlab::transfer::{TransferMode, TransferSpec};
use trainlab::Rng;

const CLASSES: usize = 10;

/// A loaded set of `n_per_class` noisy c×h×w images per class, each class a bright square at its
/// own place (learnable, so a few steps move the weights).
fn data(name: &str, n_per_class: usize, [c, h, w]: [usize; 3], seed: u64) -> LoadedData {
    let mut rng = Rng::new(seed);
    let n = n_per_class * CLASSES;
    let mut pixels = vec![0u8; n * c * h * w];
    let mut labels = Vec::with_capacity(n);
    for i in 0..n {
        let class = i % CLASSES;
        labels.push(class as u8);
        let img = &mut pixels[i * c * h * w..(i + 1) * c * h * w];
        for p in img.iter_mut() {
            *p = rng.below(60) as u8;
        }
        let (y0, x0) = (2 + (class / 5) * 12, 2 + (class % 5) * 5);
        for ch in 0..c {
            for y in y0..y0 + 6 {
                for x in x0..x0 + 4 {
                    img[ch * h * w + y * w + x] = 255;
                }
            }
        }
    }
    let names = (0..CLASSES).map(|k| format!("c{k}")).collect();
    let split = Split {
        val_fraction: 0.2,
        seed: 3,
    };
    LoadedData::from_pixels(
        name,
        &pixels,
        &labels,
        [c, h, w],
        names,
        split,
        &Limits::default(),
    )
    .unwrap()
}

fn config(preset: &str) -> Config {
    Config {
        preset: preset.into(),
        learning_rate: 0.05,
        momentum: 0.0,
        batch_size: 16,
        val_size: 100,
        ..Config::default()
    }
}

/// A "pretrained" lenet: `steps` steps on set "source", saved as a weights file.
fn pretrain(steps: usize) -> (Vec<u8>, Session) {
    let source = std::rc::Rc::new(data("source", 30, [1, 28, 28], 1));
    let cfg = Config {
        dataset: "source".into(),
        train_size: 240,
        ..config("lenet")
    };
    let mut s = Session::with_data(cfg, Some(source)).unwrap();
    for _ in 0..steps {
        s.step();
    }
    let meta = WeightsMeta {
        config: s.config.clone(),
        input: [1, 28, 28],
        dataset: "source".into(),
        class_names: s.train.class_names.clone(),
        steps: steps as u64,
        val_accuracy: 0.5,
        made_by: "tests/transfer.rs pretrain".into(),
    };
    (save(&mut s.model, &meta).unwrap(), s)
}

fn spec(mode: TransferMode) -> TransferSpec {
    TransferSpec {
        mode,
        per_class: 5,
        subset_seed: 7,
        finetune_scale: 0.1,
    }
}

/// name → values of every parameter of `s`.
fn params(s: &mut Session) -> HashMap<String, Vec<f32>> {
    let mut out = HashMap::new();
    s.model.visit_named_params(&mut |p, w, _| {
        out.insert(p.name.clone(), w.to_vec());
    });
    out
}

fn transfer(mode: TransferMode, file: &Pretrained) -> Session {
    let target = data("target", 12, [1, 28, 28], 2);
    Session::for_transfer(config("lenet"), &target, Some(file), &spec(mode)).unwrap()
}

#[test]
fn the_file_keeps_every_named_tensor_and_the_metadata() {
    let (bytes, mut source) = pretrain(3);
    let file = Pretrained::parse(&bytes).unwrap();
    let mut expected: Vec<(String, Vec<usize>)> = source
        .model
        .parameters()
        .iter()
        .map(|p| (p.name.clone(), p.shape.clone()))
        .collect();
    expected.sort();
    let got: Vec<(String, Vec<usize>)> = file
        .tensors
        .iter()
        .map(|t| (t.name.clone(), t.shape.clone()))
        .collect();
    assert_eq!(got, expected);
    assert!(got
        .iter()
        .any(|(n, s)| n == "features.0.weight" && s == &vec![6, 1, 5, 5]));
    for (name, values) in params(&mut source) {
        let t = file.get(&name).unwrap();
        assert_eq!(
            t.data.iter().map(|x| x.to_bits()).collect::<Vec<_>>(),
            values.iter().map(|x| x.to_bits()).collect::<Vec<_>>(),
            "{name}"
        );
    }
    assert_eq!(file.meta.config, source.config);
    assert_eq!(
        (file.meta.input, file.meta.steps, file.meta.dataset.as_str()),
        ([1, 28, 28], 3, "source")
    );
    assert_eq!(file.meta.made_by, "tests/transfer.rs pretrain");
    assert_eq!(FORMAT_VERSION, 2);
}

#[test]
fn pretrained_layers_are_loaded_exactly_and_the_head_is_new() {
    let (bytes, _) = pretrain(3);
    let file = Pretrained::parse(&bytes).unwrap();
    let mut scratch = transfer(TransferMode::Scratch, &file);
    let scratch_params = params(&mut scratch);
    for mode in [TransferMode::Features, TransferMode::Finetune] {
        let mut s = transfer(mode, &file);
        for (name, values) in params(&mut s) {
            if name.starts_with("features.11.") {
                // The head: the target run's own initialisation (the same as from scratch), not the file's.
                assert_eq!(values, scratch_params[&name], "{name}");
                assert_ne!(values, file.get(&name).unwrap().data, "{name}");
            } else {
                assert_eq!(values, file.get(&name).unwrap().data, "{name} in {mode:?}");
                assert_ne!(values, scratch_params[&name], "{name}");
            }
        }
    }
}

#[test]
fn the_feature_extractor_trains_only_its_head() {
    let (bytes, _) = pretrain(3);
    let file = Pretrained::parse(&bytes).unwrap();
    let mut s = transfer(TransferMode::Features, &file);
    let frozen: Vec<String> = s
        .model
        .parameters()
        .iter()
        .filter(|p| p.frozen)
        .map(|p| p.name.clone())
        .collect();
    assert_eq!(frozen.len(), 8, "conv ×2 and fc ×2, weight and bias: {frozen:?}");
    assert!(s
        .model
        .parameters()
        .iter()
        .filter(|p| !p.frozen)
        .all(|p| p.name.starts_with("features.11.")));
    let before = params(&mut s);
    for _ in 0..5 {
        s.step();
    }
    let after = params(&mut s);
    for (name, values) in &after {
        if name.starts_with("features.11.") {
            assert_ne!(values, &before[name], "{name} trains");
        } else {
            assert_eq!(values, &before[name], "{name} is frozen");
        }
    }
}

#[test]
fn fine_tuning_steps_the_pretrained_layers_at_the_scaled_rate() {
    let (bytes, _) = pretrain(3);
    let file = Pretrained::parse(&bytes).unwrap();
    let mut s = transfer(TransferMode::Finetune, &file);
    let scales = s.lr_scales().to_vec();
    assert_eq!(scales.len(), 10);
    assert_eq!(&scales[..8], &[0.1; 8]);
    assert_eq!(&scales[8..], &[1.0; 2]);
    let before = params(&mut s);
    let report = s.step();
    assert_eq!(report.lr, 0.05);
    let mut checked = 0;
    s.model.visit_named_params(&mut |p, w, g| {
        let scale = if p.name.starts_with("features.11.") {
            1.0
        } else {
            0.1
        };
        let lr = (report.lr * scale) as f32;
        let w0 = &before[&p.name];
        for i in 0..w.len() {
            // Plain SGD (momentum 0, no decay): w1 = w0 − lr·scale·g.
            let want = w0[i] - lr * g[i];
            assert!(
                (w[i] - want).abs() <= 1e-6 * want.abs().max(1e-3),
                "{}[{i}]: {} vs {want}",
                p.name,
                w[i]
            );
        }
        assert!(g.iter().any(|&x| x != 0.0), "{} has a gradient", p.name);
        checked += 1;
    });
    assert_eq!(checked, 10);
}

#[test]
fn every_optimizer_takes_the_scales_and_refuses_bad_ones() {
    for opt in ["sgd", "adam", "adamw", "rmsprop", "adagrad"] {
        let (bytes, _) = pretrain(1);
        let file = Pretrained::parse(&bytes).unwrap();
        let target = data("target", 12, [1, 28, 28], 2);
        let cfg = Config {
            optimizer: Some(
                serde_json::from_value::<OptimizerConfig>(serde_json::json!({ "type": opt })).unwrap(),
            ),
            ..config("lenet")
        };
        let run = |scale: f64| {
            let sp = TransferSpec {
                finetune_scale: scale,
                ..spec(TransferMode::Finetune)
            };
            let mut s = Session::for_transfer(cfg.clone(), &target, Some(&file), &sp).unwrap();
            let before = params(&mut s);
            s.step();
            let after = params(&mut s);
            let moved = |name: &str| -> f32 {
                before[name]
                    .iter()
                    .zip(&after[name])
                    .map(|(a, b)| (a - b).abs())
                    .sum()
            };
            (moved("features.0.weight"), moved("features.11.weight"))
        };
        let (small_conv, small_head) = run(0.01);
        let (full_conv, full_head) = run(1.0);
        // The head's step does not depend on the others' scale; the conv's shrinks with it.
        assert_eq!(small_head, full_head, "{opt}");
        assert!(
            small_conv < full_conv * 0.05 && small_conv > 0.0,
            "{opt}: {small_conv} vs {full_conv}"
        );
    }
    let (_, mut s) = pretrain(0);
    let mut opt = s.config.optimizer_config().build(&mut s.model);
    let e = opt.set_lr_scales(vec![1.0; 3]).unwrap_err();
    assert!(e.contains("3 given for 10 parameter buffers"), "{e}");
    let e = opt
        .set_lr_scales([vec![1.0; 9], vec![-1.0]].concat())
        .unwrap_err();
    assert!(e.contains("parameter 9") && e.contains("-1"), "{e}");
    assert!(opt.lr_scales().is_empty(), "a refused list changes nothing");
}

#[test]
fn problems_are_named() {
    let (bytes, _) = pretrain(1);
    let file = Pretrained::parse(&bytes).unwrap();
    let target = data("target", 12, [1, 28, 28], 2);
    let err = |cfg: Config, target: &LoadedData, sp: TransferSpec| {
        Session::for_transfer(cfg, target, Some(&file), &sp)
            .err()
            .expect("refused")
            .0
    };
    // Data of another shape.
    let rgb = data("rgb", 12, [3, 32, 32], 2);
    let e = err(config("lenet"), &rgb, spec(TransferMode::Features));
    assert!(
        e.contains("1×28×28") && e.contains("3×32×32") && e.contains("\"rgb\""),
        "{e}"
    );
    // A file from another network: a tensor the network has and the file lacks …
    let e = err(config("mlp"), &target, spec(TransferMode::Finetune));
    assert!(
        e.contains("features.1.weight [128, 784]") && e.contains("another network"),
        "{e}"
    );
    // … one of another shape …
    let mut wide = trainlab::presets::preset("lenet", ActivationKind::Relu, [1, 28, 28], 10).unwrap();
    if let LayerSpec::Conv2d { out_channels, .. } = &mut wide[3] {
        *out_channels = 12;
    }
    let e = err(
        Config {
            layers: Some(wide),
            ..config("lenet")
        },
        &target,
        spec(TransferMode::Features),
    );
    assert!(
        e.contains("features.3.weight is [16, 6, 5, 5] in the file"),
        "{e}"
    );
    // … and one the file has and the network lacks (lenet without its last hidden layer).
    let mut short = trainlab::presets::preset("lenet", ActivationKind::Relu, [1, 28, 28], 10).unwrap();
    short.drain(9..11);
    short[7] = LayerSpec::Linear {
        out_features: 120,
        drop_connect: 0.0,
    };
    let e = err(
        Config {
            layers: Some(short),
            ..config("lenet")
        },
        &target,
        spec(TransferMode::Features),
    );
    assert!(
        e.contains("has features.11.") && e.contains("which the network does not"),
        "{e}"
    );
    // Nothing but the head to keep or freeze.
    let e = err(config("linear"), &target, spec(TransferMode::Features));
    assert!(
        e.contains("only layer with parameters is its classifier head (features.1)"),
        "{e}"
    );
    // Too few images of a class, and a bad mode.
    let e = err(
        config("lenet"),
        &target,
        TransferSpec {
            per_class: 50,
            ..spec(TransferMode::Scratch)
        },
    );
    assert!(
        e.contains("class \"c0\"") && e.contains("fewer than the 50 per class"),
        "{e}"
    );
    assert!(TransferMode::parse("freeze")
        .unwrap_err()
        .0
        .contains("scratch, features, finetune"));
    // Not a weights file.
    assert!(Pretrained::parse(b"hello")
        .unwrap_err()
        .0
        .contains("not a safetensors file"));
    // Freezing every layer of a model is refused by name (Model::set_frozen_where).
    let mut s = Session::for_transfer(
        config("lenet"),
        &target,
        Some(&file),
        &spec(TransferMode::Features),
    )
    .unwrap();
    let e = s.model.set_frozen_where(|_| true, true).unwrap_err().0;
    assert!(
        e.contains("would leave none of the model's 10 parameters to train"),
        "{e}"
    );
}

#[test]
fn the_target_subset_has_n_of_each_class_and_is_seeded() {
    let set = data("target", 12, [1, 28, 28], 2);
    let a = per_class(&set, 4, 1).unwrap();
    assert_eq!(a.train.counts(), vec![4; CLASSES]);
    assert_eq!(a.val.len(), set.val.len());
    let again = per_class(&set, 4, 1).unwrap();
    assert_eq!(a.train.bytes(), again.train.bytes());
    assert_eq!(a.train.labels, again.train.labels);
    let other = per_class(&set, 4, 2).unwrap();
    assert_ne!(a.train.bytes(), other.train.bytes());
    // Every picked image is one of the source's, with its label.
    let len = set.train.image_len();
    let src = set.train.bytes().unwrap();
    for (i, img) in a.train.bytes().unwrap().chunks_exact(len).enumerate() {
        let found = (0..set.train.len())
            .any(|j| &src[j * len..(j + 1) * len] == img && set.train.labels[j] == a.train.labels[i]);
        assert!(found, "image {i}");
    }
    assert!(per_class(&set, 0, 1).unwrap_err().0.contains("1 to 1000"));
}

#[test]
fn a_class_subset_keeps_those_images_renumbered_with_their_names() {
    let set = data("target", 12, [1, 28, 28], 2);
    let odd = [1, 3, 5, 7, 9];
    let sub = keep_classes(&set, &odd).unwrap();
    assert_eq!(sub.name, set.name);
    assert_eq!(sub.train.class_names, vec!["c1", "c3", "c5", "c7", "c9"]);
    assert_eq!((sub.train.classes, sub.val.classes), (5, 5));
    let kept = |d: &trainlab::data::Dataset, k: usize| d.counts()[k];
    for (k, &c) in odd.iter().enumerate() {
        assert_eq!(
            kept(&sub.train, k),
            kept(&set.train, c),
            "training images of class {c}"
        );
        assert_eq!(
            kept(&sub.val, k),
            kept(&set.val, c),
            "validation images of class {c}"
        );
    }
    // The same images in the same order, each with its class renumbered by its place in the list.
    let len = set.train.image_len();
    let (src, got) = (set.train.bytes().unwrap(), sub.train.bytes().unwrap());
    let picked: Vec<usize> = (0..set.train.len())
        .filter(|&i| odd.contains(&(set.train.labels[i] as usize)))
        .collect();
    assert_eq!(picked.len(), sub.train.len());
    for (j, &i) in picked.iter().enumerate() {
        assert_eq!(
            &got[j * len..(j + 1) * len],
            &src[i * len..(i + 1) * len],
            "image {j}"
        );
        let original = odd[sub.train.labels[j] as usize];
        assert_eq!(original, set.train.labels[i] as usize, "label of image {j}");
    }
    assert_eq!(sub.train.normalization, set.train.normalization);
    // Another order renumbers accordingly.
    let reversed = keep_classes(&set, &[9, 1]).unwrap();
    assert_eq!(reversed.train.class_names, vec!["c9", "c1"]);
    assert_eq!(
        reversed.train.counts(),
        vec![kept(&set.train, 9), kept(&set.train, 1)]
    );
    // Problems named.
    let err = |list: &[usize]| keep_classes(&set, list).unwrap_err().0;
    assert!(
        err(&[]).contains("at least two classes, got none"),
        "{}",
        err(&[])
    );
    assert!(err(&[3]).contains("got only 3"), "{}", err(&[3]));
    assert!(
        err(&[1, 10]).contains("no class 10") && err(&[1, 10]).contains("9 c9"),
        "{}",
        err(&[1, 10])
    );
    assert!(
        err(&[2, 4, 2]).contains("class 2 (c2) is listed twice"),
        "{}",
        err(&[2, 4, 2])
    );
}

#[test]
fn a_network_pretrained_on_some_classes_transfers_to_the_others() {
    let set = data("split", 30, [1, 28, 28], 4);
    let source = std::rc::Rc::new(keep_classes(&set, &[0, 2, 4, 6, 8]).unwrap());
    let cfg = Config {
        dataset: "split".into(),
        train_size: source.train.len(),
        ..config("lenet")
    };
    let mut s = Session::with_data(cfg, Some(source)).unwrap();
    for _ in 0..5 {
        s.step();
    }
    let meta = WeightsMeta {
        config: s.config.clone(),
        input: [1, 28, 28],
        dataset: "split".into(),
        class_names: s.train.class_names.clone(),
        steps: 5,
        val_accuracy: 0.5,
        made_by: String::new(),
    };
    let file = Pretrained::parse(&save(&mut s.model, &meta).unwrap()).unwrap();
    assert_eq!(file.meta.class_names, vec!["c0", "c2", "c4", "c6", "c8"]);
    let target = keep_classes(&set, &[1, 3, 5, 7, 9]).unwrap();
    let mut t = Session::for_transfer(
        config("lenet"),
        &target,
        Some(&file),
        &spec(TransferMode::Features),
    )
    .unwrap();
    assert_eq!(t.train.class_names, vec!["c1", "c3", "c5", "c7", "c9"]);
    assert_eq!(t.train.counts(), vec![spec(TransferMode::Features).per_class; 5]);
    // The head has one output per kept class; the loaded layers are the file's.
    let head = trainlab::transfer::head_prefix(t.model.parameters()).unwrap();
    let p = params(&mut t);
    assert_eq!(p[&format!("{head}.bias")].len(), 5, "{head}");
    assert_eq!(
        p["features.0.weight"],
        file.get("features.0.weight").unwrap().data
    );
}

#[test]
fn nearest_neighbours_of_a_hand_made_case() {
    // Points on a plane: (0,0) (3,4) (1,0) (0,2) (−1,0); query (0,0).
    let pool = [0.0, 0.0, 3.0, 4.0, 1.0, 0.0, 0.0, 2.0, -1.0, 0.0];
    let found = nearest(&[0.0, 0.0], &pool, 2, 3, None);
    let got: Vec<(usize, f32)> = found.iter().map(|n| (n.index, n.distance)).collect();
    // (1,0) and (−1,0) tie at 1: the lower index first.
    assert_eq!(got, vec![(0, 0.0), (2, 1.0), (4, 1.0)]);
    let found = nearest(&[0.0, 0.0], &pool, 2, 10, Some(0));
    assert_eq!(
        found.iter().map(|n| n.index).collect::<Vec<_>>(),
        vec![2, 4, 3, 1]
    );
    assert_eq!(found[3].distance, 5.0);
}

#[test]
fn features_are_the_heads_input() {
    let (bytes, _) = pretrain(1);
    let file = Pretrained::parse(&bytes).unwrap();
    let mut s = transfer(TransferMode::Features, &file);
    let set = s.train.clone();
    let (rows, dim) = s.features(&set, &[0, 1, 2]);
    assert_eq!(dim, 84);
    assert_eq!(rows.len(), 3 * 84);
    assert!(rows.iter().all(|&x| x >= 0.0), "after the ReLU");
    // One image alone gives the same row as in a batch.
    let (one, _) = s.features(&set, &[1]);
    assert_eq!(one, rows[84..168].to_vec());
}
