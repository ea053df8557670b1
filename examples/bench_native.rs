//! The native column of the benchmark (bench/run.sh): the same trainlab core as the wasm build,
//! compiled for the host, trained on the benchmark workloads with random data.
//!
//!   cargo run --release --example bench_native -- [--quick] [--workloads=lenet,vgg-mini] [--batches=1,16,64]
//!
//! Prints JSON on stdout: `{backend, target, results: [{workload, batch, imgPerSec, medianMs, steps,
//! warmup}]}`; progress goes to stderr. Each cell builds a `Session` from the same camelCase config the
//! wasm worker passes to `new Trainer(...)`, warms up (10 steps, 3 with --quick), then times single
//! `step()` calls and reports the median (and the fastest) (20 steps, 10 with --quick), capped at ~15 s per cell for
//! very slow cells (at least 3 timed steps). Timing lives here, never in the test suite.

use std::time::{Duration, Instant};
use trainlab::config::Config;
use trainlab::session::Session;

fn arg(args: &[String], name: &str) -> Option<String> {
    let prefix = format!("--{name}=");
    args.iter()
        .find_map(|a| a.strip_prefix(&prefix).map(str::to_string))
}

fn median(xs: &mut [f64]) -> f64 {
    xs.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let n = xs.len();
    if n % 2 == 1 {
        xs[n / 2]
    } else {
        (xs[n / 2 - 1] + xs[n / 2]) / 2.0
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let quick = args.iter().any(|a| a == "--quick");
    let workloads = arg(&args, "workloads").unwrap_or_else(|| "lenet,cifar-convnetjs,vgg-mini".into());
    let batches = arg(&args, "batches").unwrap_or_else(|| if quick { "64".into() } else { "1,16,64".into() });
    let (warm, meas) = if quick { (3, 10) } else { (10, 20) };
    let cap = Duration::from_secs(if quick { 5 } else { 15 });

    let mut rows = Vec::new();
    for w in workloads.split(',') {
        for b in batches.split(',') {
            let batch: usize = b.parse().expect("--batches: comma-separated integers");
            // The same config as bench/workers/trainlab.js.
            let json = format!(
                r#"{{"preset":"{w}","dataset":"noise","seed":1,"learningRate":0.01,"momentum":0.9,"batchSize":{batch},"trainSize":{},"valSize":16}}"#,
                (batch * 8).max(256)
            );
            let config = Config::from_json(&json).unwrap_or_else(|e| panic!("{w}: {e}"));
            let mut session = Session::new(config).unwrap_or_else(|e| panic!("{w}: {e}"));
            let t0 = Instant::now();
            let mut warmup = 0;
            while warmup < warm && (warmup < 2 || t0.elapsed() < cap / 3) {
                std::hint::black_box(session.step());
                warmup += 1;
            }
            let mut ms = Vec::new();
            let t1 = Instant::now();
            let mut loss = f64::NAN;
            while ms.len() < meas && (ms.len() < 3 || t1.elapsed() < cap) {
                let t = Instant::now();
                let report = std::hint::black_box(session.step());
                ms.push(t.elapsed().as_secs_f64() * 1e3);
                loss = report.loss;
            }
            let steps = ms.len();
            let min_ms = ms.iter().cloned().fold(f64::INFINITY, f64::min);
            let median_ms = median(&mut ms);
            let img_per_sec = batch as f64 / median_ms * 1e3;
            eprintln!("native {w} batch {batch}: {img_per_sec:.1} img/s ({steps} steps, median {median_ms:.2} ms, loss {loss:.3})");
            rows.push(format!(
                r#"{{"workload":"{w}","batch":{batch},"imgPerSec":{img_per_sec},"medianMs":{median_ms},"minMs":{min_ms},"steps":{steps},"warmup":{warmup},"lastLoss":{}}}"#,
                if loss.is_finite() { loss.to_string() } else { "null".into() }
            ));
        }
    }
    println!(
        r#"{{"backend":"{}","target":"{}-{}","results":[{}]}}"#,
        trainlab::kernels::backend(),
        std::env::consts::ARCH,
        std::env::consts::OS,
        rows.join(",")
    );
}
