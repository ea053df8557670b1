//! Saving a run's training state and restoring it into a fresh session: the restored run must go on
//! exactly as the run that never stopped, and a state of another config must be refused by name.

#![cfg(not(target_arch = "wasm32"))]

mod weight_bits;
use weight_bits::weights;

use trainlab::config::Config;
use trainlab::session::Session;

fn session(json: &str) -> Session {
    Session::new(Config::from_json(json).unwrap()).unwrap()
}

fn bits(losses: &[f64]) -> Vec<u64> {
    losses.iter().map(|l| l.to_bits()).collect()
}

fn steps(s: &mut Session, n: usize) -> Vec<f64> {
    (0..n).map(|_| s.step().loss).collect()
}

// 96 training images in batches of 16: an epoch is 6 steps, so saving at step 9 lands mid-epoch and
// the 9 steps after it cross the next reshuffle.
const SAVE_AT: usize = 9;
const AFTER: usize = 9;

/// Each optimizer, and every source of training noise (augmentation, Mixup/CutMix, dropout,
/// DropConnect, BatchNorm statistics, stochastic depth, fractional pooling).
const CONFIGS: [&str; 6] = [
    r#"{"trainSize": 96, "valSize": 16, "batchSize": 16, "seed": 4}"#,
    r#"{"trainSize": 96, "valSize": 16, "batchSize": 16, "seed": 5, "batchNorm": true, "dropRate": 0.3,
        "optimizer": {"type": "adam", "weightDecay": 0.01},
        "augment": {"hflip": 0.5, "cropScale": [1, 1.5], "mixupAlpha": 0.4, "cutmixAlpha": 1.0, "labelSmoothing": 0.1}}"#,
    r#"{"trainSize": 96, "valSize": 16, "batchSize": 16, "seed": 6, "preset": "mlp", "dropConnect": 0.2,
        "optimizer": {"type": "rmsprop", "momentum": 0.5}}"#,
    r#"{"trainSize": 96, "valSize": 16, "batchSize": 16, "seed": 7, "preset": "lenet",
        "optimizer": {"type": "adagrad"}, "augment": {"randaugmentN": 2, "randaugmentM": 9, "reprob": 0.5}}"#,
    r#"{"trainSize": 96, "valSize": 16, "batchSize": 16, "seed": 8, "preset": "resnet-mini", "dropPathRate": 0.2,
        "optimizer": {"type": "sgd", "momentum": 0.9, "nesterov": true}}"#,
    r#"{"trainSize": 96, "valSize": 16, "batchSize": 16, "seed": 9, "fractionalPooling": true,
        "optimizer": {"type": "adamw"}}"#,
];

#[test]
fn a_restored_run_continues_with_bit_identical_losses_and_weights() {
    for json in CONFIGS {
        let mut unbroken = session(json);
        let expected = steps(&mut unbroken, SAVE_AT + AFTER);

        let mut saved = session(json);
        steps(&mut saved, SAVE_AT);
        let state = saved.export_state();
        // Exporting changes nothing: the saved run goes on as the unbroken one.
        assert_eq!(
            bits(&steps(&mut saved, AFTER)),
            bits(&expected[SAVE_AT..]),
            "{json}: after export"
        );

        let mut restored = session(json);
        restored.import_state(&state).unwrap();
        assert_eq!(restored.steps_taken(), SAVE_AT as u64);
        assert_eq!(restored.epoch(), (SAVE_AT * 16 / 96) as u64);
        assert_eq!(
            bits(restored.losses()),
            bits(&expected[..SAVE_AT]),
            "{json}: loss history"
        );
        let got = steps(&mut restored, AFTER);
        assert_eq!(
            bits(&got),
            bits(&expected[SAVE_AT..]),
            "{json}: losses after restore"
        );
        assert_eq!(
            weights(&mut restored),
            weights(&mut unbroken),
            "{json}: weights at the end"
        );
        assert_eq!(restored.epoch(), unbroken.epoch());
        assert_eq!(restored.batch_indices(), unbroken.batch_indices());
    }
}

#[test]
fn a_session_that_trained_on_its_own_is_overwritten_entirely() {
    let json = CONFIGS[1];
    let mut unbroken = session(json);
    let expected = steps(&mut unbroken, SAVE_AT + AFTER);
    let mut saved = session(json);
    steps(&mut saved, SAVE_AT);
    let state = saved.export_state();
    let mut other = session(json);
    steps(&mut other, 4);
    other.evaluate();
    other.import_state(&state).unwrap();
    assert_eq!(bits(&steps(&mut other, AFTER)), bits(&expected[SAVE_AT..]));
}

#[test]
fn evaluation_of_a_restored_run_matches_the_saved_one() {
    let json = CONFIGS[1];
    let mut saved = session(json);
    steps(&mut saved, SAVE_AT);
    let mut restored = session(json);
    restored.import_state(&saved.export_state()).unwrap();
    let (a, b) = (saved.evaluate(), restored.evaluate());
    assert_eq!(a.step, b.step);
    assert_eq!(a.val_loss.to_bits(), b.val_loss.to_bits());
    assert_eq!(a.train_accuracy, b.train_accuracy);
}

fn import_error(from: &str, into: &str) -> String {
    let mut a = session(from);
    steps(&mut a, 2);
    let mut b = session(into);
    b.import_state(&a.export_state())
        .expect_err("a state of another config was accepted")
        .0
}

#[test]
fn a_state_of_another_config_is_refused_naming_the_difference() {
    let base = r#"{"trainSize": 64, "valSize": 16, "batchSize": 16, "seed": 3"#;
    let with = |extra: &str| format!("{base}{extra}}}");
    let cases = [
        // (saved config, restoring config, words the message must contain)
        (
            with(""),
            with(r#", "preset": "lenet""#),
            vec!["parameter", "tensors", "this network has"],
        ),
        (
            with(r#", "layers": [{"type": "flatten"}, {"type": "linear", "outFeatures": 10}]"#),
            with(
                r#", "layers": [{"type": "avgpool2d", "kernelSize": 2}, {"type": "flatten"}, {"type": "linear", "outFeatures": 10}]"#,
            ),
            vec!["parameter 0", "layers[2] linear weight", "30720", "7680"],
        ),
        (
            with(r#", "batchNorm": true"#),
            with(""),
            vec!["parameter", "tensors"],
        ),
        (
            with(""),
            with(r#", "optimizer": {"type": "adam"}"#),
            vec!["optimizer sgd", "adam"],
        ),
        (
            with(r#", "optimizer": {"type": "rmsprop", "momentum": 0.9}"#),
            with(r#", "optimizer": {"type": "rmsprop"}"#),
            vec![
                "'momentum buffer' buffer of parameter 0",
                "layers[0] conv2d weight",
                "expected 0",
            ],
        ),
        (
            with(""),
            format!("{base}, \"trainSize\": 80}}").replace(r#""trainSize": 64, "#, ""),
            vec!["64 training images", "80", "trainSize"],
        ),
        (
            with(""),
            with(r#", "seed": 4"#).replace(r#", "seed": 3"#, ""),
            vec!["seed 3", "seed 4"],
        ),
        (
            with(""),
            with(r#", "dataset": "noise""#),
            vec!["data set", "shapes", "noise"],
        ),
    ];
    for (from, into, words) in cases {
        let msg = import_error(&from, &into);
        for w in words {
            assert!(
                msg.contains(w),
                "{from} → {into}: message {msg:?} should contain {w:?}"
            );
        }
    }
}

#[test]
fn a_refused_state_leaves_the_session_as_it_was() {
    let json = CONFIGS[0];
    let mut unbroken = session(json);
    let expected = steps(&mut unbroken, 6);
    let mut s = session(json);
    steps(&mut s, 3);
    let mut foreign =
        session(r#"{"trainSize": 96, "valSize": 16, "batchSize": 16, "seed": 4, "preset": "mlp"}"#);
    steps(&mut foreign, 5);
    assert!(s.import_state(&foreign.export_state()).is_err());
    assert_eq!(s.steps_taken(), 3);
    assert_eq!(bits(&steps(&mut s, 3)), bits(&expected[3..]));
}

#[test]
fn damaged_bytes_are_refused_with_what_is_wrong() {
    let mut s = session(CONFIGS[0]);
    steps(&mut s, 2);
    let state = s.export_state();
    let err = |bytes: &[u8]| session(CONFIGS[0]).import_state(bytes).unwrap_err().0;
    assert!(err(b"hello world").contains("not a trainlab training state"));
    assert!(err(&state[..3]).contains("cut short"));
    // The last 8 bytes are the (empty) EMA mark and snapshot count; 5 more cut into the losses.
    let cut = err(&state[..state.len() - 13]);
    assert!(cut.contains("cut short") && cut.contains("losses"), "{cut}");
    let cut = err(&state[..state.len() - 2]);
    assert!(
        cut.contains("cut short") && cut.contains("snapshot count"),
        "{cut}"
    );
    let mut longer = state.clone();
    longer.push(0);
    assert!(err(&longer).contains("1 unexpected bytes"));
    let mut newer = state.clone();
    newer[4] = 99;
    assert!(err(&newer).contains("format version 99"));
    assert!(err(&[]).contains("cut short"));
}

#[test]
fn a_version_1_state_from_an_older_page_still_resumes_exactly() {
    // Version 1 is version 2 without the EMA mark and the snapshot count (its last 8 bytes for a
    // run without averaging): what a slide's frame kept before the averaging sections existed.
    let mut s = session(CONFIGS[0]);
    let expected = steps(&mut s, 6);
    let mut s = session(CONFIGS[0]);
    steps(&mut s, 3);
    let mut old = s.export_state();
    old.truncate(old.len() - 8);
    old[4] = 1;
    let mut resumed = session(CONFIGS[0]);
    resumed.import_state(&old).unwrap();
    assert_eq!(resumed.steps_taken(), 3);
    assert_eq!(bits(&steps(&mut resumed, 3)), bits(&expected[3..]));
}
