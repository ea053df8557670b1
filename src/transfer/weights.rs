//! The weights file of transfer learning (issue 10) and of checkpoints (issue 11): one format,
//! `trainlab-weights`. safetensors (Hugging Face's format: an 8-byte little-endian header length, a
//! JSON header, then raw little-endian tensors), named and shaped as PyTorch's `state_dict()` of the
//! generated `nn.Module` (`Model::parameters`, `Model::buffers`: `features.0.weight` as
//! `[out, in, kh, kw]`, `features.{i}.bias`, batch norm's `running_mean` / `running_var`), so
//! `model.load_state_dict(safetensors.torch.load_file(path), strict=True)` accepts it.
//!
//! Tensors (formatVersion 2):
//! - every parameter and state buffer: F32, PyTorch's shape;
//! - `{layer}.num_batches_tracked` for each batch-norm layer (the prefix of a `*.running_mean`): I64,
//!   shape `[]` (a scalar), value = the steps trained. PyTorch's BatchNorm has this buffer and a
//!   strict load wants it; it only matters with `momentum=None`, which the core does not offer, so
//!   reading accepts it (any integer dtype, shape `[]` or `[1]`) and ignores it. Version 1 files
//!   (without it, e.g. assets/pretrained/lenet-fashion-even.safetensors) are still read.
//!
//! `__metadata__` (strings only, as the format wants): `format` ("trainlab-weights"),
//! `formatVersion` ("2"), the training `config` (JSON), the `input` shape ("[1,28,28]"), the source
//! `dataset`, its `classNames` (JSON), the `steps` trained, the `valAccuracy` reached (a number; "NaN"
//! when not known), and `madeBy` (the command that made it; may be empty or absent).
//!
//! Reading names what is wrong, never panics: not safetensors / truncated ("N bytes, the header says
//! M"), an absurd header length (over safetensors' 100 MB cap), a corrupt JSON header, another
//! format or a newer formatVersion, a tensor that is not F32, and (`load_into`) a missing, extra or
//! mis-shaped tensor (name and both shapes).

use super::TransferError;
use crate::config::Config;
use crate::model::Model;
use crate::nn::under_prefix;
use safetensors::tensor::{Dtype, SafeTensors, TensorView};

/// `__metadata__["format"]` of a trainlab weights file.
pub const FORMAT: &str = "trainlab-weights";
/// `__metadata__["formatVersion"]`: raised when the layout of names or metadata changes. Version 2
/// added batch norm's `num_batches_tracked`; version 1 files are read too.
pub const FORMAT_VERSION: u32 = 2;
/// The oldest version this build reads.
pub const OLDEST_VERSION: u32 = 1;
/// safetensors' own cap on the JSON header (the crate refuses longer ones).
pub const MAX_HEADER_BYTES: u64 = 100_000_000;
/// The suffix of batch norm's step counter, which PyTorch keeps and the core does not.
pub const BATCH_COUNTER: &str = "num_batches_tracked";

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
    /// The F32 tensors, by name.
    pub tensors: Vec<NamedTensor>,
    /// The batch-norm layers whose `num_batches_tracked` the file has (read, not used), by name.
    pub counters: Vec<String>,
}

/// The model's parameters and state buffers as a weights file with `meta`.
pub fn save(model: &mut Model<f32>, meta: &WeightsMeta) -> Result<Vec<u8>, TransferError> {
    let mut named: Vec<(String, Vec<usize>, Vec<u8>)> = Vec::new();
    let le = |v: &[f32]| v.iter().flat_map(|x| x.to_le_bytes()).collect::<Vec<u8>>();
    model.visit_named_params(&mut |info, w, _| named.push((info.name.clone(), info.shape.clone(), le(w))));
    let buffers = model.buffers().to_vec();
    model.visit_named_buffers(&mut |info, b| named.push((info.name.clone(), info.shape.clone(), le(b))));
    debug_assert_eq!(named.len(), model.parameters().len() + buffers.len());
    let mut named: Vec<(Dtype, String, Vec<usize>, Vec<u8>)> =
        named.into_iter().map(|(n, s, b)| (Dtype::F32, n, s, b)).collect();
    // PyTorch's batch norm counts its training batches; the steps trained are that count here.
    let counter = (meta.steps as i64).to_le_bytes().to_vec();
    for layer in batch_norm_layers(buffers.iter().map(|b| b.name.as_str())) {
        named.push((
            Dtype::I64,
            format!("{layer}.{BATCH_COUNTER}"),
            vec![],
            counter.clone(),
        ));
    }
    let views = named
        .iter()
        .map(|(dtype, name, shape, bytes)| {
            TensorView::new(*dtype, shape.clone(), bytes)
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

/// The batch-norm layers among buffer names: the prefixes of `*.running_mean`.
fn batch_norm_layers<'a>(names: impl Iterator<Item = &'a str>) -> Vec<String> {
    names
        .filter_map(|n| n.strip_suffix(".running_mean"))
        .map(str::to_string)
        .collect()
}

/// Checks the file's framing before safetensors reads it, so that each way a file can be broken
/// gets its own message: too short, an absurd header length, truncated (or with bytes after the
/// data), a header that is not JSON.
fn check_framing(bytes: &[u8]) -> Result<(), TransferError> {
    let len = bytes.len();
    if len < 8 {
        return Err(TransferError(format!(
            "weights: not a safetensors file: {len} bytes, fewer than the 8 of its header length"
        )));
    }
    let n = u64::from_le_bytes(bytes[..8].try_into().expect("8 bytes"));
    if n > MAX_HEADER_BYTES {
        return Err(TransferError(format!(
            "weights: not a safetensors file: an absurd header length of {n} bytes \
             (safetensors caps the header at 100 MB)"
        )));
    }
    let header_end = 8 + n as usize;
    if len < header_end {
        return Err(TransferError(format!(
            "weights: the file is truncated: {len} bytes, the header says at least {header_end}"
        )));
    }
    let header: serde_json::Value = std::str::from_utf8(&bytes[8..header_end])
        .map_err(|e| e.to_string())
        .and_then(|text| serde_json::from_str(text).map_err(|e| e.to_string()))
        .map_err(|e| TransferError(format!("weights: the file's JSON header is corrupt ({e})")))?;
    let entries = header.as_object().ok_or_else(|| {
        TransferError("weights: the file's JSON header is corrupt (not a JSON object)".into())
    })?;
    // The data ends where the furthest tensor ends.
    let data_end = entries
        .iter()
        .filter(|(k, _)| k.as_str() != "__metadata__")
        .filter_map(|(_, v)| v.get("data_offsets")?.get(1)?.as_u64())
        .max()
        .unwrap_or(0);
    let expected = header_end as u64 + data_end;
    if (len as u64) < expected {
        return Err(TransferError(format!(
            "weights: the file is truncated: {len} bytes, the header says {expected}"
        )));
    }
    if len as u64 > expected {
        return Err(TransferError(format!(
            "weights: the file is longer than its header says: {len} bytes, the header says {expected}"
        )));
    }
    Ok(())
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
        check_framing(bytes)?;
        let file = SafeTensors::deserialize(bytes)
            .map_err(|e| TransferError(format!("weights: not a valid safetensors file ({e})")))?;
        let (_, header) = SafeTensors::read_metadata(bytes)
            .map_err(|e| TransferError(format!("weights: not a valid safetensors file ({e})")))?;
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
        match version.parse::<u32>() {
            Ok(v) if (OLDEST_VERSION..=FORMAT_VERSION).contains(&v) => {}
            Ok(v) if v > FORMAT_VERSION => {
                return Err(TransferError(format!(
                    "weights: the file is format version {v}, newer than this page reads \
                     ({OLDEST_VERSION} to {FORMAT_VERSION}): update the page"
                )))
            }
            _ => {
                return Err(TransferError(format!(
                    "weights: format version \"{version}\"; this build reads versions {OLDEST_VERSION} to {FORMAT_VERSION}"
                )))
            }
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
        let mut counters = Vec::new();
        for (name, view) in file.tensors() {
            if let Some(layer) = name.strip_suffix(&format!(".{BATCH_COUNTER}")) {
                let integer = matches!(view.dtype(), Dtype::I64 | Dtype::I32 | Dtype::U64 | Dtype::U32);
                if !integer || view.shape().iter().product::<usize>() != 1 {
                    return Err(TransferError(format!(
                        "weights: tensor {name} is {:?} {:?}; batch norm's counter is an integer scalar (I64, [])",
                        view.dtype(),
                        view.shape()
                    )));
                }
                counters.push(layer.to_string());
                continue;
            }
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
        counters.sort();
        Ok(Pretrained {
            meta,
            tensors,
            counters,
        })
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
        let norms = batch_norm_layers(model.buffers().iter().map(|b| b.name.as_str()));
        if let Some(stray) = self.counters.iter().find(|l| kept(l) && !norms.contains(l)) {
            return Err(TransferError(format!(
                "weights: the file {from} has {stray}.{BATCH_COUNTER}, a batch-norm counter for a layer \
                 the network has no batch norm at: it is from another network"
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
