//! The small target set: `n` images of each class drawn from a loaded set's training split, seeded,
//! so that the three ways of a comparison (and a rerun) train on exactly the same images.

use super::TransferError;
use crate::data::{Dataset, LoadedData};
use crate::Rng;

/// Most images per class a target set may take (beyond it, it is no longer "little data").
pub const MAX_PER_CLASS: usize = 1000;

/// `data` with its training split cut to `per_class` images of each class (a seeded draw without
/// replacement, kept in the split's order), the validation split whole. The pixels are copied (a few
/// hundred images); the normalization stays the full training split's. A class with fewer images
/// than asked, or `per_class` outside 1..=MAX_PER_CLASS, is an error naming it.
pub fn per_class(data: &LoadedData, per_class: usize, seed: u64) -> Result<LoadedData, TransferError> {
    if per_class == 0 || per_class > MAX_PER_CLASS {
        return Err(TransferError(format!(
            "images per class must be 1 to {MAX_PER_CLASS}, got {per_class}"
        )));
    }
    let train = &data.train;
    let bytes = train.bytes().ok_or_else(|| {
        TransferError(format!(
            "data set \"{}\" is generated, not loaded: it has no images to pick from",
            data.name
        ))
    })?;
    let mut rng = Rng::new(seed);
    let mut chosen = Vec::with_capacity(per_class * train.classes);
    for class in 0..train.classes {
        let mut of_class: Vec<usize> = (0..train.len())
            .filter(|&i| train.labels[i] as usize == class)
            .collect();
        if of_class.len() < per_class {
            return Err(TransferError(format!(
                "class \"{}\" of \"{}\" has {} training images, fewer than the {per_class} per class asked for",
                train.class_names[class],
                data.name,
                of_class.len()
            )));
        }
        // A partial Fisher–Yates shuffle: the first per_class entries are a uniform draw.
        for i in 0..per_class {
            let j = i + rng.below(of_class.len() - i);
            of_class.swap(i, j);
        }
        chosen.extend_from_slice(&of_class[..per_class]);
    }
    chosen.sort_unstable();
    let len = train.image_len();
    let mut pixels = Vec::with_capacity(chosen.len() * len);
    for &i in &chosen {
        pixels.extend_from_slice(&bytes[i * len..(i + 1) * len]);
    }
    let labels = chosen.iter().map(|&i| train.labels[i]).collect();
    Ok(LoadedData {
        name: data.name.clone(),
        train: Dataset::from_bytes(
            pixels,
            labels,
            train.shape(),
            train.class_names.clone(),
            train.normalization.clone(),
        ),
        val: data.val.clone(),
    })
}
