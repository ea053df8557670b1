//! What the network gets wrong: the validation set's confusion matrix (rows = true class, columns
//! = predicted class) and its most confidently wrong images. Both are filled from the predicted
//! distributions the evaluation computes anyway, one row at a time, so they cost no forward pass.
//! Each cell also keeps a few of its images (indices only) for the page's "click a cell".

use serde::{Serialize, Serializer};
use std::collections::BTreeMap;

/// Most wrong images kept per evaluation. With their thumbnails (RGB, 32×32 at most for the
/// built-in sets: 3 kB each) the eval event stays under ~50 kB.
pub const MAX_WRONG: usize = 16;

/// Images kept per cell of the matrix: a gallery's worth, and with no pixels (index and probability)
/// 256 classes cost at most one entry per validation image.
pub const MAX_PER_CELL: usize = 12;

/// One confidently wrong validation prediction, or one image of a clicked cell (on the diagonal a
/// right one); `rgb` is the image (row-major, 3 bytes a pixel), filled in once the evaluation knows
/// which images made the list.
#[derive(Clone, Debug, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct WrongPrediction {
    /// Index of the image in the validation set.
    pub index: usize,
    pub true_class: usize,
    pub predicted: usize,
    /// Probability of the predicted class (the wrong one, unless true_class == predicted).
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
    cells: CellLists,
}

/// One image of a cell's list: its validation index and the probability of the predicted class.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CellEntry {
    pub index: usize,
    pub probability: f64,
}

/// A few images of every cell of the matrix that has any: for a mistake (off the diagonal) the most
/// confident ones, highest probability first; for a right answer the least confident ones ("right,
/// but barely"), lowest probability first. Equal probabilities go by index, so the lists do not
/// depend on the order the images come in. Only cells that received an image hold a list (a
/// BTreeMap keyed by `true * classes + predicted`): K² empty vectors are never made.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CellLists {
    classes: usize,
    lists: BTreeMap<usize, Vec<CellEntry>>,
}

impl CellLists {
    pub fn new(classes: usize) -> Self {
        CellLists {
            classes,
            lists: BTreeMap::new(),
        }
    }

    pub fn classes(&self) -> usize {
        self.classes
    }

    /// Offers image `index`, predicted as `predicted` with `probability`, to the list of its cell.
    pub fn offer(&mut self, index: usize, true_class: usize, predicted: usize, probability: f64) {
        let right = true_class == predicted;
        let list = self
            .lists
            .entry(true_class * self.classes + predicted)
            .or_default();
        let before = |e: &CellEntry| {
            let first = if right {
                e.probability < probability
            } else {
                e.probability > probability
            };
            first || (e.probability == probability && e.index < index)
        };
        let pos = list.partition_point(before);
        if pos < MAX_PER_CELL {
            list.insert(pos, CellEntry { index, probability });
            list.truncate(MAX_PER_CELL);
        }
    }

    /// The list of cell (true_class, predicted); empty when it has no image (or is out of range).
    pub fn cell(&self, true_class: usize, predicted: usize) -> &[CellEntry] {
        if true_class >= self.classes || predicted >= self.classes {
            return &[];
        }
        self.lists
            .get(&(true_class * self.classes + predicted))
            .map_or(&[], Vec::as_slice)
    }

    /// The images of cell (true_class, predicted) in list order, each given its image by
    /// `rgba(index)` (h×w×4 bytes, as `Dataset::to_rgba8`; the alpha bytes are dropped).
    pub fn images(
        &self,
        true_class: usize,
        predicted: usize,
        width: usize,
        height: usize,
        rgba: impl Fn(usize) -> Vec<u8>,
    ) -> Vec<WrongPrediction> {
        self.cell(true_class, predicted)
            .iter()
            .map(|e| WrongPrediction {
                index: e.index,
                true_class,
                predicted,
                probability: e.probability,
                width,
                height,
                rgb: rgb_of(&rgba(e.index)),
            })
            .collect()
    }
}

impl Confusion {
    pub fn new(classes: usize) -> Self {
        Confusion {
            classes,
            counts: vec![0; classes * classes],
            wrong: Vec::new(),
            cells: CellLists::new(classes),
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
        let probability = probs[predicted] as f64;
        self.cells.offer(index, label, predicted, probability);
        if predicted == label {
            return;
        }
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

    /// The images kept per cell (see `CellLists`).
    pub fn cells(&self) -> &CellLists {
        &self.cells
    }

    /// Takes the per-cell lists, leaving empty ones.
    pub fn take_cells(&mut self) -> CellLists {
        std::mem::replace(&mut self.cells, CellLists::new(self.classes))
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
            w.rgb = rgb_of(&rgba(w.index));
        }
        wrong
    }
}

/// RGB bytes of an RGBA image (the alpha bytes dropped).
fn rgb_of(rgba: &[u8]) -> Vec<u8> {
    rgba.chunks_exact(4)
        .flat_map(|px| px[..3].iter().copied())
        .collect()
}
