//! `data.safetensors`: the run's own training and validation images as bytes, beside `train.py`.
//!
//! Tensors: `train_images`, `val_images` U8 `[N, C, H, W]`; `train_labels`, `val_labels` I64 `[N]`.
//! `__metadata__`: `format` ("trainlab-data"), `formatVersion`, `dataset`, `input` ("[C,H,W]"),
//! `classNames`, `mean` and `std` (per channel, JSON; x = (byte/255 − mean)/std), `quantized`.
//!
//! A loaded set keeps its bytes, which are written as they are: the export is exact. A generated
//! set (shapes, noise) keeps floats in the fixed map (0.35, 0.3), rendered from continuous
//! intensities; they are written as the nearest byte of their intensity, round(v·255), which moves
//! a value by at most 0.5/255 in intensity (0.0065 after normalizing), and `quantized` says so.

use crate::data::{Dataset, Normalization};
use safetensors::tensor::{Dtype, TensorView};

/// `__metadata__["format"]` of a data file.
pub const FORMAT: &str = "trainlab-data";
pub const FORMAT_VERSION: u32 = 1;

/// Image i of `set` as bytes: its own for a loaded set, the nearest byte of each intensity for a
/// generated one.
pub fn image_bytes(set: &Dataset, out: &mut Vec<u8>) {
    match set.bytes() {
        Some(bytes) => out.extend_from_slice(bytes),
        None => {
            let floats = set.floats().expect("a set holds bytes or floats");
            let plane = set.h * set.w;
            let norm = &set.normalization;
            for image in floats.chunks_exact(set.image_len()) {
                for (ch, values) in image.chunks_exact(plane).enumerate() {
                    out.extend(
                        values
                            .iter()
                            .map(|&x| (norm.to_intensity(x, ch).clamp(0.0, 1.0) * 255.0).round() as u8),
                    );
                }
            }
        }
    }
}

/// The file's bytes for a run's training and validation sets.
pub fn data_file(dataset: &str, train: &Dataset, val: &Dataset) -> Result<Vec<u8>, String> {
    let shape = |set: &Dataset| vec![set.len(), set.c, set.h, set.w];
    let (mut train_px, mut val_px) = (Vec::new(), Vec::new());
    image_bytes(train, &mut train_px);
    image_bytes(val, &mut val_px);
    let labels = |set: &Dataset| -> Vec<u8> {
        set.labels
            .iter()
            .flat_map(|&l| (l as i64).to_le_bytes())
            .collect()
    };
    let (train_lb, val_lb) = (labels(train), labels(val));
    let tensors = [
        ("train_images", Dtype::U8, shape(train), &train_px),
        ("val_images", Dtype::U8, shape(val), &val_px),
        ("train_labels", Dtype::I64, vec![train.len()], &train_lb),
        ("val_labels", Dtype::I64, vec![val.len()], &val_lb),
    ];
    let views = tensors
        .iter()
        .map(|(name, dtype, shape, bytes)| {
            TensorView::new(*dtype, shape.clone(), bytes)
                .map(|v| (name.to_string(), v))
                .map_err(|e| format!("data: tensor {name}: {e}"))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let Normalization { mean, std } = &train.normalization;
    let json = |v: &dyn erased::Json| v.json();
    let meta = [
        ("format", FORMAT.to_string()),
        ("formatVersion", FORMAT_VERSION.to_string()),
        ("dataset", dataset.to_string()),
        ("input", json(&train.shape().to_vec())),
        ("classNames", json(&train.class_names)),
        ("mean", json(mean)),
        ("std", json(std)),
        ("quantized", (!train.is_loaded()).to_string()),
    ];
    safetensors::serialize(
        views,
        Some(meta.into_iter().map(|(k, v)| (k.to_string(), v)).collect()),
    )
    .map_err(|e| format!("data: could not be written: {e}"))
}

/// A JSON rendering of the metadata's structured values.
mod erased {
    pub trait Json {
        fn json(&self) -> String;
    }
    impl<T: serde::Serialize + ?Sized> Json for T {
        fn json(&self) -> String {
            serde_json::to_string(self).expect("plain values serialize")
        }
    }
}
