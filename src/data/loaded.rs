//! A data set given to the core rather than generated: MNIST-format IDX files, CIFAR-10 binary
//! batches, or images the page decoded itself. Every check (counts, labels below the class count,
//! at least two classes, every class with a training image, sizes within [`Limits`]) gives a
//! [`DataError`] naming the file or image and what was expected; the checks on sizes come before
//! anything is allocated.

use super::checks::{check_class_names, check_pixels, check_set_name};
use super::cifar::{read_cifar, CIFAR_SHAPE};
use super::error::{DataError, Place};
use super::idx::{check_idx_pair, check_labels, read_idx_images_cow, read_idx_labels};
use super::limits::Limits;
use super::split::stratified_split;
use super::{Dataset, Normalization};
use std::borrow::Cow;

/// A file as the page gives it: its name (for messages) and its bytes.
pub type NamedBytes<'a> = (&'a str, &'a [u8]);
/// An IDX image file and its label file.
pub type IdxPair<'a> = (NamedBytes<'a>, NamedBytes<'a>);
/// An IDX image file whose bytes may be owned (they then become the set's pixels without a copy)
/// and its label file.
pub type IdxFiles<'a> = ((&'a str, Cow<'a, [u8]>), NamedBytes<'a>);

/// Reads and pairs an image file and a label file, labels in [0, classes).
fn read_idx_files(
    files: IdxFiles,
    classes: usize,
    limits: &Limits,
) -> Result<(super::idx::IdxImages, Vec<u8>), DataError> {
    let ((images_name, images), (labels_name, labels)) = files;
    let images = read_idx_images_cow(images_name, images, limits)?;
    let labels = read_idx_labels(labels_name, labels, limits)?;
    check_idx_pair(images_name, &images, labels_name, &labels, classes)?;
    Ok((images, labels))
}

/// How a set without a validation part is split: this fraction of each class (rounded) goes to
/// validation, chosen by the seed.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Split {
    pub val_fraction: f64,
    pub seed: u64,
}

impl Default for Split {
    /// A tenth to validation, seed 0 (what `from_cifar` uses when the page gives no split).
    fn default() -> Self {
        Split {
            val_fraction: 0.1,
            seed: 0,
        }
    }
}

/// A loaded data set: its name (what `Config.dataset` must say) and its two splits, which share the
/// training split's normalization.
#[derive(Clone, Debug)]
pub struct LoadedData {
    pub name: String,
    pub train: Dataset,
    pub val: Dataset,
}

/// Bytes and labels of one split as read. Borrowed pixels (the page's images, which are always
/// split) are gathered into the two splits without a whole copy first.
struct Part<'a> {
    pixels: Cow<'a, [u8]>,
    labels: Vec<u8>,
    /// Named by the "class without a training image" message.
    labels_file: String,
}

impl LoadedData {
    /// From MNIST-format IDX files: a training pair and an optional validation pair (each
    /// `(file name, bytes)`), labels in [0, class_names.len()). Without a validation pair the
    /// training pair is split by `split`.
    pub fn from_idx<'a>(
        name: &str,
        train: IdxPair<'a>,
        val: Option<IdxPair<'a>>,
        class_names: Vec<String>,
        split: Split,
        limits: &Limits,
    ) -> Result<LoadedData, DataError> {
        let cow = |((images_name, images), labels): IdxPair<'a>| -> IdxFiles<'a> {
            ((images_name, Cow::Borrowed(images)), labels)
        };
        Self::from_idx_files(name, cow(train), val.map(cow), class_names, split, limits)
    }

    /// `from_idx` of image files whose bytes may be owned (the wasm API's copies), which then
    /// become the pixels in place.
    pub fn from_idx_files(
        name: &str,
        train: IdxFiles,
        val: Option<IdxFiles>,
        class_names: Vec<String>,
        split: Split,
        limits: &Limits,
    ) -> Result<LoadedData, DataError> {
        check_set_name(name)?;
        check_class_names(name, &class_names)?;
        let classes = class_names.len();
        let (train_images_name, train_labels_name) = (train.0 .0, train.1 .0);
        let (train_images, train_labels) = read_idx_files(train, classes, limits)?;
        let shape = [1, train_images.h, train_images.w];
        let train_part = Part {
            pixels: Cow::Owned(train_images.pixels),
            labels: train_labels,
            labels_file: train_labels_name.to_string(),
        };
        let val_part = match val {
            None => None,
            Some(files) => {
                let (images_name, labels_name) = (files.0 .0, files.1 .0);
                let (val_images, val_labels) = read_idx_files(files, classes, limits)?;
                if [val_images.h, val_images.w] != [shape[1], shape[2]] {
                    let message = format!(
                        "images are {}×{}, the training images ({train_images_name}) {}×{}",
                        val_images.h, val_images.w, shape[1], shape[2]
                    );
                    let place = Place::Bytes { start: 8, end: 15 };
                    return Err(DataError::new(images_name, place, message));
                }
                Some(Part {
                    pixels: Cow::Owned(val_images.pixels),
                    labels: val_labels,
                    labels_file: labels_name.to_string(),
                })
            }
        };
        assemble(name, class_names, shape, train_part, val_part, split)
    }

    /// From CIFAR-10 binary batches (`(file name, bytes)`): `test_batch*.bin` is the validation
    /// part, every other `.bin` file training data. Class names come from `meta`
    /// (`batches.meta.txt`) or are CIFAR-10's. Without a test batch the training batches are
    /// split by `split`.
    pub fn from_cifar(
        name: &str,
        files: &[(&str, &[u8])],
        meta: Option<(&str, &[u8])>,
        split: Split,
        limits: &Limits,
    ) -> Result<LoadedData, DataError> {
        check_set_name(name)?;
        let mut train_files = Vec::new();
        let mut val_files = Vec::new();
        for &(file, bytes) in files {
            let base = file.rsplit(['/', '\\']).next().unwrap_or(file);
            if !base.ends_with(".bin") {
                let message = "is not a CIFAR-10 batch; expected data_batch_N.bin or test_batch.bin";
                return Err(DataError::new(file, Place::Whole, message));
            }
            if base.starts_with("test_batch") {
                val_files.push((file, bytes));
            } else {
                train_files.push((file, bytes));
            }
        }
        if train_files.is_empty() {
            let message = "no training batch among the files; expected at least one data_batch_N.bin";
            return Err(DataError::new(name, Place::Whole, message));
        }
        let joined = |list: &[(&str, &[u8])]| list.iter().map(|f| f.0).collect::<Vec<_>>().join(", ");
        let train = read_cifar(&train_files, meta, limits)?;
        let class_names = train.class_names.clone();
        check_class_names(name, &class_names)?;
        let train_part = Part {
            pixels: Cow::Owned(train.pixels),
            labels: train.labels,
            labels_file: joined(&train_files),
        };
        let val_part = if val_files.is_empty() {
            None
        } else {
            let val = read_cifar(&val_files, meta, limits)?;
            Some(Part {
                pixels: Cow::Owned(val.pixels),
                labels: val.labels,
                labels_file: joined(&val_files),
            })
        };
        let (c, h, w) = CIFAR_SHAPE;
        assemble(name, class_names, [c, h, w], train_part, val_part, split)
    }

    /// From images the page decoded: `pixels` holds `labels.len()` images of `shape` = (C, H, W)
    /// bytes each, channel-planar (all of R, then G, then B); C is 1 or 3. Split by `split`.
    pub fn from_pixels(
        name: &str,
        pixels: &[u8],
        labels: &[u8],
        shape: [usize; 3],
        class_names: Vec<String>,
        split: Split,
        limits: &Limits,
    ) -> Result<LoadedData, DataError> {
        check_set_name(name)?;
        check_class_names(name, &class_names)?;
        let pixels_file = format!("{name} pixels");
        let labels_file = format!("{name} labels");
        check_pixels(&pixels_file, pixels, &labels_file, labels, shape, limits)?;
        check_labels(&labels_file, labels, class_names.len(), 0, 1)?;
        let part = Part {
            pixels: Cow::Borrowed(pixels),
            labels: labels.to_vec(),
            labels_file,
        };
        assemble(name, class_names, shape, part, None, split)
    }

    /// The set's name, shape, counts, normalization and a few images of each class.
    pub fn summary(&self) -> super::Summary {
        super::Summary::of(self)
    }
}

/// The images of `indices`, in that order.
fn gather(pixels: &[u8], labels: &[u8], indices: &[usize], image_len: usize) -> (Vec<u8>, Vec<u8>) {
    let mut out = Vec::with_capacity(indices.len() * image_len);
    for &i in indices {
        out.extend_from_slice(&pixels[i * image_len..(i + 1) * image_len]);
    }
    (out, indices.iter().map(|&i| labels[i]).collect())
}

/// Splits if needed, checks that every class has a training image and computes the training
/// split's normalization.
fn assemble(
    name: &str,
    class_names: Vec<String>,
    shape: [usize; 3],
    train: Part,
    val: Option<Part>,
    split: Split,
) -> Result<LoadedData, DataError> {
    let [c, h, w] = shape;
    let image_len = c * h * w;
    let classes = class_names.len();
    let (train, val) = match val {
        Some(val) => (train, val),
        None => {
            let f = split.val_fraction;
            if !(f.is_finite() && f > 0.0 && f < 1.0) {
                let message = format!("validation fraction must be between 0 and 1 (both excluded), got {f}");
                return Err(DataError::new(name, Place::Whole, message));
            }
            let (train_idx, val_idx) = stratified_split(&train.labels, classes, f, split.seed);
            if val_idx.is_empty() {
                let message = format!(
                    "a validation fraction of {f} of {} images leaves no validation image; choose a larger fraction or give more images",
                    train.labels.len()
                );
                return Err(DataError::new(name, Place::Whole, message));
            }
            let (val_pixels, val_labels) = gather(&train.pixels, &train.labels, &val_idx, image_len);
            let (train_pixels, train_labels) = gather(&train.pixels, &train.labels, &train_idx, image_len);
            let val = Part {
                pixels: Cow::Owned(val_pixels),
                labels: val_labels,
                labels_file: format!("{} (validation part)", train.labels_file),
            };
            let train = Part {
                pixels: Cow::Owned(train_pixels),
                labels: train_labels,
                ..train
            };
            (train, val)
        }
    };
    let mut counts = vec![0usize; classes];
    for &l in &train.labels {
        counts[l as usize] += 1;
    }
    if let Some(empty) = counts.iter().position(|&k| k == 0) {
        let message = format!(
            "class {empty} (\"{}\") has no training image; every class needs at least one",
            class_names[empty]
        );
        return Err(DataError::new(&train.labels_file, Place::Whole, message));
    }
    let normalization = Normalization::from_bytes(&train.pixels, c, h * w);
    debug_assert!(val.labels.iter().all(|&l| (l as usize) < classes));
    Ok(LoadedData {
        name: name.to_string(),
        train: Dataset::from_bytes(
            train.pixels.into_owned(),
            train.labels,
            shape,
            class_names.clone(),
            normalization.clone(),
        ),
        val: Dataset::from_bytes(
            val.pixels.into_owned(),
            val.labels,
            shape,
            class_names,
            normalization,
        ),
    })
}
