//! Calibration of predicted probabilities: does a network that says "90% sure" get 90% right?
//! Label smoothing's effect is here rather than in the accuracy: it lowers the confidence. The
//! figures are the mean top-1 probability, the expected calibration error over equal-width
//! confidence bins (Guo et al. 2017) and the per-bin numbers of a reliability diagram.

use serde::Serialize;

/// Equal-width bins of top-1 confidence over [0, 1].
pub const BINS: usize = 10;

/// One bar of the reliability diagram: the predictions whose top-1 confidence lies in [lo, hi)
/// (the last bin includes 1). `confidence` and `accuracy` are 0 when the bin is empty.
#[derive(Clone, Debug, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct ReliabilityBin {
    pub lo: f64,
    pub hi: f64,
    pub count: usize,
    /// Mean top-1 probability of the bin's predictions.
    pub confidence: f64,
    /// Fraction of the bin's predictions that are correct.
    pub accuracy: f64,
}

/// Running sums of confidence and correctness per bin; add predictions one at a time.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Calibration {
    count: [usize; BINS],
    confidence: [f64; BINS],
    correct: [usize; BINS],
}

impl Calibration {
    /// Adds one predicted distribution `probs` (sums to 1) for an image of class `label`; the
    /// prediction is the most probable class (the first one on ties, like `loss::argmax`).
    pub fn add_row(&mut self, probs: &[f32], label: usize) {
        let top = crate::loss::argmax(probs);
        self.add(probs[top] as f64, top == label);
    }

    /// Adds one prediction with top-1 probability `confidence` ∈ [0, 1].
    pub fn add(&mut self, confidence: f64, correct: bool) {
        let bin = ((confidence * BINS as f64) as usize).min(BINS - 1);
        self.count[bin] += 1;
        self.confidence[bin] += confidence;
        self.correct[bin] += correct as usize;
    }

    pub fn len(&self) -> usize {
        self.count.iter().sum()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Mean top-1 probability over every prediction (0 when there is none).
    pub fn mean_confidence(&self) -> f64 {
        let n = self.len();
        if n == 0 {
            return 0.0;
        }
        self.confidence.iter().sum::<f64>() / n as f64
    }

    /// Σ_b (n_b / N)·|accuracy_b − confidence_b|: 0 for a perfectly calibrated network.
    pub fn ece(&self) -> f64 {
        let n = self.len();
        if n == 0 {
            return 0.0;
        }
        (0..BINS)
            .map(|b| (self.correct[b] as f64 - self.confidence[b]).abs())
            .sum::<f64>()
            / n as f64
    }

    /// The reliability diagram's bars, lowest confidence first.
    pub fn bins(&self) -> Vec<ReliabilityBin> {
        (0..BINS)
            .map(|b| {
                let count = self.count[b];
                let mean = |sum: f64| if count == 0 { 0.0 } else { sum / count as f64 };
                ReliabilityBin {
                    lo: b as f64 / BINS as f64,
                    hi: (b + 1) as f64 / BINS as f64,
                    count,
                    confidence: mean(self.confidence[b]),
                    accuracy: mean(self.correct[b] as f64),
                }
            })
            .collect()
    }
}
