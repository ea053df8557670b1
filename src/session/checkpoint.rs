//! Checkpoints (issue 11): a run's weights as a `trainlab-weights` file (src/transfer/weights.rs)
//! that says which run made it (config, data set, steps, validation accuracy), and such a file
//! loaded back into a run of the same network — every tensor, strictly, or nothing.

use super::Session;
use crate::transfer::weights::{self, Pretrained, WeightsMeta};
use crate::transfer::TransferError;
use serde::Serialize;

/// What loading a checkpoint did.
#[derive(Clone, Debug, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct CheckpointLoad {
    /// Tensors copied into the network (every parameter and state buffer).
    pub tensors: usize,
    /// What the file says about the run that made it.
    pub steps: u64,
    pub dataset: String,
    /// None when the file does not say (written before any evaluation).
    pub val_accuracy: Option<f64>,
}

impl Session {
    /// This run's weights as a checkpoint: its config, data set and classes, the steps taken, and
    /// `val_accuracy` (None: not evaluated yet, written as NaN) in the metadata; `made_by` the
    /// command or page that made it.
    pub fn export_checkpoint(
        &mut self,
        val_accuracy: Option<f64>,
        made_by: &str,
    ) -> Result<Vec<u8>, TransferError> {
        let meta = WeightsMeta {
            config: self.config.clone(),
            input: self.train.shape(),
            dataset: self.config.dataset.clone(),
            class_names: self.train.class_names.clone(),
            steps: self.steps_taken(),
            val_accuracy: val_accuracy.unwrap_or(f64::NAN),
            made_by: made_by.to_string(),
        };
        weights::save(&mut self.model, &meta)
    }

    /// Puts a checkpoint's weights into this run's network: every tensor must be there with the
    /// network's shape and the images of this run's size, else an error names what differs and the
    /// run is unchanged. The optimizer's state and the step count are kept (training goes on from
    /// the loaded weights); an unfinished evaluation is dropped, as it was of the old weights.
    pub fn load_checkpoint(&mut self, bytes: &[u8]) -> Result<CheckpointLoad, TransferError> {
        let file = Pretrained::parse(bytes)?;
        let own = self.train.shape();
        if file.meta.input != own {
            let ([fc, fh, fw], [c, h, w]) = (file.meta.input, own);
            return Err(TransferError(format!(
                "checkpoint: the file's network takes {fc}×{fh}×{fw} images (\"{}\"); this run's are {c}×{h}×{w} (\"{}\")",
                file.meta.dataset, self.config.dataset
            )));
        }
        let tensors = file.load_into(&mut self.model, None)?;
        self.pending_eval = None;
        let val = file.meta.val_accuracy;
        Ok(CheckpointLoad {
            tensors,
            steps: file.meta.steps,
            dataset: file.meta.dataset,
            val_accuracy: val.is_finite().then_some(val),
        })
    }
}
