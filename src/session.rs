//! The training loop in plain Rust: data → forward → loss → backward → optimizer. No wasm types and
//! no clock: everything random comes from the config's seed, so the same config in the same build
//! produces bit-identical losses.

use crate::augment::{AugmentState, MixInfo, MixKind, Mixer};
use crate::config::{Config, ConfigError};
use crate::data::{self, Dataset, LoadedData, Normalization};
use crate::diagnostics::{self, Diagnosis, EarlyStopping, UpdateRatio};
use crate::loss;
use crate::model::Model;
use crate::nn::Mode;
use crate::optim::Optimizer;
use crate::presets;
use crate::schedule::ScheduleConfig;
use crate::Rng;
use serde::Serialize;
use std::rc::Rc;

mod averaging;
mod checkpoint;
mod codec;
mod evaluate;
mod state;
mod transfer;
pub use averaging::{EmaReport, SnapshotEnsembleReport, MAX_SNAPSHOTS};
pub use checkpoint::CheckpointLoad;
pub use evaluate::{EvalProgress, EvalReport, EVAL_CHUNK, EVAL_SAMPLES};
pub use state::{StateError, STATE_VERSION};

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

/// Images of each training batch kept for the preview.
pub const PREVIEW_MAX: usize = 16;

pub struct Session {
    pub config: Config,
    pub model: Model<f32>,
    optim: Optimizer<f32>,
    /// The data order (shuffling) has a stream of its own, so that turning on a technique that draws
    /// random numbers (augmentation, mixing, dropout masks, …) does not change which images later
    /// steps see: two runs that differ only in such settings train on the same batches.
    order_rng: Rng,
    /// Training noise: augmentation, mixing, dropout/drop-connect masks, stochastic depth.
    rng: Rng,
    /// The run's images: generated for it, or the first `trainSize`/`valSize` of a loaded set's
    /// splits (sharing its pixels).
    pub train: Dataset,
    pub val: Dataset,
    /// The loaded set the run was built on (None for a generated set), for the sessions it builds
    /// itself (the learning-rate finder's probe).
    data: Option<Rc<LoadedData>>,
    /// The augmentations' view of the training set's pixels (the fixed map, see `crate::augment`),
    /// or None when the set is stored in it already.
    augment_norm: Option<Normalization>,
    /// Visiting order of training images in the current epoch.
    order: Vec<usize>,
    /// Training-set indices of the last batch, in batch order.
    batch_indices: Vec<usize>,
    cursor: usize,
    step: u64,
    epoch: u64,
    /// Base learning rate; the schedule scales it per step.
    lr: f64,
    /// (N) labels and (N, K) target distributions of the current batch.
    labels: Vec<u8>,
    targets: Vec<f32>,
    /// Per-image augmentation state (PCA basis, scratch) and the batch mixer.
    augment_state: AugmentState,
    mixer: Mixer,
    /// How the last training batch was mixed (for the preview).
    last_mix: Option<MixInfo>,
    /// The first `PREVIEW_MAX` images (C·H·W each) and target rows (K each) of the last training
    /// batch, kept apart because evaluation reuses the model's input and `targets`.
    preview_images: Vec<f32>,
    preview_targets: Vec<f32>,
    /// (TTA_VIEWS, C, H, W) scratch for test-time augmentation, and one image to cut them from.
    views: Vec<f32>,
    eval_image: Vec<f32>,
    update_ratio: UpdateRatio,
    early_stopping: EarlyStopping,
    /// Every step's training loss, for the curve diagnostics.
    losses: Vec<f64>,
    /// An evaluation begun by `evaluate_slice` and not finished yet.
    pending_eval: Option<evaluate::Pending>,
    /// Images per cell of the last finished evaluation's confusion matrix (`cell_images`).
    last_cells: Option<evaluate::LastCells>,
    /// The last finished evaluation's step and (N, K) validation probabilities (`val_probabilities`).
    last_val_probs: Option<(u64, Vec<f32>)>,
    /// The EMA of the weights and the snapshot ensemble's members (`averaging`).
    averaging: averaging::Averaging,
}

/// One image of the last training batch as the network saw it, with its soft label.
#[derive(Clone, Debug, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct PreviewImage {
    /// RGBA bytes, row-major (H·W·4).
    pub rgba: Vec<u8>,
    pub width: usize,
    pub height: usize,
    /// (class name, weight) for every class with weight ≥ 1%, largest first.
    pub label: Vec<(String, f64)>,
}

#[derive(Clone, Debug, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Preview {
    /// "none", "mixup" or "cutmix".
    pub mix: &'static str,
    /// The own-image weight of the batch's mixing (1 when not mixed).
    pub lambda: f64,
    pub images: Vec<PreviewImage>,
}

/// Images of a loaded training set the PCA colour basis is fitted on: evenly spaced, so that the
/// floats fitting needs stay bounded (0.5 k of 32×32 RGB is 6 MB) while 0.5 M pixels pin a 3×3
/// covariance down well.
pub const PCA_FIT_IMAGES: usize = 512;

impl Session {
    /// A run on a generated data set ("shapes" or "noise"); a loaded one needs `with_data`.
    pub fn new(config: Config) -> Result<Session, ConfigError> {
        Session::with_data(config, None)
    }

    /// A run on `config.dataset`: generated from the seed for "shapes" and "noise" (then `data` is
    /// not used), otherwise the loaded set `data`, which must have that name. A loaded set gives its
    /// shape and class count to the model, and the run takes the first `trainSize` and `valSize`
    /// images of its splits.
    pub fn with_data(config: Config, data: Option<Rc<LoadedData>>) -> Result<Session, ConfigError> {
        config.validate()?;
        let generated = data::GENERATED.contains(&config.dataset.as_str());
        let data = if generated {
            None
        } else {
            match data {
                Some(d) if d.name == config.dataset => Some(d),
                other => {
                    let loaded = other.map_or(String::new(), |d| {
                        format!(" (the loaded data set is \"{}\")", d.name)
                    });
                    return Err(ConfigError(format!(
                        "dataset \"{}\" is not loaded{loaded}",
                        config.dataset
                    )));
                }
            }
        };
        // Independent streams, so that e.g. a larger training set does not change the weights, and
        // a regularizer does not change the data order. The order stream is the fork the single
        // training stream used to be, so runs without training noise keep their old numbers.
        let mut root = Rng::new(config.seed as u64);
        let (mut train_rng, mut val_rng, mut init_rng, mut order_rng, mut rng) =
            (root.fork(), root.fork(), root.fork(), root.fork(), root.fork());
        if config.member > 0 {
            // An ensemble member: the same images (train_rng, val_rng above), its own weights,
            // order and noise, from a root of its own (seed in the low half, member in the high).
            let mut own = Rng::new(config.seed as u64 | (config.member as u64) << 32);
            (init_rng, order_rng, rng) = (own.fork(), own.fork(), own.fork());
        }
        let (train, val) = match &data {
            Some(d) => {
                let train = d.train.first(config.train_size);
                check_every_class(&train, &d.name)?;
                (train, d.val.first(config.val_size))
            }
            None => {
                let [c, h, _] = presets::default_input(&config.preset).expect("validated preset");
                match config.dataset.as_str() {
                    "noise" => (
                        data::noise(config.train_size, h, c, 10, &mut train_rng),
                        data::noise(config.val_size, h, c, 10, &mut val_rng),
                    ),
                    _ => (
                        data::shapes(config.train_size, h, c, &mut train_rng),
                        data::shapes(config.val_size, h, c, &mut val_rng),
                    ),
                }
            }
        };
        let input = train.shape();
        let [c, h, w] = input;
        // An explicit layer list is taken as written; a preset gets the run's regularization switches.
        let mut specs = match &config.layers {
            Some(layers) => layers.clone(),
            None => presets::with_regularizers(
                presets::preset(&config.preset, config.activation, input, train.classes)?,
                &config,
            ),
        };
        presets::assign_survival(&mut specs, config.drop_path_rate);
        let mut model =
            Model::build(&specs, input, train.classes, config.init, &mut init_rng).map_err(|e| {
                if config.layers.is_none() {
                    ConfigError(format!(
                        "preset \"{}\" on {c}×{h}×{w} images: {}",
                        config.preset, e.0
                    ))
                } else {
                    e
                }
            })?;
        // Before the optimizer state, the copies and the batch buffers exist.
        let copies = crate::limits::param_copies(&config, averaging::MAX_SNAPSHOTS);
        crate::limits::check_run(model.footprint(), copies, config.batch_size)?;
        let optim = config.optimizer_config().build(&mut model);
        let augment_norm = (!train.normalization.is_fixed()).then(|| Normalization::fixed(c));
        // Generated sets give all their floats, as they always have (and their numbers stay put);
        // loaded ones a bounded sample, and only when the PCA basis needs one.
        let augment_state = match train.floats() {
            Some(floats) => config.augment.state(floats, c, h, w),
            None if config.augment.pca_std > 0.0 && c == 3 => {
                config
                    .augment
                    .state(&pca_sample(&train, &Normalization::fixed(c)), c, h, w)
            }
            None => config.augment.state(&[], c, h, w),
        };
        let mixer = config.augment.mixer();
        let mut session = Session {
            augment_state,
            mixer,
            last_mix: None,
            preview_images: Vec::new(),
            preview_targets: Vec::new(),
            views: Vec::new(),
            eval_image: Vec::new(),
            update_ratio: UpdateRatio::default(),
            early_stopping: EarlyStopping::new(config.patience),
            losses: Vec::new(),
            pending_eval: None,
            last_cells: None,
            last_val_probs: None,
            averaging: averaging::Averaging::default(),
            lr: config.learning_rate,
            order: (0..train.len()).collect(),
            batch_indices: Vec::new(),
            cursor: 0,
            step: 0,
            epoch: 0,
            labels: Vec::new(),
            targets: Vec::new(),
            config,
            model,
            optim,
            order_rng,
            rng,
            train,
            val,
            data,
            augment_norm,
        };
        session.order_rng.shuffle(&mut session.order);
        Ok(session)
    }

    /// Copies the next `batchSize` training images (in shuffled order, reshuffling at each epoch)
    /// into the model's input, augmenting each one, and their labels into `self.labels`.
    fn load_train_batch(&mut self) {
        let n = self.config.batch_size;
        let (c, h, w) = (self.train.c, self.train.h, self.train.w);
        let len = self.train.image_len();
        let augment = !self.config.augment.is_identity();
        self.labels.clear();
        self.batch_indices.clear();
        let input = self.model.input_mut(n);
        for slot in 0..n {
            let idx = self.order[self.cursor];
            self.batch_indices.push(idx);
            self.cursor += 1;
            if self.cursor == self.order.len() {
                self.cursor = 0;
                self.epoch += 1;
                self.order_rng.shuffle(&mut self.order);
            }
            let image = &mut input.data[slot * len..(slot + 1) * len];
            match (&self.augment_norm, augment) {
                (Some(fixed), true) => {
                    // The augmentations work in the fixed map; back to the set's own afterwards.
                    self.train.copy_image_as(idx, image, fixed);
                    self.config
                        .augment
                        .apply(image, c, h, w, &mut self.rng, &mut self.augment_state);
                    fixed.convert(image, &self.train.normalization, h * w);
                }
                (_, augment) => {
                    self.train.copy_image(idx, image);
                    if augment {
                        self.config
                            .augment
                            .apply(image, c, h, w, &mut self.rng, &mut self.augment_state);
                    }
                }
            }
            self.labels.push(self.train.labels[idx]);
        }
    }

    /// One SGD step on the next batch.
    pub fn step(&mut self) -> StepReport {
        // The weights change: an unfinished evaluation would mix two models.
        self.pending_eval = None;
        self.averaging_before_step();
        self.load_train_batch();
        let classes = self.train.classes;
        let n = self.labels.len();
        self.targets.resize(n * classes, 0.0);
        if self.mixer.is_off() {
            loss::one_hot(&self.labels, classes, &mut self.targets);
        } else {
            // Mixup/CutMix blend the batch in place and write soft targets, label smoothing included.
            let (c, h, w) = (self.train.c, self.train.h, self.train.w);
            let input = self.model.input_mut(n);
            self.last_mix = Some(self.mixer.apply(
                &mut input.data,
                n,
                c,
                h,
                w,
                &self.labels,
                classes,
                &mut self.targets,
                &mut self.rng,
            ));
        }
        let kept = n.min(PREVIEW_MAX);
        self.preview_images.clear();
        self.preview_images
            .extend_from_slice(&self.model.input().data[..kept * self.train.image_len()]);
        self.preview_targets.clear();
        self.preview_targets
            .extend_from_slice(&self.targets[..kept * classes]);
        self.model.forward(Mode::Train, &mut self.rng);
        let (logits, dlogits) = self.model.logits_and_grad();
        let batch_loss = loss::softmax_cross_entropy(logits, &self.targets, dlogits);
        let correct = loss::correct(logits, &self.labels);
        self.model.backward(false);
        let lr = self.config.schedule.lr(self.lr, self.step);
        self.update_ratio.before_step(&mut self.model);
        self.optim.step(&mut self.model, lr);
        self.update_ratio.after_step(&mut self.model);
        self.step += 1;
        self.averaging_after_update();
        self.losses.push(batch_loss as f64);
        StepReport {
            step: self.step,
            loss: batch_loss as f64,
            accuracy: correct as f64 / self.labels.len() as f64,
            lr,
            epoch: self.epoch,
        }
    }

    /// Up to `count` (at most `PREVIEW_MAX`) images of the last training batch exactly as the
    /// network saw them (after augmentation and mixing), each with its soft label. Empty before the
    /// first step; evaluation does not change it.
    pub fn preview(&self, count: usize) -> Preview {
        let classes = self.train.classes;
        let (c, h, w) = (self.train.c, self.train.h, self.train.w);
        let len = c * h * w;
        let shown = count.min(self.preview_targets.len() / classes);
        let images = (0..shown)
            .map(|i| {
                let img = &self.preview_images[i * len..(i + 1) * len];
                let rgba = self.train.normalization.to_rgba8(img);
                let t = &self.preview_targets[i * classes..(i + 1) * classes];
                let mut label: Vec<(String, f64)> = t
                    .iter()
                    .enumerate()
                    .filter(|(_, &v)| v >= 0.01)
                    .map(|(k, &v)| (self.train.class_names[k].clone(), v as f64))
                    .collect();
                label.sort_by(|a, b| b.1.total_cmp(&a.1));
                PreviewImage {
                    rgba,
                    width: w,
                    height: h,
                    label,
                }
            })
            .collect();
        let (mix, lambda) = match &self.last_mix {
            Some(m) if m.kind == MixKind::Mixup => ("mixup", m.lambda as f64),
            Some(m) if m.kind == MixKind::CutMix => ("cutmix", m.lambda as f64),
            _ => ("none", 1.0),
        };
        Preview { mix, lambda, images }
    }

    /// ‖ΔW‖/‖W‖ of the last step for every weight tensor, in model order (lecture: want ~1e-3).
    pub fn update_ratios(&self) -> &[f64] {
        &self.update_ratio.ratios
    }

    /// Puts the parameters of the best evaluation so far back (early stopping). False if the run
    /// has not been evaluated yet.
    pub fn restore_best(&mut self) -> bool {
        self.pending_eval = None;
        self.early_stopping.restore(&mut self.model)
    }

    /// The lecture's step 3 on a copy of this run's setup: a fresh session (same seed, data and
    /// initial weights, constant schedule) whose learning rate rises exponentially; this run is
    /// left untouched.
    pub fn find_learning_rate(
        &self,
        finder: &crate::lab::lr_finder::LrFinderConfig,
    ) -> Result<crate::lab::lr_finder::LrFinderResult, ConfigError> {
        let mut probe = Session::with_data(
            Config {
                schedule: ScheduleConfig::default(),
                // The probe's weights are thrown away: nothing to average (and a snapshot
                // ensemble would refuse the constant schedule).
                model_ema_decay: 0.0,
                snapshot_ensemble: false,
                ..self.config.clone()
            },
            self.data.clone(),
        )?;
        crate::lab::lr_finder::find_lr(finder, |lr| {
            probe.lr = lr;
            probe.step().loss
        })
    }

    /// Training-set indices of the last step's batch, in batch order (before mixing, which pairs
    /// images within the batch). Empty before the first step.
    pub fn batch_indices(&self) -> &[usize] {
        &self.batch_indices
    }

    /// Every step's training loss so far.
    pub fn losses(&self) -> &[f64] {
        &self.losses
    }

    /// What the curves say so far (lecture, step 6), given the last evaluation's (train, val)
    /// accuracy if there is one.
    pub fn diagnose(&self, accuracies: Option<(f64, f64)>) -> Vec<Diagnosis> {
        diagnostics::diagnose(&self.losses, self.train.classes, accuracies)
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

    /// Replaces the schedule from the next step on; the run keeps its weights and optimizer state
    /// (schedules are pure functions of the step).
    pub fn set_schedule(&mut self, schedule: ScheduleConfig) -> Result<(), ConfigError> {
        schedule
            .validate()
            .map_err(|msg| ConfigError(format!("schedule.{msg}")))?;
        if self.config.snapshot_ensemble && !averaging::has_cycles(&schedule.decay) {
            return Err(ConfigError(format!(
                "schedule.type: the snapshot ensemble needs cycles (\"cyclic\" or \"sgdr\"), got \"{}\"",
                schedule.decay.name()
            )));
        }
        self.config.schedule = schedule;
        Ok(())
    }

    /// Changes the base learning rate from the next step on (a paused run can resume with it).
    pub fn set_learning_rate(&mut self, lr: f64) -> Result<(), ConfigError> {
        if !(lr.is_finite() && lr > 0.0) {
            return Err(ConfigError(format!(
                "learningRate: must be a positive finite number, got {lr}"
            )));
        }
        self.lr = lr;
        self.config.learning_rate = lr;
        Ok(())
    }
}

/// A run trains on the first `trainSize` images of a loaded set; refuses them when a class has none
/// there (a set sorted by class, or too small a trainSize), which could then never be learnt.
fn check_every_class(train: &Dataset, name: &str) -> Result<(), ConfigError> {
    match train.counts().iter().position(|&k| k == 0) {
        None => Ok(()),
        Some(class) => Err(ConfigError(format!(
            "trainSize: the first {} training images of \"{name}\" hold no image of class {class} (\"{}\"); choose a larger trainSize",
            train.len(),
            train.class_names[class]
        ))),
    }
}

/// Evenly spaced training images (at most `PCA_FIT_IMAGES`) as floats under `norm`, for fitting
/// the PCA colour basis without a float copy of the whole set.
fn pca_sample(train: &Dataset, norm: &Normalization) -> Vec<f32> {
    let count = train.len().min(PCA_FIT_IMAGES);
    let len = train.image_len();
    let mut out = vec![0.0; count * len];
    for (k, image) in out.chunks_exact_mut(len).enumerate() {
        train.copy_image_as(k * train.len() / count, image, norm);
    }
    out
}
