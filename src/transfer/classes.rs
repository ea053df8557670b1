//! A class subset of a loaded set: the classic transfer split (pretrain on some classes of a set,
//! transfer to the others, images and classes the network never saw).

use super::TransferError;
use crate::data::{Dataset, LoadedData};

/// `data` with only the images of `classes` in both splits (kept in split order), labels renumbered
/// by position in `classes` (`classes[k]` becomes class k), their names kept. The normalization stays
/// the whole training split's, so that both halves of a split are scaled alike. An empty list, a
/// single class, a repeated one or one the set does not have is an error naming it.
pub fn keep_classes(data: &LoadedData, classes: &[usize]) -> Result<LoadedData, TransferError> {
    let names = &data.train.class_names;
    let all = || {
        names
            .iter()
            .enumerate()
            .map(|(i, n)| format!("{i} {n}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    if classes.len() < 2 {
        return Err(TransferError(format!(
            "class subset of \"{}\": keep at least two classes, got {} (its classes: {})",
            data.name,
            if classes.is_empty() {
                "none".to_string()
            } else {
                format!("only {}", classes[0])
            },
            all()
        )));
    }
    let mut new_label = vec![None; names.len()];
    for (k, &c) in classes.iter().enumerate() {
        if c >= names.len() {
            return Err(TransferError(format!(
                "class subset of \"{}\": there is no class {c} (its classes: {})",
                data.name,
                all()
            )));
        }
        if new_label[c].is_some() {
            return Err(TransferError(format!(
                "class subset of \"{}\": class {c} ({}) is listed twice",
                data.name, names[c]
            )));
        }
        new_label[c] = Some(k as u8);
    }
    let kept_names: Vec<String> = classes.iter().map(|&c| names[c].clone()).collect();
    let part = |set: &Dataset, split: &str| -> Result<Dataset, TransferError> {
        let bytes = set.bytes().ok_or_else(|| {
            TransferError(format!(
                "class subset: data set \"{}\" is generated, not loaded",
                data.name
            ))
        })?;
        let len = set.image_len();
        let mut pixels = Vec::new();
        let mut labels = Vec::new();
        for (i, &l) in set.labels.iter().enumerate() {
            if let Some(k) = new_label[l as usize] {
                pixels.extend_from_slice(&bytes[i * len..(i + 1) * len]);
                labels.push(k);
            }
        }
        if let Some(k) = (0..classes.len()).find(|&k| !labels.contains(&(k as u8))) {
            return Err(TransferError(format!(
                "class subset of \"{}\": class {} ({}) has no {split} image",
                data.name, classes[k], kept_names[k]
            )));
        }
        Ok(Dataset::from_bytes(
            pixels,
            labels,
            set.shape(),
            kept_names.clone(),
            data.train.normalization.clone(),
        ))
    };
    Ok(LoadedData {
        name: data.name.clone(),
        train: part(&data.train, "training")?,
        val: part(&data.val, "validation")?,
    })
}
