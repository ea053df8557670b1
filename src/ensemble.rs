//! Model ensembles (lecture: "train multiple independent models; at test time average their
//! results — enjoy 2% extra performance"): the ensemble's prediction for an image is the mean of its
//! members' predicted probabilities. Used for model ensembles trained in parallel workers (the page
//! gathers each member's validation probabilities) and for snapshot ensembles (one run's models at
//! the end of each cycle).

use crate::loss::argmax;
use crate::math;
use serde::Serialize;

/// How an ensemble and each of its members do on one labelled set.
#[derive(Clone, Debug, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct EnsembleReport {
    pub members: usize,
    /// Accuracy of the averaged probabilities (ties go to the lower class, like `loss::correct`).
    pub accuracy: f64,
    /// Mean cross-entropy −log p̄(label) of the averaged probabilities.
    pub loss: f64,
    /// Each member's own accuracy, in the order given.
    pub member_accuracies: Vec<f64>,
}

/// Most members an ensemble may have (the page trains at most a handful of runs at once; a snapshot
/// ensemble keeps one model per cycle).
pub const MAX_MEMBERS: usize = 16;

/// Smallest probability the loss takes the logarithm of, so a confidently wrong ensemble has a large
/// finite loss rather than an infinite one.
const MIN_PROBABILITY: f64 = 1e-12;

/// The ensemble of `members`, each a row-major (N, K) table of probabilities (rows sum to 1) over
/// the same N images, against their `labels`. The error names what does not fit.
pub fn combine(members: &[&[f32]], labels: &[u8], classes: usize) -> Result<EnsembleReport, String> {
    if members.is_empty() || members.len() > MAX_MEMBERS {
        return Err(format!(
            "ensemble: must have between 1 and {MAX_MEMBERS} members, got {}",
            members.len()
        ));
    }
    if classes == 0 {
        return Err("ensemble: classes must be at least 1, got 0".into());
    }
    let n = labels.len();
    if n == 0 {
        return Err("ensemble: no labelled images to evaluate on".into());
    }
    if let Some((i, m)) = members.iter().enumerate().find(|(_, m)| m.len() != n * classes) {
        return Err(format!(
            "ensemble: member {i} has {} probabilities, but {n} images × {classes} classes need {}",
            m.len(),
            n * classes
        ));
    }
    if let Some((i, &l)) = labels.iter().enumerate().find(|(_, &l)| l as usize >= classes) {
        return Err(format!(
            "ensemble: label {l} of image {i} is not a class (there are {classes})"
        ));
    }
    let mut mean = vec![0.0f64; classes];
    let mut member_correct = vec![0usize; members.len()];
    let (mut correct, mut loss_sum) = (0usize, 0.0f64);
    for (i, &label) in labels.iter().enumerate() {
        mean.iter_mut().for_each(|v| *v = 0.0);
        for (m, probs) in members.iter().enumerate() {
            let row = &probs[i * classes..(i + 1) * classes];
            if argmax(row) == label as usize {
                member_correct[m] += 1;
            }
            for (acc, &p) in mean.iter_mut().zip(row) {
                *acc += p as f64;
            }
        }
        let scale = 1.0 / members.len() as f64;
        if argmax(&mean) == label as usize {
            correct += 1;
        }
        loss_sum -= math::ln((mean[label as usize] * scale).max(MIN_PROBABILITY));
    }
    Ok(EnsembleReport {
        members: members.len(),
        accuracy: correct as f64 / n as f64,
        loss: loss_sum / n as f64,
        member_accuracies: member_correct.iter().map(|&c| c as f64 / n as f64).collect(),
    })
}
