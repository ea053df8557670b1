//! What the network gets wrong: the validation set's confusion matrix (rows = true class, columns
//! = predicted class) and its most confidently wrong images. Both are filled from the predicted
//! distributions the evaluation computes anyway, one row at a time, so they cost no forward pass.

use serde::{Serialize, Serializer};

/// Most wrong images kept per evaluation. With their thumbnails (RGB, 32×32 at most for the
/// built-in sets: 3 kB each) the eval event stays under ~50 kB.
pub const MAX_WRONG: usize = 16;

/// One confidently wrong validation prediction; `rgb` is the image (row-major, 3 bytes a pixel),
/// filled in once the evaluation knows which images made the list.
#[derive(Clone, Debug, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct WrongPrediction {
    /// Index of the image in the validation set.
    pub index: usize,
    pub true_class: usize,
    pub predicted: usize,
    /// Probability of the predicted (wrong) class.
    pub probability: f64,
    pub width: usize,
    pub height: usize,
    /// Bytes rather than a list of numbers: a Uint8Array on the page, 16× smaller to post.
    #[serde(serialize_with = "as_bytes")]
    pub rgb: Vec<u8>,
}

fn as_bytes<S: Serializer>(bytes: &[u8], s: S) -> Result<S::Ok, S::Error> {
    s.serialize_bytes(bytes)
}

/// Counts and the running list of the most confidently wrong predictions.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Confusion {
    classes: usize,
    /// classes × classes, row-major: counts[true * classes + predicted].
    counts: Vec<usize>,
    wrong: Vec<WrongPrediction>,
}

impl Confusion {
    pub fn new(classes: usize) -> Self {
        Confusion {
            classes,
            counts: vec![0; classes * classes],
            wrong: Vec::new(),
        }
    }

    /// Adds the predicted distribution `probs` (one entry per class) of validation image `index`
    /// of class `label`; the prediction is `loss::argmax` (the first class on ties), as for the
    /// accuracy, so the matrix's trace is the correct count.
    pub fn add_row(&mut self, index: usize, probs: &[f32], label: usize) {
        assert_eq!(
            probs.len(),
            self.classes,
            "confusion: a distribution over {} classes for a {}-class matrix",
            probs.len(),
            self.classes
        );
        let predicted = crate::loss::argmax(probs);
        self.counts[label * self.classes + predicted] += 1;
        if predicted == label {
            return;
        }
        let probability = probs[predicted] as f64;
        // Highest probability first; on equal probability the lower index first, so the list does
        // not depend on the order the images come in.
        let pos = self.wrong.partition_point(|w| {
            w.probability > probability || (w.probability == probability && w.index < index)
        });
        if pos < MAX_WRONG {
            self.wrong.insert(
                pos,
                WrongPrediction {
                    index,
                    true_class: label,
                    predicted,
                    probability,
                    width: 0,
                    height: 0,
                    rgb: Vec::new(),
                },
            );
            self.wrong.truncate(MAX_WRONG);
        }
    }

    /// Rows of the matrix: matrix()[true][predicted].
    pub fn matrix(&self) -> Vec<Vec<usize>> {
        self.counts
            .chunks(self.classes.max(1))
            .map(<[usize]>::to_vec)
            .collect()
    }

    /// The most confidently wrong predictions, highest probability first (no pixels yet).
    pub fn wrong(&self) -> &[WrongPrediction] {
        &self.wrong
    }

    /// Takes the list, each entry given its image by `rgba(index)` (h×w×4 bytes, as
    /// `Dataset::to_rgba8`); the alpha bytes are dropped.
    pub fn take_wrong(
        &mut self,
        width: usize,
        height: usize,
        rgba: impl Fn(usize) -> Vec<u8>,
    ) -> Vec<WrongPrediction> {
        let mut wrong = std::mem::take(&mut self.wrong);
        for w in &mut wrong {
            w.width = width;
            w.height = height;
            w.rgb = rgba(w.index)
                .chunks_exact(4)
                .flat_map(|px| px[..3].iter().copied())
                .collect();
        }
        wrong
    }
}
