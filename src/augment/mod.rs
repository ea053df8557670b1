//! Data augmentation and batch mixing: the lecture's "add randomness in training" half of the
//! regularization pattern, applied to the input instead of the network. Forward only: augmentation
//! sits before the model and has no gradient. The eval path (the marginalization) is "use the
//! original image", or, for random crops, the fixed test-time views of [`crop::tta_views`].
//!
//! Shapes: one image is a (C, H, W) slice of `C*H*W` floats, C = 3 (RGB) or 1 (grey); a batch is
//! (N, C, H, W). Shape letters N, C, H, W (image), K (classes) are used the same way in every file.
//!
//! Two pixel spaces, and which op uses which:
//! - **stored** values `x = (v − PIXEL_MEAN) / PIXEL_SCALE` ([`crate::data::normalise`]), what the
//!   data set holds and the network sees;
//! - **intensities** `v ∈ [0, 1]`, what photometric ops (brightness, solarize, equalize, ...) are
//!   defined on.
//!
//! Every per-image op in this module (flip, crop, colour jitter, PCA colour, RandAugment, Cutout)
//! works on **intensities** and keeps them in [0, 1]. The [`Augment`] pipeline converts a stored
//! image to intensities once ([`to_intensity`]), runs its ops, and converts back once
//! ([`to_stored`], which clamps), instead of every op converting on its own. Purely geometric ops
//! without a fill (flip, resize, crop, the TTA views) are affine-invariant and work on either space.
//! The batch mixers (Mixup, CutMix) blend or paste whole pixels, which also commutes with the affine
//! map, so they run on the stored batch. [`PcaColor::fit`] reads stored images (it is fitted on
//! `Dataset::floats`) and measures the covariance in intensities.

pub mod color;
pub mod crop;
pub mod cutout;
pub mod flip;
pub mod mix;
pub mod ops;
pub mod pca;
pub mod pipeline;
pub mod randaugment;
pub mod smoothing;

pub use color::ColorJitter;
pub use cutout::{BoxSize, Fill};
pub use mix::{MixInfo, MixKind, Mixer};
pub use pca::PcaColor;
pub use pipeline::{Augment, AugmentState};
pub use randaugment::{Op, RandAugment};
pub use smoothing::{one_hot_smoothed, smooth};

use crate::data::{denormalise, normalise};

/// The intensity geometric ops fill uncovered pixels with (mid grey, v = 0.5).
pub const FILL_GREY: f32 = 0.5;

/// Stored values → intensities, in place (not clamped: stored data is in range by construction).
pub fn to_intensity(image: &mut [f32]) {
    image.iter_mut().for_each(|x| *x = denormalise(*x));
}

/// Intensities → stored values, in place, clamping v to [0, 1] first.
pub fn to_stored(image: &mut [f32]) {
    image.iter_mut().for_each(|v| *v = normalise(v.clamp(0.0, 1.0)));
}

/// Rec. 601 luma weights (PIL's `convert("L")`, torchvision's `rgb_to_grayscale`).
pub const LUMA: [f32; 3] = [0.299, 0.587, 0.114];
