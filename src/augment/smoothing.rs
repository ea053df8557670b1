//! Label smoothing: Szegedy et al., "Rethinking the Inception Architecture for Computer Vision",
//! CVPR 2016, §7. The lecture's definition, with K classes and ε ∈ (0, 1):
//!
//! ```text
//! target = 1 − (K−1)/K·ε  on the correct class,   ε/K  on each other class.
//! ```
//!
//! On soft targets t (one row per image, summing to 1, e.g. after Mixup/CutMix) the same rule is
//! t ← (1 − ε)·t + ε/K: a mix of t with the uniform distribution. For a one-hot t it gives
//! (1 − ε) + ε/K = 1 − (K−1)/K·ε on the class and ε/K elsewhere, the lecture's formula; rows keep
//! summing to 1, and smoothing a λ-blend of two labels equals the λ-blend of the two smoothed labels
//! (the map is affine), which is how Mixup/CutMix targets compose with it in `mix.rs`.
//!
//! The loss (`loss.rs`) is cross-entropy against these targets.

/// (on, off): the lecture's target on the correct class, 1 − (K−1)/K·ε, and on each other, ε/K.
pub fn smoothed_values(classes: usize, eps: f32) -> (f32, f32) {
    let k = classes as f32;
    (1.0 - (k - 1.0) / k * eps, eps / k)
}

/// Smooths soft targets (N, K) in place: t ← (1 − ε)·t + ε/K.
pub fn smooth(targets: &mut [f32], classes: usize, eps: f32) {
    debug_assert_eq!(targets.len() % classes.max(1), 0, "targets must be (N, K)");
    if eps == 0.0 {
        return;
    }
    let uniform = eps / classes as f32;
    targets.iter_mut().for_each(|t| *t = (1.0 - eps) * *t + uniform);
}

/// Writes smoothed one-hot targets (N, K) for `labels`: the lecture's formula directly (ε = 0 gives
/// plain one-hot rows).
pub fn one_hot_smoothed(labels: &[u8], classes: usize, eps: f32, targets: &mut [f32]) {
    debug_assert_eq!(targets.len(), labels.len() * classes, "targets must be (N, K)");
    let (on, off) = smoothed_values(classes, eps);
    for (row, &label) in targets.chunks_exact_mut(classes).zip(labels) {
        row.fill(off);
        row[label as usize] = on;
    }
}
