//! The optimizer part of a run's config: names and defaults follow `torch.optim`, camelCase across
//! the JS boundary, unknown fields rejected.
//!
//! ```text
//! { "type": "sgd",     "momentum": 0,  "nesterov": false, "weightDecay": 0 }
//! { "type": "adagrad", "eps": 1e-10, "initialAccumulatorValue": 0, "weightDecay": 0 }
//! { "type": "rmsprop", "alpha": 0.99, "eps": 1e-8, "momentum": 0, "weightDecay": 0 }
//! { "type": "adam",    "betas": [0.9, 0.999], "eps": 1e-8, "weightDecay": 0 }
//! { "type": "adamw",   "betas": [0.9, 0.999], "eps": 1e-8, "weightDecay": 0.01 }
//! ```
//!
//! Omitted fields take PyTorch's defaults (so `{ "type": "sgd" }` is plain SGD, momentum 0); the
//! absent optimizer (`OptimizerConfig::default()`) is the page's default, SGD with momentum 0.9.

use super::{Adagrad, Adam, Optimizer, ParamView, Rmsprop, Sgd};
use crate::kernels::Real;
use serde::{Deserialize, Serialize};
use std::fmt;

fn adagrad_eps() -> f64 {
    1e-10
}

fn eps() -> f64 {
    1e-8
}

fn rmsprop_alpha() -> f64 {
    0.99
}

fn betas() -> [f64; 2] {
    [0.9, 0.999]
}

fn adamw_weight_decay() -> f64 {
    0.01
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(
    tag = "type",
    rename_all = "lowercase",
    rename_all_fields = "camelCase",
    deny_unknown_fields
)]
pub enum OptimizerConfig {
    /// SGD; momentum μ > 0 adds a velocity, `nesterov` evaluates it ahead (needs μ > 0).
    Sgd {
        #[serde(default)]
        momentum: f64,
        #[serde(default)]
        nesterov: bool,
        #[serde(default)]
        weight_decay: f64,
    },
    Adagrad {
        #[serde(default = "adagrad_eps")]
        eps: f64,
        #[serde(default)]
        initial_accumulator_value: f64,
        #[serde(default)]
        weight_decay: f64,
    },
    Rmsprop {
        #[serde(default = "rmsprop_alpha")]
        alpha: f64,
        #[serde(default = "eps")]
        eps: f64,
        #[serde(default)]
        momentum: f64,
        #[serde(default)]
        weight_decay: f64,
    },
    /// Adam with L2 weight decay added to the gradient.
    Adam {
        #[serde(default = "betas")]
        betas: [f64; 2],
        #[serde(default = "eps")]
        eps: f64,
        #[serde(default)]
        weight_decay: f64,
    },
    /// Adam with decoupled weight decay (PyTorch's default λ = 0.01).
    Adamw {
        #[serde(default = "betas")]
        betas: [f64; 2],
        #[serde(default = "eps")]
        eps: f64,
        #[serde(default = "adamw_weight_decay")]
        weight_decay: f64,
    },
}

impl Default for OptimizerConfig {
    /// The page's default: SGD with momentum 0.9, no weight decay.
    fn default() -> Self {
        OptimizerConfig::sgd(0.9, 0.0)
    }
}

fn err(field: &str, rule: &str, value: &dyn fmt::Display) -> Result<(), String> {
    Err(format!("{field}: {rule}, got {value}"))
}

fn unit_interval(field: &str, x: f64) -> Result<(), String> {
    if (0.0..1.0).contains(&x) {
        Ok(())
    } else {
        err(field, "must be in [0, 1)", &x)
    }
}

fn non_negative(field: &str, x: f64) -> Result<(), String> {
    if x.is_finite() && x >= 0.0 {
        Ok(())
    } else {
        err(field, "must be a finite number ≥ 0", &x)
    }
}

fn positive(field: &str, x: f64) -> Result<(), String> {
    if x.is_finite() && x > 0.0 {
        Ok(())
    } else {
        err(field, "must be a positive finite number", &x)
    }
}

impl OptimizerConfig {
    /// SGD with momentum μ (0: plain SGD) and weight decay λ, not Nesterov.
    pub fn sgd(momentum: f64, weight_decay: f64) -> Self {
        OptimizerConfig::Sgd {
            momentum,
            nesterov: false,
            weight_decay,
        }
    }

    /// The `type` name.
    pub fn name(&self) -> &'static str {
        match self {
            OptimizerConfig::Sgd { .. } => "sgd",
            OptimizerConfig::Adagrad { .. } => "adagrad",
            OptimizerConfig::Rmsprop { .. } => "rmsprop",
            OptimizerConfig::Adam { .. } => "adam",
            OptimizerConfig::Adamw { .. } => "adamw",
        }
    }

    pub fn weight_decay(&self) -> f64 {
        match self {
            OptimizerConfig::Sgd { weight_decay, .. }
            | OptimizerConfig::Adagrad { weight_decay, .. }
            | OptimizerConfig::Rmsprop { weight_decay, .. }
            | OptimizerConfig::Adam { weight_decay, .. }
            | OptimizerConfig::Adamw { weight_decay, .. } => *weight_decay,
        }
    }

    /// The same optimizer with another weight decay (the recipe's step 1 turns it off).
    pub fn with_weight_decay(&self, lambda: f64) -> Self {
        let mut c = self.clone();
        match &mut c {
            OptimizerConfig::Sgd { weight_decay, .. }
            | OptimizerConfig::Adagrad { weight_decay, .. }
            | OptimizerConfig::Rmsprop { weight_decay, .. }
            | OptimizerConfig::Adam { weight_decay, .. }
            | OptimizerConfig::Adamw { weight_decay, .. } => *weight_decay = lambda,
        }
        c
    }

    /// Checks every field; the message names the field and its value ("momentum: must be in
    /// [0, 1), got 1.5"). The learning rate is not part of this config (it comes each step).
    pub fn validate(&self) -> Result<(), String> {
        match *self {
            OptimizerConfig::Sgd {
                momentum,
                nesterov,
                weight_decay,
            } => {
                unit_interval("momentum", momentum)?;
                if nesterov && momentum <= 0.0 {
                    return err(
                        "nesterov",
                        "requires momentum > 0",
                        &format!("true with momentum {momentum}"),
                    );
                }
                non_negative("weightDecay", weight_decay)
            }
            OptimizerConfig::Adagrad {
                eps,
                initial_accumulator_value,
                weight_decay,
            } => {
                positive("eps", eps)?;
                non_negative("initialAccumulatorValue", initial_accumulator_value)?;
                non_negative("weightDecay", weight_decay)
            }
            OptimizerConfig::Rmsprop {
                alpha,
                eps,
                momentum,
                weight_decay,
            } => {
                unit_interval("alpha", alpha)?;
                positive("eps", eps)?;
                unit_interval("momentum", momentum)?;
                non_negative("weightDecay", weight_decay)
            }
            OptimizerConfig::Adam {
                betas,
                eps,
                weight_decay,
            }
            | OptimizerConfig::Adamw {
                betas,
                eps,
                weight_decay,
            } => {
                unit_interval("betas[0]", betas[0])?;
                unit_interval("betas[1]", betas[1])?;
                positive("eps", eps)?;
                non_negative("weightDecay", weight_decay)
            }
        }
    }

    /// Allocates the optimizer's state for `params` (a model; call `validate` first: invalid values are
    /// not rejected here).
    pub fn build<T: Real>(&self, params: &mut (impl ParamView<T> + ?Sized)) -> Optimizer<T> {
        match *self {
            OptimizerConfig::Sgd {
                momentum,
                nesterov,
                weight_decay,
            } => Optimizer::Sgd(Sgd::new(params, momentum, weight_decay).with_nesterov(nesterov)),
            OptimizerConfig::Adagrad {
                eps,
                initial_accumulator_value,
                weight_decay,
            } => Optimizer::Adagrad(Adagrad::new(params, weight_decay, eps, initial_accumulator_value)),
            OptimizerConfig::Rmsprop {
                alpha,
                eps,
                momentum,
                weight_decay,
            } => Optimizer::Rmsprop(Rmsprop::new(params, alpha, eps, momentum, weight_decay)),
            OptimizerConfig::Adam {
                betas,
                eps,
                weight_decay,
            } => Optimizer::Adam(Adam::new(params, (betas[0], betas[1]), eps, weight_decay)),
            OptimizerConfig::Adamw {
                betas,
                eps,
                weight_decay,
            } => Optimizer::Adam(Adam::adamw(params, (betas[0], betas[1]), eps, weight_decay)),
        }
    }
}
