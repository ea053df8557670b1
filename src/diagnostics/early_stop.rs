//! Early stopping: "always keep track of the model snapshot that worked best on val", and
//! optionally stop after `patience` evaluations without improvement.

use crate::model::Model;

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
    /// Every parameter buffer, then every state buffer (BatchNorm running statistics), of the best
    /// model, in visiting order.
    snapshot: Vec<Vec<f32>>,
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
            let mut i = 0;
            let snapshot = &mut self.snapshot;
            let mut keep = |w: &[f32]| {
                if snapshot.len() == i {
                    snapshot.push(Vec::new());
                }
                snapshot[i].clear();
                snapshot[i].extend_from_slice(w);
                i += 1;
            };
            model.visit_params(&mut |_, w, _| keep(w));
            model.visit_buffers(&mut |b| keep(b));
        } else {
            self.since_best += 1;
        }
        self.patience > 0 && self.since_best >= self.patience
    }

    /// Puts the best snapshot back into the model: parameters and BatchNorm running statistics, so
    /// that evaluating it gives the best evaluation's numbers again. False if there is no snapshot.
    /// Patience starts over: training continues from the snapshot.
    pub fn restore(&mut self, model: &mut Model<f32>) -> bool {
        if self.snapshot.is_empty() {
            return false;
        }
        let mut i = 0;
        let mut put = |w: &mut [f32]| {
            w.copy_from_slice(&self.snapshot[i]);
            i += 1;
        };
        model.visit_params(&mut |_, w, _| put(w));
        model.visit_buffers(&mut |b| put(b));
        self.since_best = 0;
        self.just_restored = true;
        true
    }
}
