//! The threaded build's promise: a seed's losses and weights are bit-identical on any number of
//! threads. `cargo test --features threads --test threads`; without the feature there is nothing
//! parallel to compare, and this file is empty.
//!
//! The reference is `parallel::sequential`, which makes every layer loop take its one-part path:
//! the code a build without the feature compiles (`parallel::threads()` is then 1 by definition).
//! Each run then repeats inside rayon pools of 1 to 4 threads, where the loops split the batch and
//! the weight gradient's columns (blocks of K) across the pool's threads (checked: the pool is what
//! the layers see).

#![cfg(all(feature = "threads", not(target_arch = "wasm32")))]

use trainlab::config::Config;
use trainlab::parallel;
use trainlab::session::Session;

/// The bits of every step's loss, then of every parameter and state buffer after the last step.
#[derive(Debug, PartialEq)]
struct RunBits {
    losses: Vec<u64>,
    weights: Vec<u32>,
}

fn run(config: &Config, steps: usize) -> RunBits {
    let mut s = Session::new(config.clone()).unwrap();
    let losses = (0..steps).map(|_| s.step().loss.to_bits()).collect();
    let mut weights = Vec::new();
    s.model
        .visit_params(&mut |_, w, _| weights.extend(w.iter().map(|v| v.to_bits())));
    s.model
        .visit_buffers(&mut |b| weights.extend(b.iter().map(|v| v.to_bits())));
    RunBits { losses, weights }
}

fn assert_same_bits_on_any_thread_count(json: &str, steps: usize) {
    // Every loop splits, however small: the page's threshold (parallel::MIN_PARALLEL_WORK) would
    // keep these small networks' layers on one thread and leave nothing to compare.
    parallel::split_from(1);
    let config = Config::from_json(json).unwrap();
    let reference = parallel::sequential(|| run(&config, steps));
    assert_eq!(reference.losses.len(), steps);
    assert!(!reference.weights.is_empty());
    for threads in 1..=4 {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        assert_eq!(pool.install(parallel::threads), threads);
        let got = pool.install(|| run(&config, steps));
        assert!(
            got.losses == reference.losses,
            "{json}: losses on {threads} threads {:?} differ from one thread's {:?}",
            got.losses.iter().map(|b| f64::from_bits(*b)).collect::<Vec<_>>(),
            reference
                .losses
                .iter()
                .map(|b| f64::from_bits(*b))
                .collect::<Vec<_>>()
        );
        let differing = got
            .weights
            .iter()
            .zip(&reference.weights)
            .filter(|(a, b)| a != b)
            .count();
        assert!(
            got.weights.len() == reference.weights.len() && differing == 0,
            "{json}: {differing} of {} weights differ on {threads} threads",
            reference.weights.len()
        );
    }
}

#[test]
fn lenet_is_bit_identical_on_1_to_4_threads() {
    // 13 images: uneven splits of the batch (7+6, 5+4+4, 4+3+3+3).
    assert_same_bits_on_any_thread_count(
        r#"{"preset": "lenet", "dataset": "noise", "seed": 5, "batchSize": 13, "trainSize": 64, "valSize": 8}"#,
        4,
    );
}

#[test]
fn cifar_convnetjs_is_bit_identical_on_1_to_4_threads() {
    assert_same_bits_on_any_thread_count(
        r#"{"preset": "cifar-convnetjs", "dataset": "noise", "seed": 6, "batchSize": 32, "trainSize": 96, "valSize": 8}"#,
        3,
    );
}

#[test]
fn vgg_mini_is_bit_identical_on_1_to_4_threads() {
    // Batch 64: the second conv's im2col matrices (64·288·1024 floats) exceed the cache, so
    // backward rebuilds them a group of images at a time; the other convs keep theirs.
    assert_same_bits_on_any_thread_count(
        r#"{"preset": "vgg-mini", "dataset": "noise", "seed": 7, "batchSize": 64, "trainSize": 128, "valSize": 8}"#,
        2,
    );
}

#[test]
fn resnet_mini_with_batch_norm_and_drop_path_is_bit_identical_on_1_to_4_threads() {
    assert_same_bits_on_any_thread_count(
        r#"{"preset": "resnet-mini", "dataset": "noise", "seed": 8, "batchSize": 24, "dropPathRate": 0.2, "trainSize": 96, "valSize": 8}"#,
        3,
    );
}
