//! Early stopping: "always keep track of the model snapshot that worked best on val", and
//! optionally stop after `patience` evaluations without improvement.

use crate::model::Model;
use crate::snapshot::Snapshot;

#[derive(Default)]
pub struct EarlyStopping {
    /// Evaluations without improvement after which the run should stop (0: never stop, only keep
    /// the best snapshot).
    pub patience: u32,
    pub best_accuracy: Option<f64>,
    pub best_step: u64,
    since_best: u32,
    /// The model was just restored to the snapshot: its next evaluation is the best one again and
    /// counts neither as an improvement nor against the patience.
    just_restored: bool,
    /// The best model's parameters and state buffers (BatchNorm running statistics).
    snapshot: Option<Snapshot<f32>>,
}

impl EarlyStopping {
    pub fn new(patience: u32) -> Self {
        EarlyStopping {
            patience,
            ..Default::default()
        }
    }

    /// Records an evaluation; keeps a snapshot when it is the best so far. Returns true when the
    /// run should stop (patience exhausted).
    pub fn observe(&mut self, model: &mut Model<f32>, step: u64, val_accuracy: f64) -> bool {
        if std::mem::take(&mut self.just_restored) {
            return false;
        }
        if self.best_accuracy.is_none_or(|best| val_accuracy > best) {
            self.best_accuracy = Some(val_accuracy);
            self.best_step = step;
            self.since_best = 0;
            match &mut self.snapshot {
                Some(snapshot) => snapshot.capture(model),
                None => self.snapshot = Some(Snapshot::of(model)),
            }
        } else {
            self.since_best += 1;
        }
        self.patience > 0 && self.since_best >= self.patience
    }

    /// Puts the best snapshot back into the model: parameters and BatchNorm running statistics, so
    /// that evaluating it gives the best evaluation's numbers again. False if there is no snapshot,
    /// or if it does not fit `model` (another structure: the model is left as it is, and
    /// `Snapshot::restore` on `snapshot()` says what differs). Patience starts over: training
    /// continues from the snapshot.
    pub fn restore(&mut self, model: &mut Model<f32>) -> bool {
        let Some(snapshot) = &self.snapshot else {
            return false;
        };
        if snapshot.restore(model).is_err() {
            return false;
        }
        self.since_best = 0;
        self.just_restored = true;
        true
    }

    /// The best model so far, if an evaluation has been observed.
    pub fn snapshot(&self) -> Option<&Snapshot<f32>> {
        self.snapshot.as_ref()
    }
}
