//! The serde shape of a schedule: one flat object, `type` plus the fields that type uses, plus the
//! warmup fields any type may carry. Names are camelCase across the JS boundary, with the
//! PyTorch/timm spellings accepted as aliases:
//!
//! ```text
//! { "type": "constant" }
//! { "type": "step",     "milestones": [3000, 6000, 9000], "gamma": 0.1 }   (milestones in steps)
//! { "type": "cosine",   "totalSteps": 2000, "etaMin": 0 }                  (T, T_max; eta_min)
//! { "type": "linear",   "totalSteps": 2000 }
//! { "type": "invsqrt" }                                                    (inverseSqrt, inverse_sqrt)
//! { "type": "sgdr",     "T_0": 500, "T_mult": 2, "etaMin": 0 }             (t0, tMult)
//! { "type": "cyclic",   "period": 500, "etaMin": 0 }
//! any of them + "warmupSteps": 100, "warmupLrInit": 0                      (warmup_steps, warmup_lr_init)
//! ```
//!
//! Defaults: gamma 0.1, etaMin 0, T_mult 1, warmupSteps 0, warmupLrInit 0. `T_0` and `T_mult` keep
//! PyTorch's spelling (a one-letter symbol has no camelCase). Unknown fields, and fields the type
//! does not use ("gamma" on a cosine schedule), are rejected with a message naming them; values are
//! checked by `ScheduleConfig::validate`.

use super::{Decay, ScheduleConfig, Warmup};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScheduleSpec {
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(
        rename = "totalSteps",
        alias = "T",
        alias = "T_max",
        alias = "total_steps",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub total_steps: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub milestones: Option<Vec<u64>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gamma: Option<f64>,
    #[serde(
        rename = "etaMin",
        alias = "eta_min",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub eta_min: Option<f64>,
    #[serde(
        rename = "T_0",
        alias = "t0",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub t_0: Option<u64>,
    #[serde(
        rename = "T_mult",
        alias = "tMult",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub t_mult: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub period: Option<u64>,
    #[serde(
        rename = "warmupSteps",
        alias = "warmup_steps",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub warmup_steps: Option<u64>,
    #[serde(
        rename = "warmupLrInit",
        alias = "warmup_lr_init",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub warmup_lr_init: Option<f64>,
}

pub const TYPES: [&str; 7] = [
    "constant", "step", "cosine", "linear", "invsqrt", "sgdr", "cyclic",
];

impl TryFrom<ScheduleSpec> for ScheduleConfig {
    type Error = String;

    fn try_from(s: ScheduleSpec) -> Result<Self, String> {
        // The type's own fields (besides the warmup fields every type accepts).
        let (kind, own): (&str, &[&str]) = match s.kind.as_str() {
            "constant" => ("constant", &[]),
            "step" | "multistep" => ("step", &["milestones", "gamma"]),
            "cosine" => ("cosine", &["totalSteps", "etaMin"]),
            "linear" => ("linear", &["totalSteps"]),
            "invsqrt" | "inverseSqrt" | "inverse_sqrt" => ("invsqrt", &[]),
            "sgdr" => ("sgdr", &["T_0", "T_mult", "etaMin"]),
            "cyclic" => ("cyclic", &["period", "etaMin"]),
            other => {
                return Err(format!(
                    "type: must be one of {}, got \"{other}\"",
                    TYPES.join(", ")
                ))
            }
        };
        let present = [
            ("totalSteps", s.total_steps.is_some()),
            ("milestones", s.milestones.is_some()),
            ("gamma", s.gamma.is_some()),
            ("etaMin", s.eta_min.is_some()),
            ("T_0", s.t_0.is_some()),
            ("T_mult", s.t_mult.is_some()),
            ("period", s.period.is_some()),
        ];
        if let Some((field, _)) = present.iter().find(|(f, p)| *p && !own.contains(f)) {
            let mut fields: Vec<&str> = own.to_vec();
            fields.extend(["warmupSteps", "warmupLrInit"]);
            return Err(format!(
                "{field}: not a field of the {kind} schedule (its fields: {})",
                fields.join(", ")
            ));
        }
        let required = |field: &str, v: Option<u64>| {
            v.ok_or_else(|| format!("{field}: required by the {kind} schedule"))
        };
        let eta_min = s.eta_min.unwrap_or(0.0);
        let decay = match kind {
            "constant" => Decay::Constant,
            "step" => Decay::Step {
                milestones: s
                    .milestones
                    .ok_or_else(|| "milestones: required by the step schedule".to_string())?,
                gamma: s.gamma.unwrap_or(0.1),
            },
            "cosine" => Decay::Cosine {
                total_steps: required("totalSteps", s.total_steps)?,
                eta_min,
            },
            "linear" => Decay::Linear {
                total_steps: required("totalSteps", s.total_steps)?,
            },
            "invsqrt" => Decay::InverseSqrt,
            "sgdr" => Decay::Sgdr {
                t_0: required("T_0", s.t_0)?,
                t_mult: s.t_mult.unwrap_or(1),
                eta_min,
            },
            _ => Decay::Cyclic {
                period: required("period", s.period)?,
                eta_min,
            },
        };
        let warmup = Warmup {
            steps: s.warmup_steps.unwrap_or(0),
            lr_init: s.warmup_lr_init.unwrap_or(0.0),
        };
        Ok(ScheduleConfig { decay, warmup })
    }
}

impl From<ScheduleConfig> for ScheduleSpec {
    /// Every field the type uses, defaults included; warmup fields only when there is a warmup.
    fn from(c: ScheduleConfig) -> Self {
        let mut s = ScheduleSpec {
            kind: c.decay.name().to_string(),
            ..Default::default()
        };
        match c.decay {
            Decay::Constant | Decay::InverseSqrt => {}
            Decay::Step { milestones, gamma } => {
                s.milestones = Some(milestones);
                s.gamma = Some(gamma);
            }
            Decay::Cosine { total_steps, eta_min } => {
                s.total_steps = Some(total_steps);
                s.eta_min = Some(eta_min);
            }
            Decay::Linear { total_steps } => s.total_steps = Some(total_steps),
            Decay::Sgdr { t_0, t_mult, eta_min } => {
                s.t_0 = Some(t_0);
                s.t_mult = Some(t_mult);
                s.eta_min = Some(eta_min);
            }
            Decay::Cyclic { period, eta_min } => {
                s.period = Some(period);
                s.eta_min = Some(eta_min);
            }
        }
        if c.warmup.steps > 0 {
            s.warmup_steps = Some(c.warmup.steps);
            s.warmup_lr_init = Some(c.warmup.lr_init);
        }
        s
    }
}
