//! Measures a model ensemble against its best member (issue 10's closing numbers): N members of one
//! config (Config.member 0…N−1: the same images, their own initial weights and batch order) trained
//! natively for the same steps, evaluated at the same steps, their validation probabilities averaged.
//!
//!   cargo run --release --example ensemble -- '<config json>' <members> <steps> <eval every> [idx dir]
//!
//! With `idx dir` (train-images.idx, train-labels.idx, val-images.idx, val-labels.idx, e.g. the
//! gunzipped generated/public/data/fashion-mnist), the config's `dataset` names that set.

#[path = "common/idx_dir.rs"]
mod idx_dir;

use std::time::Instant;
use trainlab::config::Config;
use trainlab::ensemble::combine;
use trainlab::session::Session;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let config = Config::from_json(args.get(1).map(String::as_str).unwrap_or("{}"))
        .unwrap_or_else(|e| panic!("config: {e}"));
    let n: u32 = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(3);
    let steps: u64 = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(1000);
    let every: u64 = args.get(4).and_then(|s| s.parse().ok()).unwrap_or(250);
    let data = args.get(5).map(|dir| idx_dir::load(dir, &config.dataset));
    let start = Instant::now();
    let mut sessions: Vec<Session> = (0..n)
        .map(|member| {
            let c = Config {
                member,
                ..config.clone()
            };
            Session::with_data(c, data.clone()).unwrap_or_else(|e| panic!("{e}"))
        })
        .collect();
    println!(
        "{n} members of {}",
        args.get(1).map(String::as_str).unwrap_or("{}")
    );
    for step in (every..=steps).step_by(every as usize) {
        let mut accs = Vec::new();
        for s in &mut sessions {
            while s.steps_taken() < step {
                s.step();
            }
            accs.push(s.evaluate().val_accuracy);
        }
        let probs: Vec<Vec<f32>> = sessions
            .iter()
            .map(|s| {
                let (at, p) = s.val_probabilities().expect("evaluated");
                assert_eq!(at, step, "every member evaluated at this step");
                p.to_vec()
            })
            .collect();
        let members: Vec<&[f32]> = probs.iter().map(Vec::as_slice).collect();
        let labels = sessions[0].val_labels().to_vec();
        let best = accs.iter().cloned().fold(0.0, f64::max);
        let mean = accs.iter().sum::<f64>() / accs.len() as f64;
        print!("step {step:>6}: members");
        for a in &accs {
            print!(" {a:.4}");
        }
        for k in 2..=n as usize {
            let r = combine(&members[..k], &labels, sessions[0].val.classes).unwrap();
            print!(" | ens{k} {:.4}", r.accuracy);
        }
        println!(
            " | best {best:.4} mean {mean:.4} (+{:.1} pts over best with {n}) [{:.0}s]",
            (combine(&members, &labels, sessions[0].val.classes)
                .unwrap()
                .accuracy
                - best)
                * 100.0,
            start.elapsed().as_secs_f64()
        );
    }
}
