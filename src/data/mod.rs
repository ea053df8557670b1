//! Data sets: the generated ones (shapes, noise), rendered from the seed so the page needs no
//! download, and loaded ones (IDX, CIFAR-10 batches, the page's decoded images) kept as bytes.
//!
//! Two kinds of storage behind one [`Dataset`]:
//! - **Generated** sets keep their f32 rendering, stored with one fixed map: renderers work in
//!   intensities `v` in [0, 1] and store `x = (v - 0.35) / 0.3` ([`normalise`]). The two constants
//!   are (rounded) the mean and standard deviation of the shapes set's RGB intensities; its figures
//!   are light on dark grounds, so the mean sits well below 0.5. Stored RGB shapes images have mean
//!   ≈ 0 and standard deviation ≈ 1.05 (per channel from -0.17 (G) to +0.27 (B)); grey ones come out
//!   at mean ≈ -0.14, standard deviation ≈ 0.92. The noise set uses the same map (mean 0.5, std
//!   0.96). They are small, and quantizing them to bytes would move every recorded number.
//! - **Loaded** sets keep the bytes they were read with (`n·c·h·w` of them: a 60,000-image 28×28 set
//!   takes 47 MB rather than 188 MB of f32) and a per-channel [`Normalization`] computed from the
//!   training split, which the validation split shares. An image becomes floats only when a batch
//!   or an evaluation chunk needs it ([`Dataset::copy_image`]).
//!
//! Either way the pixels sit behind an `Rc`, so the first k images of a set ([`Dataset::first`], a
//! run's `trainSize`) and every trainer of a worker share one buffer.

mod checks;
pub mod cifar;
pub mod error;
pub mod idx;
pub mod limits;
mod loaded;
mod noise;
mod normalization;
mod shapes;
mod split;
mod summary;

pub use checks::{check_name, GENERATED, MAX_CLASSES, MAX_CLASS_NAME_LEN, MAX_NAME_LEN};
pub use loaded::{IdxFiles, IdxPair, LoadedData, NamedBytes, Split};
pub use noise::noise;
pub use normalization::Normalization;
pub use shapes::{shapes, SHAPE_CLASSES};
pub use split::stratified_split;
pub use summary::{Sample, Summary, SAMPLES_PER_CLASS};

use std::rc::Rc;

/// Intensity `v` in [0, 1] that generated sets store as 0.
pub const PIXEL_MEAN: f32 = 0.35;
/// Intensity step that generated sets store as 1.
pub const PIXEL_SCALE: f32 = 0.3;

/// Intensity in [0, 1] → value stored by the generated sets (and seen by the augmentations).
#[inline]
pub fn normalise(v: f32) -> f32 {
    (v - PIXEL_MEAN) / PIXEL_SCALE
}

/// Value of the fixed map → intensity (not clamped).
#[inline]
pub fn denormalise(x: f32) -> f32 {
    x * PIXEL_SCALE + PIXEL_MEAN
}

/// The pixel buffer of a data set; it may hold more images than a [`Dataset`] view uses.
#[derive(Clone, Debug)]
pub enum Pixels {
    /// Generated: (N, C, H, W) floats, already in the fixed map.
    Floats(Rc<Vec<f32>>),
    /// Loaded: (N, C, H, W) bytes as read; normalised per image on copy.
    Bytes(Rc<Vec<u8>>),
}

/// A labelled image set: the first `n` images of a shared pixel buffer.
#[derive(Clone, Debug)]
pub struct Dataset {
    pixels: Pixels,
    /// One class index in [0, classes) per image (`n` of them).
    pub labels: Vec<u8>,
    pub n: usize,
    pub c: usize,
    pub h: usize,
    pub w: usize,
    pub classes: usize,
    pub class_names: Vec<String>,
    /// What `copy_image` applies: the fixed map for generated sets, the training split's
    /// per-channel statistics for loaded ones.
    pub normalization: Normalization,
}

impl Dataset {
    /// A generated set: `images` are (n, c, h, w) floats in the fixed map.
    pub fn generated(
        images: Vec<f32>,
        labels: Vec<u8>,
        [c, h, w]: [usize; 3],
        class_names: Vec<String>,
    ) -> Dataset {
        assert_eq!(
            images.len(),
            labels.len() * c * h * w,
            "generated: (n, c, h, w) images"
        );
        Dataset {
            pixels: Pixels::Floats(Rc::new(images)),
            n: labels.len(),
            labels,
            c,
            h,
            w,
            classes: class_names.len(),
            class_names,
            normalization: Normalization::fixed(c),
        }
    }

    /// A loaded set: `pixels` are (n, c, h, w) bytes; labels are checked by the caller.
    pub fn from_bytes(
        pixels: Vec<u8>,
        labels: Vec<u8>,
        [c, h, w]: [usize; 3],
        class_names: Vec<String>,
        normalization: Normalization,
    ) -> Dataset {
        assert_eq!(
            pixels.len(),
            labels.len() * c * h * w,
            "from_bytes: (n, c, h, w) bytes"
        );
        assert_eq!(normalization.mean.len(), c, "from_bytes: one mean per channel");
        Dataset {
            pixels: Pixels::Bytes(Rc::new(pixels)),
            n: labels.len(),
            labels,
            c,
            h,
            w,
            classes: class_names.len(),
            class_names,
            normalization,
        }
    }

    pub fn len(&self) -> usize {
        self.n
    }

    pub fn is_empty(&self) -> bool {
        self.n == 0
    }

    /// Values per image: c*h*w.
    pub fn image_len(&self) -> usize {
        self.c * self.h * self.w
    }

    /// (C, H, W) of every image.
    pub fn shape(&self) -> [usize; 3] {
        [self.c, self.h, self.w]
    }

    /// Whether the pixels are loaded bytes (rather than generated floats).
    pub fn is_loaded(&self) -> bool {
        matches!(self.pixels, Pixels::Bytes(_))
    }

    /// The first `k` images (all if `k ≥ n`), sharing this set's pixels and normalization.
    pub fn first(&self, k: usize) -> Dataset {
        let n = k.min(self.n);
        Dataset {
            labels: self.labels[..n].to_vec(),
            n,
            ..self.clone()
        }
    }

    /// The floats of a generated set's `n` images; None for loaded (byte) data.
    pub fn floats(&self) -> Option<&[f32]> {
        match &self.pixels {
            Pixels::Floats(v) => Some(&v[..self.n * self.image_len()]),
            Pixels::Bytes(_) => None,
        }
    }

    /// The bytes of a loaded set's `n` images; None for generated data.
    pub fn bytes(&self) -> Option<&[u8]> {
        match &self.pixels {
            Pixels::Bytes(v) => Some(&v[..self.n * self.image_len()]),
            Pixels::Floats(_) => None,
        }
    }

    /// Writes image `i` as the network sees it, (C, H, W) floats under `self.normalization`.
    pub fn copy_image(&self, i: usize, out: &mut [f32]) {
        self.copy_image_as(i, out, &self.normalization);
    }

    /// Writes image `i` as (C, H, W) floats under `norm`: for bytes `b` of channel `ch`,
    /// `(b / 255 − mean[ch]) / std[ch]`. The augmentations read the fixed map
    /// ([`Normalization::fixed`]), whatever the set's own normalization.
    pub fn copy_image_as(&self, i: usize, out: &mut [f32], norm: &Normalization) {
        assert!(i < self.n, "image {i} of a set of {}", self.n);
        let len = self.image_len();
        let plane = self.h * self.w;
        match &self.pixels {
            Pixels::Floats(v) => {
                out.copy_from_slice(&v[i * len..(i + 1) * len]);
                if *norm != self.normalization {
                    self.normalization.convert(out, norm, plane);
                }
            }
            Pixels::Bytes(v) => {
                let bytes = &v[i * len..(i + 1) * len];
                for (ch, (dst, src)) in out
                    .chunks_exact_mut(plane)
                    .zip(bytes.chunks_exact(plane))
                    .enumerate()
                {
                    let (mean, std) = (norm.mean[ch], norm.std[ch]);
                    for (d, &b) in dst.iter_mut().zip(src) {
                        *d = (b as f32 / 255.0 - mean) / std;
                    }
                }
            }
        }
    }

    /// Image `i` as the network sees it, as a new vector.
    pub fn image(&self, i: usize) -> Vec<f32> {
        let mut out = vec![0.0; self.image_len()];
        self.copy_image(i, &mut out);
        out
    }

    /// Image `i` as RGBA bytes, row-major (h*w*4), ready for an `ImageData` on the page. Grey
    /// images are repeated into R, G and B. Loaded sets give their bytes as they are.
    pub fn to_rgba8(&self, i: usize) -> Vec<u8> {
        assert!(i < self.n, "image {i} of a set of {}", self.n);
        let len = self.image_len();
        match &self.pixels {
            Pixels::Bytes(v) => rgba_from_planes(&v[i * len..(i + 1) * len], self.c, |b, _| b),
            Pixels::Floats(v) => self.normalization.to_rgba8(&v[i * len..(i + 1) * len]),
        }
    }

    /// Images per class, for the `n` images of this view.
    pub fn counts(&self) -> Vec<usize> {
        let mut counts = vec![0; self.classes];
        for &l in &self.labels {
            counts[l as usize] += 1;
        }
        counts
    }
}

/// Channel-planar pixels (C planes) → RGBA, each value mapped to a byte by `byte(value, channel)`.
/// Grey: channel 0 for all three; RGB: channel ch. Other channel counts show the first three
/// planes (or repeat the last one).
pub(crate) fn rgba_from_planes<T: Copy>(img: &[T], c: usize, byte: impl Fn(T, usize) -> u8) -> Vec<u8> {
    let plane = img.len() / c;
    let mut out = Vec::with_capacity(plane * 4);
    for p in 0..plane {
        for ch in 0..3 {
            let src = ch.min(c - 1);
            out.push(byte(img[src * plane + p], src));
        }
        out.push(255);
    }
    out
}
