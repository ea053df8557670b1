//! Evaluation in bounded slices. A whole evaluation can be long (a VGG with test-time augmentation
//! and fractional pooling forwards 80,000 images for 2,000), and the page must be able to pause,
//! reset or serve another run in between; so the work is cut into units of one forward pass over
//! one chunk of images, and `evaluate_slice` does as many units as fit its budget, keeping the
//! partial sums in the session. The units, and the random draws of each, do not depend on the
//! budget: any slicing gives the same report bit for bit.
//!
//! After the raw model's units come those of the averaged weights (`averaging`): the EMA on the
//! validation set, then each snapshot-ensemble member not measured yet. Each of these starts the
//! evaluation stream afresh, so weights equal to the raw ones give the raw model's numbers exactly.

use super::averaging::{EmaReport, SnapshotEnsembleReport, Weights};
use super::Session;
use crate::augment::crop::{tta_views, TTA_VIEWS};
use crate::calibration::{Calibration, ReliabilityBin};
use crate::confusion::{CellLists, Confusion, WrongPrediction};
use crate::loss;
use crate::math;
use crate::nn::Mode;
use crate::Rng;
use serde::Serialize;

/// Accuracy and mean loss without training randomness, on the validation set and on a fixed
/// subset of the training set of the same size (so the two are comparable: the gap shows overfitting).
#[derive(Clone, Debug, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct EvalReport {
    pub step: u64,
    pub val_loss: f64,
    pub val_accuracy: f64,
    pub train_loss: f64,
    pub train_accuracy: f64,
    /// Mean top-1 probability on the validation set (label smoothing lowers it).
    pub val_confidence: f64,
    /// Expected calibration error on the validation set over `calibration::BINS` equal-width bins.
    pub val_ece: f64,
    /// The validation set's reliability diagram, lowest confidence first.
    pub reliability: Vec<ReliabilityBin>,
    /// The validation set's confusion matrix: confusion[true class][predicted class], K × K.
    pub confusion: Vec<Vec<usize>>,
    /// The most confidently wrong validation images with their pixels, most probable first.
    pub most_wrong: Vec<WrongPrediction>,
    /// Best validation accuracy so far and the step it was reached (early stopping's snapshot).
    pub best_val_accuracy: f64,
    pub best_step: u64,
    /// True once `patience` evaluations have passed without improvement.
    pub should_stop: bool,
    /// The EMA of the weights on the validation set; None when `modelEmaDecay` is 0 or before the
    /// first step.
    pub ema: Option<EmaReport>,
    /// The snapshot ensemble on the validation set; None when `snapshotEnsemble` is off or before
    /// the first cycle has ended.
    pub snapshot_ensemble: Option<SnapshotEnsembleReport>,
}

/// The per-cell lists of the last finished evaluation, and its step.
pub(super) struct LastCells {
    step: u64,
    lists: CellLists,
}

/// How far an unfinished evaluation has come, in forward images (views and passes counted).
#[derive(Clone, Copy, Debug, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct EvalProgress {
    pub done: usize,
    pub total: usize,
}

/// Most forward images (images × TTA views) in one forward pass, i.e. in one unit of work; it
/// bounds the evaluation buffers and the time a slice can overrun a budget smaller than a unit.
pub const EVAL_CHUNK: usize = 64;
/// Forward passes averaged per image when evaluation is random (fractional max pooling).
pub const EVAL_SAMPLES: usize = 4;

/// Seed of the evaluation stream, which each model's units start afresh.
const EVAL_SEED: u64 = 0;

/// Sums over the images measured so far of one set.
#[derive(Default)]
struct Tally {
    loss_sum: f64,
    correct: usize,
    /// Filled for the raw model's validation set only.
    calibration: Calibration,
    confusion: Confusion,
}

impl Tally {
    /// Adds one image's predicted distribution `row` with its label to the loss and accuracy.
    fn score(&mut self, row: &[f32], label: usize) {
        self.loss_sum -= math::ln(row[label].max(f32::MIN_POSITIVE) as f64);
        self.correct += (loss::argmax(row) == label) as usize;
    }
}

/// What the units of an evaluation measure, in this order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Phase {
    /// The raw weights on the validation set, then on the training subset.
    Val,
    Train,
    /// The EMA weights on the validation set.
    Ema,
    /// The j-th snapshot not measured yet (`Pending::members`) on the validation set.
    Member(usize),
}

/// An evaluation in progress: which set, chunk and pass comes next, and what is summed so far.
pub(super) struct Pending {
    /// A fixed stream of its own: evaluation is reproducible and never shifts the training stream
    /// (fractional pooling draws regions at test time too).
    rng: Rng,
    phase: Phase,
    /// First image of the current chunk, and the next forward pass over it.
    start: usize,
    pass: usize,
    /// (n, K) predicted distributions of the current chunk, averaged over passes and views.
    probs: Vec<f32>,
    /// (N, K) predicted distributions of the whole validation set, filled chunk by chunk (kept as
    /// the last evaluation's probabilities for model ensembles).
    val_probs: Vec<f32>,
    val: Tally,
    train: Tally,
    ema: Tally,
    /// Snapshot-ensemble members (indices into `Averaging::members`) whose validation
    /// probabilities are not known yet, and the (N, K) probabilities of the one being measured.
    members: Vec<usize>,
    member_probs: Vec<f32>,
    done: usize,
    /// Forward images of the whole evaluation, fixed at its start (members measured once are not
    /// measured again, so the session's count changes as it goes).
    total: usize,
}

impl Pending {
    /// Which weights the current unit needs.
    fn weights(&self) -> Weights {
        match self.phase {
            Phase::Val | Phase::Train => Weights::Raw,
            Phase::Ema => Weights::Ema,
            Phase::Member(j) => Weights::Member(self.members[j]),
        }
    }
}

impl Session {
    /// Images of the training set measured beside the validation set: as many as it has.
    fn train_eval_count(&self) -> usize {
        self.val.len().min(self.train.len())
    }

    /// Forward passes per image and views per pass.
    fn eval_passes_and_views(&self) -> (usize, usize) {
        let passes = if self.model.random_at_eval() {
            EVAL_SAMPLES
        } else {
            1
        };
        let views = if self.config.tta { TTA_VIEWS } else { 1 };
        (passes, views)
    }

    /// A new evaluation of the raw weights, the EMA and the members not measured yet.
    fn start_evaluation(&self) -> Pending {
        let members: Vec<usize> = (self.averaging.members.iter().enumerate())
            .filter(|(_, m)| m.val_probs.is_none())
            .map(|(i, _)| i)
            .collect();
        let val_passes = members.len() + self.averaging.ema.is_some() as usize;
        let (passes, views) = self.eval_passes_and_views();
        Pending {
            rng: Rng::new(EVAL_SEED),
            phase: Phase::Val,
            start: 0,
            pass: 0,
            probs: Vec::new(),
            val_probs: Vec::new(),
            val: Tally {
                confusion: Confusion::new(self.val.classes),
                ..Tally::default()
            },
            train: Tally::default(),
            ema: Tally::default(),
            members,
            member_probs: Vec::new(),
            done: 0,
            total: (self.val.len() * (1 + val_passes) + self.train_eval_count()) * passes * views,
        }
    }

    /// The phase after `p`'s, None when `p` is the last one.
    fn next_phase(&self, p: &Pending) -> Option<Phase> {
        let first_member = (!p.members.is_empty()).then_some(Phase::Member(0));
        match p.phase {
            Phase::Val => Some(Phase::Train),
            Phase::Train if self.averaging.ema.is_some() => Some(Phase::Ema),
            Phase::Train | Phase::Ema => first_member,
            Phase::Member(j) => (j + 1 < p.members.len()).then_some(Phase::Member(j + 1)),
        }
    }

    /// How far the unfinished evaluation has come; None when none is under way.
    pub fn evaluation_progress(&self) -> Option<EvalProgress> {
        self.pending_eval.as_ref().map(|p| EvalProgress {
            done: p.done,
            total: p.total,
        })
    }

    /// Does at most `max_images` forward images of evaluation work (at least one unit, ≤
    /// `EVAL_CHUNK` images, so that every call makes progress) and returns the report once the
    /// whole evaluation (validation set, then the training subset) is complete; None while it is
    /// not. A `step()` in between abandons the unfinished evaluation. Early stopping observes
    /// complete evaluations only.
    pub fn evaluate_slice(&mut self, max_images: usize) -> Option<EvalReport> {
        let mut p = match self.pending_eval.take() {
            Some(p) => p,
            None => self.start_evaluation(),
        };
        let (passes, views) = self.eval_passes_and_views();
        let chunk = (EVAL_CHUNK / views).max(1);
        let mut spent = 0usize;
        loop {
            let count = match p.phase {
                Phase::Train => self.train_eval_count(),
                _ => self.val.len(),
            };
            if p.start >= count {
                if let Phase::Member(j) = p.phase {
                    // Measured once for all later evaluations (see `averaging::Member`).
                    self.averaging.members[p.members[j]].val_probs =
                        Some(std::mem::take(&mut p.member_probs));
                }
                match self.next_phase(&p) {
                    Some(next) => {
                        if next != Phase::Train {
                            p.rng = Rng::new(EVAL_SEED);
                        }
                        p.phase = next;
                        p.start = 0;
                        continue;
                    }
                    None => {
                        self.wear(Weights::Raw);
                        return Some(self.finish_evaluation(p));
                    }
                }
            }
            let n = chunk.min(count - p.start);
            let work = n * views;
            if spent > 0 && spent + work > max_images {
                self.wear(Weights::Raw);
                self.pending_eval = Some(p);
                return None;
            }
            self.wear(p.weights());
            self.eval_pass(&mut p, n, passes, views);
            spent += work;
            p.done += work;
        }
    }

    /// One forward pass over the current chunk of `n` images; after the last pass, the chunk's
    /// averaged distributions are scored and the next chunk comes.
    fn eval_pass(&mut self, p: &mut Pending, n: usize, passes: usize, views: usize) {
        let set = if p.phase == Phase::Train {
            &self.train
        } else {
            &self.val
        };
        let (c, h, w, classes) = (set.c, set.h, set.w, set.classes);
        let len = c * h * w;
        if p.pass == 0 {
            p.probs.clear();
            p.probs.resize(n * classes, 0.0);
        }
        let scale = self.config.augment.crop_scale;
        let short_side = (h.min(w) as f32 * (scale[0] + scale[1]) / 2.0).round() as usize;
        self.views.resize(views * len, 0.0);
        let input = self.model.input_mut(n * views);
        self.eval_image.resize(len, 0.0);
        for i in 0..n {
            let dst = &mut input.data[i * views * len..(i + 1) * views * len];
            if views == 1 {
                set.copy_image(p.start + i, dst);
            } else {
                set.copy_image(p.start + i, &mut self.eval_image);
                tta_views(&self.eval_image, c, h, w, short_side, h, w, &mut self.views);
                dst.copy_from_slice(&self.views);
            }
        }
        let logits = self.model.forward(Mode::Eval, &mut p.rng);
        loss::accumulate_softmax_groups(logits, views, 1.0 / (passes * views) as f32, &mut p.probs);
        p.pass += 1;
        if p.pass < passes {
            return;
        }
        let rows = p
            .probs
            .chunks_exact(classes)
            .zip(&set.labels[p.start..p.start + n]);
        match p.phase {
            Phase::Val => {
                p.val_probs.extend_from_slice(&p.probs);
                for (i, (row, &label)) in rows.enumerate() {
                    p.val.score(row, label as usize);
                    p.val.calibration.add_row(row, label as usize);
                    p.val.confusion.add_row(p.start + i, row, label as usize);
                }
            }
            Phase::Train => rows.for_each(|(row, &label)| p.train.score(row, label as usize)),
            Phase::Ema => rows.for_each(|(row, &label)| p.ema.score(row, label as usize)),
            Phase::Member(_) => p.member_probs.extend_from_slice(&p.probs),
        }
        p.start += n;
        p.pass = 0;
    }

    fn finish_evaluation(&mut self, mut p: Pending) -> EvalReport {
        self.last_cells = Some(LastCells {
            step: self.step,
            lists: p.val.confusion.take_cells(),
        });
        self.last_val_probs = Some((self.step, std::mem::take(&mut p.val_probs)));
        let (val_n, train_n) = (self.val.len() as f64, self.train_eval_count() as f64);
        let val_accuracy = p.val.correct as f64 / val_n;
        let should_stop = self
            .early_stopping
            .observe(&mut self.model, self.step, val_accuracy);
        EvalReport {
            step: self.step,
            val_loss: p.val.loss_sum / val_n,
            val_accuracy,
            train_loss: p.train.loss_sum / train_n,
            train_accuracy: p.train.correct as f64 / train_n,
            val_confidence: p.val.calibration.mean_confidence(),
            val_ece: p.val.calibration.ece(),
            reliability: p.val.calibration.bins(),
            confusion: p.val.confusion.matrix(),
            most_wrong: p
                .val
                .confusion
                .take_wrong(self.val.w, self.val.h, |i| self.val.to_rgba8(i)),
            best_val_accuracy: self.early_stopping.best_accuracy.unwrap_or(val_accuracy),
            best_step: self.early_stopping.best_step,
            should_stop,
            ema: self.averaging.ema.as_ref().map(|_| EmaReport {
                val_accuracy: p.ema.correct as f64 / val_n,
                val_loss: p.ema.loss_sum / val_n,
            }),
            snapshot_ensemble: self.snapshot_ensemble_report(),
        }
    }

    /// The snapshot ensemble on the validation set from its members' measured probabilities; None
    /// without members.
    fn snapshot_ensemble_report(&self) -> Option<SnapshotEnsembleReport> {
        let members = &self.averaging.members;
        if members.is_empty() {
            return None;
        }
        let probs: Vec<&[f32]> = (members.iter())
            .map(|m| {
                m.val_probs
                    .as_deref()
                    .expect("every member is measured before the report")
            })
            .collect();
        let report = crate::ensemble::combine(&probs, &self.val.labels, self.val.classes)
            .expect("members of this run's model on its validation set, at most MAX_SNAPSHOTS");
        Some(SnapshotEnsembleReport {
            members: report.members,
            val_accuracy: report.accuracy,
            val_loss: report.loss,
            member_accuracies: report.member_accuracies,
            member_steps: members.iter().map(|m| m.step).collect(),
        })
    }

    /// The step of the last finished evaluation, whose per-cell lists `cell_images` gives; None
    /// before the first one.
    pub fn cell_images_step(&self) -> Option<u64> {
        self.last_cells.as_ref().map(|c| c.step)
    }

    /// The images the last finished evaluation kept of cell (true_class, predicted) of its
    /// confusion matrix, with their pixels: off the diagonal the most confidently wrong ones, on it
    /// the least confident right ones (see `confusion::CellLists`). Empty before the first
    /// evaluation; an error when a class is not one of the run's.
    pub fn cell_images(&self, true_class: usize, predicted: usize) -> Result<Vec<WrongPrediction>, String> {
        let k = self.val.classes;
        if true_class >= k || predicted >= k {
            return Err(format!(
                "cell images: true class {true_class}, predicted class {predicted}: the run has {k} classes \
                 (0 to {})",
                k.saturating_sub(1)
            ));
        }
        Ok(self.last_cells.as_ref().map_or_else(Vec::new, |c| {
            c.lists
                .images(true_class, predicted, self.val.w, self.val.h, |i| {
                    self.val.to_rgba8(i)
                })
        }))
    }

    /// The raw model's predicted distributions on the validation set at the last finished
    /// evaluation, (N, K) row-major in validation order, with that evaluation's step; None before
    /// the first one (and after `import_state`: they were of the weights before).
    pub fn val_probabilities(&self) -> Option<(u64, &[f32])> {
        self.last_val_probs
            .as_ref()
            .map(|(step, probs)| (*step, probs.as_slice()))
    }

    /// The validation set's labels, in the order of `val_probabilities`' rows.
    pub fn val_labels(&self) -> &[u8] {
        &self.val.labels
    }

    /// The whole evaluation at once (the slices run to the end, so the numbers are the same).
    pub fn evaluate(&mut self) -> EvalReport {
        loop {
            if let Some(report) = self.evaluate_slice(usize::MAX) {
                return report;
            }
        }
    }
}
