//! Horizontal flip, the lecture's first augmentation (as in Krizhevsky et al., "ImageNet
//! Classification with Deep Convolutional Neural Networks", NeurIPS 2012, §4.1: "horizontal
//! reflections"). A flip is a label-preserving change for any class that is mirror-symmetric as a
//! category (the shapes data set is built so that every class is).
//!
//! Works in either pixel space (it only moves pixels).

/// Mirrors a (C, H, W) image left–right, in place. Applying it twice is the identity.
pub fn hflip(image: &mut [f32], c: usize, h: usize, w: usize) {
    debug_assert_eq!(image.len(), c * h * w, "image must be (C, H, W)");
    if w == 0 {
        return;
    }
    // Every row of every channel plane is one contiguous run of W values.
    image.chunks_exact_mut(w).for_each(|row| row.reverse());
}
