//! Transfer-learning runs: a session on a small target set (n images per class), its network
//! started from pretrained weights except for the classifier head, trained one of the slide's
//! three ways (`TransferMode`); and the network's features of any images, for nearest neighbours.

use super::Session;
use crate::config::Config;
use crate::data::{Dataset, LoadedData};
use crate::nn::{under_prefix, Mode};
use crate::transfer::subset;
use crate::transfer::weights::Pretrained;
use crate::transfer::{head_prefix, TransferError, TransferMode, TransferSpec};
use crate::Rng;
use std::rc::Rc;

impl Session {
    /// A run of `config`'s network on `per_class` images per class of `data`'s training split
    /// (validated on its whole validation split), set up as `spec.mode` says from `pretrained`
    /// (not used from scratch). Named errors: the target's images of another C×H×W than the
    /// pretrained network's, a file from another network (a missing, extra or mis-shaped tensor),
    /// a network with nothing but its head to freeze, a bad scale or class count.
    pub fn for_transfer(
        mut config: Config,
        data: &LoadedData,
        pretrained: Option<&Pretrained>,
        spec: &TransferSpec,
    ) -> Result<Session, TransferError> {
        let [c, h, w] = data.train.shape();
        if let Some(p) = pretrained {
            if p.meta.input != [c, h, w] {
                let [pc, ph, pw] = p.meta.input;
                return Err(TransferError(format!(
                    "transfer: the pretrained network takes {pc}×{ph}×{pw} images ({}); \"{}\" has {c}×{h}×{w}",
                    p.meta.dataset, data.name
                )));
            }
        }
        let pretrained = match (spec.mode, pretrained) {
            (TransferMode::Scratch, _) => None,
            (_, Some(p)) => Some(p),
            (mode, None) => {
                return Err(TransferError(format!(
                    "transfer: \"{}\" starts from pretrained weights, and none were given",
                    mode.as_str()
                )))
            }
        };
        if !(spec.finetune_scale.is_finite() && spec.finetune_scale > 0.0 && spec.finetune_scale <= 1.0) {
            return Err(TransferError(format!(
                "transfer: the fine-tuning rate scale must be in (0, 1], got {}",
                spec.finetune_scale
            )));
        }
        let target = subset::per_class(data, spec.per_class, spec.subset_seed)?;
        config.dataset = data.name.clone();
        config.train_size = target.train.len();
        let mut session =
            Session::with_data(config, Some(Rc::new(target))).map_err(|e| TransferError(e.0))?;
        let head = head_prefix(session.model.parameters())
            .ok_or_else(|| TransferError("transfer: the network has no parameters".into()))?;
        let Some(p) = pretrained else { return Ok(session) };
        let in_head = |name: &str| under_prefix(name, &head);
        if session.model.parameters().iter().all(|p| in_head(&p.name)) {
            return Err(TransferError(format!(
                "transfer: the network's only layer with parameters is its classifier head ({head}): nothing pretrained to keep"
            )));
        }
        p.load_into(&mut session.model, Some(&head))?;
        match spec.mode {
            TransferMode::Features => {
                session
                    .model
                    .set_frozen_where(|p| !in_head(&p.name), true)
                    .map_err(|e| TransferError(format!("transfer: {}", e.0)))?;
            }
            TransferMode::Finetune => {
                let scales = session
                    .model
                    .parameters()
                    .iter()
                    .map(|p| {
                        if in_head(&p.name) {
                            1.0
                        } else {
                            spec.finetune_scale
                        }
                    })
                    .collect();
                session.optim.set_lr_scales(scales).map_err(TransferError)?;
            }
            TransferMode::Scratch => unreachable!("no pretrained weights from scratch"),
        }
        Ok(session)
    }

    /// The optimizer's learning-rate factor of each parameter (empty: all 1).
    pub fn lr_scales(&self) -> &[f64] {
        self.optim.lr_scales()
    }

    /// The network's features of images `indices` of `set`: the classifier head's input (the
    /// penultimate layer's output, after its activation), in evaluation mode; one row of `dim`
    /// values per image. Returns (rows, dim).
    pub fn features(&mut self, set: &Dataset, indices: &[usize]) -> (Vec<f32>, usize) {
        let head = head_prefix(self.model.parameters()).expect("a built model has parameters");
        let layer: usize = head["features.".len()..].parse().expect("features.{i}");
        let len = set.image_len();
        let mut rows = Vec::new();
        let mut dim = 0;
        // In batches, so a large pool never asks for one huge activation buffer.
        for chunk in indices.chunks(256) {
            let input = self.model.input_mut(chunk.len());
            for (k, &i) in chunk.iter().enumerate() {
                set.copy_image(i, &mut input.data[k * len..(k + 1) * len]);
            }
            // Evaluation draws nothing random except fractional pooling, which a fixed stream keeps
            // the same for every call.
            self.model.forward(Mode::Eval, &mut Rng::new(0));
            let acts = if layer == 0 {
                self.model.input()
            } else {
                self.model.activation(layer - 1)
            };
            dim = acts.data.len() / chunk.len();
            rows.extend_from_slice(&acts.data[..chunk.len() * dim]);
        }
        (rows, dim)
    }
}
