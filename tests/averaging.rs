//! After training (lecture: Polyak averaging, snapshot ensembles): the raw model's validation
//! probabilities kept from the last evaluation, the EMA copy of the weights, the snapshots taken at
//! the end of each cycle, and their evaluation beside the raw model.

// Expected values may come from std's math: an implementation independent of the core's
// (src/math.rs, the `libm` crate) that clippy.toml otherwise keeps out.
#![allow(clippy::disallowed_methods)]
#![cfg(not(target_arch = "wasm32"))]

mod weight_bits;
use weight_bits::weights;

use trainlab::config::Config;
use trainlab::ensemble::combine;
use trainlab::loss::argmax;
use trainlab::session::{Session, MAX_SNAPSHOTS};
use trainlab::snapshot::Snapshot;

fn config(json: &str) -> Config {
    Config::from_json(json).unwrap()
}

fn trained(config: &Config, steps: usize) -> Session {
    let mut s = Session::new(config.clone()).unwrap();
    for _ in 0..steps {
        s.step();
    }
    s
}

#[test]
fn the_last_evaluation_keeps_the_raw_models_validation_probabilities() {
    let c = config(r#"{"trainSize": 96, "valSize": 37, "batchSize": 16, "seed": 4}"#);
    let mut s = trained(&c, 5);
    assert!(
        s.val_probabilities().is_none(),
        "none before the first evaluation"
    );
    let report = s.evaluate();
    let (step, probs) = s.val_probabilities().expect("kept after an evaluation");
    let (n, k) = (s.val.len(), s.val.classes);
    assert_eq!(step, 5);
    assert_eq!(probs.len(), n * k);
    assert_eq!(s.val_labels(), &s.val.labels[..]);
    for row in probs.chunks_exact(k) {
        let sum: f32 = row.iter().sum();
        assert!((sum - 1.0).abs() < 1e-4, "a row sums to {sum}");
    }
    // The rows are the evaluation's own: their accuracy and loss are the report's.
    let labels = s.val_labels();
    let correct = probs
        .chunks_exact(k)
        .zip(labels)
        .filter(|(row, &l)| argmax(row) == l as usize)
        .count();
    assert_eq!(correct as f64 / n as f64, report.val_accuracy);
    let loss: f64 = probs
        .chunks_exact(k)
        .zip(labels)
        .map(|(row, &l)| -(row[l as usize].max(f32::MIN_POSITIVE) as f64).ln())
        .sum::<f64>()
        / n as f64;
    assert_eq!(loss.to_bits(), report.val_loss.to_bits());

    // Sliced the same, bit for bit; a step leaves the last finished one in place.
    let whole: Vec<u32> = probs.iter().map(|p| p.to_bits()).collect();
    let mut t = trained(&c, 5);
    while t.evaluate_slice(7).is_none() {}
    let sliced: Vec<u32> = t
        .val_probabilities()
        .unwrap()
        .1
        .iter()
        .map(|p| p.to_bits())
        .collect();
    assert_eq!(whole, sliced);
    t.step();
    assert!(t.evaluate_slice(7).is_none());
    assert_eq!(
        t.val_probabilities().unwrap().0,
        5,
        "an unfinished evaluation replaces nothing"
    );
}

/// The values of a snapshot, parameters then buffers, as bits.
fn snapshot_bits(s: &Snapshot<f32>) -> Vec<u32> {
    (s.params().iter().chain(s.buffers()))
        .flat_map(|v| v.data().iter().map(|x| x.to_bits()))
        .collect()
}

/// Sets every parameter and buffer value of the model to `v`.
fn fill(s: &mut Session, v: f32) {
    s.model.visit_params(&mut |_, w, _| w.fill(v));
    s.model.visit_buffers(&mut |b| b.fill(v));
}

#[test]
fn a_constant_signal_averaged_from_zero_reaches_one_minus_decay_to_the_100th() {
    // The slide's x_test = 0.995·x_test + 0.005·x with x = 1 for 100 steps from x_test = 0.
    let mut s = Session::new(config(
        r#"{"trainSize": 16, "valSize": 16, "batchNorm": true, "seed": 2}"#,
    ))
    .unwrap();
    fill(&mut s, 0.0);
    let mut ema = Snapshot::of(&mut s.model);
    fill(&mut s, 1.0);
    for _ in 0..100 {
        ema.ema_update(&mut s.model, 0.995).unwrap();
    }
    let expected = 1.0 - 0.995f64.powi(100);
    assert!((expected - 0.394).abs() < 1e-3, "the issue's number: {expected}");
    assert!(
        !ema.buffers().is_empty(),
        "batch norm's statistics are part of it"
    );
    for v in ema.params().iter().chain(ema.buffers()) {
        for &x in v.data() {
            assert!(
                (x as f64 - expected).abs() < 1e-5,
                "{}: {x}, expected {expected}",
                v.name()
            );
        }
    }
}

#[test]
fn an_average_with_decay_zero_is_the_raw_weights() {
    let c = config(r#"{"trainSize": 96, "valSize": 16, "batchSize": 16, "seed": 4, "batchNorm": true}"#);
    let mut s = Session::new(c.clone()).unwrap();
    let mut ema = Snapshot::of(&mut s.model);
    for _ in 0..5 {
        s.step();
    }
    ema.ema_update(&mut s.model, 0.0).unwrap();
    assert_eq!(snapshot_bits(&ema), snapshot_bits(&Snapshot::of(&mut s.model)));

    // Through the session (0 is "off" there, so the smallest decay): the EMA's report is the raw
    // model's validation numbers, bit for bit, fractional pooling's random evaluation included.
    for extra in ["", r#", "fractionalPooling": true"#] {
        let json = format!(
            r#"{{"trainSize": 96, "valSize": 37, "batchSize": 16, "seed": 4, "batchNorm": true,
                "modelEmaDecay": 1e-300{extra}}}"#
        );
        let mut s = trained(&config(&json), 5);
        let r = s.evaluate();
        let ema = r.ema.expect("an EMA report when modelEmaDecay > 0");
        assert_eq!(ema.val_accuracy.to_bits(), r.val_accuracy.to_bits(), "{json}");
        assert_eq!(ema.val_loss.to_bits(), r.val_loss.to_bits(), "{json}");
    }
}

#[test]
fn the_session_averages_parameters_and_batch_norm_statistics_after_every_step() {
    let decay = 0.9;
    let c = config(
        r#"{"trainSize": 96, "valSize": 16, "batchSize": 16, "seed": 5, "batchNorm": true,
            "modelEmaDecay": 0.9}"#,
    );
    let mut s = Session::new(c).unwrap();
    assert!(
        s.ema_weights().is_none(),
        "nothing to average before the first step"
    );
    let initial = Snapshot::of(&mut s.model);
    let mut mine = initial.clone();
    for _ in 0..12 {
        s.step();
        mine.ema_update(&mut s.model, decay).unwrap();
        assert_eq!(s.ema_weights(), Some(&mine), "step {}", s.steps_taken());
    }
    let raw = Snapshot::of(&mut s.model);
    let ema = s.ema_weights().unwrap();
    assert!(!ema.buffers().is_empty());
    for ((e, r), i) in ema.buffers().iter().zip(raw.buffers()).zip(initial.buffers()) {
        // Averaged: neither the raw model's statistics nor left at their initial values.
        assert_ne!(e.data(), r.data(), "{}", e.name());
        assert_ne!(e.data(), i.data(), "{}", e.name());
    }
    let no_ema = trained(
        &config(r#"{"trainSize": 96, "valSize": 16, "batchSize": 16, "seed": 5}"#),
        1,
    );
    assert!(no_ema.ema_weights().is_none(), "modelEmaDecay 0 keeps no average");
}

#[test]
fn snapshots_are_taken_exactly_at_the_ends_of_cycles_and_the_newest_are_kept() {
    let base = r#""trainSize": 96, "valSize": 16, "batchSize": 16, "seed": 6, "snapshotEnsemble": true"#;
    for (schedule, steps) in [
        (r#"{"type": "cyclic", "period": 5}"#, 23),
        (r#"{"type": "sgdr", "T_0": 3, "T_mult": 2}"#, 22),
        (r#"{"type": "cyclic", "period": 1, "warmupSteps": 2}"#, 20),
    ] {
        let c = config(&format!(r#"{{{base}, "schedule": {schedule}}}"#));
        let all = c.schedule.snapshot_steps(steps);
        let mut s = Session::new(c.clone()).unwrap();
        let mut expected = Vec::new();
        for _ in 0..steps {
            s.step();
            if all.contains(&s.steps_taken()) {
                expected.push((s.steps_taken(), Snapshot::of(&mut s.model)));
            }
        }
        let kept = expected.len().saturating_sub(MAX_SNAPSHOTS);
        let got: Vec<(u64, Snapshot<f32>)> = s.snapshots().map(|(k, w)| (k, w.clone())).collect();
        assert!(!got.is_empty(), "{schedule}");
        assert!(got.len() <= MAX_SNAPSHOTS);
        let steps_got: Vec<u64> = got.iter().map(|g| g.0).collect();
        let steps_expected: Vec<u64> = expected[kept..].iter().map(|e| e.0).collect();
        assert_eq!(steps_got, steps_expected, "{schedule}");
        assert!(got == expected[kept..], "{schedule}: the weights at those steps");
    }
}

#[test]
fn a_snapshot_ensemble_of_one_member_is_that_models_own_evaluation() {
    for extra in ["", r#", "fractionalPooling": true"#] {
        let json = format!(
            r#"{{"trainSize": 96, "valSize": 20, "batchSize": 16, "seed": 7, "batchNorm": true,
                "snapshotEnsemble": true, "schedule": {{"type": "cyclic", "period": 6}}{extra}}}"#
        );
        let mut s = trained(&config(&json), 5);
        assert!(
            s.evaluate().snapshot_ensemble.is_none(),
            "no member before the first cycle ends"
        );
        s.step();
        let r = s.evaluate();
        let e = r.snapshot_ensemble.expect("one member after the first cycle");
        assert_eq!((e.members, e.member_steps.clone()), (1, vec![6]));
        assert_eq!(e.val_accuracy.to_bits(), r.val_accuracy.to_bits(), "{json}");
        assert_eq!(e.member_accuracies, vec![r.val_accuracy]);
        // The loss is the ensemble's (`ensemble::combine` floors probabilities at 1e-12 where the
        // evaluation floors them at f32::MIN_POSITIVE) of the raw model's own probabilities.
        let own = combine(&[s.val_probabilities().unwrap().1], s.val_labels(), s.val.classes).unwrap();
        assert_eq!(e.val_loss.to_bits(), own.loss.to_bits(), "{json}");
        // Later evaluations reuse the member's measured probabilities: the same ensemble numbers.
        for _ in 0..3 {
            s.step();
        }
        let later = s.evaluate().snapshot_ensemble.unwrap();
        assert_eq!(later, e);
    }
}

#[test]
fn a_snapshot_ensemble_averages_its_members_probabilities() {
    let c = config(
        r#"{"trainSize": 192, "valSize": 64, "batchSize": 16, "seed": 8, "learningRate": 0.05,
            "snapshotEnsemble": true, "schedule": {"type": "cyclic", "period": 8}}"#,
    );
    let mut s = Session::new(c.clone()).unwrap();
    let mut member_probs = Vec::new();
    for cycle in 0..3 {
        for _ in 0..8 {
            s.step();
        }
        let r = s.evaluate();
        member_probs.push(s.val_probabilities().unwrap().1.to_vec());
        assert_eq!(r.snapshot_ensemble.as_ref().unwrap().members, cycle + 1);
    }
    let r = s.evaluate().snapshot_ensemble.unwrap();
    let refs: Vec<&[f32]> = member_probs.iter().map(Vec::as_slice).collect();
    let expected = combine(&refs, s.val_labels(), s.val.classes).unwrap();
    assert_eq!(r.val_accuracy, expected.accuracy);
    assert_eq!(r.val_loss, expected.loss);
    assert_eq!(r.member_accuracies, expected.member_accuracies);
    assert_eq!(r.member_steps, vec![8, 16, 24]);
}

/// A run with every kind of averaged weights, batch norm and a random evaluation.
fn averaged() -> Config {
    config(
        r#"{"trainSize": 96, "valSize": 19, "batchSize": 16, "seed": 9, "batchNorm": true,
            "fractionalPooling": true, "modelEmaDecay": 0.8, "snapshotEnsemble": true,
            "schedule": {"type": "cyclic", "period": 4}}"#,
    )
}

#[test]
fn evaluating_the_averages_leaves_the_raw_model_and_its_numbers_as_they_were() {
    let mut s = trained(&averaged(), 9);
    let before = weights(&mut s);
    // Sliced: between any two slices the model holds the raw weights.
    while s.evaluate_slice(10).is_none() {
        assert_eq!(weights(&mut s), before);
    }
    assert_eq!(weights(&mut s), before);
    let r = s.evaluate();
    assert_eq!(weights(&mut s), before);
    assert!(r.ema.is_some() && r.snapshot_ensemble.is_some());

    // The raw model's numbers are those of the same run without averaging, and training goes on
    // with the same losses.
    let mut plain = trained(
        &Config {
            model_ema_decay: 0.0,
            snapshot_ensemble: false,
            ..averaged()
        },
        9,
    );
    let p = plain.evaluate();
    assert_eq!(
        (
            r.val_accuracy,
            r.val_loss,
            r.train_accuracy,
            r.train_loss,
            r.confusion.clone()
        ),
        (
            p.val_accuracy,
            p.val_loss,
            p.train_accuracy,
            p.train_loss,
            p.confusion.clone()
        )
    );
    let a: Vec<u64> = (0..6).map(|_| s.step().loss.to_bits()).collect();
    let b: Vec<u64> = (0..6).map(|_| plain.step().loss.to_bits()).collect();
    assert_eq!(a, b);
}

#[test]
fn any_slicing_gives_the_same_averaged_reports_bit_for_bit() {
    let mut whole = trained(&averaged(), 9);
    let expected = whole.evaluate();
    for budget in [1, 13] {
        let mut s = trained(&averaged(), 9);
        let mut total = None;
        let report = loop {
            if let Some(r) = s.evaluate_slice(budget) {
                break r;
            }
            let p = s.evaluation_progress().unwrap();
            assert!(p.done < p.total);
            // The total is fixed at the start, though members get measured on the way.
            assert_eq!(*total.get_or_insert(p.total), p.total, "budget {budget}");
        };
        assert_eq!(format!("{report:?}"), format!("{expected:?}"), "budget {budget}");
    }
}

#[test]
fn a_restored_run_averages_and_snapshots_as_the_unbroken_one() {
    let mut unbroken = trained(&averaged(), 18);
    let mut saved = trained(&averaged(), 9);
    let state = saved.export_state();
    let mut restored = Session::new(averaged()).unwrap();
    restored.import_state(&state).unwrap();
    assert_eq!(restored.ema_weights(), saved.ema_weights());
    let kept: Vec<u64> = restored.snapshots().map(|(k, _)| k).collect();
    assert_eq!(kept, vec![4, 8]);
    // An evaluation right after the restore: the same numbers as the saved run's.
    assert_eq!(
        format!("{:?}", restored.evaluate()),
        format!("{:?}", saved.evaluate())
    );
    for _ in 0..9 {
        restored.step();
    }
    assert_eq!(weights(&mut restored), weights(&mut unbroken));
    let ema_bits = |s: &Session| snapshot_bits(s.ema_weights().unwrap());
    assert_eq!(ema_bits(&restored), ema_bits(&unbroken));
    let snaps =
        |s: &Session| -> Vec<(u64, Vec<u32>)> { s.snapshots().map(|(k, w)| (k, snapshot_bits(w))).collect() };
    assert_eq!(snaps(&restored), snaps(&unbroken));
    assert_eq!(snaps(&restored).len(), 4);
    // (Early stopping's best differs: the restored run was evaluated at step 9 too.)
    let (r, u) = (restored.evaluate(), unbroken.evaluate());
    assert_eq!(
        (r.val_loss, r.val_accuracy, r.train_loss),
        (u.val_loss, u.val_accuracy, u.train_loss)
    );
    assert_eq!((r.ema, r.snapshot_ensemble), (u.ema, u.snapshot_ensemble));
}

#[test]
fn a_state_with_averages_is_refused_by_a_run_without_them_by_name() {
    let state = trained(&averaged(), 9).export_state();
    let no_ema = Config {
        model_ema_decay: 0.0,
        ..averaged()
    };
    let err = Session::new(no_ema).unwrap().import_state(&state).unwrap_err();
    assert!(err.0.contains("EMA") && err.0.contains("modelEmaDecay"), "{err}");
    let no_snapshots = Config {
        snapshot_ensemble: false,
        ..averaged()
    };
    let err = Session::new(no_snapshots)
        .unwrap()
        .import_state(&state)
        .unwrap_err();
    assert!(
        err.0.contains("snapshotEnsemble") && err.0.contains("2 snapshots"),
        "{err}"
    );
    let plain = Config {
        model_ema_decay: 0.0,
        snapshot_ensemble: false,
        ..averaged()
    };
    let state = trained(&plain, 9).export_state();
    let err = Session::new(averaged())
        .unwrap()
        .import_state(&state)
        .unwrap_err();
    assert!(
        err.0.contains("no EMA") && err.0.contains("modelEmaDecay 0.8"),
        "{err}"
    );
    // The refused session is unchanged.
    let mut s = Session::new(averaged()).unwrap();
    let before = weights(&mut s);
    assert!(s.import_state(&state).is_err());
    assert_eq!(weights(&mut s), before);
    assert_eq!(s.steps_taken(), 0);
}

#[test]
fn bad_averaging_settings_are_named() {
    let err =
        Config::from_json(r#"{"snapshotEnsemble": true, "schedule": {"type": "cosine", "totalSteps": 100}}"#)
            .and_then(|c| c.validate().map(|_| c))
            .unwrap_err();
    assert!(
        err.0.contains("snapshotEnsemble") && err.0.contains("cosine"),
        "{err}"
    );
    for decay in ["1", "-0.1", "1.5"] {
        let err = Config::from_json(&format!(r#"{{"modelEmaDecay": {decay}}}"#))
            .and_then(|c| c.validate().map(|_| c))
            .unwrap_err();
        assert!(err.0.contains("modelEmaDecay"), "{decay}: {err}");
    }
    // A snapshot-ensemble run cannot switch to a schedule without cycles, and keeps its own.
    let mut s = Session::new(averaged()).unwrap();
    let cosine = config(r#"{"schedule": {"type": "cosine", "totalSteps": 100}}"#).schedule;
    let err = s.set_schedule(cosine).unwrap_err();
    assert!(
        err.0.contains("snapshot ensemble") && err.0.contains("cosine"),
        "{err}"
    );
    assert_eq!(s.config.schedule, averaged().schedule);
    // The learning-rate finder's probe (constant schedule) still runs on such a run.
    let finder = trainlab::lab::lr_finder::LrFinderConfig {
        iterations: 10,
        ..Default::default()
    };
    assert_eq!(s.find_learning_rate(&finder).unwrap().points.len(), 10);
}
