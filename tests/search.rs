//! Hyperparameter search trials (src/search/): the grid lattice, seeded random draws uniform in each
//! axis' scale, and every refusal named.

// Expected values may come from std's math: an implementation independent of the core's
// (src/math.rs, the `libm` crate) that clippy.toml otherwise keeps out.
#![allow(clippy::disallowed_methods)]

use serde_json::json;
use trainlab::search::{grid_side, search_trials, SearchError, SearchSpec, Trial, MAX_TRIALS};

fn spec(
    method: &str,
    trials: usize,
    seed: u64,
    params: serde_json::Value,
) -> Result<SearchSpec, SearchError> {
    SearchSpec::from_value(json!({ "method": method, "trials": trials, "seed": seed, "params": params }))
}

fn lr_wd() -> serde_json::Value {
    json!([
        { "key": "learningRate", "min": 1e-4, "max": 1e-1, "scale": "log" },
        { "key": "weightDecay", "min": 0.0, "max": 0.3, "scale": "linear" },
    ])
}

fn trials(method: &str, k: usize, seed: u64, params: serde_json::Value) -> Vec<Trial> {
    search_trials(&spec(method, k, seed, params).unwrap()).unwrap()
}

fn rel_close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-12 * b.abs().max(1e-300)
}

#[test]
fn grid_is_the_lectures_lattice() {
    // The slide's grid: learning rate and weight decay each at 1e-4, 1e-3, 1e-2, 1e-1.
    let params = json!([
        { "key": "learningRate", "min": 1e-4, "max": 1e-1, "scale": "log" },
        { "key": "weightDecay", "min": 1e-4, "max": 1e-1, "scale": "log" },
    ]);
    let t = trials("grid", 16, 7, params);
    assert_eq!(t.len(), 16);
    let decades = [1e-4, 1e-3, 1e-2, 1e-1];
    for (k, trial) in t.iter().enumerate() {
        assert_eq!(trial.index, k);
        let (lr, wd) = (trial.values["learningRate"], trial.values["weightDecay"]);
        assert!(rel_close(lr, decades[k / 4]), "trial {k}: lr {lr}");
        assert!(rel_close(wd, decades[k % 4]), "trial {k}: wd {wd}");
    }
    // The ends are the bounds exactly.
    assert_eq!(t[0].values["learningRate"], 1e-4);
    assert_eq!(t[15].values["weightDecay"], 1e-1);
}

#[test]
fn grid_on_a_linear_axis_is_evenly_spaced_and_ignores_the_seed() {
    let a = trials("grid", 9, 1, lr_wd());
    let b = trials("grid", 9, 99, lr_wd());
    assert_eq!(a, b);
    let wd: Vec<f64> = a.iter().take(3).map(|t| t.values["weightDecay"]).collect();
    assert_eq!(wd, vec![0.0, 0.15, 0.3]);
    let lr: Vec<f64> = a.iter().step_by(3).map(|t| t.values["learningRate"]).collect();
    assert_eq!(lr[0], 1e-4);
    assert!(rel_close(lr[1], 10f64.powf(-2.5)), "{}", lr[1]);
    assert_eq!(lr[2], 1e-1);
}

#[test]
fn grid_rounds_k_down_to_a_square() {
    for (k, n) in [
        (1, 1),
        (3, 1),
        (4, 2),
        (8, 2),
        (9, 3),
        (10, 3),
        (15, 3),
        (16, 4),
        (63, 7),
        (64, 8),
    ] {
        assert_eq!(grid_side(k), n, "K = {k}");
        assert_eq!(trials("grid", k, 0, lr_wd()).len(), n * n, "K = {k}");
    }
    // One value per axis: the middle of the range in its scale.
    let one = trials("grid", 1, 0, lr_wd());
    assert!(rel_close(one[0].values["learningRate"], 10f64.powf(-2.5)));
    assert!(rel_close(one[0].values["weightDecay"], 0.15));
}

#[test]
fn random_stays_within_bounds_and_replays_with_its_seed() {
    let a = trials("random", 64, 5, lr_wd());
    assert_eq!(a.len(), 64);
    for t in &a {
        let (lr, wd) = (t.values["learningRate"], t.values["weightDecay"]);
        assert!((1e-4..=1e-1).contains(&lr), "lr {lr}");
        assert!((0.0..=0.3).contains(&wd), "wd {wd}");
    }
    assert_eq!(a, trials("random", 64, 5, lr_wd()));
    assert_ne!(a, trials("random", 64, 6, lr_wd()));
    // Every random trial tries a new learning rate (the slide's point), where a grid of 64 tries 8.
    let mut lrs: Vec<f64> = a.iter().map(|t| t.values["learningRate"]).collect();
    lrs.sort_by(f64::total_cmp);
    lrs.dedup();
    assert_eq!(lrs.len(), 64);
    let mut grid: Vec<f64> = trials("grid", 64, 5, lr_wd())
        .iter()
        .map(|t| t.values["learningRate"])
        .collect();
    grid.sort_by(f64::total_cmp);
    grid.dedup();
    assert_eq!(grid.len(), 8);
}

/// Kolmogorov–Smirnov distance between a sample and the uniform distribution on [0, 1].
fn ks_uniform(mut u: Vec<f64>) -> f64 {
    u.sort_by(f64::total_cmp);
    let n = u.len() as f64;
    u.iter()
        .enumerate()
        .map(|(i, &x)| ((i as f64 + 1.0) / n - x).max(x - i as f64 / n))
        .fold(0.0, f64::max)
}

#[test]
fn log_scale_is_uniform_in_log_space() {
    // 64 trials per search, 40 seeds: 2,560 draws over four decades. In log10 they are uniform (KS
    // distance below the 0.1% critical value 1.95/√n ≈ 0.039); in the plain values they are not
    // (a linear-uniform draw would put 90% of them in the top decade, log-uniform 25%).
    let mut logs = Vec::new();
    let mut top_decade = 0;
    for seed in 0..40 {
        for t in trials("random", MAX_TRIALS, seed, lr_wd()) {
            let lr = t.values["learningRate"];
            logs.push((lr.log10() + 4.0) / 3.0);
            top_decade += usize::from(lr >= 1e-2);
        }
    }
    let n = logs.len() as f64;
    let d = ks_uniform(logs.clone());
    assert!(d < 1.95 / n.sqrt(), "KS distance in log space {d}");
    let linear: Vec<f64> = logs
        .iter()
        .map(|u| (10f64.powf(u * 3.0 - 4.0) - 1e-4) / (1e-1 - 1e-4))
        .collect();
    assert!(
        ks_uniform(linear) > 0.5,
        "the values themselves are far from uniform"
    );
    let share = top_decade as f64 / n;
    assert!(
        (share - 1.0 / 3.0).abs() < 0.04,
        "share of the top decade {share}"
    );
    // The linear axis is uniform in the values themselves.
    let wd: Vec<f64> = (0..40)
        .flat_map(|s| trials("random", MAX_TRIALS, s, lr_wd()))
        .map(|t| t.values["weightDecay"] / 0.3)
        .collect();
    assert!(ks_uniform(wd) < 1.95 / n.sqrt());
}

fn err(method: &str, k: usize, params: serde_json::Value) -> (SearchError, String) {
    let e = spec(method, k, 0, params).unwrap_err();
    let text = e.to_string();
    (e, text)
}

#[test]
fn too_many_or_no_trials_are_refused_by_name() {
    let (e, text) = err("random", MAX_TRIALS + 1, lr_wd());
    assert_eq!(e, SearchError::TooManyTrials { trials: 65 });
    assert!(text.contains("65 trials") && text.contains("64"), "{text}");
    let (e, text) = err("grid", 0, lr_wd());
    assert_eq!(e, SearchError::NoTrials);
    assert!(text.contains("at least 1 trial"), "{text}");
}

#[test]
fn an_empty_range_is_refused_naming_the_parameter() {
    for (min, max) in [(0.1, 0.1), (0.2, 0.1)] {
        let (e, text) = err(
            "grid",
            4,
            json!([
                { "key": "learningRate", "min": 1e-3, "max": 1e-1, "scale": "log" },
                { "key": "dropRate", "min": min, "max": max, "scale": "linear" },
            ]),
        );
        assert_eq!(
            e,
            SearchError::EmptyRange {
                key: "dropRate".into(),
                min,
                max
            }
        );
        assert!(text.contains("dropRate") && text.contains("empty"), "{text}");
    }
}

#[test]
fn a_log_scale_needs_positive_bounds() {
    let (e, text) = err(
        "random",
        4,
        json!([
            { "key": "learningRate", "min": 1e-3, "max": 1e-1, "scale": "log" },
            { "key": "weightDecay", "min": 0.0, "max": 0.1, "scale": "log" },
        ]),
    );
    assert_eq!(
        e,
        SearchError::NonPositiveLogBound {
            key: "weightDecay".into(),
            bound: 0.0
        }
    );
    assert!(
        text.contains("weightDecay") && text.contains("log scale") && text.contains("linear"),
        "{text}"
    );
    let (e, _) = err(
        "random",
        4,
        json!([
            { "key": "learningRate", "min": -1.0, "max": 1e-1, "scale": "log" },
            { "key": "weightDecay", "min": 0.0, "max": 0.1, "scale": "linear" },
        ]),
    );
    assert_eq!(
        e,
        SearchError::NonPositiveLogBound {
            key: "learningRate".into(),
            bound: -1.0
        }
    );
}

#[test]
fn unknown_repeated_or_miscounted_parameters_are_refused() {
    let (e, text) = err(
        "grid",
        4,
        json!([
            { "key": "learningRate", "min": 1e-3, "max": 1e-1, "scale": "log" },
            { "key": "batchSize", "min": 8.0, "max": 64.0, "scale": "log" },
        ]),
    );
    assert_eq!(
        e,
        SearchError::UnknownKey {
            key: "batchSize".into()
        }
    );
    assert!(
        text.contains("\"batchSize\"") && text.contains("weightDecay"),
        "{text}"
    );
    let one = json!([{ "key": "learningRate", "min": 1e-3, "max": 1e-1, "scale": "log" }]);
    let (e, text) = err("grid", 4, one);
    assert_eq!(e, SearchError::ParamCount { count: 1 });
    assert!(text.contains("exactly two") && text.contains("got 1"), "{text}");
    let three = json!([
        { "key": "learningRate", "min": 1e-3, "max": 1e-1, "scale": "log" },
        { "key": "weightDecay", "min": 0.0, "max": 0.1, "scale": "linear" },
        { "key": "dropRate", "min": 0.0, "max": 0.5, "scale": "linear" },
    ]);
    assert_eq!(err("grid", 4, three).0, SearchError::ParamCount { count: 3 });
    let same = json!([
        { "key": "weightDecay", "min": 1e-3, "max": 1e-1, "scale": "log" },
        { "key": "weightDecay", "min": 0.0, "max": 0.1, "scale": "linear" },
    ]);
    assert_eq!(
        err("grid", 4, same).0,
        SearchError::SameKey {
            key: "weightDecay".into()
        }
    );
}

#[test]
fn a_range_the_trainer_would_refuse_is_named() {
    let (e, text) = err(
        "random",
        4,
        json!([
            { "key": "learningRate", "min": 1e-3, "max": 1e-1, "scale": "log" },
            { "key": "dropRate", "min": 0.0, "max": 1.0, "scale": "linear" },
        ]),
    );
    assert!(
        matches!(e, SearchError::OutOfRange { ref key, .. } if key == "dropRate"),
        "{e:?}"
    );
    assert!(
        text.contains("dropRate") && text.contains("not included"),
        "{text}"
    );
}

#[test]
fn malformed_specs_name_the_field() {
    let e = SearchSpec::from_value(json!({ "method": "bayes", "trials": 4, "params": lr_wd() })).unwrap_err();
    assert!(matches!(e, SearchError::Malformed(_)));
    assert!(
        e.to_string().contains("method") && e.to_string().contains("bayes"),
        "{e}"
    );
    let e = SearchSpec::from_value(json!({ "method": "grid", "trials": 4, "params": [
        { "key": "learningRate", "min": 1e-3, "max": 1e-1, "scale": "cubic" },
        { "key": "weightDecay", "min": 0.0, "max": 0.1, "scale": "linear" },
    ] }))
    .unwrap_err();
    assert!(e.to_string().contains("params[0].scale"), "{e}");
    // The seed is optional (0).
    let s = SearchSpec::from_value(json!({ "method": "random", "trials": 2, "params": lr_wd() })).unwrap();
    assert_eq!(s.seed, 0);
}
