//! Reader of MNIST-format IDX files: unsigned-byte images (magic 0x00000803, dimensions N×H×W) and
//! labels (magic 0x00000801, dimension N), dimensions as big-endian u32. The page decompresses
//! `.gz` files itself, so this reader sees raw bytes. Every claim of the header is checked against
//! the limits and the file's real length before anything is allocated.

use super::error::{DataError, Place};
use super::limits::Limits;
use std::borrow::Cow;

/// Magic of an IDX file of unsigned-byte images.
pub const IDX_IMAGES_MAGIC: u32 = 0x0000_0803;
/// Magic of an IDX file of unsigned-byte labels.
pub const IDX_LABELS_MAGIC: u32 = 0x0000_0801;

/// Images read from an IDX file: `pixels` holds `n` images of `h`×`w` bytes, row-major.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IdxImages {
    pub n: usize,
    pub h: usize,
    pub w: usize,
    pub pixels: Vec<u8>,
}

impl IdxImages {
    /// Image `i`'s `h*w` bytes.
    pub fn image(&self, i: usize) -> &[u8] {
        let len = self.h * self.w;
        &self.pixels[i * len..(i + 1) * len]
    }
}

/// Reads an image file (magic 0x00000803). `name` is used in every error message.
pub fn read_idx_images(name: &str, bytes: &[u8], limits: &Limits) -> Result<IdxImages, DataError> {
    read_idx_images_cow(name, Cow::Borrowed(bytes), limits)
}

/// `read_idx_images` of bytes that may be owned: then the pixels are those bytes, moved down over
/// the header in place, rather than a copy (a 47 MB MNIST file is in memory once, not twice).
pub fn read_idx_images_cow(name: &str, bytes: Cow<[u8]>, limits: &Limits) -> Result<IdxImages, DataError> {
    let dims = read_header(name, &bytes, limits, IDX_IMAGES_MAGIC)?;
    let (n, h, w) = (dims[0], dims[1], dims[2]);
    check_count(name, n, "images", limits)?;
    for (i, (side, what)) in [(h, "height"), (w, "width")].into_iter().enumerate() {
        if side < limits.min_side || side > limits.max_side {
            let start = 8 + 4 * i as u64;
            let message = format!(
                "image {what} {side} is outside the accepted {}…{} pixels",
                limits.min_side, limits.max_side
            );
            return Err(DataError::new(
                name,
                Place::Bytes {
                    start,
                    end: start + 3,
                },
                message,
            ));
        }
    }
    // n ≤ max_images and h, w ≤ max_side: the product cannot overflow a u64.
    let image_len = (h * w) as u64;
    let body = check_length(name, bytes.len(), 16, n, image_len, &format!("images of {h}×{w}"))?;
    let pixels = match bytes {
        Cow::Owned(mut owned) => {
            owned.drain(..body.start);
            owned
        }
        Cow::Borrowed(borrowed) => borrowed[body].to_vec(),
    };
    Ok(IdxImages { n, h, w, pixels })
}

/// Reads a label file (magic 0x00000801). `name` is used in every error message.
pub fn read_idx_labels(name: &str, bytes: &[u8], limits: &Limits) -> Result<Vec<u8>, DataError> {
    let dims = read_header(name, bytes, limits, IDX_LABELS_MAGIC)?;
    let n = dims[0];
    check_count(name, n, "labels", limits)?;
    let body = check_length(name, bytes.len(), 8, n, 1, "labels")?;
    Ok(bytes[body].to_vec())
}

/// Checks that an image file and a label file belong together: as many labels as images, and
/// every label below `classes`.
pub fn check_idx_pair(
    images_name: &str,
    images: &IdxImages,
    labels_name: &str,
    labels: &[u8],
    classes: usize,
) -> Result<(), DataError> {
    if labels.len() != images.n {
        let message = format!(
            "labels file has {} labels, images file {images_name} has {} images",
            labels.len(),
            images.n
        );
        return Err(DataError::new(labels_name, Place::Whole, message));
    }
    check_labels(labels_name, labels, classes, 8, 1)
}

/// Reads and pairs an image file and a label file, labels in [0, classes).
pub fn read_idx_pair(
    images: (&str, &[u8]),
    labels: (&str, &[u8]),
    classes: usize,
    limits: &Limits,
) -> Result<(IdxImages, Vec<u8>), DataError> {
    let read_images = read_idx_images(images.0, images.1, limits)?;
    let read_labels = read_idx_labels(labels.0, labels.1, limits)?;
    check_idx_pair(images.0, &read_images, labels.0, &read_labels, classes)?;
    Ok((read_images, read_labels))
}

/// Every label below `classes`; label `i` sits at byte `first + i * stride` of file `name`.
pub(crate) fn check_labels(
    name: &str,
    labels: &[u8],
    classes: usize,
    first: u64,
    stride: u64,
) -> Result<(), DataError> {
    match labels.iter().position(|&l| l as usize >= classes) {
        None => Ok(()),
        Some(index) => {
            let offset = first + index as u64 * stride;
            let allowed = match classes {
                0 => "none".to_string(),
                c => format!("0–{}", c - 1),
            };
            let message = format!(
                "label {} at index {index} is out of range for {classes} classes ({allowed})",
                labels[index]
            );
            Err(DataError::new(name, Place::Image { index, offset }, message))
        }
    }
}

/// Checks the file size, the magic and the header's length; returns the dimensions.
fn read_header(name: &str, bytes: &[u8], limits: &Limits, expected: u32) -> Result<Vec<usize>, DataError> {
    check_file_size(name, bytes.len(), limits)?;
    let what = |magic: u32| {
        if magic == IDX_IMAGES_MAGIC {
            "image file"
        } else {
            "label file"
        }
    };
    let magic_place = Place::Bytes { start: 0, end: 3 };
    let Some(head) = bytes.get(..4) else {
        let message = format!(
            "file is {} bytes, too short for the 4-byte IDX magic (expected {} 0x{expected:08X})",
            bytes.len(),
            what(expected)
        );
        return Err(DataError::new(name, magic_place, message));
    };
    let magic = u32::from_be_bytes([head[0], head[1], head[2], head[3]]);
    if magic != expected {
        let found = match magic {
            IDX_IMAGES_MAGIC | IDX_LABELS_MAGIC => format!(
                "is {}",
                if magic == IDX_IMAGES_MAGIC {
                    "an image file"
                } else {
                    "a label file"
                }
            ),
            _ if head[0] != 0 || head[1] != 0 => "is not an IDX magic (its first two bytes must be 0)".into(),
            _ if head[2] != 0x08 => {
                format!(
                    "has data type 0x{:02X}; only unsigned bytes (0x08) are read",
                    head[2]
                )
            }
            _ => format!("has {} dimensions", head[3]),
        };
        let message = format!(
            "magic 0x{magic:08X} {found}, expected {} 0x{expected:08X}",
            what(expected)
        );
        return Err(DataError::new(name, magic_place, message));
    }
    let ndims = (expected & 0xFF) as usize;
    let header_len = 4 + 4 * ndims;
    if bytes.len() < header_len {
        let message = format!(
            "header is truncated: {ndims} dimension(s) need {header_len} bytes, file has {}",
            bytes.len()
        );
        let end = header_len as u64 - 1;
        return Err(DataError::new(name, Place::Bytes { start: 4, end }, message));
    }
    Ok(bytes[4..header_len]
        .chunks_exact(4)
        .map(|d| u32::from_be_bytes([d[0], d[1], d[2], d[3]]) as usize)
        .collect())
}

/// A file longer than `limits.max_bytes` is refused before any of it is read.
pub(crate) fn check_file_size(name: &str, len: usize, limits: &Limits) -> Result<(), DataError> {
    if len > limits.max_bytes {
        let message = format!(
            "file is {len} bytes, more than the limit of {} bytes",
            limits.max_bytes
        );
        return Err(DataError::new(name, Place::Whole, message));
    }
    Ok(())
}

/// The count in bytes 4–7: at least one, at most `limits.max_images`.
fn check_count(name: &str, n: usize, what: &str, limits: &Limits) -> Result<(), DataError> {
    let place = Place::Bytes { start: 4, end: 7 };
    if n == 0 {
        return Err(DataError::new(
            name,
            place,
            format!("header claims 0 {what}; expected at least 1"),
        ));
    }
    if n > limits.max_images {
        let message = format!(
            "header claims {n} {what}, more than the limit of {}",
            limits.max_images
        );
        return Err(DataError::new(name, place, message));
    }
    Ok(())
}

/// The body must be exactly `n` items of `item_len` bytes after a `header`-byte header. Returns
/// the body's range.
fn check_length(
    name: &str,
    len: usize,
    header: u64,
    n: usize,
    item_len: u64,
    what: &str,
) -> Result<std::ops::Range<usize>, DataError> {
    let len64 = len as u64;
    let expected = header + n as u64 * item_len;
    if len64 < expected {
        // The first item that is not whole in the file.
        let index = ((len64 - header) / item_len) as usize;
        let offset = header + index as u64 * item_len;
        let message = format!(
            "file ends after {len} bytes, but the header claims {n} {what} ({expected} bytes in all)"
        );
        return Err(DataError::new(name, Place::Image { index, offset }, message));
    }
    if len64 > expected {
        let message = format!(
            "{} extra bytes after the last of {n} {what} (the header implies {expected} bytes, file has {len})",
            len64 - expected
        );
        return Err(DataError::new(name, Place::Byte(expected), message));
    }
    Ok(header as usize..len)
}
