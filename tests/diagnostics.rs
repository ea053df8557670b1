//! The lecture's recipe as diagnostics: update/weight ratio, early stopping's best snapshot and
//! the rules that read the curves.

// Expected values may come from std's math: an implementation independent of the core's
// (src/math.rs, the `libm` crate) that clippy.toml otherwise keeps out.
#![allow(clippy::disallowed_methods)]
#![cfg(not(target_arch = "wasm32"))]

use trainlab::config::{Config, LayerSpec};
use trainlab::diagnostics::curves::EXPLODED;
use trainlab::diagnostics::update_ratio::{ratio, UpdateRatio};
use trainlab::diagnostics::{describe_divergence, diagnose, is_diverged, EarlyStopping, Finding};
use trainlab::model::Model;
use trainlab::nn::{Init, ParamKind};
use trainlab::session::Session;
use trainlab::Rng;

#[test]
fn update_ratio_matches_the_slide_for_a_known_update() {
    // W = (3, 4): ‖W‖ = 5. An SGD step with lr = 0.01 and gradient (6, 8) (‖g‖ = 10) moves W by
    // −lr·g, so ‖ΔW‖/‖W‖ = 0.01·10/5 = 0.02.
    let spec = [LayerSpec::Linear {
        out_features: 1,
        drop_connect: 0.0,
    }];
    let mut m = Model::<f32>::from_specs(&spec, [2, 1, 1], Init::Kaiming, &mut Rng::new(0)).unwrap();
    m.visit_params(&mut |kind, w, _| {
        if kind == ParamKind::Weight {
            w.copy_from_slice(&[3.0, 4.0]);
        }
    });
    let mut tracker = UpdateRatio::default();
    tracker.before_step(&mut m);
    m.visit_params(&mut |kind, w, _| {
        if kind == ParamKind::Weight {
            w[0] -= 0.01 * 6.0;
            w[1] -= 0.01 * 8.0;
        } else {
            w[0] += 100.0; // biases are not part of the ratio
        }
    });
    tracker.after_step(&mut m);
    assert_eq!(tracker.ratios.len(), 1);
    assert!((tracker.ratios[0] - 0.02).abs() < 1e-6, "{:?}", tracker.ratios);
    assert!((ratio(&[3.0f64, 4.0], &[-0.06, -0.08]) - 0.02).abs() < 1e-12);
}

#[test]
fn sessions_report_one_ratio_per_weight_tensor() {
    let mut s = Session::new(Config {
        train_size: 64,
        val_size: 16,
        ..Config::default()
    })
    .unwrap();
    s.step();
    // shapes-cnn: three convolutions and one linear layer.
    assert_eq!(s.update_ratios().len(), 4);
    assert!(
        s.update_ratios()
            .iter()
            .all(|r| r.is_finite() && *r > 0.0 && *r < 1.0),
        "{:?}",
        s.update_ratios()
    );
}

#[test]
fn early_stopping_keeps_and_restores_the_best_snapshot() {
    let spec = [LayerSpec::Linear {
        out_features: 2,
        drop_connect: 0.0,
    }];
    let mut m = Model::<f32>::from_specs(&spec, [2, 1, 1], Init::Kaiming, &mut Rng::new(0)).unwrap();
    let set = |m: &mut Model<f32>, v: f32| m.visit_params(&mut |_, w, _| w.iter_mut().for_each(|x| *x = v));
    let first = |m: &mut Model<f32>| {
        let mut out = 0.0;
        m.visit_params(&mut |_, w, _| out = w[0]);
        out
    };
    let mut es = EarlyStopping::new(2);
    assert!(!es.restore(&mut m), "nothing to restore before an evaluation");
    set(&mut m, 1.0);
    assert!(!es.observe(&mut m, 10, 0.5));
    set(&mut m, 2.0);
    assert!(!es.observe(&mut m, 20, 0.7)); // new best
    set(&mut m, 3.0);
    assert!(!es.observe(&mut m, 30, 0.6)); // one without improvement
    set(&mut m, 4.0);
    assert!(
        es.observe(&mut m, 40, 0.7),
        "patience 2 exhausted (equal is not better)"
    );
    assert_eq!((es.best_accuracy, es.best_step), (Some(0.7), 20));
    assert!(es.restore(&mut m));
    assert_eq!(first(&mut m), 2.0);
    // Patience starts over from the restored snapshot; its own evaluation does not count.
    assert!(!es.observe(&mut m, 40, 0.7), "evaluating the restored snapshot");
    assert!(
        !es.observe(&mut m, 50, 0.6),
        "one without improvement after the restore"
    );
    assert!(es.observe(&mut m, 60, 0.6), "patience 2 exhausted again");
    assert_eq!((es.best_accuracy, es.best_step), (Some(0.7), 20));
}

#[test]
fn curve_rules_say_what_the_lecture_says() {
    let ln10 = 10f64.ln();
    // NaN fires on the first non-finite loss and says the lecture's cause.
    let d = diagnose(&[2.3, 2.2, f64::NAN, 1.0], 10, None);
    assert_eq!(d.len(), 1);
    assert_eq!(d[0].finding, Finding::Diverged);
    assert!(d[0].message.contains("step 3") && d[0].message.contains("learning rate too high"));
    assert_eq!(
        diagnose(&[2.3, f64::INFINITY], 10, None)[0].finding,
        Finding::Diverged
    );
    // Initial loss far from ln(C).
    assert!(diagnose(&[4.6], 10, None)
        .iter()
        .any(|d| d.finding == Finding::InitialLossOff));
    assert!(diagnose(&[ln10 * 1.05], 10, None).is_empty());
    // A flat loss over 200 steps.
    let flat = vec![ln10; 200];
    assert!(diagnose(&flat, 10, None)
        .iter()
        .any(|d| d.finding == Finding::NotMoving));
    let falling: Vec<f64> = (0..200).map(|i| ln10 * (1.0 - i as f64 / 400.0)).collect();
    assert!(!diagnose(&falling, 10, None)
        .iter()
        .any(|d| d.finding == Finding::NotMoving));
    // Train/val gap, and its absence at a low accuracy.
    assert!(diagnose(&falling, 10, Some((0.99, 0.70)))
        .iter()
        .any(|d| d.finding == Finding::Overfitting));
    assert!(diagnose(&falling, 10, Some((0.60, 0.58)))
        .iter()
        .any(|d| d.finding == Finding::Underfitting));
    assert!(diagnose(&falling, 10, Some((0.97, 0.95))).is_empty());
}

#[test]
fn an_exploded_finite_loss_counts_as_diverged() {
    let ln10 = 10f64.ln();
    // The threshold is EXPLODED × ln C: 230.3 for ten classes.
    assert!(!is_diverged(EXPLODED * ln10 - 0.01, 10));
    assert!(is_diverged(EXPLODED * ln10 + 0.01, 10));
    assert!(is_diverged(f64::NAN, 10) && is_diverged(f64::INFINITY, 10));
    assert!(
        !is_diverged(8.0, 10),
        "an early spike of a healthy run is not divergence"
    );
    assert_eq!(describe_divergence(1.44e8), "exploded to 1.4e8");
    assert_eq!(describe_divergence(f64::NAN), "became NaN");
    assert_eq!(describe_divergence(f64::NEG_INFINITY), "became infinite");
    // A run that blows up to 1e8 and then settles on a finite plateau (dead ReLUs) is still
    // diagnosed at the explosion.
    let losses = [2.30, 2.1, 1.44e8, 15000.0, 98.0, 60.0];
    let d = diagnose(&losses, 10, Some((0.1, 0.1)));
    assert_eq!(d.len(), 1);
    assert_eq!(d[0].finding, Finding::Diverged);
    assert_eq!(
        d[0].message,
        "Loss exploded to 1.4e8 at step 3: learning rate too high or bad initialization."
    );
}

#[test]
fn a_huge_learning_rate_is_diagnosed_not_crashed() {
    let mut s = Session::new(Config {
        learning_rate: 50.0,
        train_size: 64,
        val_size: 16,
        ..Config::default()
    })
    .unwrap();
    let mut losses = Vec::new();
    for _ in 0..30 {
        losses.push(s.step().loss);
    }
    let first_bad = losses
        .iter()
        .position(|&l| is_diverged(l, 10))
        .expect("lr 50 diverges");
    let d = s.diagnose(None);
    assert_eq!(d[0].finding, Finding::Diverged);
    assert!(
        d[0].message.contains(&format!("step {}", first_bad + 1)),
        "{}",
        d[0].message
    );
}

#[test]
fn restoring_the_best_snapshot_reproduces_its_evaluation_batch_norm_included() {
    // BatchNorm's running statistics are part of the snapshot: without them the restored weights
    // would be evaluated with later statistics and give different numbers.
    let config = Config {
        batch_norm: true,
        train_size: 256,
        val_size: 128,
        batch_size: 32,
        ..Config::default()
    };
    let mut s = Session::new(config).unwrap();
    for _ in 0..16 {
        s.step();
    }
    let best = s.evaluate();
    // A far too high rate for a few steps makes the later evaluation worse, so the snapshot is an
    // older model with older running statistics.
    s.set_learning_rate(3.0).unwrap();
    for _ in 0..4 {
        s.step();
    }
    let later = s.evaluate();
    assert!(
        later.val_accuracy < best.val_accuracy,
        "later {} vs best {}",
        later.val_accuracy,
        best.val_accuracy
    );
    assert_eq!(
        (later.best_step, later.best_val_accuracy),
        (16, best.val_accuracy)
    );
    assert!(s.restore_best());
    let again = s.evaluate();
    assert_eq!(
        (again.val_loss, again.val_accuracy),
        (best.val_loss, best.val_accuracy),
        "restored model evaluates like the best one"
    );
    assert_eq!(
        (again.train_loss, again.train_accuracy),
        (best.train_loss, best.train_accuracy)
    );
}

#[test]
fn an_early_spike_is_named_with_its_step_and_the_warmup_fix() {
    use trainlab::diagnostics::curves::{SPIKE_REPORTED_UNTIL, SPIKE_STEPS};
    let mut losses = vec![2.36, 5.73, 5.50, 3.60, 2.75];
    losses.extend((0..45).map(|i| 2.3 - i as f64 * 0.01));
    let d = diagnose(&losses, 10, None);
    assert_eq!(d.len(), 1, "{d:?}");
    assert_eq!(d[0].finding, Finding::EarlySpike);
    assert_eq!(
        d[0].message,
        "The loss jumped to 5.73 at step 2, 2.4× the first loss: the start is too fast for this learning rate. A linear warmup (Warmup steps) or a lower rate avoids it."
    );
    // 1.5× is the line: 3.5 after 2.36 is below it (1.48×).
    assert!(diagnose(&[2.36, 3.5, 2.3], 10, None).is_empty());
    // A rise after the first SPIKE_STEPS steps is not an early spike.
    let mut late = vec![2.3; SPIKE_STEPS];
    late.push(9.0);
    assert!(!diagnose(&late, 10, None)
        .iter()
        .any(|d| d.finding == Finding::EarlySpike));
    // Reported while the run is young, then left to the chart.
    let mut old = losses.clone();
    old.resize(SPIKE_REPORTED_UNTIL + 1, 0.5);
    assert!(!diagnose(&old, 10, None)
        .iter()
        .any(|d| d.finding == Finding::EarlySpike));
}

#[test]
fn a_fast_start_spikes_early_and_warmup_removes_the_spike() {
    // What the page showed on its old default settings (lr 0.02 from the first step: 2.363, then
    // 5.734 at step 2): the measured reason this rule exists. 50 warmup steps: peak 1.23×.
    let run = |warmup: u64| {
        let config = Config::from_json(&format!(
            r#"{{"learningRate": 0.02, "schedule": {{"type": "constant", "warmupSteps": {warmup}}}}}"#
        ))
        .unwrap();
        let mut s = Session::new(config).unwrap();
        for _ in 0..30 {
            s.step();
        }
        s.diagnose(None).iter().any(|d| d.finding == Finding::EarlySpike)
    };
    assert!(run(0), "lr 0.02 without warmup spikes");
    assert!(!run(50), "50 warmup steps avoid it");
}
