//! The per-image augmentation pipeline of a run and its settings: one plain-data struct that the
//! run config embeds (serde, camelCase, PyTorch/timm names where they exist), with `Default` =
//! everything off, plus the batch-mixing settings it hands to [`Mixer`].
//!
//! Order per training image (fixed; each step is skipped, drawing nothing, when it is off):
//! 1. random scale-and-crop (`crop.rs`), on stored values;
//! 2. horizontal flip (`flip.rs`), on stored values;
//! 3. colour jitter (`color.rs`), on intensities from here on (converted once each way, see
//!    `augment/mod.rs`, and only when one of steps 3–6 is on);
//! 4. PCA colour (`pca.rs`);
//! 5. RandAugment (`randaugment.rs`);
//! 6. random erasing / Cutout with probability `reprob` (`cutout.rs`), last as in timm, so the
//!    erased box is not moved or recoloured afterwards.
//!
//! Mixup/CutMix and label smoothing then act on the whole batch (`mix.rs`, via [`Augment::mixer`]).
//!
//! Test time uses none of this (the lecture's "use the original image"); the optional test-time
//! augmentation is [`super::crop::tta_views`].

use super::color::ColorJitter;
use super::crop::{apply_scale_crop, sample_scale_crop, ScaleCrop};
use super::cutout::{cutout, BoxSize, Fill, Rect};
use super::flip::hflip;
use super::mix::Mixer;
use super::pca::PcaColor;
use super::randaugment::{Op, RandAugment, MAX_MAGNITUDE};
use super::{to_intensity, to_stored};
use crate::Rng;
use serde::{Deserialize, Serialize};

/// Augmentation and mixing settings of a run. JSON names are the camelCase of the Rust names.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct Augment {
    /// Probability of a horizontal flip (timm `hflip`; 0.5 is the usual "on").
    pub hflip: f32,
    /// Random scale-and-crop as [lo, hi] multiples of the image's short side S: the resize target
    /// L is a uniform integer in [round(lo·S), round(hi·S)], then an S-sized window is cut at a
    /// uniform position. [1, 1] is off; [1, 1.25] is [32, 40] for 32×32 images (ResNet's
    /// [256, 480] for 224 crops is [1.14, 2.14]).
    pub crop_scale: [f32; 2],
    /// Brightness, contrast, saturation strengths (torchvision `ColorJitter`; timm `color_jitter`).
    pub color_jitter: ColorJitter,
    /// σ of the AlexNet PCA colour offsets αᵢ (AlexNet: 0.1); 0 is off. No-op on grey data.
    pub pca_std: f32,
    /// RandAugment's N, ops per image; 0 is off.
    pub randaugment_n: u32,
    /// RandAugment's M on timm's 0–10 scale.
    pub randaugment_m: f32,
    /// Probability of erasing a box per image (timm `reprob`); 0 is off.
    pub reprob: f32,
    /// Nominal size of the erased box, `{"length": px}` or `{"area": fraction}`.
    pub cutout_size: BoxSize,
    /// Value of the erased pixels: "zero" (black), "mean" (the image's channel means), "random".
    pub cutout_fill: Fill,
    /// Mixup's α (timm `mixup_alpha`); 0 is off.
    pub mixup_alpha: f32,
    /// CutMix's α (timm `cutmix_alpha`); 0 is off.
    pub cutmix_alpha: f32,
    /// Probability of CutMix rather than Mixup when both are on (timm `mixup_switch_prob`).
    pub mixup_switch_prob: f32,
    /// Probability that a batch is mixed at all (timm `mixup_prob`).
    pub mixup_prob: f32,
    /// ε of label smoothing (PyTorch/timm `label_smoothing`); 0 is off.
    pub label_smoothing: f32,
}

impl Default for Augment {
    fn default() -> Self {
        Augment {
            hflip: 0.0,
            crop_scale: [1.0, 1.0],
            color_jitter: ColorJitter::default(),
            pca_std: 0.0,
            randaugment_n: 0,
            randaugment_m: 9.0,
            reprob: 0.0,
            cutout_size: BoxSize::default(),
            cutout_fill: Fill::Zero,
            mixup_alpha: 0.0,
            cutmix_alpha: 0.0,
            mixup_switch_prob: 0.5,
            mixup_prob: 1.0,
            label_smoothing: 0.0,
        }
    }
}

/// What the pipeline did to one image (for the page's preview and for tests).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Applied {
    pub crop: Option<ScaleCrop>,
    pub flipped: bool,
    pub erased: Option<Rect>,
}

/// Per-run state of the pipeline: the PCA basis fitted on the training set (when `pca_std > 0` on
/// RGB data), a scratch buffer reused by every image, and the RandAugment ops applied to the last
/// image. Build it once with [`Augment::state`].
#[derive(Clone, Debug)]
pub struct AugmentState {
    pub pca: Option<PcaColor>,
    pub scratch: Vec<f32>,
    /// (op, argument) of each RandAugment op applied to the last image, in order.
    pub ops: Vec<(Op, f32)>,
}

impl Augment {
    /// Checks every field; the message names the (camelCase) field and the value.
    pub fn validate(&self) -> Result<(), String> {
        let err = |field: &str, rule: &str, value: &dyn std::fmt::Display| {
            Err(format!("{field}: {rule}, got {value}"))
        };
        let prob = |p: f32| (0.0..=1.0).contains(&p);
        let nonneg = |x: f32| x.is_finite() && x >= 0.0;
        for (field, p) in [
            ("hflip", self.hflip),
            ("reprob", self.reprob),
            ("mixupSwitchProb", self.mixup_switch_prob),
            ("mixupProb", self.mixup_prob),
        ] {
            if !prob(p) {
                return err(field, "must be a probability in [0, 1]", &p);
            }
        }
        let [lo, hi] = self.crop_scale;
        if !(lo.is_finite() && hi.is_finite() && 1.0 <= lo && lo <= hi && hi <= 4.0) {
            return err(
                "cropScale",
                "must be [lo, hi] with 1 ≤ lo ≤ hi ≤ 4",
                &format!("[{lo}, {hi}]"),
            );
        }
        let cj = &self.color_jitter;
        for (field, s) in [
            ("colorJitter.brightness", cj.brightness),
            ("colorJitter.contrast", cj.contrast),
            ("colorJitter.saturation", cj.saturation),
        ] {
            if !nonneg(s) {
                return err(field, "must be a finite number ≥ 0", &s);
            }
        }
        for (field, x) in [
            ("pcaStd", self.pca_std),
            ("mixupAlpha", self.mixup_alpha),
            ("cutmixAlpha", self.cutmix_alpha),
        ] {
            if !nonneg(x) {
                return err(field, "must be a finite number ≥ 0", &x);
            }
        }
        if self.randaugment_n > 14 {
            return err("randaugmentN", "must be between 0 and 14", &self.randaugment_n);
        }
        if !(0.0..=MAX_MAGNITUDE).contains(&self.randaugment_m) {
            return err(
                "randaugmentM",
                "must be in [0, 10] (timm's magnitude scale)",
                &self.randaugment_m,
            );
        }
        match self.cutout_size {
            BoxSize::Length(0) => return err("cutoutSize.length", "must be at least 1 pixel", &0),
            BoxSize::Area(a) if !(a > 0.0 && a <= 1.0) => {
                return err("cutoutSize.area", "must be in (0, 1]", &a)
            }
            _ => {}
        }
        if !(0.0..1.0).contains(&self.label_smoothing) {
            return err("labelSmoothing", "must be in [0, 1)", &self.label_smoothing);
        }
        Ok(())
    }

    /// The batch mixer these settings describe.
    pub fn mixer(&self) -> Mixer {
        Mixer {
            mixup_alpha: self.mixup_alpha,
            cutmix_alpha: self.cutmix_alpha,
            switch_prob: self.mixup_switch_prob,
            prob: self.mixup_prob,
            label_smoothing: self.label_smoothing,
        }
    }

    pub fn randaugment(&self) -> RandAugment {
        RandAugment {
            n: self.randaugment_n as usize,
            m: self.randaugment_m,
        }
    }

    /// True when no per-image op is on (`apply` then leaves every image untouched and draws
    /// nothing); the mixer may still be on.
    pub fn is_identity(&self) -> bool {
        self.hflip == 0.0 && !self.crop_on() && !self.intensity_ops_on()
    }

    fn crop_on(&self) -> bool {
        self.crop_scale[1] > 1.0
    }

    fn intensity_ops_on(&self) -> bool {
        !self.color_jitter.is_off() || self.pca_std > 0.0 || self.randaugment_n > 0 || self.reprob > 0.0
    }

    /// The run's pipeline state. `train_images` (N, C, H, W), stored values, is read only to fit
    /// the PCA basis, and only when `pca_std > 0` and C = 3.
    pub fn state(&self, train_images: &[f32], c: usize, h: usize, w: usize) -> AugmentState {
        let pca = (self.pca_std > 0.0 && c == 3).then(|| PcaColor::fit(train_images, c, h, w));
        AugmentState {
            pca,
            scratch: Vec::with_capacity(c * h * w),
            ops: Vec::with_capacity(self.randaugment_n as usize),
        }
    }

    /// Augments one stored training image (C, H, W) in place (order in the module comment).
    pub fn apply(
        &self,
        image: &mut [f32],
        c: usize,
        h: usize,
        w: usize,
        rng: &mut Rng,
        state: &mut AugmentState,
    ) -> Applied {
        debug_assert_eq!(image.len(), c * h * w, "image must be (C, H, W)");
        let mut applied = Applied::default();
        state.ops.clear();
        if self.crop_on() {
            let s = h.min(w) as f32;
            let (lo, hi) = (
                (self.crop_scale[0] * s).round() as usize,
                (self.crop_scale[1] * s).round() as usize,
            );
            let crop = sample_scale_crop(h, w, h, w, lo, hi, rng);
            state.scratch.clear();
            state.scratch.extend_from_slice(image);
            apply_scale_crop(&state.scratch, c, h, w, crop, image, h, w);
            applied.crop = Some(crop);
        }
        if self.hflip > 0.0 && rng.bernoulli(self.hflip as f64) {
            hflip(image, c, h, w);
            applied.flipped = true;
        }
        if !self.intensity_ops_on() {
            return applied;
        }
        to_intensity(image);
        self.color_jitter.apply(image, c, rng);
        if let Some(pca) = state.pca.as_ref().filter(|_| self.pca_std > 0.0) {
            pca.apply(image, c, self.pca_std, rng);
        }
        if self.randaugment_n > 0 {
            self.randaugment()
                .apply(image, c, h, w, rng, &mut state.scratch, &mut state.ops);
        }
        if self.reprob > 0.0 && rng.bernoulli(self.reprob as f64) {
            applied.erased = Some(cutout(image, c, h, w, self.cutout_size, self.cutout_fill, rng));
        }
        to_stored(image);
        applied
    }
}
