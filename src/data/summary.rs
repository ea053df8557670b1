//! What the page shows before training on a loaded set: classes, counts per class and split,
//! the training split's normalization and a grid of a few images of each class.

use super::LoadedData;
use serde::{Serialize, Serializer};

/// Images of each class in the summary's sample grid.
pub const SAMPLES_PER_CLASS: usize = 8;

/// One sample image: RGBA bytes (a Uint8Array on the page) of `width`×`height`, class index `label`.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Sample {
    #[serde(serialize_with = "as_bytes")]
    pub rgba: Vec<u8>,
    pub width: usize,
    pub height: usize,
    pub label: usize,
}

fn as_bytes<S: Serializer>(bytes: &[u8], s: S) -> Result<S::Ok, S::Error> {
    s.serialize_bytes(bytes)
}

#[derive(Clone, Debug, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Summary {
    pub name: String,
    pub class_names: Vec<String>,
    /// [C, H, W].
    pub shape: [usize; 3],
    /// Images in each split.
    pub train: usize,
    pub val: usize,
    pub train_counts: Vec<usize>,
    pub val_counts: Vec<usize>,
    /// The training split's per-channel normalization (intensities in [0, 1]).
    pub mean: Vec<f32>,
    pub std: Vec<f32>,
    /// Up to `SAMPLES_PER_CLASS` training images of each class, class by class, each class's
    /// first ones in training order.
    pub samples: Vec<Sample>,
}

impl Summary {
    pub fn of(data: &LoadedData) -> Summary {
        let train = &data.train;
        let mut per_class: Vec<Vec<usize>> = vec![Vec::new(); train.classes];
        for (i, &l) in train.labels.iter().enumerate() {
            let list = &mut per_class[l as usize];
            if list.len() < SAMPLES_PER_CLASS {
                list.push(i);
            }
        }
        let samples = per_class
            .into_iter()
            .flatten()
            .map(|i| Sample {
                rgba: train.to_rgba8(i),
                width: train.w,
                height: train.h,
                label: train.labels[i] as usize,
            })
            .collect();
        Summary {
            name: data.name.clone(),
            class_names: train.class_names.clone(),
            shape: train.shape(),
            train: train.len(),
            val: data.val.len(),
            train_counts: train.counts(),
            val_counts: data.val.counts(),
            mean: train.normalization.mean.clone(),
            std: train.normalization.std.clone(),
            samples,
        }
    }
}
