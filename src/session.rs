//! The training loop in plain Rust: data → forward → loss → backward → optimizer. No wasm types and
//! no clock: everything random comes from the config's seed, so the same config in the same build
//! produces bit-identical losses.

use crate::config::{Config, ConfigError};
use crate::data::{self, Dataset};
use crate::loss;
use crate::model::Model;
use crate::nn::Mode;
use crate::optim::Sgd;
use crate::presets;
use crate::Rng;
use serde::Serialize;

/// What one training step reports.
#[derive(Clone, Debug, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct StepReport {
    /// Steps taken so far (1 after the first step).
    pub step: u64,
    /// Mean loss of this step's batch (NaN or infinite when training has diverged).
    pub loss: f64,
    /// Fraction of this step's batch classified correctly.
    pub accuracy: f64,
    /// Learning rate used for this step.
    pub lr: f64,
    /// Completed passes over the training set.
    pub epoch: u64,
}

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
}

/// Largest batch evaluation pushes through the model at once (bounds its buffers).
const EVAL_CHUNK: usize = 200;
/// Forward passes averaged per image when evaluation is random (fractional max pooling).
pub const EVAL_SAMPLES: usize = 4;

pub struct Session {
    pub config: Config,
    pub model: Model<f32>,
    optim: Sgd<f32>,
    /// Training-time randomness: shuffling (and later dropout masks, augmentation).
    rng: Rng,
    pub train: Dataset,
    pub val: Dataset,
    /// Visiting order of training images in the current epoch.
    order: Vec<usize>,
    cursor: usize,
    step: u64,
    epoch: u64,
    lr: f64,
    /// (N) labels and (N, K) target distributions of the current batch.
    labels: Vec<u8>,
    targets: Vec<f32>,
}

impl Session {
    pub fn new(config: Config) -> Result<Session, ConfigError> {
        config.validate()?;
        let (input, preset_layers) = presets::preset(&config.preset, config.activation).expect("validated preset");
        // An explicit layer list is taken as written; a preset gets the run's regularization switches.
        let mut specs = match &config.layers {
            Some(layers) => layers.clone(),
            None => presets::with_regularizers(preset_layers, &config),
        };
        presets::assign_survival(&mut specs, config.drop_path_rate);
        // Independent streams, so that e.g. a larger training set does not change the weights.
        let mut root = Rng::new(config.seed as u64);
        let (mut train_rng, mut val_rng, mut init_rng, rng) = (root.fork(), root.fork(), root.fork(), root.fork());
        let [c, h, w] = input;
        debug_assert_eq!(h, w, "presets are square");
        let (train, val) = match config.dataset.as_str() {
            "noise" => (data::noise(config.train_size, h, c, 10, &mut train_rng), data::noise(config.val_size, h, c, 10, &mut val_rng)),
            _ => (data::shapes(config.train_size, h, c, &mut train_rng), data::shapes(config.val_size, h, c, &mut val_rng)),
        };
        let mut model = Model::build(&specs, input, train.classes, config.init, &mut init_rng)?;
        let optim = Sgd::new(&mut model, config.momentum, config.weight_decay);
        let mut session = Session {
            lr: config.learning_rate,
            order: (0..train.len()).collect(),
            cursor: 0,
            step: 0,
            epoch: 0,
            labels: Vec::new(),
            targets: Vec::new(),
            config,
            model,
            optim,
            rng,
            train,
            val,
        };
        session.rng.shuffle(&mut session.order);
        Ok(session)
    }

    /// Copies the next `batchSize` training images (in shuffled order, reshuffling at each epoch)
    /// into the model's input and their labels into `self.labels`.
    fn load_train_batch(&mut self) {
        let n = self.config.batch_size;
        let len = self.train.image_len();
        self.labels.clear();
        let input = self.model.input_mut(n);
        for slot in 0..n {
            let idx = self.order[self.cursor];
            self.cursor += 1;
            if self.cursor == self.order.len() {
                self.cursor = 0;
                self.epoch += 1;
                self.rng.shuffle(&mut self.order);
            }
            input.data[slot * len..(slot + 1) * len].copy_from_slice(self.train.image(idx));
            self.labels.push(self.train.labels[idx]);
        }
    }

    /// One SGD step on the next batch.
    pub fn step(&mut self) -> StepReport {
        self.load_train_batch();
        let classes = self.train.classes;
        self.targets.resize(self.labels.len() * classes, 0.0);
        loss::one_hot(&self.labels, classes, &mut self.targets);
        self.model.forward(Mode::Train, &mut self.rng);
        let (logits, dlogits) = self.model.logits_and_grad();
        let batch_loss = loss::softmax_cross_entropy(logits, &self.targets, dlogits);
        let correct = loss::correct(logits, &self.labels);
        self.model.backward(false);
        self.optim.step(&mut self.model, self.lr);
        self.step += 1;
        StepReport {
            step: self.step,
            loss: batch_loss as f64,
            accuracy: correct as f64 / self.labels.len() as f64,
            lr: self.lr,
            epoch: self.epoch,
        }
    }

    /// Mean loss and accuracy of the model in eval mode over `count` images of `set` from the start.
    /// When evaluation is itself random (fractional pooling), the predicted distributions of
    /// `EVAL_SAMPLES` forward passes are averaged first: the lecture's "average predictions over
    /// different samples".
    fn measure(model: &mut Model<f32>, rng: &mut Rng, set: &Dataset, count: usize, probs: &mut Vec<f32>) -> (f64, f64) {
        let (len, classes) = (set.image_len(), set.classes);
        let samples = if model.random_at_eval() { EVAL_SAMPLES } else { 1 };
        let (mut loss_sum, mut correct) = (0.0f64, 0usize);
        let mut start = 0;
        while start < count {
            let n = EVAL_CHUNK.min(count - start);
            probs.clear();
            probs.resize(n * classes, 0.0);
            for _ in 0..samples {
                model.input_mut(n).data.copy_from_slice(&set.images[start * len..(start + n) * len]);
                let logits = model.forward(Mode::Eval, rng);
                loss::accumulate_softmax(logits, 1.0 / samples as f32, probs);
            }
            for (p, &label) in probs.chunks_exact(classes).zip(&set.labels[start..start + n]) {
                loss_sum -= (p[label as usize].max(f32::MIN_POSITIVE) as f64).ln();
                correct += (loss::argmax(p) == label as usize) as usize;
            }
            start += n;
        }
        (loss_sum / count as f64, correct as f64 / count as f64)
    }

    pub fn evaluate(&mut self) -> EvalReport {
        // A fixed stream of its own: evaluation is reproducible and never shifts the training stream
        // (fractional pooling draws regions at test time too).
        let mut eval_rng = Rng::new(0);
        let train_count = self.val.len().min(self.train.len());
        let (val_loss, val_accuracy) = Self::measure(&mut self.model, &mut eval_rng, &self.val, self.val.len(), &mut self.targets);
        let (train_loss, train_accuracy) = Self::measure(&mut self.model, &mut eval_rng, &self.train, train_count, &mut self.targets);
        EvalReport { step: self.step, val_loss, val_accuracy, train_loss, train_accuracy }
    }

    pub fn steps_taken(&self) -> u64 {
        self.step
    }

    pub fn epoch(&self) -> u64 {
        self.epoch
    }

    pub fn learning_rate(&self) -> f64 {
        self.lr
    }

    /// Changes the learning rate from the next step on (a paused run can resume with it).
    pub fn set_learning_rate(&mut self, lr: f64) -> Result<(), ConfigError> {
        if !(lr.is_finite() && lr > 0.0) {
            return Err(ConfigError(format!("learningRate: must be a positive finite number, got {lr}")));
        }
        self.lr = lr;
        Ok(())
    }
}
