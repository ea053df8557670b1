//! The checks on a loaded set that are not about a file's format: its name, its class names and
//! the sizes of the images the page decoded (before anything is allocated for them).

use super::error::{DataError, Place};
use super::idx::check_file_size;
use super::limits::Limits;

/// Names of the generated sets; a loaded set may not take them.
pub const GENERATED: [&str; 2] = ["shapes", "noise"];
/// Longest data set name (it goes into links and saved states).
pub const MAX_NAME_LEN: usize = 40;
/// Most classes: a label is one byte.
pub const MAX_CLASSES: usize = 256;
/// Longest class name, in characters.
pub const MAX_CLASS_NAME_LEN: usize = 64;

/// Checks a data set name: 1 to 40 ASCII letters, digits, '-', '_' or '.'. The message says what
/// is allowed (the caller names the field).
pub fn check_name(name: &str) -> Result<(), String> {
    let ok = !name.is_empty()
        && name.len() <= MAX_NAME_LEN
        && name
            .chars()
            .all(|ch| ch.is_ascii_alphanumeric() || matches!(ch, '-' | '_' | '.'));
    if ok {
        Ok(())
    } else {
        Err(format!(
            "must be 1 to {MAX_NAME_LEN} ASCII letters, digits, '-', '_' or '.', got \"{name}\""
        ))
    }
}

/// Sizes of the page's decoded images, checked against `limits` before anything is allocated.
pub(super) fn check_pixels(
    pixels_file: &str,
    pixels: &[u8],
    labels_file: &str,
    labels: &[u8],
    [c, h, w]: [usize; 3],
    limits: &Limits,
) -> Result<(), DataError> {
    check_file_size(pixels_file, pixels.len(), limits)?;
    if c != 1 && c != 3 {
        let message = format!("images have {c} channels; expected 1 (grey) or 3 (RGB)");
        return Err(DataError::new(pixels_file, Place::Whole, message));
    }
    for (side, what) in [(h, "height"), (w, "width")] {
        if side < limits.min_side || side > limits.max_side {
            let message = format!(
                "image {what} {side} is outside the accepted {}…{} pixels",
                limits.min_side, limits.max_side
            );
            return Err(DataError::new(pixels_file, Place::Whole, message));
        }
    }
    let n = labels.len();
    if n == 0 {
        return Err(DataError::new(
            labels_file,
            Place::Whole,
            "no labels; expected one per image",
        ));
    }
    if n > limits.max_images {
        let message = format!("{n} labels, more images than the limit of {}", limits.max_images);
        return Err(DataError::new(labels_file, Place::Whole, message));
    }
    // n ≤ max_images and the sides are bounded: no overflow.
    let image_len = c * h * w;
    let expected = n * image_len;
    if pixels.len() != expected {
        let message = format!(
            "{} bytes, but {n} labels need {n} images of {c}×{h}×{w} = {expected} bytes",
            pixels.len()
        );
        let place = if pixels.len() < expected {
            let index = pixels.len() / image_len;
            Place::Image {
                index,
                offset: (index * image_len) as u64,
            }
        } else {
            Place::Byte(expected as u64)
        };
        return Err(DataError::new(pixels_file, place, message));
    }
    Ok(())
}

pub(super) fn check_set_name(name: &str) -> Result<(), DataError> {
    let err = |message: String| Err(DataError::new("data set name", Place::Whole, message));
    if GENERATED.contains(&name) {
        return err(format!("\"{name}\" is a generated data set; choose another name"));
    }
    check_name(name).or_else(err)
}

/// 2 to 256 distinct, non-empty class names of at most 64 characters.
pub(super) fn check_class_names(set: &str, names: &[String]) -> Result<(), DataError> {
    let file = format!("{set} class names");
    let err = |message: String| Err(DataError::new(&file, Place::Whole, message));
    if names.len() < 2 {
        let listed = names
            .iter()
            .map(|n| format!("\"{n}\""))
            .collect::<Vec<_>>()
            .join(", ");
        return err(format!(
            "{} class{} ({listed}); a classifier needs at least 2",
            names.len(),
            if names.len() == 1 { "" } else { "es" }
        ));
    }
    if names.len() > MAX_CLASSES {
        return err(format!(
            "{} classes; a one-byte label can name at most {MAX_CLASSES}",
            names.len()
        ));
    }
    for (i, n) in names.iter().enumerate() {
        if n.trim().is_empty() {
            return err(format!("class {i} has an empty name"));
        }
        if n.chars().count() > MAX_CLASS_NAME_LEN {
            return err(format!(
                "class {i}'s name is {} characters, more than {MAX_CLASS_NAME_LEN}",
                n.chars().count()
            ));
        }
        if let Some(j) = names[..i].iter().position(|m| m == n) {
            return err(format!("class {i} has the name \"{n}\" of class {j}"));
        }
    }
    Ok(())
}
