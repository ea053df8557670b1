//! Learning-rate schedules: pure functions of the step, so the page can draw the whole curve
//! before training starts and a paused run can change schedule and resume. One file per schedule;
//! `warmup` composes with any of them; `config` is the serde shape.
//!
//! Steps are counted from 0: `lr(base_lr, t)` is the rate of the update with index t, i.e. the
//! update taken when t updates have already been taken (the first update uses t = 0). A session
//! asks for `lr(base_lr, steps_taken)` just before each optimizer step.

pub mod config;
pub mod constant;
pub mod cosine;
pub mod cyclic;
pub mod inverse_sqrt;
pub mod linear;
pub mod sgdr;
pub mod step;
pub mod warmup;

pub use config::ScheduleSpec;
pub use warmup::Warmup;

/// The decay part of a schedule (what happens after the warmup).
#[derive(Clone, Debug, PartialEq)]
pub enum Decay {
    /// α_t = α₀
    Constant,
    /// α_t = α₀·γ^(milestones ≤ t); milestones in steps, strictly increasing.
    Step { milestones: Vec<u64>, gamma: f64 },
    /// α_t = η_min + ½(α₀ − η_min)(1 + cos(tπ/T)), η_min after T.
    Cosine { total_steps: u64, eta_min: f64 },
    /// α_t = α₀(1 − t/T), 0 after T.
    Linear { total_steps: u64 },
    /// α_t = α₀/√max(t, 1).
    InverseSqrt,
    /// SGDR: cosine cycles of T_0, T_0·T_mult, ... steps.
    Sgdr { t_0: u64, t_mult: u64, eta_min: f64 },
    /// Cyclic cosine with a fixed period (SGDR with T_mult = 1), for snapshot ensembles.
    Cyclic { period: u64, eta_min: f64 },
}

impl Decay {
    pub fn lr(&self, base_lr: f64, step: u64) -> f64 {
        match self {
            Decay::Constant => constant::lr(base_lr, step),
            Decay::Step { milestones, gamma } => step::lr(base_lr, step, milestones, *gamma),
            Decay::Cosine { total_steps, eta_min } => cosine::lr(base_lr, step, *total_steps, *eta_min),
            Decay::Linear { total_steps } => linear::lr(base_lr, step, *total_steps),
            Decay::InverseSqrt => inverse_sqrt::lr(base_lr, step),
            Decay::Sgdr { t_0, t_mult, eta_min } => sgdr::lr(base_lr, step, *t_0, *t_mult, *eta_min),
            Decay::Cyclic { period, eta_min } => cyclic::lr(base_lr, step, *period, *eta_min),
        }
    }

    /// The config's `type` name.
    pub fn name(&self) -> &'static str {
        match self {
            Decay::Constant => "constant",
            Decay::Step { .. } => "step",
            Decay::Cosine { .. } => "cosine",
            Decay::Linear { .. } => "linear",
            Decay::InverseSqrt => "invsqrt",
            Decay::Sgdr { .. } => "sgdr",
            Decay::Cyclic { .. } => "cyclic",
        }
    }

    /// Steps d ≤ `limit` where the rate jumps (α_{d−1} → α_d is not a small move): milestones and
    /// restarts, or None when there are more than `cap` (a curve of `cap` points could not show
    /// them anyway). Never holds more than `cap + 1` of them, however large `limit` is.
    fn jumps(&self, limit: u64, cap: usize) -> Option<Vec<u64>> {
        let found: Vec<u64> = match self {
            Decay::Step { milestones, gamma } if *gamma != 1.0 => milestones
                .iter()
                .copied()
                .filter(|&m| m > 0 && m <= limit)
                .take(cap + 1)
                .collect(),
            Decay::Sgdr { t_0, t_mult, .. } => sgdr::cycle_ends_iter(*t_0, *t_mult, limit)
                .take(cap + 1)
                .collect(),
            Decay::Cyclic { period, .. } => sgdr::cycle_ends_iter(*period, 1, limit).take(cap + 1).collect(),
            _ => Vec::new(),
        };
        (found.len() <= cap).then_some(found)
    }
}

/// Most samples `ScheduleConfig::curve` returns (plus both sides of up to as many jumps): more
/// than a chart has pixels.
pub const MAX_CURVE_POINTS: usize = 2000;

/// A whole schedule: an optional linear warmup followed by a decay. Serialized flat, e.g.
/// `{ "type": "cosine", "totalSteps": 2000, "etaMin": 0, "warmupSteps": 100 }` (see `config`).
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(try_from = "ScheduleSpec", into = "ScheduleSpec")]
pub struct ScheduleConfig {
    pub decay: Decay,
    pub warmup: Warmup,
}

impl Default for ScheduleConfig {
    /// Constant, no warmup.
    fn default() -> Self {
        ScheduleConfig {
            decay: Decay::Constant,
            warmup: Warmup::default(),
        }
    }
}

impl ScheduleConfig {
    /// A schedule without warmup.
    pub fn new(decay: Decay) -> Self {
        ScheduleConfig {
            decay,
            warmup: Warmup::default(),
        }
    }

    /// The same schedule with a linear warmup over `steps` updates starting at rate `lr_init`.
    pub fn with_warmup(mut self, steps: u64, lr_init: f64) -> Self {
        self.warmup = Warmup { steps, lr_init };
        self
    }

    /// The learning rate of the update with index `step` (0 for the first update), for base rate α₀.
    pub fn lr(&self, base_lr: f64, step: u64) -> f64 {
        if self.warmup.covers(step) {
            self.warmup.ramp(step, self.decay.lr(base_lr, self.warmup.steps))
        } else {
            self.decay.lr(base_lr, step)
        }
    }

    /// About `points` (at most `MAX_CURVE_POINTS`) samples (step, rate) of the curve over steps
    /// 0..=`steps`, evenly spaced, both ends included, plus both sides of each jump (milestone,
    /// restart) when there are at most `points` of them, so that drops are drawn as drops. Sorted
    /// by step, no duplicate steps. `points` = 0 gives an empty curve, 1 gives step 0 only. Each
    /// sample is `lr(step)` itself: nothing proportional to `steps` is built, so a link with a
    /// huge T costs no more than a small one.
    pub fn curve(&self, base_lr: f64, steps: u64, points: usize) -> Vec<(u64, f64)> {
        let points = points.min(MAX_CURVE_POINTS);
        let mut at: Vec<u64> = match points {
            0 => return Vec::new(),
            1 => vec![0],
            _ => {
                let span = (points - 1) as u128;
                (0..points as u128)
                    .map(|i| ((i * steps as u128 + span / 2) / span) as u64)
                    .collect()
            }
        };
        if let Some(jumps) = self.decay.jumps(steps, points).filter(|_| points > 1) {
            for d in jumps {
                at.push(d - 1);
                at.push(d);
            }
            at.sort_unstable();
        }
        at.dedup();
        at.into_iter().map(|s| (s, self.lr(base_lr, s))).collect()
    }

    /// For cyclic schedules (`cyclic`, `sgdr`): the counts of completed updates ≤ `total_steps` at
    /// which a cycle ends, where a snapshot ensemble saves a member. Empty for the others.
    pub fn snapshot_steps(&self, total_steps: u64) -> Vec<u64> {
        match &self.decay {
            Decay::Sgdr { t_0, t_mult, .. } => sgdr::cycle_ends(*t_0, *t_mult, total_steps),
            Decay::Cyclic { period, .. } => cyclic::snapshot_steps(*period, total_steps),
            _ => Vec::new(),
        }
    }

    /// Checks every field; the message names the field (as spelled in the config) and its value.
    pub fn validate(&self) -> Result<(), String> {
        let err = |field: &str, rule: &str, value: &dyn std::fmt::Display| {
            Err(format!("{field}: {rule}, got {value}"))
        };
        let floor = |eta_min: f64| {
            if eta_min.is_finite() && eta_min >= 0.0 {
                Ok(())
            } else {
                err("etaMin", "must be a finite number ≥ 0", &eta_min)
            }
        };
        match &self.decay {
            Decay::Constant | Decay::InverseSqrt => {}
            Decay::Step { milestones, gamma } => {
                if !(gamma.is_finite() && *gamma > 0.0) {
                    return err("gamma", "must be a positive finite number", gamma);
                }
                if let Some(w) = milestones.windows(2).find(|w| w[0] >= w[1]) {
                    return err(
                        "milestones",
                        "must be strictly increasing",
                        &format!("{} before {} in {:?}", w[0], w[1], milestones),
                    );
                }
            }
            Decay::Cosine { total_steps, eta_min } => {
                if *total_steps == 0 {
                    return err("totalSteps", "must be at least 1", total_steps);
                }
                floor(*eta_min)?;
            }
            Decay::Linear { total_steps } => {
                if *total_steps == 0 {
                    return err("totalSteps", "must be at least 1", total_steps);
                }
            }
            Decay::Sgdr { t_0, t_mult, eta_min } => {
                if *t_0 == 0 {
                    return err("T_0", "must be at least 1", t_0);
                }
                if *t_mult == 0 {
                    return err("T_mult", "must be an integer ≥ 1", t_mult);
                }
                floor(*eta_min)?;
            }
            Decay::Cyclic { period, eta_min } => {
                if *period == 0 {
                    return err("period", "must be at least 1", period);
                }
                floor(*eta_min)?;
            }
        }
        let w = &self.warmup;
        if !(w.lr_init.is_finite() && w.lr_init >= 0.0) {
            return err("warmupLrInit", "must be a finite number ≥ 0", &w.lr_init);
        }
        if let Decay::Cosine { total_steps, .. } | Decay::Linear { total_steps } = self.decay {
            if w.steps >= total_steps {
                return err(
                    "warmupSteps",
                    &format!("must be less than totalSteps ({total_steps})"),
                    &w.steps,
                );
            }
        }
        Ok(())
    }
}
