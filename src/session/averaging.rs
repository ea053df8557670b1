//! After training, from the same run (lecture: "Model Ensembles: Tips and Tricks"):
//!
//! - Polyak averaging: an exponential moving average (EMA) of the weights, `x_test ← 0.995·x_test +
//!   0.005·x` after every update (timm's `model_ema_decay`), evaluated beside the raw weights.
//! - Snapshot ensembles (Huang et al. 2017, "train 1, get M for free"): with a cyclic schedule, the
//!   model at the end of each cycle is kept; their averaged probabilities are evaluated beside the
//!   last model.
//!
//! Both are `Snapshot`s of the whole state (parameters and batch-norm running statistics). For
//! evaluation a snapshot is put into the model in place of the raw weights and the raw weights are
//! put back afterwards, copied exactly (`wear`), so the raw run trains on as if nothing happened.

use super::Session;
use crate::schedule::{sgdr, Decay};
use crate::snapshot::Snapshot;
use serde::Serialize;
use std::collections::VecDeque;

/// Most snapshots a snapshot ensemble keeps (the newest): each costs a copy of the model and one
/// pass over the validation set when it is first evaluated.
pub const MAX_SNAPSHOTS: usize = 8;

/// The EMA weights on the validation set (the same measure as the raw model's `valAccuracy`,
/// `valLoss`).
#[derive(Clone, Debug, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct EmaReport {
    pub val_accuracy: f64,
    pub val_loss: f64,
}

/// The snapshot ensemble on the validation set: the mean of its members' probabilities.
#[derive(Clone, Debug, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct SnapshotEnsembleReport {
    pub members: usize,
    pub val_accuracy: f64,
    pub val_loss: f64,
    /// Each member's own validation accuracy, oldest first.
    pub member_accuracies: Vec<f64>,
    /// The step each member was taken at, oldest first.
    pub member_steps: Vec<u64>,
}

/// One member of the snapshot ensemble.
pub(super) struct Member {
    pub step: u64,
    pub weights: Snapshot<f32>,
    /// Its (N, K) validation probabilities once evaluated. A snapshot never changes and its
    /// evaluation has its own fixed random stream, so they are measured once and reused by every
    /// later evaluation (an ensemble of 8 costs one validation pass per new member, not 8).
    pub val_probs: Option<Vec<f32>>,
}

/// Which weights the model holds during an evaluation unit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Weights {
    Raw,
    Ema,
    /// Index into `Averaging::members`.
    Member(usize),
}

pub(super) struct Averaging {
    /// None until the first update when `modelEmaDecay` > 0 (see `before_update`); always None when 0.
    pub ema: Option<Snapshot<f32>>,
    /// Oldest first, at most `MAX_SNAPSHOTS`.
    pub members: VecDeque<Member>,
    /// What the model holds now, and the raw weights while it holds another.
    worn: Weights,
    raw: Option<Snapshot<f32>>,
}

impl Default for Averaging {
    fn default() -> Self {
        Averaging {
            ema: None,
            members: VecDeque::new(),
            worn: Weights::Raw,
            raw: None,
        }
    }
}

/// Whether `step` completed updates end a cycle of `decay`, i.e. `step` is one of
/// `ScheduleConfig::snapshot_steps(step)` (tests/averaging.rs checks they agree). Computed from the
/// cycle position because that list grows with the step (for a period of 10 and 10⁶ steps it would
/// be 10⁵ entries at every step).
pub(super) fn ends_cycle(decay: &Decay, step: u64) -> bool {
    match decay {
        Decay::Sgdr { t_0, t_mult, .. } => step > 0 && sgdr::position(step, *t_0, *t_mult).0 == 0,
        Decay::Cyclic { period, .. } => step > 0 && step.is_multiple_of(*period),
        _ => false,
    }
}

/// Whether `decay` has cycles whose ends a snapshot ensemble can keep.
pub(super) fn has_cycles(decay: &Decay) -> bool {
    matches!(decay, Decay::Sgdr { .. } | Decay::Cyclic { .. })
}

impl Session {
    /// At the start of a step, before its forward pass (which moves batch norm's running
    /// statistics): the EMA starts as a copy of the state the first step starts from (the initial
    /// weights, or whatever was loaded into the model before training).
    pub(super) fn averaging_before_step(&mut self) {
        if self.config.model_ema_decay > 0.0 && self.averaging.ema.is_none() {
            self.averaging.ema = Some(Snapshot::of(&mut self.model));
        }
    }

    /// Just after an optimizer update (with `self.step` counting it): the EMA moves towards the new
    /// weights, and at the end of a cycle the model joins the snapshot ensemble.
    pub(super) fn averaging_after_update(&mut self) {
        if let Some(ema) = &mut self.averaging.ema {
            // Parameters AND batch-norm running statistics are averaged, as timm's ModelEmaV2
            // averages the whole state_dict. Why not keep the raw model's statistics: they describe
            // the activations of the raw weights, and the averaged weights produce other ones (a
            // mean and variance per channel that moved with the weights); the average of the
            // statistics over the same steps goes with the average of the weights. Exact would be
            // to recompute them with the averaged weights on training batches (SWA's bn_update),
            // a pass over the data at each evaluation; when the weights move little within the
            // averaging window (~1/(1 − decay) steps) the two agree.
            ema.ema_update(&mut self.model, self.config.model_ema_decay)
                .expect("the EMA is a snapshot of this model");
        }
        if self.config.snapshot_ensemble && ends_cycle(&self.config.schedule.decay, self.step) {
            let members = &mut self.averaging.members;
            // The oldest member's copy is reused for the newest once the ensemble is full.
            let weights = if members.len() >= MAX_SNAPSHOTS {
                let mut reused = members.pop_front().expect("full").weights;
                reused.capture(&mut self.model);
                reused
            } else {
                Snapshot::of(&mut self.model)
            };
            members.push_back(Member {
                step: self.step,
                weights,
                val_probs: None,
            });
        }
    }

    /// The EMA of the weights (parameters and batch-norm statistics); None when `modelEmaDecay` is
    /// 0 or before the first step.
    pub fn ema_weights(&self) -> Option<&Snapshot<f32>> {
        self.averaging.ema.as_ref()
    }

    /// The snapshot ensemble's members as (step taken, weights), oldest first.
    pub fn snapshots(&self) -> impl Iterator<Item = (u64, &Snapshot<f32>)> {
        self.averaging.members.iter().map(|m| (m.step, &m.weights))
    }

    /// Puts `which` weights into the model (the raw ones kept aside, copied exactly, while another
    /// is worn). Evaluation wears the EMA or a member for its units and the raw weights again
    /// before it returns, so between calls the model always holds the raw weights.
    pub(super) fn wear(&mut self, which: Weights) {
        let a = &mut self.averaging;
        if a.worn == which {
            return;
        }
        if a.worn == Weights::Raw {
            match &mut a.raw {
                Some(raw) => raw.capture(&mut self.model),
                None => a.raw = Some(Snapshot::of(&mut self.model)),
            }
        }
        let snapshot = match which {
            Weights::Raw => a.raw.as_ref(),
            Weights::Ema => a.ema.as_ref(),
            Weights::Member(i) => a.members.get(i).map(|m| &m.weights),
        }
        .expect("only existing weights are worn");
        snapshot
            .restore(&mut self.model)
            .expect("the averaged weights are snapshots of this model");
        a.worn = which;
    }
}
