//! Evaluation in bounded slices: the same report as a whole evaluation, bit for bit, whatever the
//! budget; each slice within its budget; a step in between abandons the unfinished evaluation; the
//! images kept per confusion cell are those of the last finished evaluation, whatever the slicing.

#![cfg(not(target_arch = "wasm32"))]

use trainlab::config::Config;
use trainlab::confusion::WrongPrediction;
use trainlab::session::{EvalReport, Session, EVAL_CHUNK, EVAL_SAMPLES};

/// Test-time augmentation and fractional pooling: 10 views × 4 random passes per image, the
/// costly case a hostile link asks for.
fn costly() -> Config {
    Config {
        seed: 3,
        preset: "lenet".into(),
        train_size: 120,
        val_size: 37,
        tta: true,
        fractional_pooling: true,
        ..Config::default()
    }
}

fn trained(config: &Config, steps: usize) -> Session {
    let mut s = Session::new(config.clone()).unwrap();
    for _ in 0..steps {
        s.step();
    }
    s
}

/// Drives `evaluate_slice(budget)` to the end; returns the report and each call's work.
fn sliced(s: &mut Session, budget: usize) -> (EvalReport, Vec<usize>) {
    let mut work = Vec::new();
    let mut before = 0;
    loop {
        let report = s.evaluate_slice(budget);
        match (report, s.evaluation_progress()) {
            (Some(r), None) => {
                let total = (s.val.len() + s.val.len().min(s.train.len())) * 10 * EVAL_SAMPLES;
                work.push(total - before);
                return (r, work);
            }
            (None, Some(p)) => {
                work.push(p.done - before);
                before = p.done;
            }
            other => panic!("a finished slice must clear the progress, got {other:?}"),
        }
    }
}

/// Every cell's images, row by row.
fn cells(s: &Session) -> Vec<Vec<WrongPrediction>> {
    let k = s.val.classes;
    (0..k * k).map(|c| s.cell_images(c / k, c % k).unwrap()).collect()
}

fn bits(r: &EvalReport) -> Vec<u64> {
    let mut v: Vec<u64> = [
        r.val_loss,
        r.val_accuracy,
        r.train_loss,
        r.train_accuracy,
        r.val_confidence,
        r.val_ece,
    ]
    .iter()
    .map(|x| x.to_bits())
    .collect();
    v.extend(r.reliability.iter().map(|b| b.confidence.to_bits()));
    v
}

#[test]
fn slices_give_the_whole_evaluation_bit_for_bit_within_their_budget() {
    let config = costly();
    let mut reference = trained(&config, 5);
    let whole = reference.evaluate();
    let whole_cells = cells(&reference);
    assert!(whole.val_loss.is_finite() && whole.val_accuracy > 0.0);
    assert!(
        whole_cells.iter().any(|c| !c.is_empty()),
        "some cell lists images"
    );
    // One unit is a forward of ≤ EVAL_CHUNK images; budgets below, at and above it.
    for budget in [1, 7, EVAL_CHUNK, 500, 5000] {
        let mut s = trained(&config, 5);
        let (report, work) = sliced(&mut s, budget);
        assert_eq!(bits(&report), bits(&whole), "budget {budget}");
        assert_eq!(report, whole, "budget {budget}");
        assert_eq!(cells(&s), whole_cells, "budget {budget}: the cells' images");
        let total: usize = work.iter().sum();
        assert_eq!(
            total,
            (37 + 37) * 10 * EVAL_SAMPLES,
            "every view and pass counted once"
        );
        let limit = budget.max(EVAL_CHUNK);
        assert!(
            work.iter().all(|&w| w <= limit),
            "budget {budget}: a slice did more than {limit} forward images: {work:?}"
        );
        if budget == 5000 {
            assert_eq!(work.len(), 1, "a budget above the total finishes in one call");
        } else {
            assert!(
                work.len() >= total / limit,
                "budget {budget}: {} calls",
                work.len()
            );
        }
    }
}

#[test]
fn a_step_abandons_an_unfinished_evaluation() {
    let config = costly();
    let mut s = trained(&config, 3);
    assert!(
        s.evaluate_slice(100).is_none(),
        "100 forward images is not the whole evaluation"
    );
    assert!(s.evaluation_progress().is_some());
    assert_eq!(
        s.cell_images_step(),
        None,
        "an unfinished evaluation gives no cell images"
    );
    s.step();
    assert_eq!(
        s.evaluation_progress(),
        None,
        "the step must drop the partial sums"
    );
    // What follows is a fresh evaluation of the new weights: equal to one on a run that never
    // began evaluating.
    let mut reference = trained(&config, 4);
    let fresh = reference.evaluate();
    assert_eq!(s.evaluate(), fresh);
    assert_eq!(cells(&s), cells(&reference));
    // Later steps keep the lists of the last finished evaluation, and say which step they are from.
    s.step();
    assert_eq!(s.cell_images_step(), Some(4));
    assert_eq!(cells(&s), cells(&reference));
}

#[test]
fn early_stopping_sees_complete_evaluations_only() {
    let config = Config {
        patience: 1,
        ..costly()
    };
    let mut s = trained(&config, 2);
    let first = s.evaluate();
    assert_eq!(first.best_step, 2);
    for _ in 0..3 {
        s.step();
    }
    // Partial slices report nothing and must not count as evaluations without improvement.
    for _ in 0..3 {
        assert!(s.evaluate_slice(20).is_none());
    }
    let second = s.evaluate();
    let mut reference = trained(&config, 2);
    reference.evaluate();
    for _ in 0..3 {
        reference.step();
    }
    assert_eq!(second, reference.evaluate());
}
