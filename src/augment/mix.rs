//! Batch mixing: Mixup (Zhang et al., "mixup: Beyond Empirical Risk Minimization", ICLR 2018) and
//! CutMix (Yun et al., "CutMix: Regularization Strategy to Train Strong Classifiers with Localizable
//! Features", ICCV 2019), with label smoothing folded into the same target computation (the timm
//! pattern: `Mixup.__call__` returns images and soft targets together).
//!
//! Per batch (timm's `mix_mode="batch"`: one λ for the whole batch), in this order of draws:
//! 1. with probability 1 − `prob`, no mixing (targets are the smoothed one-hot labels);
//! 2. if both Mixup and CutMix are on (α > 0), CutMix with probability `switch_prob`, else Mixup;
//! 3. λ ~ Beta(α, α) of the chosen method (`rand_distr::Beta`);
//! 4. Mixup: every image i becomes λ·xᵢ + (1 − λ)·xⱼ;
//!    CutMix: a box of area fraction 1 − λ (sides √(1−λ)·H × √(1−λ)·W, rounded, centred on a
//!    uniformly drawn pixel, clipped at the border — the sampler of `cutout.rs`) is pasted from xⱼ
//!    into xᵢ, and λ is corrected to the pixel fraction actually kept, 1 − (clipped box area)/(H·W),
//!    so the label weight is exactly the pasted fraction (timm's `correct_lam`);
//! 5. targets: λ·smooth(onehot(yᵢ)) + (1 − λ)·smooth(onehot(yⱼ)), smooth as in `smoothing.rs`.
//!
//! The partner: j = N − 1 − i, the batch in reverse order, as timm does (`x.flip(0)`). Pairs are
//! symmetric (i's partner has i as partner), so the batch is mixed in place pair by pair with no
//! copy; in an odd batch the middle image is its own partner and stays unchanged. Pairing by
//! position rather than a fresh permutation is fine because batches are drawn shuffled.
//!
//! Images are the stored (normalised) batch: blending and pasting commute with the affine
//! normalisation, so mixing before or after normalising gives the same tensor.

use super::cutout::{sample_box, Rect};
use super::smoothing::smoothed_values;
use crate::Rng;
use rand_distr::{Beta, Distribution};
use serde::{Deserialize, Serialize};

/// Per-batch mixing settings, timm's `Mixup(mixup_alpha, cutmix_alpha, prob, switch_prob,
/// label_smoothing)`. An α of 0 switches that method off; with both off only smoothing applies.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Mixer {
    pub mixup_alpha: f32,
    pub cutmix_alpha: f32,
    /// Probability of CutMix instead of Mixup when both are on.
    pub switch_prob: f32,
    /// Probability that a batch is mixed at all.
    pub prob: f32,
    /// ε of label smoothing.
    pub label_smoothing: f32,
}

impl Default for Mixer {
    /// Off: no mixing, no smoothing (timm's defaults for the two probabilities).
    fn default() -> Self {
        Mixer {
            mixup_alpha: 0.0,
            cutmix_alpha: 0.0,
            switch_prob: 0.5,
            prob: 1.0,
            label_smoothing: 0.0,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MixKind {
    None,
    Mixup,
    CutMix,
}

/// What one `Mixer::apply` did, for the page's preview ("class A 0.6 / class B 0.4").
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MixInfo {
    pub kind: MixKind,
    /// Weight of each image's own label (and share of its own pixels): 1 when not mixed, the
    /// drawn λ for Mixup, the corrected pixel fraction for CutMix.
    pub lambda: f32,
    /// The Beta draw before CutMix's correction (equals `lambda` for Mixup; 1 when not mixed).
    pub lambda_drawn: f32,
    /// CutMix's pasted box (after clipping), the same for every pair.
    pub rect: Option<Rect>,
    /// Batch size: image i's partner is `n − 1 − i`.
    pub n: usize,
}

impl MixInfo {
    /// The image whose pixels and label were mixed into image `i` (itself when not mixed).
    pub fn partner(&self, i: usize) -> usize {
        match self.kind {
            MixKind::None => i,
            _ => self.n - 1 - i,
        }
    }
}

fn enabled(alpha: f32) -> bool {
    alpha.is_finite() && alpha > 0.0
}

/// λ ~ Beta(α, α) for α > 0.
pub fn sample_lambda(alpha: f32, rng: &mut Rng) -> f64 {
    let a = alpha as f64;
    Beta::new(a, a)
        .expect("Beta(α, α) needs a finite α > 0")
        .sample(rng.inner())
}

/// CutMix's box for a drawn λ: sides √(1−λ)·H × √(1−λ)·W (rounded), centre uniform, clipped.
pub fn cutmix_box(h: usize, w: usize, lambda: f64, rng: &mut Rng) -> Rect {
    let cut = (1.0 - lambda).clamp(0.0, 1.0).sqrt();
    let bh = ((cut * h as f64).round() as usize).min(h);
    let bw = ((cut * w as f64).round() as usize).min(w);
    sample_box(h, w, bh, bw, rng)
}

impl Mixer {
    pub fn is_off(&self) -> bool {
        !enabled(self.mixup_alpha) && !enabled(self.cutmix_alpha) && self.label_smoothing == 0.0
    }

    /// Mixes a stored batch `images` (N, C, H, W) in place and writes its soft `targets` (N, K)
    /// from `labels` (N), label smoothing included (see the module comment for the draws).
    #[allow(clippy::too_many_arguments)]
    pub fn apply(
        &self,
        images: &mut [f32],
        n: usize,
        c: usize,
        h: usize,
        w: usize,
        labels: &[u8],
        classes: usize,
        targets: &mut [f32],
        rng: &mut Rng,
    ) -> MixInfo {
        let len = c * h * w;
        assert_eq!(images.len(), n * len, "images must be (N, C, H, W)");
        assert_eq!(labels.len(), n, "one label per image");
        assert_eq!(targets.len(), n * classes, "targets must be (N, K)");
        let (mixup, cutmix) = (enabled(self.mixup_alpha), enabled(self.cutmix_alpha));
        let mut info = MixInfo {
            kind: MixKind::None,
            lambda: 1.0,
            lambda_drawn: 1.0,
            rect: None,
            n,
        };
        // Own-label weight and partner weight, kept in f64 so that the partner weight written to
        // the targets is exactly the pasted fraction for CutMix.
        let (mut own, mut other) = (1.0f64, 0.0f64);
        if (mixup || cutmix) && rng.bernoulli(self.prob as f64) {
            let use_cutmix = if mixup && cutmix {
                rng.bernoulli(self.switch_prob as f64)
            } else {
                cutmix
            };
            if use_cutmix {
                let lambda = sample_lambda(self.cutmix_alpha, rng);
                let rect = cutmix_box(h, w, lambda, rng);
                paste_pairs(images, n, c, h, w, rect);
                other = rect.area() as f64 / (h * w) as f64;
                own = 1.0 - other;
                info = MixInfo {
                    kind: MixKind::CutMix,
                    lambda: own as f32,
                    lambda_drawn: lambda as f32,
                    rect: Some(rect),
                    n,
                };
            } else {
                let lambda = sample_lambda(self.mixup_alpha, rng);
                blend_pairs(images, n, len, lambda as f32);
                own = lambda;
                other = 1.0 - lambda;
                info = MixInfo {
                    kind: MixKind::Mixup,
                    lambda: lambda as f32,
                    lambda_drawn: lambda as f32,
                    rect: None,
                    n,
                };
            }
        }
        mixed_targets(labels, classes, own, other, self.label_smoothing, targets);
        info
    }
}

/// `targets[i] = own·smooth(onehot(yᵢ)) + other·smooth(onehot(y_{N−1−i}))`, with own + other = 1.
/// Written as off everywhere plus the two weighted (on − off) bumps, which is the same sum.
pub fn mixed_targets(labels: &[u8], classes: usize, own: f64, other: f64, eps: f32, targets: &mut [f32]) {
    let (on, off) = smoothed_values(classes, eps);
    let bump = (on - off) as f64;
    let n = labels.len();
    for (i, row) in targets.chunks_exact_mut(classes).enumerate() {
        row.fill(off);
        row[labels[i] as usize] += (own * bump) as f32;
        if other != 0.0 {
            row[labels[n - 1 - i] as usize] += (other * bump) as f32;
        }
    }
}

/// Mixup of every pair (i, N−1−i) in place: xᵢ ← λxᵢ + (1−λ)xⱼ and xⱼ ← λxⱼ + (1−λ)xᵢ.
pub fn blend_pairs(images: &mut [f32], n: usize, len: usize, lambda: f32) {
    for i in 0..n / 2 {
        let j = n - 1 - i;
        let (head, tail) = images.split_at_mut(j * len);
        let (a, b) = (&mut head[i * len..(i + 1) * len], &mut tail[..len]);
        for (p, q) in a.iter_mut().zip(b.iter_mut()) {
            let (x, y) = (*p, *q);
            *p = lambda * x + (1.0 - lambda) * y;
            *q = lambda * y + (1.0 - lambda) * x;
        }
    }
}

/// CutMix of every pair (i, N−1−i) in place: the two images swap the pixels inside `rect`, in
/// every channel (each gets its partner's box).
pub fn paste_pairs(images: &mut [f32], n: usize, c: usize, h: usize, w: usize, rect: Rect) {
    let (plane, len) = (h * w, c * h * w);
    for i in 0..n / 2 {
        let j = n - 1 - i;
        let (head, tail) = images.split_at_mut(j * len);
        let (a, b) = (&mut head[i * len..(i + 1) * len], &mut tail[..len]);
        for ch in 0..c {
            for y in rect.y0..rect.y1 {
                let row = ch * plane + y * w;
                a[row + rect.x0..row + rect.x1].swap_with_slice(&mut b[row + rect.x0..row + rect.x1]);
            }
        }
    }
}
