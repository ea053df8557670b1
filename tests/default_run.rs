//! The page's first impression: the default run opens without a warning (issue 7). The old
//! default (learning rate 0.02 from the first step) spiked to 5.73 at step 2 and showed the
//! early-spike finding for its first 500 steps; that spike now belongs to the warmup scenario.
//! `examples/default_run.rs` measures candidate defaults (numbers in `Config::default`'s comment);
//! tests/diagnostics.rs checks that the old start still spikes.

#![cfg(not(target_arch = "wasm32"))]

use trainlab::config::Config;
use trainlab::diagnostics::Finding;
use trainlab::session::Session;

fn findings(s: &Session, accuracies: Option<(f64, f64)>) -> Vec<Finding> {
    s.diagnose(accuracies).into_iter().map(|d| d.finding).collect()
}

#[test]
fn the_default_run_has_no_warning_in_its_first_200_steps() {
    let mut s = Session::new(Config::default()).unwrap();
    for step in 1..=200 {
        s.step();
        // The page diagnoses as it goes; the spike rule looks at the first 50 steps.
        if step % 50 == 0 {
            assert_eq!(findings(&s, None), [], "at step {step}");
        }
    }
    let e = s.evaluate();
    assert_eq!(
        findings(&s, Some((e.train_accuracy, e.val_accuracy))),
        [],
        "at step 200 with train {:.3} / val {:.3}",
        e.train_accuracy,
        e.val_accuracy
    );
}
