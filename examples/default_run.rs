//! Measures candidate defaults for the page's first run: the first 50 steps' peak loss against the
//! first one (the diagnostics' early-spike rule), every finding after 200 steps, and validation
//! accuracy after 2 epochs. `cargo run --profile test --example default_run -- '<json>' ...`; each
//! argument is a config (JSON) applied over `Config::default()`'s fields it names.

use trainlab::config::Config;
use trainlab::session::Session;

fn main() {
    for arg in std::env::args().skip(1) {
        let mut base = serde_json::to_value(Config::default()).expect("config serializes");
        let over: serde_json::Value = serde_json::from_str(&arg).unwrap_or_else(|e| panic!("{arg}: {e}"));
        for (k, v) in over.as_object().expect("an object") {
            base[k] = v.clone();
        }
        let config = Config::from_value(base).unwrap_or_else(|e| panic!("{arg}: {e}"));
        let steps = 2 * config.train_size.div_ceil(config.batch_size);
        let mut s = Session::new(config).unwrap_or_else(|e| panic!("{e}"));
        let mut findings = String::new();
        for step in 1..=steps {
            s.step();
            if step == 200 {
                let e = s.evaluate();
                findings = format!("{:?}", s.diagnose(Some((e.train_accuracy, e.val_accuracy))));
            }
        }
        let losses = s.losses().to_vec();
        let (at, peak) =
            losses[..50]
                .iter()
                .enumerate()
                .fold((0, f64::MIN), |b, (i, &l)| if l > b.1 { (i + 1, l) } else { b });
        let e = s.evaluate();
        println!(
            "{arg}: first {:.3} peak {peak:.3} at step {at} ({:.2}×); findings at 200: {findings}; val after 2 epochs {:.3} (train {:.3})",
            losses[0],
            peak / losses[0],
            e.val_accuracy,
            e.train_accuracy
        );
    }
}
