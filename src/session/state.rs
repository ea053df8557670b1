//! Saving a run's training state and putting it back into a fresh session built from the same
//! config (a slide frame that the deck unloads comes back where it was).
//!
//! Kept: every parameter and state buffer (BatchNorm running statistics), the optimizer's state
//! (momentum, Adagrad/RMSProp accumulators, Adam's moments and update count), the step, the epoch,
//! the data position (this epoch's order, the cursor in it, the order stream) and the training-noise
//! stream, and every step's loss (for the curve diagnostics), the EMA of the weights and the
//! snapshot ensemble's members with their steps. So a restored run continues with the losses, bit
//! for bit, that the run would have had without stopping, and averages and snapshots the same.
//!
//! Not kept (each rebuilt or refilled by what follows): early stopping's best snapshot, best accuracy
//! and patience count (they start over at the next evaluation), the last batch's preview and update
//! ratios (refilled by the next step), an unfinished evaluation (dropped, as a step drops it), and
//! the snapshots' measured validation probabilities (measured again, to the same bits).
//! The base learning rate and schedule come from the config the session was built with.

use super::averaging::{Member, MAX_SNAPSHOTS};
use super::codec::{Reader, Writer};
use super::Session;
use crate::diagnostics::{EarlyStopping, UpdateRatio};
use crate::model::Model;
use crate::nn::ParamKind;
use crate::rng::{Rng, RngPosition};
use crate::snapshot::Snapshot;
use std::fmt;

/// Format version of `export_state`'s bytes; `import_state` reads this one and version 1.
/// 2: the EMA and the snapshot ensemble's members after the losses.
pub const STATE_VERSION: u32 = 2;
/// The first four bytes of a saved state.
const MAGIC: [u8; 4] = *b"TLST";

/// Why a saved state cannot be restored into a session; the message names what differs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StateError(pub String);

impl fmt::Display for StateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for StateError {}

/// A saved state, decoded but not yet checked against a session.
struct Saved {
    seed: u32,
    dataset: String,
    step: u64,
    epoch: u64,
    cursor: u64,
    order: Vec<u32>,
    order_rng: RngPosition,
    rng: RngPosition,
    params: Vec<Vec<f32>>,
    buffers: Vec<Vec<f32>>,
    optimizer: String,
    optimizer_updates: u64,
    optimizer_groups: Vec<(String, Vec<Vec<f32>>)>,
    losses: Vec<f32>,
    /// The EMA, if the run had one.
    ema: Option<SavedSnapshot>,
    /// Each snapshot-ensemble member with the step it was taken at, oldest first.
    snapshots: Vec<(u64, SavedSnapshot)>,
}

/// A snapshot's parameter tensors and buffer tensors, in the model's order.
type SavedSnapshot = (Vec<Vec<f32>>, Vec<Vec<f32>>);

/// A snapshot's values as tensors, in the model's order.
fn write_snapshot(w: &mut Writer, s: &Snapshot<f32>) {
    w.tensors(s.params().iter().map(|v| v.data()));
    w.tensors(s.buffers().iter().map(|v| v.data()));
}

/// A snapshot of `model`'s structure holding saved (checked) tensors.
fn snapshot_of(model: &mut Model<f32>, params: Vec<Vec<f32>>, buffers: Vec<Vec<f32>>) -> Snapshot<f32> {
    let mut s = Snapshot::of(model);
    for (v, saved) in s.params_mut().iter_mut().zip(params) {
        v.data_mut().copy_from_slice(&saved);
    }
    for (v, saved) in s.buffers_mut().iter_mut().zip(buffers) {
        v.data_mut().copy_from_slice(&saved);
    }
    s
}

fn write_rng(w: &mut Writer, pos: RngPosition) {
    w.u64(pos.seed);
    w.u64(pos.draws);
}

fn read_rng(r: &mut Reader, what: &str) -> Result<RngPosition, StateError> {
    Ok(RngPosition {
        seed: r.u64(what)?,
        draws: r.u64(what)?,
    })
}

impl Saved {
    fn decode(bytes: &[u8]) -> Result<Saved, StateError> {
        let mut r = Reader::new(bytes);
        let magic = r.take(4, "the format mark")?;
        if magic != MAGIC {
            return Err(StateError(format!(
                "not a trainlab training state: it starts with bytes {magic:?}, expected {MAGIC:?} (\"TLST\")"
            )));
        }
        let version = r.u32("the format version")?;
        // Version 1 (before Polyak averaging and snapshot ensembles) is version 2 without its last
        // two sections: a run kept by an older page (a slide's frame) still resumes.
        if !(1..=STATE_VERSION).contains(&version) {
            return Err(StateError(format!(
                "saved state has format version {version}, this build reads versions 1 to {STATE_VERSION}"
            )));
        }
        let saved = Saved {
            seed: r.u32("the seed")?,
            dataset: r.str("the data set name")?,
            step: r.u64("the step")?,
            epoch: r.u64("the epoch")?,
            cursor: r.u64("the data cursor")?,
            order: r.u32s("the data order")?,
            order_rng: read_rng(&mut r, "the data-order stream")?,
            rng: read_rng(&mut r, "the training-noise stream")?,
            params: r.tensors("parameter")?,
            buffers: r.tensors("state buffer")?,
            optimizer: r.str("the optimizer name")?,
            optimizer_updates: r.u64("the optimizer's update count")?,
            optimizer_groups: {
                let n = r.u32("the optimizer's state count")?;
                let mut groups = Vec::new();
                for g in 0..n {
                    let name = r.str(&format!("optimizer state {g}'s name"))?;
                    let tensors = r.tensors(&format!("optimizer state '{name}'"))?;
                    groups.push((name, tensors));
                }
                groups
            },
            losses: r.f32s("the losses")?,
            ema: match if version < 2 {
                0
            } else {
                r.u32("whether there is an EMA")?
            } {
                0 => None,
                1 => Some((r.tensors("EMA parameter")?, r.tensors("EMA state buffer")?)),
                other => {
                    return Err(StateError(format!(
                        "saved state: the EMA mark is {other}, expected 0 (none) or 1"
                    )))
                }
            },
            snapshots: {
                let n = if version < 2 {
                    0
                } else {
                    r.u32("the snapshot count")?
                };
                if n as usize > MAX_SNAPSHOTS {
                    return Err(StateError(format!(
                        "saved state has {n} snapshots, at most {MAX_SNAPSHOTS} are kept"
                    )));
                }
                let mut snapshots = Vec::new();
                for i in 0..n {
                    let step = r.u64(&format!("snapshot {i}'s step"))?;
                    let params = r.tensors(&format!("snapshot {i}'s parameter"))?;
                    let buffers = r.tensors(&format!("snapshot {i}'s state buffer"))?;
                    snapshots.push((step, (params, buffers)));
                }
                snapshots
            },
        };
        if r.left() > 0 {
            return Err(StateError(format!(
                "saved state has {} unexpected bytes after its end",
                r.left()
            )));
        }
        Ok(saved)
    }
}

/// A readable name for each parameter buffer, in `visit_params` order ("layers[2] conv2d weight").
fn param_names(model: &mut Model<f32>) -> Vec<String> {
    let mut names = Vec::new();
    for (i, layer) in model.layers.iter_mut().enumerate() {
        let kind = layer.kind();
        let mut j = 0;
        layer.visit_params(&mut |k, _, _| {
            let what = match (kind, k, j) {
                ("batchnorm", _, 0) => "γ".to_string(),
                ("batchnorm", _, _) => "β".to_string(),
                ("residual", _, _) => format!("tensor {j}"),
                (_, ParamKind::Weight, _) => "weight".to_string(),
                (_, ParamKind::Bias, _) => "bias".to_string(),
            };
            names.push(format!("layers[{i}] {kind} {what}"));
            j += 1;
        });
    }
    names
}

/// A readable name for each state buffer, in `visit_buffers` order.
fn buffer_names(model: &mut Model<f32>) -> Vec<String> {
    let mut names = Vec::new();
    for (i, layer) in model.layers.iter_mut().enumerate() {
        let kind = layer.kind();
        let mut j = 0;
        layer.visit_buffers(&mut |_| {
            let what = match (kind, j) {
                ("batchnorm", 0) => "running mean".to_string(),
                ("batchnorm", _) => "running variance".to_string(),
                _ => format!("buffer {j}"),
            };
            names.push(format!("layers[{i}] {kind} {what}"));
            j += 1;
        });
    }
    names
}

/// Checks that `saved` has the tensors `expected` (lengths, named by `names`) has.
fn check_tensors(
    what: &str,
    saved: &[Vec<f32>],
    expected: &[usize],
    names: &[String],
) -> Result<(), StateError> {
    if saved.len() != expected.len() {
        return Err(StateError(format!(
            "saved state has {} {what} tensors, this network has {}",
            saved.len(),
            expected.len()
        )));
    }
    for (i, (s, &n)) in saved.iter().zip(expected).enumerate() {
        if s.len() != n {
            return Err(StateError(format!(
                "{what} {i} ({}) has {} values in the saved state, expected {n}",
                names[i],
                s.len()
            )));
        }
    }
    Ok(())
}

impl Session {
    /// The run's training state as bytes (see the module comment for what is kept), to be given
    /// back to `import_state` of a session built from the same config. Changes nothing.
    pub fn export_state(&mut self) -> Vec<u8> {
        let mut w = Writer::default();
        w.0.extend_from_slice(&MAGIC);
        w.u32(STATE_VERSION);
        w.u32(self.config.seed);
        w.str(&self.config.dataset);
        w.u64(self.step);
        w.u64(self.epoch);
        w.u64(self.cursor as u64);
        w.u32s(self.order.iter().map(|&i| i as u32));
        write_rng(&mut w, self.order_rng.position());
        write_rng(&mut w, self.rng.position());
        let mut params = Vec::new();
        self.model.visit_params(&mut |_, v, _| params.push(v.to_vec()));
        w.tensors(params.iter().map(Vec::as_slice));
        drop(params);
        let mut buffers = Vec::new();
        self.model.visit_buffers(&mut |b| buffers.push(b.to_vec()));
        w.tensors(buffers.iter().map(Vec::as_slice));
        w.str(self.optim.name());
        let state = self.optim.state_mut();
        w.u64(state.updates.map_or(0, |t| *t));
        w.len(state.groups.len());
        for (name, group) in &state.groups {
            w.str(name);
            w.tensors(group.iter().map(Vec::as_slice));
        }
        // Losses are f32 values widened to f64: f32 keeps them exactly.
        let losses: Vec<f32> = self.losses.iter().map(|&l| l as f32).collect();
        w.f32s(&losses);
        match &self.averaging.ema {
            None => w.u32(0),
            Some(ema) => {
                w.u32(1);
                write_snapshot(&mut w, ema);
            }
        }
        w.len(self.averaging.members.len());
        for m in &self.averaging.members {
            w.u64(m.step);
            write_snapshot(&mut w, &m.weights);
        }
        w.0
    }

    /// Puts a state from `export_state` into this session: afterwards it trains on exactly as the
    /// saved run would have. A state of another config (seed, data set, training-set size,
    /// architecture, optimizer) is refused with a message naming the difference; the session is
    /// then unchanged.
    pub fn import_state(&mut self, bytes: &[u8]) -> Result<(), StateError> {
        let saved = Saved::decode(bytes)?;
        self.check(&saved)?;
        self.apply(saved);
        Ok(())
    }

    fn check(&mut self, saved: &Saved) -> Result<(), StateError> {
        let err = |msg: String| Err(StateError(msg));
        if saved.seed != self.config.seed {
            return err(format!(
                "saved state is of seed {}, this run has seed {}",
                saved.seed, self.config.seed
            ));
        }
        if saved.dataset != self.config.dataset {
            return err(format!(
                "saved state is of data set \"{}\", this run has \"{}\"",
                saved.dataset, self.config.dataset
            ));
        }
        let n = self.train.len();
        if saved.order.len() != n {
            return err(format!(
                "saved data order covers {} training images, this run has {n} (trainSize)",
                saved.order.len()
            ));
        }
        let mut seen = vec![false; n];
        for &i in &saved.order {
            match seen.get_mut(i as usize) {
                Some(s) if !*s => *s = true,
                _ => {
                    return err(format!(
                        "saved data order is not a permutation of 0..{n} (image {i})"
                    ))
                }
            }
        }
        if saved.cursor >= n as u64 {
            return err(format!(
                "saved data cursor {} is past the training set's {n} images",
                saved.cursor
            ));
        }
        if saved.losses.len() as u64 != saved.step {
            return err(format!(
                "saved state has {} losses for {} steps",
                saved.losses.len(),
                saved.step
            ));
        }
        let mut lens = Vec::new();
        self.model.visit_params(&mut |_, v, _| lens.push(v.len()));
        let names = param_names(&mut self.model);
        check_tensors("parameter", &saved.params, &lens, &names)?;
        let mut buffer_lens = Vec::new();
        self.model.visit_buffers(&mut |b| buffer_lens.push(b.len()));
        let buffer_names = buffer_names(&mut self.model);
        check_tensors("state buffer", &saved.buffers, &buffer_lens, &buffer_names)?;
        let decay = self.config.model_ema_decay;
        match &saved.ema {
            Some(_) if decay == 0.0 => {
                return err(
                    "saved state has an EMA of the weights, this run has none (modelEmaDecay 0)".into(),
                )
            }
            None if decay > 0.0 && saved.step > 0 => {
                return err(format!(
                    "saved state has no EMA of the weights after {} steps, this run averages them \
                     (modelEmaDecay {decay})",
                    saved.step
                ))
            }
            Some((params, buffers)) => {
                check_tensors("EMA parameter", params, &lens, &names)?;
                check_tensors("EMA state buffer", buffers, &buffer_lens, &buffer_names)?;
            }
            None => {}
        }
        if !saved.snapshots.is_empty() && !self.config.snapshot_ensemble {
            return err(format!(
                "saved state has {} snapshots of a snapshot ensemble, this run keeps none (snapshotEnsemble false)",
                saved.snapshots.len()
            ));
        }
        let mut last = 0;
        for (i, (step, (params, buffers))) in saved.snapshots.iter().enumerate() {
            if *step <= last || *step > saved.step {
                return err(format!(
                    "saved snapshot {i} is of step {step}: snapshot steps must increase and be at most the \
                     state's step {}",
                    saved.step
                ));
            }
            last = *step;
            check_tensors(&format!("snapshot {i}'s parameter"), params, &lens, &names)?;
            check_tensors(
                &format!("snapshot {i}'s state buffer"),
                buffers,
                &buffer_lens,
                &buffer_names,
            )?;
        }
        let optimizer = self.optim.name();
        if saved.optimizer != optimizer {
            return err(format!(
                "saved state is of optimizer {}, this run uses {optimizer}",
                saved.optimizer
            ));
        }
        let state = self.optim.state_mut();
        if saved.optimizer_groups.len() != state.groups.len() {
            return err(format!(
                "saved {optimizer} state has {} kinds of buffers, this optimizer has {}",
                saved.optimizer_groups.len(),
                state.groups.len()
            ));
        }
        for ((saved_name, saved_group), (name, group)) in saved.optimizer_groups.iter().zip(&state.groups) {
            if saved_name != name {
                return err(format!(
                    "saved {optimizer} state holds '{saved_name}' where this optimizer has '{name}'"
                ));
            }
            let lens: Vec<usize> = group.iter().map(Vec::len).collect();
            check_tensors(
                &format!("'{name}' buffer of parameter"),
                saved_group,
                &lens,
                &names,
            )?;
        }
        Ok(())
    }

    /// Puts a checked state in place.
    fn apply(&mut self, saved: Saved) {
        let mut params = saved.params.into_iter();
        self.model
            .visit_params(&mut |_, v, _| v.copy_from_slice(&params.next().expect("checked count")));
        let mut buffers = saved.buffers.into_iter();
        self.model
            .visit_buffers(&mut |b| b.copy_from_slice(&buffers.next().expect("checked count")));
        let state = self.optim.state_mut();
        if let Some(t) = state.updates {
            *t = saved.optimizer_updates;
        }
        for ((_, group), (_, saved_group)) in state.groups.into_iter().zip(saved.optimizer_groups) {
            *group = saved_group;
        }
        self.order = saved.order.into_iter().map(|i| i as usize).collect();
        self.cursor = saved.cursor as usize;
        self.step = saved.step;
        self.epoch = saved.epoch;
        self.order_rng = Rng::resume(saved.order_rng);
        self.rng = Rng::resume(saved.rng);
        self.losses = saved.losses.into_iter().map(f64::from).collect();
        self.averaging.ema = saved
            .ema
            .map(|(params, buffers)| snapshot_of(&mut self.model, params, buffers));
        self.averaging.members = (saved.snapshots.into_iter())
            .map(|(step, (params, buffers))| Member {
                step,
                weights: snapshot_of(&mut self.model, params, buffers),
                val_probs: None,
            })
            .collect();
        // What describes the last step or evaluation of this session no longer applies.
        self.pending_eval = None;
        // The confusion cells' images were of the weights before.
        self.last_cells = None;
        self.last_val_probs = None;
        self.last_mix = None;
        self.preview_images.clear();
        self.preview_targets.clear();
        self.batch_indices.clear();
        self.update_ratio = UpdateRatio::default();
        self.early_stopping = EarlyStopping::new(self.config.patience);
    }
}
