//! The confusion matrix and the most confidently wrong images: on hand-made predictions, and on a
//! briefly trained run (sums, trace against the accuracy, the wrong list's order and pixels, and
//! the same figures whether the evaluation runs whole or in slices), and the images kept per cell
//! (bounded, ordered, really of their cell, the same whole or sliced).

// Expected values may come from std's math: an implementation independent of the core's
// (src/math.rs, the `libm` crate) that clippy.toml otherwise keeps out.
#![allow(clippy::disallowed_methods)]
#![cfg(not(target_arch = "wasm32"))]

use trainlab::config::Config;
use trainlab::confusion::{CellLists, Confusion, WrongPrediction, MAX_PER_CELL, MAX_WRONG};
use trainlab::nn::Mode;
use trainlab::session::{EvalReport, Session};
use trainlab::{loss, Rng};

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

/// (index, probability) of a cell's list.
fn entries(c: &CellLists, t: usize, p: usize) -> Vec<(usize, f64)> {
    c.cell(t, p).iter().map(|e| (e.index, e.probability)).collect()
}

#[test]
fn hand_made_cells_keep_the_most_wrong_and_the_least_right_first() {
    let rows: [([f32; 2], usize); 6] = [
        ([0.90, 0.10], 0), // right at 0.90
        ([0.55, 0.45], 0), // right at 0.55
        ([0.70, 0.30], 0), // right at 0.70
        ([0.40, 0.60], 0), // wrong (0 → 1) at 0.60
        ([0.20, 0.80], 0), // wrong (0 → 1) at 0.80
        ([0.30, 0.70], 1), // right at 0.70
    ];
    let mut c = Confusion::new(2);
    for (i, (p, label)) in rows.iter().enumerate() {
        c.add_row(i, p, *label);
    }
    let cells = c.cells();
    let p = |x: f32| x as f64;
    assert_eq!(
        entries(cells, 0, 0),
        [(1, p(0.55)), (2, p(0.70)), (0, p(0.90))],
        "right answers: least confident first"
    );
    assert_eq!(
        entries(cells, 0, 1),
        [(4, p(0.80)), (3, p(0.60))],
        "mistakes: most confident first"
    );
    assert_eq!(entries(cells, 1, 1), [(5, p(0.70))]);
    assert!(cells.cell(1, 0).is_empty(), "an empty cell has no list");
    assert!(
        cells.cell(2, 0).is_empty(),
        "a class out of range has none either"
    );
}

#[test]
fn cell_lists_are_bounded_and_do_not_depend_on_the_order_of_the_images() {
    // 60 images of class 1: 30 predicted 0 and 30 predicted 1, probabilities in steps of 0.02 so that
    // pairs tie; fed in two different orders.
    let rows: Vec<(usize, [f32; 2])> = (0..60usize)
        .map(|i| {
            let q = 0.52 + ((i % 30) / 2) as f32 * 0.02;
            (i, if i < 30 { [q, 1.0 - q] } else { [1.0 - q, q] })
        })
        .collect();
    let mut a = Confusion::new(2);
    let mut b = Confusion::new(2);
    for k in 0..60usize {
        let (i, p) = rows[(k * 23) % 60];
        a.add_row(i, &p, 1);
        let (i, p) = rows[59 - k];
        b.add_row(i, &p, 1);
    }
    assert_eq!(a.cells(), b.cells(), "the same lists whatever the order");
    let wrong = entries(a.cells(), 1, 0);
    let right = entries(a.cells(), 1, 1);
    assert_eq!((wrong.len(), right.len()), (MAX_PER_CELL, MAX_PER_CELL));
    for pair in wrong.windows(2) {
        assert!(
            pair[0].1 > pair[1].1 || (pair[0].1 == pair[1].1 && pair[0].0 < pair[1].0),
            "{pair:?}"
        );
    }
    for pair in right.windows(2) {
        assert!(
            pair[0].1 < pair[1].1 || (pair[0].1 == pair[1].1 && pair[0].0 < pair[1].0),
            "{pair:?}"
        );
    }
    // The most confident mistakes are images 28 and 29 (q = 0.80); the least confident right
    // answers 30 and 31 (q = 0.52).
    assert_eq!((wrong[0].0, wrong[1].0), (28, 29));
    assert_eq!((right[0].0, right[1].0), (30, 31));
}

/// The predicted distribution of validation image `i`, forwarded alone.
fn repredict(s: &mut Session, i: usize) -> Vec<f32> {
    let len = s.val.c * s.val.h * s.val.w;
    let mut image = vec![0.0; len];
    s.val.copy_image(i, &mut image);
    s.model.input_mut(1).data[..len].copy_from_slice(&image);
    let logits = s.model.forward(Mode::Eval, &mut Rng::new(0)).data.clone();
    let max = logits.iter().cloned().fold(f32::NEG_INFINITY, f32::max);
    let exps: Vec<f32> = logits.iter().map(|l| (l - max).exp()).collect();
    let sum: f32 = exps.iter().sum();
    exps.iter().map(|e| e / sum).collect()
}

fn all_cells(s: &Session) -> Vec<Vec<WrongPrediction>> {
    let k = s.val.classes;
    (0..k * k).map(|c| s.cell_images(c / k, c % k).unwrap()).collect()
}

#[test]
fn each_cell_lists_images_of_that_cell_in_order() {
    let mut s = trained(20);
    assert_eq!(s.cell_images_step(), None, "no evaluation yet");
    assert!(s.cell_images(0, 1).unwrap().is_empty());
    let r = s.evaluate();
    assert_eq!(s.cell_images_step(), Some(20));
    let k = s.val.classes;
    let cells = all_cells(&s);
    assert!(
        cells
            .iter()
            .any(|c| !c.is_empty() && c[0].true_class != c[0].predicted),
        "some mistakes"
    );
    for (c, list) in cells.iter().enumerate() {
        let (t, p) = (c / k, c % k);
        assert_eq!(
            list.len(),
            r.confusion[t][p].min(MAX_PER_CELL),
            "cell ({t}, {p}) keeps up to its count"
        );
        for w in list {
            assert_eq!((w.true_class, w.predicted), (t, p));
            assert_eq!(
                s.val.labels[w.index] as usize, t,
                "image {} is of class {t}",
                w.index
            );
            let probs = repredict(&mut s, w.index);
            assert_eq!(loss::argmax(&probs), p, "image {} is predicted as {p}", w.index);
            assert!(
                (probs[p] as f64 - w.probability).abs() < 1e-5,
                "image {}'s probability",
                w.index
            );
            let rgb: Vec<u8> = s
                .val
                .to_rgba8(w.index)
                .chunks_exact(4)
                .flat_map(|x| x[..3].to_vec())
                .collect();
            assert_eq!(
                (w.width, w.height, &w.rgb),
                (s.val.w, s.val.h, &rgb),
                "image {}'s pixels",
                w.index
            );
        }
        for pair in list.windows(2) {
            let (a, b) = (pair[0].probability, pair[1].probability);
            let ordered = if t == p { a <= b } else { a >= b };
            assert!(ordered, "cell ({t}, {p}): {a} before {b}");
        }
    }
    // The most wrong list's first image heads its own cell's list.
    let first = &r.most_wrong[0];
    assert_eq!(cells[first.true_class * k + first.predicted][0], *first);
}

#[test]
fn cell_lists_are_the_same_whole_or_sliced_and_refuse_unknown_classes() {
    let mut a = trained(20);
    let mut b = trained(20);
    a.evaluate();
    while b.evaluate_slice(7).is_none() {}
    assert_eq!(all_cells(&a), all_cells(&b));
    let k = a.val.classes;
    let e = a.cell_images(k, 0).unwrap_err();
    assert!(
        e.contains(&format!("true class {k}")) && e.contains(&format!("{k} classes")),
        "{e}"
    );
    let e = a.cell_images(0, k + 3).unwrap_err();
    assert!(e.contains(&format!("predicted class {}", k + 3)), "{e}");
}

#[test]
fn a_restored_state_forgets_the_cells_of_the_weights_before() {
    let mut s = trained(40);
    s.evaluate();
    assert!(s.cell_images_step().is_some());
    assert!(
        (0..10).any(|t| !s.cell_images(t, t).unwrap().is_empty()),
        "a trained run has right answers"
    );
    let state = s.export_state();
    s.import_state(&state).expect("its own state");
    assert_eq!(s.cell_images_step(), None);
    assert!((0..10).all(|t| (0..10).all(|p| s.cell_images(t, p).unwrap().is_empty())));
}
