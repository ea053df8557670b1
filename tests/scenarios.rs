//! Every one-click scenario of the page (www/scenarios.js) shows the effect it claims: each run is
//! trained natively with exactly the config the page sends (tests/scenarios.json, written by
//! `node scripts/scenarios.mjs` through state.js's toConfig), evaluated at the scenario's step, and
//! every claim ("run 1's gap is lower than run 0's by ≥ 0.05") is checked on the figures below.
//!
//! The figures, named as the page names them:
//! valAccuracy, trainAccuracy, valLoss, valConfidence, valEce — from `evaluate()` at step `at`;
//! gap = trainAccuracy − valAccuracy; trainLoss = mean step loss over the last 50 steps before `at`;
//! earlyLossMax = largest step loss of the first 50 steps; diverged = 1 if any step loss was not
//! finite or above 100·ln C, else 0.
//!
//! `cargo test --test scenarios -- --ignored --nocapture measure` prints every run's figures (for
//! choosing settings and writing each scenario's `outcome`); SCENARIO=<id> restricts it to one
//! scenario and SEED=<n> replaces every run's seed (to check that a margin survives another seed).
//! LOSSES=1 also prints every run's step losses (to find the first step where a build departs).
//! ORDER=native measures with the native GEMM's own summation order (sgemm's blocked fused
//! multiply-adds) instead of the page's: not any build's numbers, but a rounding as different from
//! the page's as the relaxed-simd build's, so a claim that holds there does not hang on the rounding.

#![cfg(not(target_arch = "wasm32"))]

use std::collections::BTreeMap;
use std::sync::Mutex;
use trainlab::config::Config;
use trainlab::session::Session;

const CLASSES: f64 = 10.0;
/// Steps averaged for `trainLoss` and scanned for `earlyLossMax`.
const WINDOW: usize = 50;

type Metrics = BTreeMap<String, f64>;

struct Scenario {
    id: String,
    at: usize,
    claims: Vec<serde_json::Value>,
    runs: Vec<serde_json::Value>,
}

fn scenarios() -> Vec<Scenario> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/scenarios.json");
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let data: Vec<serde_json::Value> =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path} is not valid JSON: {e}"));
    data.into_iter()
        .map(|s| Scenario {
            id: s["id"].as_str().expect("scenario id").to_string(),
            at: s["at"].as_u64().expect("scenario at") as usize,
            claims: s["claims"].as_array().expect("scenario claims").clone(),
            runs: s["runs"].as_array().expect("scenario runs").clone(),
        })
        .collect()
}

/// Trains one run to step `at` and measures it.
fn measure_run(config: &serde_json::Value, at: usize, page_order: bool) -> Metrics {
    // The page's figures: its GEMMs sum in the scalar oracle's order (simd128 and threads builds).
    trainlab::kernels::sum_in_page_order(page_order);
    let config = Config::from_value(config.clone()).unwrap_or_else(|e| panic!("config rejected: {e}"));
    let mut session = Session::new(config).unwrap_or_else(|e| panic!("session refused: {e}"));
    let losses: Vec<f64> = (0..at).map(|_| session.step().loss).collect();
    let report = serde_json::to_value(session.evaluate()).expect("EvalReport serializes");
    // A figure the report lacks (or a NaN, which serializes as null) is NaN: any claim on it fails.
    let field = |name: &str| report[name].as_f64().unwrap_or(f64::NAN);
    let mut m = Metrics::new();
    for name in [
        "valAccuracy",
        "trainAccuracy",
        "valLoss",
        "valConfidence",
        "valEce",
    ] {
        m.insert(name.into(), field(name));
    }
    m.insert("gap".into(), m["trainAccuracy"] - m["valAccuracy"]);
    let tail = &losses[at.saturating_sub(WINDOW)..];
    m.insert("trainLoss".into(), tail.iter().sum::<f64>() / tail.len() as f64);
    let early = &losses[..WINDOW.min(at)];
    // NaN compares false, so a non-finite early loss is carried through explicitly.
    let early_max = early
        .iter()
        .fold(f64::NEG_INFINITY, |a, &l| if l.is_nan() || l > a { l } else { a });
    m.insert("earlyLossMax".into(), early_max);
    // The page's divergence limit, with the core's ln (src/math.rs) as the page computes it.
    let limit = 100.0 * trainlab::math::Transcendental::ln(CLASSES);
    let diverged = losses.iter().any(|l| !l.is_finite() || *l > limit);
    if std::env::var_os("LOSSES").is_some() {
        eprintln!("losses {losses:?}");
    }
    m.insert("diverged".into(), diverged as u8 as f64);
    m
}

/// Every run of every scenario, trained on as many threads as the machine offers (runs are
/// independent and each is single-threaded). A run whose config and step appear in several
/// scenarios (the plain 500-image run of every regularizer) is trained once: the core is
/// deterministic, so the figures would be the same bit for bit. Returns per scenario the metrics of
/// each run.
fn measure_all(
    scenarios: &[Scenario],
    seed: Option<u64>,
    page_order: bool,
    verbose: bool,
) -> Vec<Vec<Metrics>> {
    let job_of = |s: &Scenario, r: usize| {
        let mut config = s.runs[r].clone();
        if let Some(seed) = seed {
            config["seed"] = seed.into();
        }
        (config.to_string(), s.at)
    };
    let mut jobs: Vec<(String, usize)> = scenarios
        .iter()
        .flat_map(|s| (0..s.runs.len()).map(move |r| job_of(s, r)))
        .collect();
    jobs.sort();
    jobs.dedup();
    let results = Mutex::new(BTreeMap::new());
    let next = Mutex::new(0usize);
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| loop {
                let job = {
                    let mut n = next.lock().unwrap();
                    *n += 1;
                    jobs.get(*n - 1).cloned()
                };
                let Some((config, at)) = job else { break };
                let started = std::time::Instant::now();
                let value: serde_json::Value = serde_json::from_str(&config).expect("config JSON");
                let m = measure_run(&value, at, page_order);
                if verbose {
                    let secs = started.elapsed().as_secs_f64();
                    eprintln!("{at} steps, {secs:.1} s: {}\n  {config}", format_metrics(&m));
                }
                results.lock().unwrap().insert((config, at), m);
            });
        }
    });
    let results = results.into_inner().unwrap();
    scenarios
        .iter()
        .map(|s| {
            (0..s.runs.len())
                .map(|r| results[&job_of(s, r)].clone())
                .collect()
        })
        .collect()
}

/// None if the claim holds on these runs' metrics, else why not.
fn check_claim(claim: &serde_json::Value, runs: &[Metrics]) -> Option<String> {
    let metric = claim["metric"].as_str().expect("claim metric");
    let run = claim["run"].as_u64().expect("claim run") as usize;
    let vs = claim["vs"].as_u64().expect("claim vs") as usize;
    let by = claim["by"].as_f64().unwrap_or(0.0);
    let lower = claim["lower"].as_bool().unwrap_or(false);
    let higher = claim["higher"].as_bool().unwrap_or(false);
    assert!(lower != higher, "claim {claim} must say lower or higher");
    let (a, b) = (runs[run][metric], runs[vs][metric]);
    let holds = if lower { a <= b - by } else { a >= b + by };
    let nan = if a.is_nan() || b.is_nan() {
        " (NaN: the run diverged or EvalReport lacks the figure)"
    } else {
        ""
    };
    (!holds).then(|| {
        format!(
            "claim {claim} fails: {metric} of run {run} = {a:.4}, of run {vs} = {b:.4}{nan}\n  run {run}: {:?}\n  run {vs}: {:?}",
            runs[run], runs[vs]
        )
    })
}

fn format_metrics(m: &Metrics) -> String {
    m.iter()
        .map(|(k, v)| format!("{k} {v:.4}"))
        .collect::<Vec<_>>()
        .join(", ")
}

#[test]
fn every_scenario_shows_its_claimed_effect() {
    let scenarios = scenarios();
    assert!(!scenarios.is_empty(), "tests/scenarios.json lists no scenario");
    let measured = measure_all(&scenarios, None, true, false);
    let failures: Vec<String> = scenarios
        .iter()
        .zip(&measured)
        .flat_map(|(s, runs)| {
            assert!(!s.claims.is_empty(), "scenario {} claims nothing", s.id);
            s.claims
                .iter()
                .filter_map(|c| {
                    check_claim(c, runs).map(|why| format!("scenario {} at step {}: {why}", s.id, s.at))
                })
                .collect::<Vec<_>>()
        })
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn a_claim_that_does_not_hold_is_reported() {
    // The checker itself: the same figures pass one way and fail the other, naming the numbers.
    let runs = vec![
        Metrics::from([("gap".to_string(), 0.15)]),
        Metrics::from([("gap".to_string(), 0.05)]),
    ];
    let lower = serde_json::json!({ "metric": "gap", "run": 1, "vs": 0, "lower": true, "by": 0.05 });
    assert_eq!(check_claim(&lower, &runs), None);
    let too_much = serde_json::json!({ "metric": "gap", "run": 1, "vs": 0, "lower": true, "by": 0.2 });
    let why = check_claim(&too_much, &runs).expect("a 0.1 drop is not a 0.2 drop");
    assert!(why.contains("0.0500") && why.contains("0.1500"), "{why}");
    let higher = serde_json::json!({ "metric": "gap", "run": 0, "vs": 1, "higher": true, "by": 0.05 });
    assert_eq!(check_claim(&higher, &runs), None);
}

/// Prints every run's figures (not a check: for choosing settings and margins).
#[test]
#[ignore]
fn measure() {
    let only = std::env::var("SCENARIO").ok();
    let seed = std::env::var("SEED")
        .ok()
        .map(|s| s.parse().expect("SEED is a whole number"));
    let scenarios: Vec<Scenario> = scenarios()
        .into_iter()
        .filter(|s| {
            only.as_deref()
                .is_none_or(|ids| ids.split(',').any(|id| id == s.id))
        })
        .collect();
    let page_order = match std::env::var("ORDER").as_deref() {
        Err(_) | Ok("page") => true,
        Ok("native") => false,
        Ok(other) => panic!("ORDER is {other:?}; expected page (the default) or native"),
    };
    let started = std::time::Instant::now();
    let measured = measure_all(&scenarios, seed, page_order, true);
    for (s, runs) in scenarios.iter().zip(&measured) {
        let order = if page_order { "page" } else { "native" };
        println!("== {} at step {} (seed {:?}, {order} order)", s.id, s.at, seed);
        for (r, m) in runs.iter().enumerate() {
            println!("  run {r}: {}", format_metrics(m));
        }
        for c in &s.claims {
            println!(
                "  {}",
                check_claim(c, runs).unwrap_or_else(|| format!("holds: {c}"))
            );
        }
    }
    println!("{:.1} s", started.elapsed().as_secs_f64());
}
