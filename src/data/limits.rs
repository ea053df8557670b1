//! Bounds on what the data-file readers accept. Every reader checks a file's real length and its
//! header's claims against these before allocating, so a 2 GB file or a header claiming 2^32
//! images is refused with a message instead of exhausting the worker's memory.

/// Refusal bounds for one loaded data set.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Largest file accepted, in bytes.
    pub max_bytes: usize,
    /// Most images in one file (and in all batches of one set together).
    pub max_images: usize,
    /// Smallest image height or width. Below this a CNN has nothing to convolve.
    pub min_side: usize,
    /// Largest image height or width; larger images would be resized down to the network's input
    /// anyway, and would cost memory first.
    pub max_side: usize,
}

impl Default for Limits {
    /// 300 MB per file (MNIST's training images are 47 MB, a CIFAR-10 batch 31 MB), at most
    /// 200,000 images, sides from 8 to 256 pixels.
    fn default() -> Self {
        Limits {
            max_bytes: 300_000_000,
            max_images: 200_000,
            min_side: 8,
            max_side: 256,
        }
    }
}
