//! The confusion matrix and the most confidently wrong images: on hand-made predictions, and on a
//! briefly trained run (sums, trace against the accuracy, the wrong list's order and pixels, and
//! the same figures whether the evaluation runs whole or in slices).

#![cfg(not(target_arch = "wasm32"))]

use trainlab::config::Config;
use trainlab::confusion::{Confusion, MAX_WRONG};
use trainlab::session::{EvalReport, Session};

#[test]
fn hand_made_predictions_give_the_hand_counted_matrix() {
    // (probabilities, label) → predicted (argmax), right?
    let rows: [([f32; 3], usize); 6] = [
        ([0.70, 0.20, 0.10], 0), // 0, right
        ([0.10, 0.30, 0.60], 0), // 2, wrong at 0.60
        ([0.05, 0.90, 0.05], 1), // 1, right
        ([0.80, 0.15, 0.05], 1), // 0, wrong at 0.80
        ([0.20, 0.55, 0.25], 2), // 1, wrong at 0.55
        ([0.40, 0.40, 0.20], 2), // tie: the first class, 0, wrong at 0.40
    ];
    let mut c = Confusion::new(3);
    for (i, (p, label)) in rows.iter().enumerate() {
        c.add_row(10 + i, p, *label);
    }
    assert_eq!(c.matrix(), vec![vec![1, 0, 1], vec![1, 1, 0], vec![1, 1, 0]]);
    let wrong: Vec<(usize, usize, usize)> = c
        .wrong()
        .iter()
        .map(|w| (w.index, w.true_class, w.predicted))
        .collect();
    assert_eq!(wrong, [(13, 1, 0), (11, 0, 2), (14, 2, 1), (15, 2, 0)]);
    let probs: Vec<f64> = c.wrong().iter().map(|w| w.probability).collect();
    assert_eq!(
        probs,
        [0.80f32 as f64, 0.60f32 as f64, 0.55f32 as f64, 0.40f32 as f64]
    );
}

#[test]
fn the_wrong_list_keeps_the_most_confident_and_breaks_ties_by_index() {
    let mut c = Confusion::new(2);
    // 40 wrong predictions of class 1 as class 0 with probabilities 0.5..0.9, in scrambled order.
    for k in 0..40usize {
        let i = (k * 17) % 40;
        let p0 = 0.5 + (i / 2) as f32 * 0.02;
        c.add_row(i, &[p0, 1.0 - p0], 1);
    }
    let w = c.wrong();
    assert_eq!(w.len(), MAX_WRONG);
    for pair in w.windows(2) {
        let ordered = pair[0].probability > pair[1].probability
            || (pair[0].probability == pair[1].probability && pair[0].index < pair[1].index);
        assert!(ordered, "{:?} before {:?}", pair[0], pair[1]);
    }
    // The highest probability (i / 2 = 19) belongs to images 38 and 39.
    assert_eq!((w[0].index, w[1].index), (38, 39));
    assert_eq!(c.matrix(), vec![vec![0, 0], vec![40, 0]]);
}

fn trained(steps: usize) -> Session {
    let config = Config {
        seed: 5,
        train_size: 300,
        val_size: 150,
        ..Config::default()
    };
    let mut s = Session::new(config).unwrap();
    for _ in 0..steps {
        s.step();
    }
    s
}

fn check_report(s: &Session, r: &EvalReport) {
    let k = s.val.classes;
    assert_eq!(r.confusion.len(), k, "one row per class");
    assert!(r.confusion.iter().all(|row| row.len() == k), "K columns per row");
    let total: usize = r.confusion.iter().flatten().sum();
    assert_eq!(
        total,
        s.val.len(),
        "the matrix counts every validation image once"
    );
    let trace: usize = (0..k).map(|i| r.confusion[i][i]).sum();
    let correct = (r.val_accuracy * s.val.len() as f64).round() as usize;
    assert_eq!(
        trace, correct,
        "the diagonal is the correct count behind valAccuracy"
    );
    for row in 0..k {
        let labelled = s.val.labels.iter().filter(|&&l| l as usize == row).count();
        assert_eq!(
            r.confusion[row].iter().sum::<usize>(),
            labelled,
            "row {row} sums to its class's images"
        );
    }
    let wrong_total = s.val.len() - correct;
    assert_eq!(r.most_wrong.len(), wrong_total.min(MAX_WRONG));
    for w in &r.most_wrong {
        assert_ne!(w.true_class, w.predicted, "{w:?} is not wrong");
        assert_eq!(
            s.val.labels[w.index] as usize, w.true_class,
            "image {} has another label",
            w.index
        );
        assert!(r.confusion[w.true_class][w.predicted] > 0);
        assert_eq!((w.width, w.height), (s.val.w, s.val.h));
        let rgba = s.val.to_rgba8(w.index);
        let rgb: Vec<u8> = rgba.chunks_exact(4).flat_map(|p| p[..3].to_vec()).collect();
        assert_eq!(w.rgb, rgb, "image {}'s pixels", w.index);
    }
    for pair in r.most_wrong.windows(2) {
        assert!(
            pair[0].probability >= pair[1].probability,
            "sorted by probability, descending"
        );
    }
    // A wrong prediction is still its row's argmax, so at least 1/K.
    if let Some(last) = r.most_wrong.last() {
        assert!(
            last.probability > 1.0 / k as f64 - 1e-9,
            "an argmax is at least 1/K"
        );
    }
}

#[test]
fn an_evaluation_counts_every_validation_image_and_lists_only_wrong_ones() {
    let mut s = trained(20);
    let r = s.evaluate();
    check_report(&s, &r);
    assert!(
        !r.most_wrong.is_empty(),
        "after 20 steps some validation images are wrong"
    );
}

#[test]
fn a_sliced_evaluation_gives_the_same_matrix_and_list() {
    let mut a = trained(20);
    let mut b = trained(20);
    let whole = a.evaluate();
    let sliced = loop {
        if let Some(r) = b.evaluate_slice(7) {
            break r;
        }
    };
    check_report(&b, &sliced);
    assert_eq!(whole.confusion, sliced.confusion);
    assert_eq!(whole.most_wrong, sliced.most_wrong);
}
