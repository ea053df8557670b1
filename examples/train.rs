//! Trains natively from a JSON config and prints progress: a quick way to try a config or a data
//! set change without a browser. `cargo run --release --example train -- '{"preset":"linear"}' 2000`

use std::time::Instant;
use trainlab::config::Config;
use trainlab::session::Session;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let config = Config::from_json(args.get(1).map(String::as_str).unwrap_or("{}"))
        .unwrap_or_else(|e| panic!("config: {e}"));
    let steps: u64 = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(1000);
    let eval_every: u64 = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(250);
    let start = Instant::now();
    let mut session = Session::new(config).unwrap_or_else(|e| panic!("{e}"));
    println!(
        "setup {:.2}s, {} parameters",
        start.elapsed().as_secs_f64(),
        session.model.param_count()
    );
    let start = Instant::now();
    let mut recent = Vec::new();
    for _ in 0..steps {
        let r = session.step();
        recent.push(r.loss);
        if r.step == 1 {
            println!("first loss {:.4}", r.loss);
        }
        if r.step.is_multiple_of(eval_every) {
            let e = session.evaluate();
            let avg = recent.iter().sum::<f64>() / recent.len() as f64;
            recent.clear();
            println!(
                "step {:>6} epoch {:>3} loss {avg:.4} train acc {:.3} val acc {:.3} ({:.1}s, {:.0} img/s)",
                r.step,
                r.epoch,
                e.train_accuracy,
                e.val_accuracy,
                start.elapsed().as_secs_f64(),
                (r.step as f64 * session.config.batch_size as f64) / start.elapsed().as_secs_f64()
            );
        }
    }
}
