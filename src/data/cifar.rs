//! Reader of CIFAR-10's binary batches (`data_batch_N.bin`, `test_batch.bin`: records of one label
//! byte and 3072 bytes of 32×32 RGB, channel-planar) and of `batches.meta.txt` (class names, one a
//! line). A batch holds 10000 records, but any whole number of them is read, so a learner can
//! trim a batch to try it.

use super::error::{DataError, Place};
use super::idx::{check_file_size, check_labels};
use super::limits::Limits;

/// Channels, height and width of a CIFAR-10 image.
pub const CIFAR_SHAPE: (usize, usize, usize) = (3, 32, 32);
/// Bytes of one image: 3 planes of 32×32.
pub const CIFAR_IMAGE_LEN: usize = 3 * 32 * 32;
/// Bytes of one record: the label and the image.
pub const CIFAR_RECORD_LEN: usize = 1 + CIFAR_IMAGE_LEN;
/// CIFAR-10's classes in label order, used when no meta file is given.
pub const CIFAR10_CLASSES: [&str; 10] = [
    "airplane",
    "automobile",
    "bird",
    "cat",
    "deer",
    "dog",
    "frog",
    "horse",
    "ship",
    "truck",
];

/// Images of one or more batches: `pixels` holds `n` images of 3×32×32 bytes (C×H×W).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CifarImages {
    pub n: usize,
    pub labels: Vec<u8>,
    pub pixels: Vec<u8>,
    pub class_names: Vec<String>,
}

impl CifarImages {
    /// Image `i`'s 3072 bytes, channel-planar.
    pub fn image(&self, i: usize) -> &[u8] {
        &self.pixels[i * CIFAR_IMAGE_LEN..(i + 1) * CIFAR_IMAGE_LEN]
    }
}

/// Reads one batch file. Labels must lie below `classes`; the caller passes the number of names it
/// has (10 without a meta file), and `classes_from` says where that number came from, for the
/// message.
pub fn read_cifar_batch(
    name: &str,
    bytes: &[u8],
    classes: usize,
    classes_from: &str,
    limits: &Limits,
) -> Result<(Vec<u8>, Vec<u8>), DataError> {
    check_file_size(name, bytes.len(), limits)?;
    if bytes.is_empty() {
        let message = format!("file is empty; expected records of {CIFAR_RECORD_LEN} bytes");
        return Err(DataError::new(name, Place::Whole, message));
    }
    let n = bytes.len() / CIFAR_RECORD_LEN;
    let rest = bytes.len() % CIFAR_RECORD_LEN;
    if rest != 0 {
        let message = format!(
            "{} bytes is not a whole number of {CIFAR_RECORD_LEN}-byte records ({n} records and {rest} byte{} left over)",
            bytes.len(),
            if rest == 1 { "" } else { "s" }
        );
        return Err(DataError::new(name, Place::Whole, message));
    }
    if n > limits.max_images {
        let message = format!("{n} records, more than the limit of {} images", limits.max_images);
        return Err(DataError::new(name, Place::Whole, message));
    }
    let labels: Vec<u8> = bytes.iter().step_by(CIFAR_RECORD_LEN).copied().collect();
    check_labels(name, &labels, classes, 0, CIFAR_RECORD_LEN as u64).map_err(|mut e| {
        e.message = format!("{} {classes_from}", e.message);
        e
    })?;
    let mut pixels = Vec::with_capacity(n * CIFAR_IMAGE_LEN);
    for record in bytes.chunks_exact(CIFAR_RECORD_LEN) {
        pixels.extend_from_slice(&record[1..]);
    }
    Ok((labels, pixels))
}

/// Reads `batches.meta.txt`: one class name a line, surrounding white space and blank lines
/// ignored. At least one name, no name twice, at most 256 (a label is one byte).
pub fn read_cifar_meta(name: &str, bytes: &[u8]) -> Result<Vec<String>, DataError> {
    // Many times CIFAR-10's 100-byte meta file; a larger one is not a list of class names.
    const MAX_META_BYTES: usize = 64 * 1024;
    if bytes.len() > MAX_META_BYTES {
        let message = format!(
            "file is {} bytes, more than the {MAX_META_BYTES} a list of class names needs",
            bytes.len()
        );
        return Err(DataError::new(name, Place::Whole, message));
    }
    let text = std::str::from_utf8(bytes).map_err(|e| {
        let message = "is not UTF-8 text; expected class names, one a line";
        DataError::new(name, Place::Byte(e.valid_up_to() as u64), message)
    })?;
    let mut names: Vec<(usize, String)> = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let class = line.trim();
        if class.is_empty() {
            continue;
        }
        if let Some((first, _)) = names.iter().find(|(_, n)| n == class) {
            let message = format!("class name \"{class}\" repeats line {first}");
            return Err(DataError::new(name, Place::Line(i + 1), message));
        }
        if names.len() == 256 {
            let message = "more than 256 class names; a one-byte label can name at most 256";
            return Err(DataError::new(name, Place::Line(i + 1), message));
        }
        names.push((i + 1, class.to_string()));
    }
    if names.is_empty() {
        return Err(DataError::new(
            name,
            Place::Whole,
            "holds no class names; expected one a line",
        ));
    }
    Ok(names.into_iter().map(|(_, n)| n).collect())
}

/// Reads batches and an optional meta file into one set. Without a meta file the classes are
/// CIFAR-10's ten. The limits bound each file and the images of all batches together.
pub fn read_cifar(
    batches: &[(&str, &[u8])],
    meta: Option<(&str, &[u8])>,
    limits: &Limits,
) -> Result<CifarImages, DataError> {
    let (class_names, classes_from) = match meta {
        Some((meta_name, bytes)) => {
            let names = read_cifar_meta(meta_name, bytes)?;
            let from = format!("named in {meta_name}");
            (names, from)
        }
        None => (
            CIFAR10_CLASSES.iter().map(|s| s.to_string()).collect(),
            "of CIFAR-10".to_string(),
        ),
    };
    let mut set = CifarImages {
        n: 0,
        labels: Vec::new(),
        pixels: Vec::new(),
        class_names,
    };
    for &(name, bytes) in batches {
        // Each file is within the limit alone; together they may not be.
        let records = bytes.len() / CIFAR_RECORD_LEN;
        if set.n + records > limits.max_images {
            let message = format!(
                "its {records} records bring the set to {}, more than the limit of {} images",
                set.n + records,
                limits.max_images
            );
            return Err(DataError::new(name, Place::Whole, message));
        }
        let (labels, pixels) = read_cifar_batch(name, bytes, set.class_names.len(), &classes_from, limits)?;
        set.n += labels.len();
        set.labels.extend_from_slice(&labels);
        set.pixels.extend_from_slice(&pixels);
    }
    if set.n == 0 {
        return Err(DataError::new(
            "CIFAR-10",
            Place::Whole,
            "no batch files given; expected at least one .bin",
        ));
    }
    Ok(set)
}
