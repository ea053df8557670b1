//! Transfer learning (the lecture's "Transfer Learning with CNNs"): a network trained on one data
//! set is reused for a small set of another, three ways — trained from scratch, as a fixed feature
//! extractor (only the new classifier trains), or fine-tuned (everything trains, the pretrained
//! layers at a lower rate).
//!
//! - `weights`: the pretrained file (safetensors, PyTorch names and layouts) and loading it into a
//!   model whose classifier head is new;
//! - `classes`: a class subset of a set (pretrain on some classes, transfer to the others);
//! - `subset`: the small target set (n images per class of a loaded set's training split);
//! - `neighbours`: the k nearest images of a query, in any feature space (the slide's retrieval).
//!
//! `Session::for_transfer` (src/session/transfer.rs) puts them together into a run.

pub mod classes;
pub mod neighbours;
pub mod subset;
pub mod weights;

use crate::nn::ParamInfo;
use std::fmt;

/// A transfer-learning problem, named: what was wrong and where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TransferError(pub String);

impl fmt::Display for TransferError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for TransferError {}

/// The three ways of the slide.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TransferMode {
    /// Every layer starts from a fresh initialisation (the pretrained file is not used).
    Scratch,
    /// Pretrained layers frozen; only the new classifier head trains ("use linear classifier on
    /// top layer").
    Features,
    /// Every layer trains; the pretrained ones at `finetune_scale` × the learning rate.
    Finetune,
}

impl TransferMode {
    pub const NAMES: [&'static str; 3] = ["scratch", "features", "finetune"];

    pub fn parse(name: &str) -> Result<TransferMode, TransferError> {
        match name {
            "scratch" => Ok(TransferMode::Scratch),
            "features" => Ok(TransferMode::Features),
            "finetune" => Ok(TransferMode::Finetune),
            other => Err(TransferError(format!(
                "transfer mode must be one of {}, got \"{other}\"",
                TransferMode::NAMES.join(", ")
            ))),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            TransferMode::Scratch => "scratch",
            TransferMode::Features => "features",
            TransferMode::Finetune => "finetune",
        }
    }
}

/// How a transfer run is set up.
#[derive(Clone, Debug, PartialEq)]
pub struct TransferSpec {
    pub mode: TransferMode,
    /// Training images per class of the target set (`transfer::subset::per_class`).
    pub per_class: usize,
    /// Seed of the per-class draw: the same seed gives every way the same images.
    pub subset_seed: u64,
    /// Fine-tuning: the pretrained layers' learning rate is this × the run's (the slide: ~1/10).
    pub finetune_scale: f64,
}

/// The slide's "use ~1/10 of the LR used in original training" for the pretrained layers.
pub const DEFAULT_FINETUNE_SCALE: f64 = 0.1;

/// The classifier head's module path (`features.{i}` of the last layer with parameters): the
/// layer transfer re-initialises, because the target's classes are not the source's.
pub fn head_prefix(params: &[ParamInfo]) -> Option<String> {
    let last = params.last()?;
    let mut parts = last.name.splitn(3, '.');
    Some(format!("{}.{}", parts.next()?, parts.next()?))
}
