//! RandAugment: Cubuk, Zoph, Shlens & Le, "RandAugment: Practical automated data augmentation with
//! a reduced search space", NeurIPS 2020. The lecture's whole algorithm: pick N of the 14 ops
//! uniformly at random (with replacement, `np.random.choice(transforms, N)`) and apply each at the
//! one global magnitude M.
//!
//! Laid out as timm does: a table op → function ([`APPLY`]), a table level → argument
//! ([`LEVEL_TO_ARG`]), and a small driver ([`RandAugment::apply`]). What each op does is in
//! `ops.rs`.
//!
//! **Magnitude scale: timm's 0–10** (M = 10 is the strongest; M is a float and is clamped to
//! [0, 10]), not torchvision's 31 bins. The mapping is timm's "increasing" one (`rand-inc1`), in
//! which severity grows with M and **M = 0 is the identity for every op with a magnitude**:
//!
//! | op                          | argument at magnitude M                           | identity |
//! |-----------------------------|---------------------------------------------------|----------|
//! | Identity, AutoContrast, Equalize | none                                         |          |
//! | Rotate                      | ±30°·M/10                                         | 0°       |
//! | ShearX, ShearY              | ±0.3·M/10 (pixel shift per pixel from the centre) | 0        |
//! | TranslateX, TranslateY      | ±0.45·M/10 of the width / height                  | 0        |
//! | Solarize                    | threshold 1 − M/10 (of 256 levels: 256 → 0)       | 1        |
//! | Posterize                   | 8 − ⌊4·M/10⌋ bits (8 → 4)                         | 8 bits   |
//! | Color, Contrast, Brightness, Sharpness | factor 1 ± 0.9·M/10 (0.1 … 1.9)        | 1        |
//!
//! ± is a random sign, drawn per application (one Bernoulli(½) draw for every signed op, even at
//! M = 0, so the number of draws does not depend on M). Geometric ops fill uncovered pixels with
//! mid grey (v = 0.5; timm fills with the ImageNet mean colour). Departures from timm: Posterize
//! keeps 8 → 4 bits (the AutoAugment paper's range, increasing) instead of timm's 4 → 0, so that
//! M = 0 is the identity here too; each drawn op is always applied, as in the paper and the
//! lecture's code, whereas timm's `RandAugment` applies each with probability 0.5 by default.

use super::ops;
use crate::Rng;
use serde::{Deserialize, Serialize};

/// The 14 operations of the lecture's list, in its order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Op {
    Identity,
    AutoContrast,
    Equalize,
    Rotate,
    Solarize,
    Color,
    Posterize,
    Contrast,
    Brightness,
    Sharpness,
    ShearX,
    ShearY,
    TranslateX,
    TranslateY,
}

/// An op applied to an intensity image (C, H, W) with its argument; the last parameter is scratch.
pub type OpFn = fn(&mut [f32], usize, usize, usize, f32, &mut Vec<f32>);
/// A magnitude M ∈ [0, 10] → the op's argument (drawing the random sign where there is one).
pub type LevelFn = fn(f32, &mut Rng) -> f32;

/// Table 1: op → function, indexed by `Op as usize`.
pub const APPLY: [OpFn; 14] = [
    |_, _, _, _, _, _| {},                                    // Identity
    |img, c, _, _, _, _| ops::auto_contrast(img, c),          // AutoContrast
    |img, c, _, _, _, _| ops::equalize(img, c),               // Equalize
    ops::rotate,                                              // Rotate: degrees
    |img, _, _, _, t, _| ops::solarize(img, t),               // Solarize: threshold in [0, 1]
    |img, c, _, _, f, _| ops::color(img, c, f),               // Color: factor
    |img, _, _, _, bits, _| ops::posterize(img, bits as u32), // Posterize: bits (whole number)
    |img, c, _, _, f, _| ops::contrast(img, c, f),            // Contrast: factor
    |img, _, _, _, f, _| ops::brightness(img, f),             // Brightness: factor
    ops::sharpness,                                           // Sharpness: factor
    ops::shear_x,                                             // ShearX: shear coefficient
    ops::shear_y,                                             // ShearY: shear coefficient
    ops::translate_x,                                         // TranslateX: fraction of W
    ops::translate_y,                                         // TranslateY: fraction of H
];

/// Table 2: level → argument, indexed by `Op as usize` (see the module table).
pub const LEVEL_TO_ARG: [LevelFn; 14] = [
    |_, _| 0.0,                            // Identity
    |_, _| 0.0,                            // AutoContrast
    |_, _| 0.0,                            // Equalize
    |m, rng| signed(30.0 * m / 10.0, rng), // Rotate: ±30° at M = 10
    |m, _| 1.0 - m / 10.0,                 // Solarize: threshold 1 → 0
    enhance,                               // Color
    |m, _| 8.0 - (4.0 * m / 10.0).floor(), // Posterize: 8 → 4 bits
    enhance,                               // Contrast
    enhance,                               // Brightness
    enhance,                               // Sharpness
    |m, rng| signed(0.3 * m / 10.0, rng),  // ShearX: ±0.3 at M = 10
    |m, rng| signed(0.3 * m / 10.0, rng),  // ShearY
    |m, rng| signed(0.45 * m / 10.0, rng), // TranslateX: ±45% of W at M = 10
    |m, rng| signed(0.45 * m / 10.0, rng), // TranslateY: ±45% of H
];

/// Enhance factor 1 ± 0.9·M/10, never below 0.1.
fn enhance(m: f32, rng: &mut Rng) -> f32 {
    (1.0 + signed(0.9 * m / 10.0, rng)).max(0.1)
}

fn signed(value: f32, rng: &mut Rng) -> f32 {
    if rng.bernoulli(0.5) {
        -value
    } else {
        value
    }
}

/// The largest magnitude of the scale.
pub const MAX_MAGNITUDE: f32 = 10.0;

impl Op {
    pub const ALL: [Op; 14] = [
        Op::Identity,
        Op::AutoContrast,
        Op::Equalize,
        Op::Rotate,
        Op::Solarize,
        Op::Color,
        Op::Posterize,
        Op::Contrast,
        Op::Brightness,
        Op::Sharpness,
        Op::ShearX,
        Op::ShearY,
        Op::TranslateX,
        Op::TranslateY,
    ];

    /// Applies the op with an explicit argument (degrees, factor, threshold, bits, shear or
    /// translation fraction, as in the module table) to a (C, H, W) intensity image.
    pub fn apply(self, image: &mut [f32], c: usize, h: usize, w: usize, arg: f32, scratch: &mut Vec<f32>) {
        APPLY[self as usize](image, c, h, w, arg, scratch)
    }

    /// The argument for magnitude `m` (clamped to [0, 10]); draws the random sign of signed ops.
    pub fn level_to_arg(self, m: f32, rng: &mut Rng) -> f32 {
        LEVEL_TO_ARG[self as usize](m.clamp(0.0, MAX_MAGNITUDE), rng)
    }

    /// The argument at which the op leaves every image unchanged; `None` for the ops without a
    /// magnitude that do change images (AutoContrast, Equalize).
    pub fn identity_arg(self) -> Option<f32> {
        match self {
            Op::AutoContrast | Op::Equalize => None,
            Op::Identity | Op::Rotate | Op::ShearX | Op::ShearY | Op::TranslateX | Op::TranslateY => {
                Some(0.0)
            }
            Op::Solarize => Some(1.0),
            Op::Posterize => Some(8.0),
            Op::Color | Op::Contrast | Op::Brightness | Op::Sharpness => Some(1.0),
        }
    }
}

/// RandAugment's two hyperparameters (timm's `rand-m{M}-n{N}`; the paper's CIFAR-10 setting is
/// N = 3, M = 5 on its own 0–30 scale).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RandAugment {
    /// Number of ops applied in sequence to each image.
    pub n: usize,
    /// Magnitude on the 0–10 scale.
    pub m: f32,
}

impl RandAugment {
    /// Draws N ops (uniform, with replacement) and applies each, in order, at magnitude M to a
    /// (C, H, W) intensity image. `applied` is cleared and receives each (op, argument) in order,
    /// for display and for replaying; with its capacity reused, nothing is allocated per image.
    #[allow(clippy::too_many_arguments)]
    pub fn apply(
        &self,
        image: &mut [f32],
        c: usize,
        h: usize,
        w: usize,
        rng: &mut Rng,
        scratch: &mut Vec<f32>,
        applied: &mut Vec<(Op, f32)>,
    ) {
        applied.clear();
        for _ in 0..self.n {
            let op = Op::ALL[rng.below(Op::ALL.len())];
            let arg = op.level_to_arg(self.m, rng);
            op.apply(image, c, h, w, arg, scratch);
            applied.push((op, arg));
        }
    }
}
