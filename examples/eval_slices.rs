//! Times sliced evaluation on a costly config (default: the hostile link's vgg-mini with test-time
//! augmentation and fractional pooling): the longest slice is how long a pause or reset can wait.
//! `cargo run --release --example eval_slices -- '<config json>' <maxImages>`

use std::time::Instant;
use trainlab::config::Config;
use trainlab::session::Session;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let json = args
        .get(1)
        .map(String::as_str)
        .unwrap_or(r#"{"preset":"vgg-mini","tta":true,"fractionalPooling":true}"#);
    let budget: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(200);
    let mut session = Session::new(Config::from_json(json).unwrap_or_else(|e| panic!("{e}"))).unwrap();
    session.step();
    let start = Instant::now();
    let (mut calls, mut longest) = (0, 0.0f64);
    let report = loop {
        let t = Instant::now();
        let r = session.evaluate_slice(budget);
        calls += 1;
        longest = longest.max(t.elapsed().as_secs_f64());
        if let Some(r) = r {
            break r;
        }
    };
    println!(
        "{json}, slices of ≤ {budget} forward images: {calls} calls, longest {:.1} ms, whole {:.1} s, val accuracy {:.3}",
        longest * 1000.0,
        start.elapsed().as_secs_f64(),
        report.val_accuracy
    );
}
