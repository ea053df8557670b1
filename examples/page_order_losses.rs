//! A native run in the page's summation order (`kernels::sum_in_page_order(true)`), printed as JSON
//! for tests/e2e/page-order.test.mjs, which compares it bit for bit with the simd128 wasm build.
//!
//! `cargo run --release --example page_order_losses -- STEPS CONFIG`: CONFIG is a config object
//! (JSON, the page's field names, every field optional) or `-` to read it from standard input.
//! Prints one line: `{"backend", "steps": [{"loss", "lr", "accuracy"}, ...], "evaluation": {...}}`,
//! one entry per step and the figures of the evaluation after the last step (its numbers, and
//! those one object down as "ema.valLoss"). serde_json writes an f64 in its
//! shortest form that parses back to the same bits, so JSON.parse in Node gets the exact values.

use std::io::Read;
use trainlab::config::Config;
use trainlab::session::Session;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [steps, config] = &args[..] else {
        eprintln!("usage: page_order_losses STEPS CONFIG-JSON (or - for standard input)");
        std::process::exit(2);
    };
    let steps: u64 = steps
        .parse()
        .unwrap_or_else(|e| panic!("STEPS: expected a whole number, got {steps:?}: {e}"));
    let text = if config == "-" {
        let mut s = String::new();
        std::io::stdin()
            .read_to_string(&mut s)
            .expect("config on standard input");
        s
    } else {
        config.clone()
    };
    let value: serde_json::Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("config: {e}"));
    let config = Config::from_value(value).unwrap_or_else(|e| panic!("config rejected: {e}"));

    // The page's order, set before the session exists: initialisation runs kernels too.
    trainlab::kernels::sum_in_page_order(true);
    let mut session = Session::new(config).unwrap_or_else(|e| panic!("session refused: {e}"));
    let steps: Vec<serde_json::Value> = (0..steps)
        .map(|_| {
            let r = session.step();
            serde_json::json!({ "loss": r.loss, "lr": r.lr, "accuracy": r.accuracy })
        })
        .collect();
    // The evaluation's figures: its numbers (valLoss, valAccuracy, ...) and those of the objects in
    // it (ema.valLoss, snapshotEnsemble.valLoss, ...).
    let report = serde_json::to_value(session.evaluate()).expect("EvalReport serializes");
    let mut evaluation = serde_json::Map::new();
    for (k, v) in report.as_object().expect("EvalReport is an object") {
        match v {
            serde_json::Value::Number(_) => {
                evaluation.insert(k.clone(), v.clone());
            }
            serde_json::Value::Object(inner) => {
                for (k2, v2) in inner.iter().filter(|(_, v2)| v2.is_number()) {
                    evaluation.insert(format!("{k}.{k2}"), v2.clone());
                }
            }
            _ => {}
        }
    }
    let out = serde_json::json!({
        "backend": trainlab::kernels::backend(),
        "steps": steps,
        "evaluation": evaluation,
    });
    println!("{out}");
}
