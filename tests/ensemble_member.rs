//! Members of a model ensemble (Config.member): the same images as member 0 of their seed, their
//! own initial weights and batch order; member 0 is the run it always was; and the ensemble of a few
//! members trained natively does at least as well as its members on average (lecture: "train
//! multiple independent models; at test time average their results").

#![cfg(not(target_arch = "wasm32"))]

use trainlab::config::{Config, MAX_MEMBER};
use trainlab::ensemble::combine;
use trainlab::session::Session;

fn small(member: u32) -> Config {
    Config {
        seed: 7,
        train_size: 96,
        val_size: 40,
        batch_size: 16,
        member,
        ..Config::default()
    }
}

/// Every parameter buffer of the model, in model order.
fn parameters(s: &mut Session) -> Vec<Vec<f32>> {
    let mut out = Vec::new();
    s.model.visit_params(&mut |_, value, _| out.push(value.to_vec()));
    out
}

/// Every image of a set, flattened, with its labels.
fn images(set: &trainlab::data::Dataset) -> (Vec<f32>, Vec<u8>) {
    (
        (0..set.len()).flat_map(|i| set.image(i)).collect(),
        set.labels.clone(),
    )
}

/// Training-set indices of the first `steps` batches.
fn batches(s: &mut Session, steps: usize) -> Vec<Vec<usize>> {
    (0..steps)
        .map(|_| {
            s.step();
            s.batch_indices().to_vec()
        })
        .collect()
}

#[test]
fn a_member_sees_the_seeds_images_but_starts_and_walks_its_own_way() {
    let (mut a, mut b) = (Session::new(small(0)).unwrap(), Session::new(small(1)).unwrap());
    assert_eq!(images(&a.val), images(&b.val), "validation images and labels");
    assert_eq!(images(&a.train), images(&b.train), "training images and labels");
    let (pa, pb) = (parameters(&mut a), parameters(&mut b));
    assert_ne!(pa, pb, "initial weights");
    // Same shapes though: the members are copies of one architecture.
    let shapes = |p: &[Vec<f32>]| p.iter().map(Vec::len).collect::<Vec<_>>();
    assert_eq!(shapes(&pa), shapes(&pb));
    let (order_a, order_b) = (batches(&mut a, 6), batches(&mut b, 6));
    assert_ne!(order_a, order_b, "batch order");
    // Each still visits every training image once per epoch (96 images = 6 batches of 16).
    let sorted = |o: &[Vec<usize>]| {
        let mut all = o.concat();
        all.sort_unstable();
        all
    };
    assert_eq!(sorted(&order_a), (0..96).collect::<Vec<_>>());
    assert_eq!(sorted(&order_b), (0..96).collect::<Vec<_>>());
    // Two members other than 0 differ from each other too.
    let mut c = Session::new(small(2)).unwrap();
    assert_ne!(pb, parameters(&mut c));
}

#[test]
fn member_zero_is_the_run_without_a_member() {
    let json = r#"{ "seed": 7, "trainSize": 96, "valSize": 40, "batchSize": 16 }"#;
    let without = Config::from_json(json).unwrap();
    let with = Config::from_json(&json.replace('}', r#", "member": 0 }"#)).unwrap();
    assert_eq!(with.member, 0);
    let (mut a, mut b) = (Session::new(without).unwrap(), Session::new(with).unwrap());
    for _ in 0..8 {
        let (ra, rb) = (a.step(), b.step());
        assert_eq!(ra.loss.to_bits(), rb.loss.to_bits(), "loss at step {}", ra.step);
        assert_eq!(a.batch_indices(), b.batch_indices());
    }
    let bits = |s: &mut Session| {
        parameters(s)
            .into_iter()
            .flatten()
            .map(f32::to_bits)
            .collect::<Vec<_>>()
    };
    assert_eq!(bits(&mut a), bits(&mut b), "weights after 8 steps");
    assert_eq!(a.evaluate(), b.evaluate());
}

#[test]
fn a_member_past_the_limit_is_refused_by_name() {
    assert!(Session::new(small(MAX_MEMBER)).is_ok());
    let err = Session::new(small(MAX_MEMBER + 1)).err().expect("refused").0;
    assert!(err.contains("member"), "{err}");
    assert!(err.contains(&format!("between 0 and {MAX_MEMBER}")), "{err}");
    assert!(err.contains(&(MAX_MEMBER + 1).to_string()), "{err}");
}

#[test]
fn an_ensemble_of_three_members_does_at_least_as_well_as_they_do_on_average() {
    const MEMBERS: u32 = 3;
    const STEPS: usize = 300;
    let config = |member| Config {
        seed: 3,
        train_size: 1000,
        val_size: 500,
        member,
        ..Config::default()
    };
    let mut probabilities = Vec::new();
    let mut accuracies = Vec::new();
    let (mut labels, mut classes) = (Vec::new(), 0);
    for member in 0..MEMBERS {
        let mut s = Session::new(config(member)).unwrap();
        for _ in 0..STEPS {
            s.step();
        }
        let report = s.evaluate();
        let (step, probs) = s.val_probabilities().expect("an evaluation has finished");
        assert_eq!(
            step, STEPS as u64,
            "the probabilities are of the evaluation just finished"
        );
        assert_eq!(probs.len(), s.val.len() * s.val.classes);
        labels = s.val_labels().to_vec();
        classes = s.val.classes;
        assert_eq!(
            labels, s.val.labels,
            "every member is measured on the seed's images"
        );
        probabilities.push(probs.to_vec());
        accuracies.push(report.val_accuracy);
    }
    let members: Vec<&[f32]> = probabilities.iter().map(Vec::as_slice).collect();
    let r = combine(&members, &labels, classes).unwrap();
    let best = accuracies.iter().cloned().fold(0.0, f64::max);
    let mean = accuracies.iter().sum::<f64>() / accuracies.len() as f64;
    println!(
        "shapes, {MEMBERS} members × {STEPS} steps: members {accuracies:?} (best {best:.4}, mean {mean:.4}), \
         ensemble {:.4} (loss {:.4})",
        r.accuracy, r.loss
    );
    // The combined report's member accuracies are the members' own evaluations.
    for (got, want) in r.member_accuracies.iter().zip(&accuracies) {
        assert!(
            (got - want).abs() < 1e-9,
            "member accuracy {got} vs evaluation {want}"
        );
    }
    // Members trained differently: their predictions are not all the same.
    assert!(probabilities.windows(2).any(|w| w[0] != w[1]));
    assert!(
        r.accuracy >= mean,
        "ensemble {} below the members' mean {mean}",
        r.accuracy
    );
}
