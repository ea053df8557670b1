//! The training loop as a whole: determinism, the initial loss the lecture expects, learning,
//! and configs that must be refused with a message naming the field and value.
// Expected values come from std's math on purpose: an implementation independent of the
// core's (src/math.rs, the `libm` crate) that clippy.toml otherwise keeps out.
#![allow(clippy::disallowed_methods)]
#![cfg(not(target_arch = "wasm32"))]

use trainlab::config::Config;
use trainlab::session::Session;

fn losses(config: &Config, steps: usize) -> Vec<f64> {
    let mut s = Session::new(config.clone()).unwrap();
    (0..steps).map(|_| s.step().loss).collect()
}

#[test]
fn same_seed_gives_identical_first_20_losses() {
    let config = Config {
        seed: 7,
        train_size: 300,
        val_size: 50,
        ..Config::default()
    };
    let a = losses(&config, 20);
    let b = losses(&config, 20);
    assert_eq!(
        a.iter().map(|l| l.to_bits()).collect::<Vec<_>>(),
        b.iter().map(|l| l.to_bits()).collect::<Vec<_>>()
    );
    let c = losses(&Config { seed: 8, ..config }, 20);
    assert_ne!(a, c, "a different seed must give a different run");
}

#[test]
fn initial_loss_is_close_to_ln_classes() {
    // Lecture, step 1: with weight decay off, the loss at initialization ≈ log(C).
    for preset in [
        "shapes-cnn",
        "linear",
        "mlp",
        "lenet",
        "cifar-convnetjs",
        "vgg-mini",
    ] {
        let config = Config {
            preset: preset.into(),
            train_size: 256,
            val_size: 10,
            ..Config::default()
        };
        let first = losses(&config, 1)[0];
        let ln10 = 10f64.ln();
        assert!(
            (first - ln10).abs() < 0.1 * ln10,
            "{preset}: initial loss {first}, ln 10 = {ln10}"
        );
    }
}

#[test]
fn training_lowers_the_loss_and_evaluation_sees_it() {
    let config = Config {
        train_size: 512,
        val_size: 200,
        batch_size: 32,
        seed: 3,
        ..Config::default()
    };
    let mut s = Session::new(config).unwrap();
    let before = s.evaluate();
    let ls: Vec<f64> = (0..160).map(|_| s.step().loss).collect();
    let after = s.evaluate();
    let head: f64 = ls[..20].iter().sum::<f64>() / 20.0;
    let tail: f64 = ls[140..].iter().sum::<f64>() / 20.0;
    assert!(
        tail < head * 0.9,
        "loss did not fall: first 20 mean {head}, last 20 mean {tail}"
    );
    assert!(after.train_loss < before.train_loss, "{before:?} → {after:?}");
    assert!(after.train_accuracy > before.train_accuracy);
    assert_eq!(after.step, 160);
    assert_eq!(s.epoch(), 160 * 32 / 512);
}

#[test]
fn bad_configs_are_refused_with_the_field_and_value() {
    let cases = [
        (r#"{"learningRate": -1}"#, "learningRate", "-1"),
        (r#"{"learningRate": 0}"#, "learningRate", "0"),
        (r#"{"batchSize": 0}"#, "batchSize", "0"),
        (r#"{"momentum": 1.5}"#, "momentum", "1.5"),
        (r#"{"preset": "resnet9000"}"#, "preset", "resnet9000"),
        (r#"{"dataset": "imagenet"}"#, "dataset", "imagenet"),
        (r#"{"learningRat": 0.1}"#, "learningRat", "unknown field"),
        (r#"{"learningRate": "fast"}"#, "learningRate", "fast"),
        (r#"{"activation": "gelu"}"#, "activation", "gelu"),
        (
            r#"{"layers": [{"type": "conv2d", "outChannels": 4, "kernelSize": 40}, {"type": "linear", "outFeatures": 10}]}"#,
            "kernelSize",
            "40",
        ),
        (
            r#"{"layers": [{"type": "conv2d", "outChannels": 4, "kernelSize": 3, "paddin": 1}]}"#,
            "paddin",
            "unknown field",
        ),
        (
            r#"{"layers": [{"type": "flatten"}, {"type": "linear", "outFeatures": 7}]}"#,
            "layers",
            "7",
        ),
        (r#"{"layers": []}"#, "layers", "empty"),
    ];
    for (json, field, value) in cases {
        let err = Config::from_json(json)
            .and_then(Session::new)
            .err()
            .unwrap_or_else(|| panic!("{json} was accepted"));
        assert!(
            err.0.contains(field) && err.0.contains(value),
            "{json}: message {:?} should name {field} and {value}",
            err.0
        );
    }
}

#[test]
fn a_custom_layer_list_trains() {
    let json = r#"{"layers": [{"type": "conv2d", "outChannels": 4, "kernelSize": 3, "stride": 2, "padding": 1}, {"type": "elu", "alpha": 0.5},
                   {"type": "avgpool2d", "kernelSize": 2}, {"type": "flatten"}, {"type": "linear", "outFeatures": 10}], "trainSize": 64, "valSize": 16}"#;
    let mut s = Session::new(Config::from_json(json).unwrap()).unwrap();
    assert!(s.step().loss.is_finite());
}

#[test]
fn regularized_models_start_at_ln_classes_and_train() {
    let json =
        r#"{"preset": "resnet-mini", "dropPathRate": 0.3, "trainSize": 128, "valSize": 40, "batchSize": 16}"#;
    let mut s = Session::new(Config::from_json(json).unwrap()).unwrap();
    let first = s.step().loss;
    assert!(
        (first - 10f64.ln()).abs() < 0.1 * 10f64.ln(),
        "resnet-mini initial loss {first}"
    );
    for _ in 0..5 {
        assert!(s.step().loss.is_finite());
    }
    // Fractional pooling is random at test time: evaluation averages several passes but stays
    // reproducible (its own fixed stream).
    let json = r#"{"layers": [{"type": "conv2d", "outChannels": 4, "kernelSize": 3, "padding": 1}, {"type": "relu"},
                   {"type": "fractionalmaxpool2d"}, {"type": "dropout", "p": 0.5}, {"type": "flatten"},
                   {"type": "linear", "outFeatures": 10, "dropConnect": 0.2}], "trainSize": 64, "valSize": 30}"#;
    let mut s = Session::new(Config::from_json(json).unwrap()).unwrap();
    s.step();
    assert!(s.model.random_at_eval());
    assert_eq!(s.evaluate(), s.evaluate());
}

#[test]
fn bad_regularizer_settings_are_refused() {
    let cases = [
        (
            r#"{"layers": [{"type": "dropout", "p": 1}, {"type": "flatten"}, {"type": "linear", "outFeatures": 10}]}"#,
            "p",
            "1",
        ),
        (
            r#"{"layers": [{"type": "flatten"}, {"type": "linear", "outFeatures": 10, "dropConnect": -0.1}]}"#,
            "dropConnect",
            "-0.1",
        ),
        (
            r#"{"layers": [{"type": "fractionalmaxpool2d", "alpha": 3}, {"type": "flatten"}, {"type": "linear", "outFeatures": 10}]}"#,
            "alpha",
            "3",
        ),
        (r#"{"dropPathRate": 1.0}"#, "dropPathRate", "1"),
        (
            r#"{"layers": [{"type": "residual", "body": [{"type": "conv2d", "outChannels": 5, "kernelSize": 3}]}]}"#,
            "residual",
            "shape",
        ),
    ];
    for (json, field, value) in cases {
        let err = Config::from_json(json)
            .and_then(Session::new)
            .err()
            .unwrap_or_else(|| panic!("{json} was accepted"));
        assert!(
            err.0.contains(field) && err.0.contains(value),
            "{json}: message {:?} should name {field} and {value}",
            err.0
        );
    }
}

#[test]
fn regularization_switches_rewrite_the_preset() {
    use trainlab::config::LayerSpec;
    use trainlab::presets::{default_input, preset, with_regularizers};
    let input = default_input("shapes-cnn").unwrap();
    let plain = preset("shapes-cnn", trainlab::nn::ActivationKind::Relu, input, 10).unwrap();
    let config = Config {
        drop_rate: 0.5,
        drop_connect: 0.2,
        batch_norm: true,
        fractional_pooling: true,
        ..Config::default()
    };
    let specs = with_regularizers(plain.clone(), &config);
    let count = |specs: &[LayerSpec], f: fn(&LayerSpec) -> bool| specs.iter().filter(|s| f(s)).count();
    assert_eq!(
        count(&specs, |s| matches!(s, LayerSpec::Batchnorm)),
        count(&plain, |s| matches!(s, LayerSpec::Conv2d { .. }))
    );
    assert_eq!(count(&specs, |s| matches!(s, LayerSpec::Maxpool2d { .. })), 0);
    assert_eq!(
        count(&specs, |s| matches!(s, LayerSpec::Fractionalmaxpool2d { .. })),
        3
    );
    // Dropout sits right before the classifier, and every linear layer has DropConnect.
    let classifier = specs
        .iter()
        .rposition(|s| matches!(s, LayerSpec::Linear { .. }))
        .unwrap();
    assert_eq!(specs[classifier - 1], LayerSpec::Dropout { p: 0.5 });
    assert!(specs
        .iter()
        .all(|s| !matches!(s, LayerSpec::Linear { drop_connect, .. } if *drop_connect != 0.2)));
    // With every switch off the preset is unchanged; resnet-mini's own batch norm is not doubled.
    assert_eq!(with_regularizers(plain.clone(), &Config::default()), plain);
    let input = default_input("resnet-mini").unwrap();
    let resnet = preset("resnet-mini", trainlab::nn::ActivationKind::Relu, input, 10).unwrap();
    assert_eq!(
        with_regularizers(
            resnet.clone(),
            &Config {
                batch_norm: true,
                ..Config::default()
            }
        ),
        resnet
    );
    // And the rewritten model trains.
    let mut s = Session::new(Config {
        train_size: 64,
        val_size: 20,
        ..config
    })
    .unwrap();
    assert!(s.step().loss.is_finite());
}

#[test]
fn augmentation_reaches_the_batch_the_network_sees() {
    // hflip = 1 flips every image: the first batch is the flipped training images, in batch order.
    let config = Config::from_json(
        r#"{"augment": {"hflip": 1.0}, "trainSize": 64, "valSize": 8, "batchSize": 4, "seed": 2}"#,
    )
    .unwrap();
    let mut plain = Session::new(Config {
        augment: Default::default(),
        ..config.clone()
    })
    .unwrap();
    let mut flipped = Session::new(config).unwrap();
    plain.step();
    flipped.step();
    let (a, b) = (plain.model.input(), flipped.model.input());
    let (c, h, w) = (3, 32, 32);
    for i in 0..4 {
        let mut img = a.sample(i).to_vec();
        trainlab::augment::flip::hflip(&mut img, c, h, w);
        assert_eq!(
            img,
            b.sample(i),
            "image {i} of the batch is not the flipped original"
        );
    }
}

#[test]
fn mixup_and_label_smoothing_show_in_the_preview() {
    let json = r#"{"augment": {"mixupAlpha": 1.0, "labelSmoothing": 0.1}, "trainSize": 64, "valSize": 8, "batchSize": 8, "seed": 4}"#;
    let mut s = Session::new(Config::from_json(json).unwrap()).unwrap();
    assert!(s.preview(4).images.is_empty(), "no batch yet");
    s.step();
    let p = s.preview(4);
    assert_eq!(p.mix, "mixup");
    assert_eq!(p.images.len(), 4);
    for img in &p.images {
        assert_eq!(img.rgba.len(), 32 * 32 * 4);
        let total: f64 = img.label.iter().map(|(_, w)| w).sum();
        // Weights below 1% are left out of the label, so at most 8 × 0.01 is missing.
        assert!(
            total <= 1.0 + 1e-6 && total > 0.9,
            "label weights {:?}",
            img.label
        );
        assert!(
            img.label.windows(2).all(|w| w[0].1 >= w[1].1),
            "sorted largest first"
        );
    }
    // Evaluation reuses the model's input and target buffers; the preview must not change.
    s.evaluate();
    assert_eq!(s.preview(4), p);
}

#[test]
fn test_time_augmentation_averages_the_image_and_its_mirror() {
    // With crops off the 4 corner views and the centre are the image itself and the other five its
    // mirror, so TTA's prediction is ½·softmax(f(x)) + ½·softmax(f(flip x)).
    use trainlab::nn::Mode;
    let base = Config {
        train_size: 64,
        val_size: 6,
        seed: 9,
        ..Config::default()
    };
    let mut tta = Session::new(Config {
        tta: true,
        ..base.clone()
    })
    .unwrap();
    for _ in 0..3 {
        tta.step();
    }
    let report = tta.evaluate();
    let (n, len) = (tta.val.len(), tta.val.image_len());
    let mut expected_loss = 0.0;
    for i in 0..n {
        let mut probs = vec![0.0f32; 10];
        for flip in [false, true] {
            let mut img = tta.val.image(i).to_vec();
            if flip {
                trainlab::augment::flip::hflip(&mut img, 3, 32, 32);
            }
            tta.model.input_mut(1).data[..len].copy_from_slice(&img);
            let logits = tta.model.forward(Mode::Eval, &mut trainlab::Rng::new(0));
            trainlab::loss::accumulate_softmax_groups(logits, 1, 0.5, &mut probs);
        }
        expected_loss -= (probs[tta.val.labels[i] as usize] as f64).ln();
    }
    expected_loss /= n as f64;
    assert!(
        (report.val_loss - expected_loss).abs() < 1e-4,
        "TTA loss {} vs by hand {expected_loss}",
        report.val_loss
    );
}

#[test]
fn optimizer_and_schedule_come_from_the_config() {
    // Cosine over T = 8 steps from 0.1: α_t = ½·0.1·(1 + cos(tπ/8)); the report shows the rate
    // used for that step (t = step − 1).
    let json = r#"{"optimizer": {"type": "adamw", "weightDecay": 0.05}, "learningRate": 0.1,
                   "schedule": {"type": "cosine", "totalSteps": 8}, "trainSize": 64, "valSize": 8, "batchSize": 8}"#;
    let mut s = Session::new(Config::from_json(json).unwrap()).unwrap();
    for t in 0..8u64 {
        let r = s.step();
        let want = 0.5 * 0.1 * (1.0 + (t as f64 * std::f64::consts::PI / 8.0).cos());
        assert!((r.lr - want).abs() < 1e-12, "step {t}: lr {} want {want}", r.lr);
        assert!(r.loss.is_finite());
    }
    // While paused, a new schedule applies from the next step and the run goes on from where it was.
    s.set_schedule(serde_json::from_str(r#"{"type": "constant"}"#).unwrap())
        .unwrap();
    let r = s.step();
    assert_eq!((r.step, r.lr), (9, 0.1));
    assert!(s
        .set_schedule(serde_json::from_str(r#"{"type": "cosine", "totalSteps": 0}"#).unwrap())
        .is_err());
    for (json, field) in [
        (
            r#"{"optimizer": {"type": "adam", "betas": [0.9, 1.0]}}"#,
            "optimizer.betas",
        ),
        (r#"{"optimizer": {"type": "lion"}}"#, "optimizer"),
        (r#"{"schedule": {"type": "cosine"}}"#, "totalSteps"),
    ] {
        let err = Config::from_json(json)
            .and_then(Session::new)
            .err()
            .unwrap_or_else(|| panic!("{json} accepted"));
        assert!(err.0.contains(field), "{json}: {}", err.0);
    }
}
