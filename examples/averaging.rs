//! Measures Polyak averaging and a snapshot ensemble against the raw weights (issue 10's closing
//! numbers): one run trained natively, evaluated every `eval every` steps; each evaluation prints the
//! raw model's validation accuracy and loss, the EMA's (when `modelEmaDecay` > 0) and the snapshot
//! ensemble's (when `snapshotEnsemble` is on, after the first cycle) with its members' accuracies.
//!
//!   cargo run --release --example averaging -- '<config json>' <steps> <eval every> [idx dir]
//!
//! With `idx dir` (train-images.idx, train-labels.idx, val-images.idx, val-labels.idx, e.g. the
//! gunzipped generated/public/data/fashion-mnist), the config's `dataset` names that set.

#[path = "common/idx_dir.rs"]
mod idx_dir;

use std::time::Instant;
use trainlab::config::Config;
use trainlab::session::Session;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let json = args.get(1).map(String::as_str).unwrap_or("{}");
    let config = Config::from_json(json).unwrap_or_else(|e| panic!("config: {e}"));
    let steps: u64 = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(1000);
    let every: u64 = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(100);
    let data = args.get(4).map(|dir| idx_dir::load(dir, &config.dataset));
    let mut s = Session::with_data(config, data).unwrap_or_else(|e| panic!("{e}"));
    let start = Instant::now();
    println!("{json}");
    for step in (every..=steps).step_by(every as usize) {
        while s.steps_taken() < step {
            s.step();
        }
        let r = s.evaluate();
        print!(
            "step {step:>6}: raw val {:.4} (loss {:.3})",
            r.val_accuracy, r.val_loss
        );
        if let Some(e) = &r.ema {
            print!(
                " | EMA val {:.4} (loss {:.3}, {:+.1} pts)",
                e.val_accuracy,
                e.val_loss,
                (e.val_accuracy - r.val_accuracy) * 100.0
            );
        }
        if let Some(e) = &r.snapshot_ensemble {
            let members: Vec<String> = e.member_accuracies.iter().map(|a| format!("{a:.4}")).collect();
            print!(
                " | snapshot ens. of {} {:.4} (loss {:.3}, {:+.1} pts; members {} at {:?})",
                e.members,
                e.val_accuracy,
                e.val_loss,
                (e.val_accuracy - r.val_accuracy) * 100.0,
                members.join(" "),
                e.member_steps
            );
        }
        println!(" [{:.0}s]", start.elapsed().as_secs_f64());
    }
}
