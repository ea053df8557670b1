//! Runs that differ only in training noise (regularization, augmentation, mixing, label smoothing),
//! the optimizer, the learning rate or the schedule see the same images in the same order and, with
//! the same architecture, start from the same weights: what a side-by-side comparison needs.

#![cfg(not(target_arch = "wasm32"))]

use trainlab::config::Config;
use trainlab::nn::ParamKind;
use trainlab::session::Session;

fn small() -> Config {
    Config {
        seed: 5,
        train_size: 96,
        val_size: 20,
        batch_size: 32,
        ..Config::default()
    }
}

/// A config that draws training noise at every step and trains differently in every other way.
fn noisy(base: &Config) -> Config {
    let mut config = Config::from_json(
        r#"{
            "learningRate": 0.005,
            "dropRate": 0.3,
            "augment": { "hflip": 0.5, "cropScale": [1.0, 1.25], "mixupAlpha": 0.8, "labelSmoothing": 0.1 },
            "optimizer": { "type": "adam" },
            "schedule": { "type": "cosine", "totalSteps": 50, "warmupSteps": 3 }
        }"#,
    )
    .expect("valid config");
    config.seed = base.seed;
    config.train_size = base.train_size;
    config.val_size = base.val_size;
    config.batch_size = base.batch_size;
    config
}

/// Training-set indices of every batch of the first `steps` steps.
fn batches(config: &Config, steps: usize) -> Vec<Vec<usize>> {
    let mut s = Session::new(config.clone()).unwrap();
    (0..steps)
        .map(|_| {
            s.step();
            s.batch_indices().to_vec()
        })
        .collect()
}

/// Every weight (not bias or normalization) buffer of the model, in model order.
fn weights(config: &Config) -> Vec<Vec<f32>> {
    let mut s = Session::new(config.clone()).unwrap();
    let mut out = Vec::new();
    s.model.visit_params(&mut |kind, value, _| {
        if kind == ParamKind::Weight {
            out.push(value.to_vec());
        }
    });
    out
}

#[test]
fn regularizers_and_optimizer_do_not_change_the_data_order() {
    let plain = small();
    let other = noisy(&plain);
    // 3 epochs of 96 images in batches of 32.
    let (a, b) = (batches(&plain, 9), batches(&other, 9));
    assert_eq!(a, b, "the noisy run must visit the same images in the same order");
    // The order is really shuffled per epoch (not trivially equal because it is 0..n).
    assert_ne!(a[0], (0..32).collect::<Vec<_>>());
    assert_ne!(a[0..3].concat(), a[3..6].concat(), "each epoch is reshuffled");
    // And the noise is really drawn: the two runs do not train identically.
    let loss = |c: &Config| Session::new(c.clone()).unwrap().step().loss;
    assert_ne!(loss(&plain), loss(&other));
}

#[test]
fn the_same_seed_with_another_seed_changes_the_order() {
    let plain = small();
    let other = Config {
        seed: 6,
        ..plain.clone()
    };
    assert_ne!(batches(&plain, 1), batches(&other, 1));
}

#[test]
fn dropout_and_batch_norm_do_not_shift_the_initial_weights() {
    let plain = small();
    let base = weights(&plain);
    assert!(base.len() >= 3, "shapes-cnn has convolutions and a classifier");
    for variant in [
        Config {
            drop_rate: 0.5,
            ..plain.clone()
        },
        Config {
            batch_norm: true,
            ..plain.clone()
        },
        Config {
            batch_norm: true,
            drop_rate: 0.3,
            ..noisy(&plain)
        },
    ] {
        assert_eq!(
            weights(&variant),
            base,
            "conv/linear weights differ for dropRate {} batchNorm {}",
            variant.drop_rate,
            variant.batch_norm
        );
    }
}
