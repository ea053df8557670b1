//! The learning-rate finder on f(w) = ½a·w² with plain gradient steps w ← w − lr·a·w.
//!
//! Each step multiplies w by (1 − lr·a): the loss falls for lr < 2/a, fastest (to 0 in one step)
//! at lr = 1/a, and diverges above 2/a. The finder's rule (steepest descent of the smoothed loss,
//! see `LrFinder::result`) lands where the accumulated steps first make real progress:
//! lr ≈ (r − 1)/(2ra) for the sweep's ratio r, pushed a few steps later by the moving average's
//! lag — in [0.1/a, 1/a], the decade below the one-step optimum 1/a. For a = 10 that is
//! [0.01, 0.1].

// Expected values may come from std's math: an implementation independent of the core's
// (src/math.rs, the `libm` crate) that clippy.toml otherwise keeps out.
#![allow(clippy::disallowed_methods)]

use trainlab::lab::lr_finder::MIN_DROP;
use trainlab::lab::{find_lr, LrFinder, LrFinderConfig, LrFinderResult, StopReason};
use trainlab::Rng;

/// The sweep on ½a·w² from w = 1; each call reports the loss before its step, as a training step
/// reports the loss of the batch it learns from.
fn quadratic(a: f64, config: &LrFinderConfig) -> LrFinderResult {
    let mut w = 1.0f64;
    find_lr(config, |lr| {
        let loss = 0.5 * a * w * w;
        w -= lr * a * w;
        loss
    })
    .unwrap()
}

fn wide() -> LrFinderConfig {
    LrFinderConfig {
        lr_min: 1e-5,
        lr_max: 10.0,
        ..LrFinderConfig::default()
    }
}

#[test]
fn suggestion_on_a_quadratic_is_in_the_decade_below_one_over_a() {
    for a in [1.0, 10.0, 100.0] {
        let r = quadratic(a, &wide());
        let lr = r.suggested_lr.expect("the loss drops");
        println!(
            "a = {a}: suggested {lr:.4} (·a = {:.3}), min at {:.3}, {} points, {:?}",
            lr * a,
            r.min_lr.unwrap(),
            r.points.len(),
            r.stop_reason
        );
        assert!((0.1 / a..=1.0 / a).contains(&lr), "a = {a}: suggested {lr}");
        // min(steepest, minimum/10); on the quadratic the cap does not bind.
        assert_eq!(Some(lr), r.steepest_lr);
        assert!(lr <= r.min_lr.unwrap() / 10.0);
        assert_eq!(r.points[r.steepest_index.unwrap()].lr, lr);
    }
    // The example, with the default sweep (1e-5..1) too.
    for config in [wide(), LrFinderConfig::default()] {
        let lr = quadratic(10.0, &config).suggested_lr.unwrap();
        assert!((0.01..=0.1).contains(&lr), "a = 10, {config:?}: suggested {lr}");
    }
}

#[test]
fn suggestion_survives_minibatch_like_noise() {
    // ±10% multiplicative noise on every reported loss (a minibatch's loss is a noisy estimate).
    let a = 10.0;
    for seed in 0..5 {
        let mut rng = Rng::new(seed);
        let mut w = 1.0f64;
        let r = find_lr(&wide(), |lr| {
            let loss = 0.5 * a * w * w * (1.0 + 0.1 * rng.range(-1.0, 1.0));
            w -= lr * a * w;
            loss
        })
        .unwrap();
        let lr = r.suggested_lr.unwrap();
        assert!((0.01..=0.1).contains(&lr), "seed {seed}: suggested {lr}");
    }
}

#[test]
fn no_suggestion_when_the_loss_only_wanders() {
    // A flat loss with ±5% uniform noise (σ ≈ 2.9%; a batch-32 cross-entropy at ln 10 wanders by
    // about 1.3%) never drops MIN_DROP below its start: nothing to suggest.
    for seed in 0..10 {
        let mut rng = Rng::new(seed);
        let r = find_lr(&LrFinderConfig::default(), |_| {
            2.3 * (1.0 + 0.05 * rng.range(-1.0, 1.0))
        })
        .unwrap();
        assert_eq!(r.stop_reason, StopReason::Completed);
        assert_eq!(
            r.suggested_lr, None,
            "seed {seed}: min {:?} initial {}",
            r.min_smoothed, r.initial_loss
        );
    }
}

#[test]
fn suggestion_is_capped_a_decade_below_the_minimum() {
    // A curve that falls fastest right before its minimum: steepest at index 49, minimum at 50.
    let config = LrFinderConfig {
        smoothing: 0.0,
        lr_min: 1e-4,
        lr_max: 1.0,
        iterations: 101,
        ..LrFinderConfig::default()
    };
    let mut i = 0;
    let r = find_lr(&config, |_| {
        i += 1;
        match i - 1 {
            0..=48 => 2.0,
            49 => 1.5,
            50 => 1.0,
            _ => 1.2,
        }
    })
    .unwrap();
    assert_eq!((r.steepest_index, r.min_index), (Some(49), Some(50)));
    let (steepest, min) = (r.steepest_lr.unwrap(), r.min_lr.unwrap());
    assert!((min - 1e-2).abs() < 1e-14);
    assert_eq!(r.suggested_lr, Some(min / 10.0));
    assert!(steepest > min / 10.0);
    assert!((r.initial_loss - 2.0).abs() < 1e-15);
}

#[test]
fn stops_when_the_smoothed_loss_exceeds_four_times_its_minimum() {
    let config = wide();
    let r = quadratic(10.0, &config);
    assert_eq!(r.stop_reason, StopReason::Diverged);
    assert!(r.points.len() < config.iterations, "{} points", r.points.len());
    // It stopped at the first point above 4× the running minimum, and not before.
    let mut best = f64::INFINITY;
    for (i, p) in r.points.iter().enumerate() {
        best = best.min(p.smoothed);
        let over = p.smoothed > 4.0 * best;
        assert_eq!(
            over,
            i == r.points.len() - 1,
            "point {i}: smoothed {} best {best}",
            p.smoothed
        );
    }
    // Past the stability limit 2/a, where the loss grows.
    assert!(r.points.last().unwrap().lr > 2.0 / 10.0);
    assert!(r.min_smoothed.unwrap() < r.points[0].smoothed);
}

#[test]
fn stops_on_the_first_non_finite_loss() {
    for bad in [f64::NAN, f64::INFINITY] {
        let mut calls = 0;
        let r = find_lr(&LrFinderConfig::default(), |_| {
            calls += 1;
            if calls == 5 {
                bad
            } else {
                2.3
            }
        })
        .unwrap();
        assert_eq!(calls, 5);
        assert_eq!(r.stop_reason, StopReason::NonFinite);
        assert_eq!(r.points.len(), 5);
        assert!(r.points[4].smoothed.is_nan());
        // The loss never dropped: no suggestion.
        assert_eq!(r.suggested_lr, None);
        // The page gets null for the bad loss, not a JSON error.
        let v = serde_json::to_value(&r).unwrap();
        assert!(v["points"][4]["loss"].is_null());
        assert_eq!(v["stopReason"], "nonFinite");
    }
}

#[test]
fn the_sweep_is_exponential_from_lr_min_to_lr_max() {
    let config = LrFinderConfig {
        lr_min: 1e-4,
        lr_max: 1.0,
        iterations: 101,
        ..LrFinderConfig::default()
    };
    let r = find_lr(&config, |_| 1.0).unwrap();
    assert_eq!(r.stop_reason, StopReason::Completed);
    assert_eq!(r.points.len(), 101);
    let lrs: Vec<f64> = r.points.iter().map(|p| p.lr).collect();
    assert!((lrs[0] - 1e-4).abs() < 1e-18 && (lrs[100] - 1.0).abs() < 1e-12);
    // 4 decades in 100 steps: ratio 10^(1/25), the same between every pair.
    let ratio = 10f64.powf(0.04);
    for (i, pair) in lrs.windows(2).enumerate() {
        assert!(
            (pair[1] / pair[0] - ratio).abs() < 1e-12,
            "step {i}: ratio {}",
            pair[1] / pair[0]
        );
    }
    assert!((lrs[25] - 1e-3).abs() < 1e-15 && (lrs[50] - 1e-2).abs() < 1e-14);
    // A flat loss: the smoothed loss equals it (bias correction), and nothing is suggested.
    assert!(r.points.iter().all(|p| (p.smoothed - 1.0).abs() < 1e-12));
    assert_eq!(r.suggested_lr, None);
}

#[test]
fn smoothing_is_a_bias_corrected_moving_average() {
    // β = 0.5, losses 4, 2, 1:
    //   avg₁ = 0.5·0 + 0.5·4 = 2      smoothed₁ = 2 / (1 − 0.5)   = 4
    //   avg₂ = 0.5·2 + 0.5·2 = 2      smoothed₂ = 2 / (1 − 0.25)  = 8/3
    //   avg₃ = 0.5·2 + 0.5·1 = 1.5    smoothed₃ = 1.5 / (1 − 0.125) = 12/7
    let config = LrFinderConfig {
        smoothing: 0.5,
        iterations: 3,
        ..LrFinderConfig::default()
    };
    let mut losses = [4.0, 2.0, 1.0].into_iter();
    let r = find_lr(&config, |_| losses.next().unwrap()).unwrap();
    let smoothed: Vec<f64> = r.points.iter().map(|p| p.smoothed).collect();
    for (got, want) in smoothed.iter().zip([4.0, 8.0 / 3.0, 12.0 / 7.0]) {
        assert!((got - want).abs() < 1e-12, "{smoothed:?}");
    }
    // β = 0: no smoothing.
    let config = LrFinderConfig {
        smoothing: 0.0,
        iterations: 3,
        ..LrFinderConfig::default()
    };
    let mut losses = [4.0, 2.0, 1.0].into_iter();
    let r = find_lr(&config, |_| losses.next().unwrap()).unwrap();
    assert_eq!(
        r.points.iter().map(|p| p.smoothed).collect::<Vec<_>>(),
        vec![4.0, 2.0, 1.0]
    );
    // Three points, falling by more than MIN_DROP: the steepest central difference is at the middle.
    const { assert!(1.0 < (1.0 - MIN_DROP) * 4.0) };
    assert_eq!(r.steepest_index, Some(1));
    assert_eq!(r.min_index, Some(2));
    // capped at a tenth of the minimum's rate
    assert_eq!(r.suggested_lr, Some(r.points[1].lr.min(r.points[2].lr / 10.0)));
}

#[test]
fn stepping_by_hand_equals_the_driver_and_reports_progress() {
    let config = wide();
    let mut finder = LrFinder::new(config.clone()).unwrap();
    let mut w = 1.0f64;
    let a = 10.0;
    let mut steps = 0;
    while let Some(lr) = finder.next_lr() {
        if steps == 10 {
            let partial = finder.result();
            assert_eq!(partial.stop_reason, StopReason::Running);
            assert_eq!(partial.points.len(), 10);
        }
        let loss = 0.5 * a * w * w;
        w -= lr * a * w;
        finder.record(loss);
        steps += 1;
    }
    assert!(finder.is_done());
    assert!(!finder.record(1.0), "recording after the end is refused");
    assert_eq!(finder.result(), quadratic(a, &config));
}

#[test]
fn config_errors_name_the_field() {
    let err = |v: serde_json::Value| LrFinderConfig::from_value(v).unwrap_err().0;
    assert_eq!(
        err(serde_json::json!({ "lrMin": 0.0 })),
        "lrMin: must be a positive finite number, got 0"
    );
    assert_eq!(
        err(serde_json::json!({ "lrMin": 0.1, "lrMax": 0.01 })),
        "lrMax: must be a finite number above lrMin (0.1), got 0.01"
    );
    assert_eq!(
        err(serde_json::json!({ "iterations": 1 })),
        "iterations: must be between 2 and 10000, got 1"
    );
    assert_eq!(
        err(serde_json::json!({ "smoothing": 1.0 })),
        "smoothing: must be in [0, 1), got 1"
    );
    assert_eq!(
        err(serde_json::json!({ "divergence": 1.0 })),
        "divergence: must be a finite number above 1, got 1"
    );
    assert!(err(serde_json::json!({ "lr_min": 1e-3 })).contains("unknown field `lr_min`"));
    let c = LrFinderConfig::from_value(serde_json::json!({ "lrMax": 10, "iterations": 50 })).unwrap();
    assert_eq!(
        (c.lr_min, c.lr_max, c.iterations, c.smoothing, c.divergence),
        (1e-5, 10.0, 50, 0.9, 4.0)
    );
    assert_eq!(
        LrFinderConfig::from_value(serde_json::Value::Null).unwrap(),
        LrFinderConfig::default()
    );
}

#[test]
fn result_serialises_in_camel_case_for_the_page() {
    let r = quadratic(10.0, &wide());
    let v = serde_json::to_value(&r).unwrap();
    for key in [
        "points",
        "stopReason",
        "initialLoss",
        "suggestedLr",
        "steepestIndex",
        "steepestLr",
        "minIndex",
        "minLr",
        "minSmoothed",
        "rule",
    ] {
        assert!(!v[key].is_null(), "{key}");
    }
    assert_eq!(v["stopReason"], "diverged");
    let p = &v["points"][0];
    assert!(p["lr"].is_number() && p["loss"].is_number() && p["smoothed"].is_number());
}
