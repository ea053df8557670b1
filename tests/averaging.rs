//! After training (lecture: Polyak averaging, snapshot ensembles): the raw model's validation
//! probabilities kept from the last evaluation, the EMA copy of the weights, the snapshots taken at
//! the end of each cycle, and their evaluation beside the raw model.

#![cfg(not(target_arch = "wasm32"))]

use trainlab::config::Config;
use trainlab::loss::argmax;
use trainlab::session::Session;

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
