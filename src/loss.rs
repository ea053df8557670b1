//! Softmax cross-entropy on soft targets.
//!
//! Targets are full distributions (N, K), not class indices, so one-hot labels, label smoothing and
//! Mixup/CutMix blends all meet here through the same code:
//!   loss = (1/N) Σₙ −Σₖ tₙₖ · log softmax(zₙ)ₖ,   dz = (softmax(z) − t) / N   (when Σₖ tₙₖ = 1).

use crate::kernels::Real;
use crate::math;
use crate::Tensor;

/// Mean loss over the batch; writes dlogits (same shape as logits). Uses the log-sum-exp shift by
/// the row maximum so large logits do not overflow.
pub fn softmax_cross_entropy<T: Real>(logits: &Tensor<T>, targets: &[T], dlogits: &mut Tensor<T>) -> T {
    let (n, k) = (logits.batch(), logits.sample_len());
    debug_assert_eq!(targets.len(), n * k, "targets must be (N, K)");
    dlogits.resize(logits.shape);
    if n == 0 {
        return T::zero();
    }
    let inv_n = T::one() / T::of(n as f64);
    let mut total = T::zero();
    for ((z, t), dz) in logits
        .data
        .chunks_exact(k)
        .zip(targets.chunks_exact(k))
        .zip(dlogits.data.chunks_exact_mut(k))
    {
        let max = z.iter().copied().fold(T::neg_infinity(), T::max);
        let sum_exp: T = z.iter().map(|&v| math::exp(v - max)).sum();
        let log_z = max + math::ln(sum_exp);
        let target_mass: T = t.iter().copied().sum();
        for ((&zi, &ti), d) in z.iter().zip(t).zip(dz.iter_mut()) {
            let log_p = zi - log_z;
            total = total - ti * log_p;
            // d/dzᵢ of −Σₖ tₖ log pₖ = pᵢ·Σₖ tₖ − tᵢ
            *d = (math::exp(log_p) * target_mass - ti) * inv_n;
        }
    }
    total * inv_n
}

/// probs (N, K) += weight · Σ over each group of `group` consecutive rows of softmax(logits)
/// (N·group rows): averaging the distributions of several views of each image.
pub fn accumulate_softmax_groups<T: Real>(logits: &Tensor<T>, group: usize, weight: T, probs: &mut [T]) {
    let k = logits.sample_len();
    for (rows, p) in logits.data.chunks_exact(k * group).zip(probs.chunks_exact_mut(k)) {
        for z in rows.chunks_exact(k) {
            let max = z.iter().copied().fold(T::neg_infinity(), T::max);
            let sum_exp: T = z.iter().map(|&v| math::exp(v - max)).sum();
            for (&zi, pi) in z.iter().zip(p.iter_mut()) {
                *pi = *pi + weight * math::exp(zi - max) / sum_exp;
            }
        }
    }
}

/// Fills `targets` (N, K) with one-hot rows for `labels`.
pub fn one_hot<T: Real>(labels: &[u8], classes: usize, targets: &mut [T]) {
    targets.iter_mut().for_each(|v| *v = T::zero());
    for (row, &l) in targets.chunks_exact_mut(classes).zip(labels) {
        row[l as usize] = T::one();
    }
}

/// Number of rows whose largest logit is at the label (first maximum on ties).
pub fn correct<T: Real>(logits: &Tensor<T>, labels: &[u8]) -> usize {
    let k = logits.sample_len();
    logits
        .data
        .chunks_exact(k)
        .zip(labels)
        .filter(|(z, &l)| argmax(z) == l as usize)
        .count()
}

pub fn argmax<T: Real>(z: &[T]) -> usize {
    let mut best = 0;
    for (i, &v) in z.iter().enumerate() {
        if v > z[best] {
            best = i;
        }
    }
    best
}
