//! The ensemble's prediction is the mean of its members' probabilities (src/ensemble.rs).

// Expected values may come from std's math: an implementation independent of the core's
// (src/math.rs, the `libm` crate) that clippy.toml otherwise keeps out.
#![allow(clippy::disallowed_methods)]

use trainlab::ensemble::{combine, MAX_MEMBERS};

#[test]
fn averaging_fixes_what_each_member_gets_wrong_alone() {
    // Three images, two classes. Member a is wrong on image 1, member b on image 2; each is only
    // mildly wrong where the other is confidently right, so the mean is right on all three.
    let a = [0.9, 0.1, 0.6, 0.4, 0.1, 0.9];
    let b = [0.8, 0.2, 0.1, 0.9, 0.6, 0.4];
    let labels = [0, 1, 1];
    let r = combine(&[&a, &b], &labels, 2).unwrap();
    assert_eq!(r.members, 2);
    assert_eq!(r.member_accuracies, vec![2.0 / 3.0, 2.0 / 3.0]);
    assert_eq!(r.accuracy, 1.0);
    // −mean(log p̄): p̄(label) = 0.85, 0.65, 0.65.
    let want = -((0.85f64).ln() + (0.65f64).ln() + (0.65f64).ln()) / 3.0;
    assert!((r.loss - want).abs() < 1e-6, "{} vs {want}", r.loss);
}

#[test]
fn one_member_is_that_member() {
    let a = [0.2, 0.7, 0.1, 0.5, 0.3, 0.2];
    let r = combine(&[&a], &[1, 2], 3).unwrap();
    assert_eq!(r.accuracy, 0.5);
    assert_eq!(r.member_accuracies, vec![0.5]);
    let want = -((0.7f64).ln() + (0.2f64).ln()) / 2.0;
    assert!((r.loss - want).abs() < 1e-6);
}

#[test]
fn a_certain_mistake_has_a_finite_loss() {
    let r = combine(&[&[1.0, 0.0]], &[1], 2).unwrap();
    assert!(r.loss.is_finite() && r.loss > 20.0, "{}", r.loss);
}

#[test]
fn what_does_not_fit_is_named() {
    let a = [0.5f32; 4];
    let err = |members: &[&[f32]], labels: &[u8], k| combine(members, labels, k).unwrap_err();
    assert!(err(&[], &[0, 1], 2).contains("between 1 and 16 members, got 0"));
    let many = vec![&a[..]; MAX_MEMBERS + 1];
    assert!(err(&many, &[0, 1], 2).contains("got 17"));
    assert!(err(&[&a, &a[..3]], &[0, 1], 2).contains("member 1 has 3 probabilities"));
    assert!(err(&[&a], &[0, 2], 2).contains("label 2 of image 1 is not a class"));
    assert!(err(&[&a], &[], 2).contains("no labelled images"));
}
