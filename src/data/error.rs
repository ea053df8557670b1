//! The one error type of the data-file readers (IDX, CIFAR-10). Every message names the file, where
//! in it the problem is (a byte range, a byte, an image or a line) and what was expected against
//! what was found, because a learner who dropped a file on the page has no other way to see why it
//! was refused.

use std::fmt;

/// Where in a file an error is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Place {
    /// The file as a whole (its size, or how it pairs with another file).
    Whole,
    /// Bytes `start..=end` (a header field).
    Bytes { start: u64, end: u64 },
    /// One byte offset (where trailing bytes begin, where the data runs short).
    Byte(u64),
    /// Image (or record) `index`, which starts at byte `offset`.
    Image { index: usize, offset: u64 },
    /// A line of a text file, counted from 1.
    Line(usize),
}

/// A refused data file: `file` is the name the learner gave it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DataError {
    pub file: String,
    pub place: Place,
    pub message: String,
}

impl DataError {
    pub fn new(file: &str, place: Place, message: impl Into<String>) -> Self {
        DataError {
            file: file.to_string(),
            place,
            message: message.into(),
        }
    }
}

impl fmt::Display for DataError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.place {
            Place::Whole => write!(f, "{}: {}", self.file, self.message),
            Place::Bytes { start, end } => write!(f, "{}: bytes {start}–{end}: {}", self.file, self.message),
            Place::Byte(at) => write!(f, "{}: byte {at}: {}", self.file, self.message),
            Place::Image { index, offset } => {
                write!(
                    f,
                    "{}: image {index} (byte {offset}): {}",
                    self.file, self.message
                )
            }
            Place::Line(line) => write!(f, "{}: line {line}: {}", self.file, self.message),
        }
    }
}

impl std::error::Error for DataError {}
