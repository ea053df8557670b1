//! wasm bindings of transfer learning (src/transfer/, src/session/transfer.rs): a trainer for one of
//! the three ways, the weights file out of a trainer and its metadata, the learning-rate factors,
//! nearest neighbours in feature and pixel space, and a class subset of a loaded set.

use super::{to_js, Data, Trainer};
use crate::config::Config;
use crate::session::Session;
use crate::transfer::classes::keep_classes;
use crate::transfer::neighbours::{nearest, Neighbour};
use crate::transfer::weights::Pretrained;
use crate::transfer::{TransferMode, TransferSpec, DEFAULT_FINETUNE_SCALE};
use js_sys::Uint8Array;
use serde::{Deserialize, Serialize};
use wasm_bindgen::prelude::*;

/// `options` of `Trainer.forTransfer`.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct TransferOptions {
    mode: String,
    per_class: usize,
    #[serde(default)]
    seed: u64,
    #[serde(default)]
    finetune_scale: Option<f64>,
    /// Validation images (the first k of the split; default: the config's valSize).
    #[serde(default)]
    val_size: Option<usize>,
    /// Only these classes of the set, renumbered in this order (`Data.keepClasses`).
    #[serde(default)]
    classes: Option<Vec<usize>>,
}

/// What `weightsInfo` tells about a file.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct WeightsInfo {
    preset: String,
    /// The whole training config the file was made with (a JSON object).
    config: Config,
    input: [usize; 3],
    dataset: String,
    class_names: Vec<String>,
    steps: u64,
    val_accuracy: f64,
    made_by: String,
    tensors: Vec<(String, Vec<usize>)>,
    bytes: usize,
}

/// One image of a neighbour list.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ImageItem {
    index: usize,
    label: usize,
    distance: f32,
    width: usize,
    height: usize,
    rgba: Vec<u8>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Neighbours {
    query: ImageItem,
    /// Nearest training images by the network's features, and by pixels.
    features: Vec<ImageItem>,
    pixels: Vec<ImageItem>,
    /// Length of a feature vector and of a pixel vector.
    feature_dim: usize,
    pixel_dim: usize,
    /// Training images searched.
    pool: usize,
}

fn js_err(e: impl std::fmt::Display) -> JsError {
    JsError::new(&e.to_string())
}

/// The metadata and tensor list of a weights file (errors name what is wrong with it).
#[wasm_bindgen(js_name = weightsInfo)]
pub fn weights_info(bytes: &Uint8Array) -> Result<JsValue, JsError> {
    let bytes = bytes.to_vec();
    let p = Pretrained::parse(&bytes).map_err(js_err)?;
    to_js(&WeightsInfo {
        preset: p.meta.config.preset.clone(),
        config: p.meta.config.clone(),
        input: p.meta.input,
        dataset: p.meta.dataset.clone(),
        class_names: p.meta.class_names.clone(),
        steps: p.meta.steps,
        val_accuracy: p.meta.val_accuracy,
        made_by: p.meta.made_by.clone(),
        tensors: p
            .tensors
            .iter()
            .map(|t| (t.name.clone(), t.shape.clone()))
            .collect(),
        bytes: bytes.len(),
    })
}

#[wasm_bindgen]
impl Trainer {
    /// A transfer run: `config`'s network on `options.perClass` images per class of `data`'s
    /// training split (seeded by `options.seed`), set up as `options.mode` says ("scratch",
    /// "features", "finetune") from the weights file `weights` (null from scratch);
    /// `options.finetuneScale` (default 0.1) is the pretrained layers' rate factor when fine-tuning;
    /// `options.valSize` (optional) how many validation images each evaluation takes;
    /// `options.classes` (optional) keeps only those classes of `data` (`Data.keepClasses`).
    #[wasm_bindgen(js_name = forTransfer)]
    pub fn for_transfer(
        config: JsValue,
        data: JsValue,
        weights: Option<Uint8Array>,
        options: JsValue,
    ) -> Result<Trainer, JsError> {
        let mut config =
            Config::from_value(super::js_to_json(config, "config")?).map_err(|e| JsError::new(&e.0))?;
        let data = Data::from_js(&data)?
            .ok_or_else(|| JsError::new("transfer: a target data set (a Data) is required"))?;
        let options: TransferOptions = serde_wasm_bindgen::from_value(options)
            .map_err(|e| JsError::new(&format!("transfer options: {e}")))?;
        let data = match &options.classes {
            Some(list) => std::rc::Rc::new(keep_classes(&data, list).map_err(js_err)?),
            None => data,
        };
        if let Some(v) = options.val_size {
            config.val_size = v;
        }
        let spec = TransferSpec {
            mode: TransferMode::parse(&options.mode).map_err(js_err)?,
            per_class: options.per_class,
            subset_seed: options.seed,
            finetune_scale: options.finetune_scale.unwrap_or(DEFAULT_FINETUNE_SCALE),
        };
        let pretrained = weights
            .map(|w| Pretrained::parse(&w.to_vec()))
            .transpose()
            .map_err(js_err)?;
        let session = Session::for_transfer(config, &data, pretrained.as_ref(), &spec).map_err(js_err)?;
        Ok(Trainer { session })
    }

    /// The network's weights as a weights file (safetensors), its metadata saying it was trained
    /// on this run's data for the steps taken so far and reached `valAccuracy`; `madeBy` (optional)
    /// the command that made it.
    #[wasm_bindgen(js_name = exportWeights)]
    pub fn export_weights(
        &mut self,
        val_accuracy: f64,
        made_by: Option<String>,
    ) -> Result<Uint8Array, JsError> {
        // The same file as a checkpoint (src/session/checkpoint.rs).
        let bytes = self
            .session
            .export_checkpoint(Some(val_accuracy), made_by.as_deref().unwrap_or(""))
            .map_err(js_err)?;
        Ok(Uint8Array::from(&bytes[..]))
    }

    /// Each parameter's learning-rate factor (empty: all 1), in `parameters()` order.
    #[wasm_bindgen(js_name = lrScales)]
    pub fn lr_scales(&self) -> Vec<f64> {
        self.session.lr_scales().to_vec()
    }

    /// Validation image `query`'s `k` nearest training images, by the network's features (its
    /// classifier head's input) and by pixels, searched among the run's training images.
    #[wasm_bindgen(js_name = nearestNeighbours)]
    pub fn nearest_neighbours(&mut self, query: usize, k: usize) -> Result<JsValue, JsError> {
        let s = &mut self.session;
        let (train, val) = (s.train.clone(), s.val.clone());
        if query >= val.len() {
            return Err(JsError::new(&format!(
                "nearest neighbours: image {query} does not exist (the validation set has {})",
                val.len()
            )));
        }
        let pool: Vec<usize> = (0..train.len()).collect();
        let (pool_features, feature_dim) = s.features(&train, &pool);
        let (query_features, _) = s.features(&val, &[query]);
        let pixel_dim = train.image_len();
        let mut pool_pixels = vec![0.0; train.len() * pixel_dim];
        for (i, row) in pool_pixels.chunks_exact_mut(pixel_dim).enumerate() {
            train.copy_image(i, row);
        }
        let query_pixels = val.image(query);
        let item = |set: &crate::data::Dataset, n: Neighbour| ImageItem {
            index: n.index,
            label: set.labels[n.index] as usize,
            distance: n.distance,
            width: set.w,
            height: set.h,
            rgba: set.to_rgba8(n.index),
        };
        let list = |found: Vec<Neighbour>| found.into_iter().map(|n| item(&train, n)).collect();
        to_js(&Neighbours {
            query: item(
                &val,
                Neighbour {
                    index: query,
                    distance: 0.0,
                },
            ),
            features: list(nearest(&query_features, &pool_features, feature_dim, k, None)),
            pixels: list(nearest(&query_pixels, &pool_pixels, pixel_dim, k, None)),
            feature_dim,
            pixel_dim,
            pool: train.len(),
        })
    }
}

#[wasm_bindgen]
impl Data {
    /// This set with only `classes` (indices into its class names) in both splits, relabelled
    /// 0..k in the order given, their names kept: pretrain on some classes, transfer to the others.
    /// An empty or one-class list, a repeated or unknown class is an error naming it.
    #[wasm_bindgen(js_name = keepClasses)]
    pub fn keep_classes(&self, classes: Vec<usize>) -> Result<Data, JsError> {
        Ok(Data::register(
            keep_classes(&self.data, &classes).map_err(js_err)?,
        ))
    }
}
