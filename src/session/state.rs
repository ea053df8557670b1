//! Saving a run's training state and putting it back into a fresh session built from the same
//! config (a slide frame that the deck unloads comes back where it was).
//!
//! Kept: every parameter and state buffer (BatchNorm running statistics), the optimizer's state
//! (momentum, Adagrad/RMSProp accumulators, Adam's moments and update count), the step, the epoch,
//! the data position (this epoch's order, the cursor in it, the order stream) and the training-noise
//! stream, and every step's loss (for the curve diagnostics). So a restored run continues with the
//! losses, bit for bit, that the run would have had without stopping.
//!
//! Not kept (each rebuilt or refilled by what follows): early stopping's best snapshot, best accuracy
//! and patience count (they start over at the next evaluation), the last batch's preview and update
//! ratios (refilled by the next step), and an unfinished evaluation (dropped, as a step drops it).
//! The base learning rate and schedule come from the config the session was built with.

use super::codec::{Reader, Writer};
use super::Session;
use crate::diagnostics::{EarlyStopping, UpdateRatio};
use crate::model::Model;
use crate::nn::ParamKind;
use crate::rng::{Rng, RngPosition};
use std::fmt;

/// Format version of `export_state`'s bytes; `import_state` reads this version only.
pub const STATE_VERSION: u32 = 1;
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
        if version != STATE_VERSION {
            return Err(StateError(format!(
                "saved state has format version {version}, this build reads version {STATE_VERSION}"
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
        check_tensors(
            "state buffer",
            &saved.buffers,
            &buffer_lens,
            &buffer_names(&mut self.model),
        )?;
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
