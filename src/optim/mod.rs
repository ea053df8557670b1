//! Optimizers, PyTorch semantics. They receive the learning rate at every step and know nothing
//! about schedules (a schedule is a pure function of the step, see `crate::schedule`).
//!
//! Every optimizer allocates its state (velocity, moment or accumulator buffers, one per parameter
//! buffer in the model's `visit_params` order) when it is built; `step` allocates nothing.
//! Weight decay applies to `ParamKind::Weight` buffers only by default: biases and normalization
//! parameters (BatchNorm's γ and β, reported as `ParamKind::Bias`) are not decayed.
//!
//! Optimizers see the model only as its named parameters (`Model::visit_named_params`): a frozen
//! one (`Model::set_frozen`) gets no update and no weight decay, and its state buffers are left as
//! they are, so unfreezing it later resumes from the state it had. Adam's step count is one for the
//! whole optimizer (PyTorch keeps one per parameter): a parameter unfrozen after t steps gets the
//! bias corrections of step t, not of its own first step.
//!
//! A parameter may train at its own rate: `Optimizer::set_lr_scales` gives each parameter buffer a
//! factor on the step's learning rate (PyTorch's per-group `lr`; fine-tuning a pretrained network
//! at 0.1× beside a new head at 1×). Adam's and AdamW's decoupled decay use the scaled rate too.
//!
//! Only SGD's momentum update has a kernel (`Real::sgd_momentum`, SIMD on the page); Nesterov,
//! Adagrad, RMSProp and Adam/AdamW are plain element loops in `T`.

pub mod adagrad;
pub mod adam;
pub mod config;
pub mod rmsprop;
pub mod sgd;

pub use adagrad::Adagrad;
pub use adam::Adam;
pub use config::OptimizerConfig;
pub use rmsprop::Rmsprop;
pub use sgd::Sgd;

use crate::kernels::Real;
use crate::model::Model;
use crate::nn::{NamedParamVisitor, ParamKind};

/// What an optimizer updates: named parameter buffers with their gradients (`ParamInfo`, value,
/// gradient), always in the same order, the frozen ones flagged. A [`Model`] is one; the optimizer
/// never sees layers, so a caller can hand it any such list (a test's bare buffers, a subset).
/// The order must not change between building the optimizer and its steps: its state buffers
/// are matched to parameters by position.
pub trait ParamView<T> {
    fn visit(&mut self, f: &mut NamedParamVisitor<'_, T>);
}

impl<T: Real> ParamView<T> for Model<T> {
    fn visit(&mut self, f: &mut NamedParamVisitor<'_, T>) {
        self.visit_named_params(f)
    }
}

/// The decay coefficient a buffer of `kind` gets: λ for weights, 0 for biases and normalization
/// parameters unless `decay_biases`.
pub(crate) fn decay_for(kind: ParamKind, weight_decay: f64, decay_biases: bool) -> f64 {
    if kind == ParamKind::Weight || decay_biases {
        weight_decay
    } else {
        0.0
    }
}

/// The learning-rate factor of parameter buffer `i`: 1 when no factors were set.
pub(crate) fn scale_at(scales: &[f64], i: usize) -> f64 {
    scales.get(i).copied().unwrap_or(1.0)
}

/// (name, one buffer per parameter buffer in the model's `visit_params` order), in a fixed order.
pub type StateGroups<'a, T> = Vec<(&'static str, &'a mut Vec<Vec<T>>)>;

/// An optimizer's state, borrowed for saving or restoring a run: what its next steps depend on
/// besides the model and the learning rate.
pub struct OptimizerState<'a, T> {
    /// Updates taken so far, for the optimizers whose step depends on it (Adam's bias corrections).
    pub updates: Option<&'a mut u64>,
    pub groups: StateGroups<'a, T>,
}

/// Any of the optimizers, as built from an [`OptimizerConfig`].
pub enum Optimizer<T: Real> {
    Sgd(Sgd<T>),
    Adagrad(Adagrad<T>),
    Rmsprop(Rmsprop<T>),
    /// Adam, or AdamW when `decoupled` is set.
    Adam(Adam<T>),
}

impl<T: Real> Optimizer<T> {
    /// One update of every parameter buffer from the gradients currently in the model, with
    /// learning rate `lr` (the schedule's value for this step).
    pub fn step(&mut self, params: &mut (impl ParamView<T> + ?Sized), lr: f64) {
        match self {
            Optimizer::Sgd(o) => o.step(params, lr),
            Optimizer::Adagrad(o) => o.step(params, lr),
            Optimizer::Rmsprop(o) => o.step(params, lr),
            Optimizer::Adam(o) => o.step(params, lr),
        }
    }

    /// The config's `type` name: "sgd", "adagrad", "rmsprop", "adam" or "adamw".
    pub fn name(&self) -> &'static str {
        match self {
            Optimizer::Sgd(_) => "sgd",
            Optimizer::Adagrad(_) => "adagrad",
            Optimizer::Rmsprop(_) => "rmsprop",
            Optimizer::Adam(o) if o.decoupled => "adamw",
            Optimizer::Adam(_) => "adam",
        }
    }

    /// Everything a saved run must keep of this optimizer (see `OptimizerState`).
    pub fn state_mut(&mut self) -> OptimizerState<'_, T> {
        let (updates, groups) = match self {
            Optimizer::Sgd(o) => (None, o.state_mut()),
            Optimizer::Adagrad(o) => (None, o.state_mut()),
            Optimizer::Rmsprop(o) => (None, o.state_mut()),
            Optimizer::Adam(o) => {
                let (t, groups) = o.state_mut();
                (Some(t), groups)
            }
        };
        OptimizerState { updates, groups }
    }

    /// One learning-rate factor per parameter buffer, in visiting order (empty: all 1). A list of
    /// another length, or a factor that is negative or not finite, is refused by name and nothing
    /// changes.
    pub fn set_lr_scales(&mut self, scales: Vec<f64>) -> Result<(), String> {
        let count = self.state_mut().groups.first().map_or(0, |(_, g)| g.len());
        if !scales.is_empty() && scales.len() != count {
            return Err(format!(
                "learning-rate scales: {} given for {count} parameter buffers",
                scales.len()
            ));
        }
        if let Some((i, s)) = scales
            .iter()
            .enumerate()
            .find(|(_, s)| !(s.is_finite() && **s >= 0.0))
        {
            return Err(format!(
                "learning-rate scales: parameter {i}'s factor must be finite and ≥ 0, got {s}"
            ));
        }
        let slot = match self {
            Optimizer::Sgd(o) => &mut o.lr_scales,
            Optimizer::Adagrad(o) => &mut o.lr_scales,
            Optimizer::Rmsprop(o) => &mut o.lr_scales,
            Optimizer::Adam(o) => &mut o.lr_scales,
        };
        *slot = scales;
        Ok(())
    }

    /// The learning-rate factor of each parameter buffer (empty: all 1).
    pub fn lr_scales(&self) -> &[f64] {
        match self {
            Optimizer::Sgd(o) => &o.lr_scales,
            Optimizer::Adagrad(o) => &o.lr_scales,
            Optimizer::Rmsprop(o) => &o.lr_scales,
            Optimizer::Adam(o) => &o.lr_scales,
        }
    }

    /// Decay biases and normalization parameters too (off by default).
    pub fn set_decay_biases(&mut self, on: bool) {
        match self {
            Optimizer::Sgd(o) => o.decay_biases = on,
            Optimizer::Adagrad(o) => o.decay_biases = on,
            Optimizer::Rmsprop(o) => o.decay_biases = on,
            Optimizer::Adam(o) => o.decay_biases = on,
        }
    }
}
