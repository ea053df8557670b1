//! The pretrained-weights file: safetensors (Hugging Face's format: a JSON header, then raw
//! little-endian tensors), one F32 tensor per parameter and state buffer, named and shaped as the
//! model reports them (`Model::parameters`, `Model::buffers`: PyTorch's state-dict keys and layouts),
//! so `safetensors.torch.load_file` gives a state dict a PyTorch twin of the network loads.
//!
//! `__metadata__` (strings only, as the format wants) says what the file is: `format`
//! ("trainlab-weights"), `formatVersion`, the training `config` (JSON), the `input` shape
//! ("[1,28,28]"), the source `dataset`, its `classNames` (JSON), the `steps` trained and the
//! `valAccuracy` reached, and `madeBy` (the command that made it; may be empty). Checkpoints (issue 11) reuse it.

use super::TransferError;
use crate::config::Config;
use crate::model::Model;
use crate::nn::under_prefix;
use safetensors::tensor::{Dtype, SafeTensors, TensorView};

/// `__metadata__["format"]` of a trainlab weights file.
pub const FORMAT: &str = "trainlab-weights";
/// `__metadata__["formatVersion"]`: raised when the layout of names or metadata changes.
pub const FORMAT_VERSION: u32 = 1;

/// What a weights file says about itself (`__metadata__`).
#[derive(Clone, Debug, PartialEq)]
pub struct WeightsMeta {
    /// The config the weights were trained with (its preset or layers give the architecture).
    pub config: Config,
    /// C×H×W of the images the network takes.
    pub input: [usize; 3],
    /// The data set it was trained on, and its classes.
    pub dataset: String,
    pub class_names: Vec<String>,
    pub steps: u64,
    pub val_accuracy: f64,
    /// The command that made the file (so that a shipped file can be rebuilt); "" if not said.
    pub made_by: String,
}

/// One named tensor of a file, as f32 values in PyTorch layout.
#[derive(Clone, Debug, PartialEq)]
pub struct NamedTensor {
    pub name: String,
    pub shape: Vec<usize>,
    pub data: Vec<f32>,
}

/// A parsed weights file.
#[derive(Clone, Debug, PartialEq)]
pub struct Pretrained {
    pub meta: WeightsMeta,
    /// In the file's order (safetensors sorts by size, then name).
    pub tensors: Vec<NamedTensor>,
}

/// The model's parameters and state buffers as a weights file with `meta`.
pub fn save(model: &mut Model<f32>, meta: &WeightsMeta) -> Result<Vec<u8>, TransferError> {
    let mut named: Vec<(String, Vec<usize>, Vec<u8>)> = Vec::new();
    let le = |v: &[f32]| v.iter().flat_map(|x| x.to_le_bytes()).collect::<Vec<u8>>();
    model.visit_named_params(&mut |info, w, _| named.push((info.name.clone(), info.shape.clone(), le(w))));
    let buffers = model.buffers().to_vec();
    model.visit_named_buffers(&mut |info, b| named.push((info.name.clone(), info.shape.clone(), le(b))));
    debug_assert_eq!(named.len(), model.parameters().len() + buffers.len());
    let views = named
        .iter()
        .map(|(name, shape, bytes)| {
            TensorView::new(Dtype::F32, shape.clone(), bytes)
                .map(|v| (name.clone(), v))
                .map_err(|e| TransferError(format!("weights: tensor {name}: {e}")))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let config = serde_json::to_string(&meta.config).expect("a config serializes");
    let json = |v: &dyn erased::Json| v.json();
    let info = [
        ("format", FORMAT.to_string()),
        ("formatVersion", FORMAT_VERSION.to_string()),
        ("config", config),
        ("input", json(&meta.input.to_vec())),
        ("dataset", meta.dataset.clone()),
        ("classNames", json(&meta.class_names)),
        ("steps", meta.steps.to_string()),
        ("valAccuracy", meta.val_accuracy.to_string()),
        ("madeBy", meta.made_by.clone()),
    ];
    safetensors::serialize(
        views,
        Some(info.into_iter().map(|(k, v)| (k.to_string(), v)).collect()),
    )
    .map_err(|e| TransferError(format!("weights: could not be written: {e}")))
}

/// A JSON rendering for the metadata's structured values, without naming the map type.
mod erased {
    pub trait Json {
        fn json(&self) -> String;
    }
    impl<T: serde::Serialize> Json for T {
        fn json(&self) -> String {
            serde_json::to_string(self).expect("plain values serialize")
        }
    }
}

impl Pretrained {
    /// Reads a weights file; anything that is not one (not safetensors, another format or version,
    /// metadata missing or malformed, a tensor not F32) is an error naming it.
    pub fn parse(bytes: &[u8]) -> Result<Pretrained, TransferError> {
        let file = SafeTensors::deserialize(bytes)
            .map_err(|e| TransferError(format!("weights: not a safetensors file ({e})")))?;
        let (_, header) = SafeTensors::read_metadata(bytes)
            .map_err(|e| TransferError(format!("weights: not a safetensors file ({e})")))?;
        let info = header.metadata().as_ref().ok_or_else(|| {
            TransferError(
                "weights: the file has no __metadata__, so it is not a trainlab weights file".into(),
            )
        })?;
        let field = |key: &str| {
            info.get(key)
                .cloned()
                .ok_or_else(|| TransferError(format!("weights: __metadata__ has no \"{key}\"")))
        };
        let format = field("format")?;
        if format != FORMAT {
            return Err(TransferError(format!(
                "weights: __metadata__ format is \"{format}\", not \"{FORMAT}\""
            )));
        }
        let version = field("formatVersion")?;
        if version != FORMAT_VERSION.to_string() {
            return Err(TransferError(format!(
                "weights: format version {version}; this build reads version {FORMAT_VERSION}"
            )));
        }
        let parse_json = |key: &str| -> Result<serde_json::Value, TransferError> {
            serde_json::from_str(&field(key)?).map_err(|e| {
                TransferError(format!("weights: __metadata__ \"{key}\" is not valid JSON ({e})"))
            })
        };
        let config = Config::from_json(&field("config")?)
            .map_err(|e| TransferError(format!("weights: __metadata__ \"config\": {}", e.0)))?;
        let input: [usize; 3] = serde_json::from_value(parse_json("input")?)
            .map_err(|e| TransferError(format!("weights: __metadata__ \"input\" must be [c, h, w] ({e})")))?;
        let class_names: Vec<String> = serde_json::from_value(parse_json("classNames")?).map_err(|e| {
            TransferError(format!(
                "weights: __metadata__ \"classNames\" must be a list of names ({e})"
            ))
        })?;
        let number = |key: &str| -> Result<f64, TransferError> {
            field(key)?
                .parse::<f64>()
                .map_err(|_| TransferError(format!("weights: __metadata__ \"{key}\" is not a number")))
        };
        let meta = WeightsMeta {
            config,
            input,
            dataset: field("dataset")?,
            class_names,
            steps: number("steps")? as u64,
            val_accuracy: number("valAccuracy")?,
            // Optional: files written before it was added lack it.
            made_by: info.get("madeBy").cloned().unwrap_or_default(),
        };
        let mut tensors = Vec::new();
        for (name, view) in file.tensors() {
            if view.dtype() != Dtype::F32 {
                return Err(TransferError(format!(
                    "weights: tensor {name} is {:?}; trainlab weights are F32",
                    view.dtype()
                )));
            }
            let data = view
                .data()
                .chunks_exact(4)
                .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
                .collect();
            tensors.push(NamedTensor {
                name,
                shape: view.shape().to_vec(),
                data,
            });
        }
        tensors.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(Pretrained { meta, tensors })
    }

    pub fn get(&self, name: &str) -> Option<&NamedTensor> {
        self.tensors.iter().find(|t| t.name == name)
    }

    /// Copies every tensor into `model` except those under `skip` (the classifier head, which the
    /// target's classes make new), and returns how many it copied. The file and the model must
    /// have the same tensors outside `skip`, with the same shapes: a tensor the model has and the
    /// file lacks, one the file has and the model lacks, or one of another shape, is an error naming
    /// it, and the model is left as it was.
    pub fn load_into(&self, model: &mut Model<f32>, skip: Option<&str>) -> Result<usize, TransferError> {
        let kept = |name: &str| skip.is_none_or(|s| !under_prefix(name, s));
        let wanted: Vec<(String, Vec<usize>)> = model
            .parameters()
            .iter()
            .map(|p| (p.name.clone(), p.shape.clone()))
            .chain(model.buffers().iter().map(|b| (b.name.clone(), b.shape.clone())))
            .filter(|(name, _)| kept(name))
            .collect();
        let from = self.source();
        for (name, shape) in &wanted {
            let t = self.get(name).ok_or_else(|| {
                TransferError(format!(
                    "weights: the network has {name} {shape:?}, the file {from} does not: it is from another network"
                ))
            })?;
            if &t.shape != shape {
                return Err(TransferError(format!(
                    "weights: {name} is {:?} in the file {from}, {shape:?} in the network: it is from another network",
                    t.shape
                )));
            }
        }
        if let Some(extra) = self
            .tensors
            .iter()
            .find(|t| kept(&t.name) && !wanted.iter().any(|(n, _)| n == &t.name))
        {
            return Err(TransferError(format!(
                "weights: the file {from} has {} {:?}, which the network does not: it is from another network",
                extra.name, extra.shape
            )));
        }
        let mut copied = 0;
        let mut copy = |name: &str, dst: &mut [f32]| {
            if kept(name) {
                dst.copy_from_slice(&self.get(name).expect("checked above").data);
                copied += 1;
            }
        };
        model.visit_named_params(&mut |info, w, _| copy(&info.name, w));
        model.visit_named_buffers(&mut |info, b| copy(&info.name, b));
        Ok(copied)
    }

    /// "(lenet, fashion-mnist)" for messages.
    fn source(&self) -> String {
        let arch = if self.meta.config.layers.is_some() {
            "own layers"
        } else {
            &self.meta.config.preset
        };
        format!("({arch}, {})", self.meta.dataset)
    }
}
