//! Learning-rate finder: the lecture's hyperparameter step 3, "find a LR that makes the loss drop
//! significantly within ~100 iterations" (the LR range test of Smith 2017, "Cyclical Learning
//! Rates for Training Neural Networks", §3.3).
//!
//! One run trains continuously while the learning rate rises exponentially from `lrMin` to
//! `lrMax` over `iterations` steps: lr_i = lrMin·(lrMax/lrMin)^(i/(iterations−1)), so consecutive
//! rates have a constant ratio and the points are evenly spaced on the plot's log axis. Each loss
//! is smoothed by an exponential moving average with bias correction (as Adam corrects its
//! moments):
//!
//! ```text
//! avg_t = β·avg_{t−1} + (1 − β)·loss_t,  avg_0 = 0
//! smoothed_t = avg_t / (1 − β^t)          (t = 1, 2, ...: without the division the first
//!                                          values would be pulled towards 0)
//! ```
//!
//! The sweep stops early once the loss is not finite or the smoothed loss exceeds `divergence`
//! (4) times its minimum so far: past that point the rate is plainly too high and further steps
//! only waste time (and, on a live Session, wreck the weights further).
//!
//! The driver is pure: it sees the training only through a closure `train_step(lr) -> loss`, so it
//! runs on a Session (set the rate, take a step, return its loss) or on a test function. The
//! [`LrFinder`] form lets a worker step it one iteration at a time and post progress.

use crate::config::{path_message, ConfigError};
use crate::math;
use serde::{Deserialize, Serialize};

/// A suggestion needs the smoothed loss to fall at least this fraction below the initial loss
/// (the mean raw loss over the first tenth of the sweep, where the rate is too small to change
/// anything): the lecture asks for a rate that makes the loss drop *significantly*. The smoothed
/// loss of a flat minibatch curve wanders by a few per cent (β = 0.9, batch-32 cross-entropy), so
/// a smaller dip would make the "steepest" point noise.
pub const MIN_DROP: f64 = 0.05;

pub const MAX_ITERATIONS: usize = 10_000;

/// JSON (every field optional): `{ lrMin: 1e-5, lrMax: 1, iterations: 100, smoothing: 0.9,
/// divergence: 4 }`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct LrFinderConfig {
    /// First learning rate. The default range spans the lecture's "good learning rates to try:
    /// 1e-1, 1e-2, 1e-3, 1e-4" with a decade of margin below, up to a rate that makes SGD on the
    /// built-in presets diverge.
    pub lr_min: f64,
    /// Last learning rate (reached only if the loss has not diverged before).
    pub lr_max: f64,
    /// Number of steps of the sweep (the lecture's ~100).
    pub iterations: usize,
    /// β of the moving average, in [0, 1); 0 = no smoothing. 0.9 averages over roughly the last
    /// ten steps: enough to tame minibatch noise before the difference that finds the steepest
    /// descent, while lagging the raw curve by only a few steps (fastai's 0.98, a ~50-step window,
    /// would span half of a 100-step sweep).
    pub smoothing: f64,
    /// Stop once the smoothed loss exceeds this multiple of its minimum so far.
    pub divergence: f64,
}

impl Default for LrFinderConfig {
    fn default() -> Self {
        LrFinderConfig {
            lr_min: 1e-5,
            lr_max: 1.0,
            iterations: 100,
            smoothing: 0.9,
            divergence: 4.0,
        }
    }
}

impl LrFinderConfig {
    pub fn validate(&self) -> Result<(), ConfigError> {
        let err = |field: &str, rule: &str, value: &dyn std::fmt::Display| {
            Err(ConfigError(format!("{field}: {rule}, got {value}")))
        };
        if !(self.lr_min.is_finite() && self.lr_min > 0.0) {
            return err("lrMin", "must be a positive finite number", &self.lr_min);
        }
        if !(self.lr_max.is_finite() && self.lr_max > self.lr_min) {
            return err(
                "lrMax",
                &format!("must be a finite number above lrMin ({})", self.lr_min),
                &self.lr_max,
            );
        }
        if !(2..=MAX_ITERATIONS).contains(&self.iterations) {
            return err(
                "iterations",
                &format!("must be between 2 and {MAX_ITERATIONS}"),
                &self.iterations,
            );
        }
        if !(0.0..1.0).contains(&self.smoothing) {
            return err("smoothing", "must be in [0, 1)", &self.smoothing);
        }
        if !(self.divergence.is_finite() && self.divergence > 1.0) {
            return err("divergence", "must be a finite number above 1", &self.divergence);
        }
        Ok(())
    }

    /// Parses and validates a JSON value (null = the defaults), naming the field of any error.
    pub fn from_value(value: serde_json::Value) -> Result<Self, ConfigError> {
        let config: Self = if value.is_null() {
            Self::default()
        } else {
            serde_path_to_error::deserialize(value)
                .map_err(|e| ConfigError(path_message(&e.path().to_string(), &e.inner().to_string())))?
        };
        config.validate()?;
        Ok(config)
    }

    /// The i-th learning rate of the sweep, lrMin·(lrMax/lrMin)^(i/(iterations−1)), computed in
    /// log space so that the ratio of consecutive rates is the same at every step.
    pub fn lr(&self, i: usize) -> f64 {
        let t = i as f64 / (self.iterations - 1) as f64;
        math::exp(math::ln(self.lr_min) + t * (math::ln(self.lr_max) - math::ln(self.lr_min)))
    }
}

/// One step of the sweep: the rate used, the loss that step reported and its smoothed value.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LrPoint {
    pub lr: f64,
    /// Not finite on the step that stopped the sweep for that reason (serde_json writes null).
    pub loss: f64,
    pub smoothed: f64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum StopReason {
    /// The sweep is still going (a progress report from `LrFinder::result`).
    Running,
    /// Every planned step was taken.
    Completed,
    /// The smoothed loss exceeded `divergence` × its minimum.
    Diverged,
    /// A loss was NaN or infinite ("learning rate too high or bad initialization").
    NonFinite,
}

/// `{ points: [{ lr, loss, smoothed }], stopReason: "running" | "completed" | "diverged" | "nonFinite",
///    initialLoss, suggestedLr: number | null, steepestIndex: number | null, steepestLr: number | null,
///    minIndex: number | null, minLr: number | null, minSmoothed: number | null, rule: string }`
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LrFinderResult {
    pub points: Vec<LrPoint>,
    pub stop_reason: StopReason,
    /// Mean raw loss over the first tenth of the sweep (NaN before the first point).
    pub initial_loss: f64,
    /// min(steepestLr, minLr/10) (see [`LrFinder::result`]). None when the smoothed loss never
    /// fell MIN_DROP below the initial loss ("loss not going down? LR too low, bad
    /// initialization"), or fewer than three points were taken. Not necessarily a sweep point.
    pub suggested_lr: Option<f64>,
    /// Where the smoothed loss falls fastest (most negative central difference), up to its minimum.
    pub steepest_index: Option<usize>,
    pub steepest_lr: Option<f64>,
    /// The smallest smoothed loss, and its rate.
    pub min_index: Option<usize>,
    pub min_lr: Option<f64>,
    pub min_smoothed: Option<f64>,
    /// The suggestion rule in words, for the page.
    pub rule: String,
}

pub const RULE: &str =
    "the rate where the smoothed loss falls fastest, but at most a tenth of the rate at its minimum";

/// The sweep as a state machine: `next_lr()`, train one step at that rate, `record(loss)`, until
/// `next_lr()` is None; then `result()`.
#[derive(Clone, Debug)]
pub struct LrFinder {
    config: LrFinderConfig,
    points: Vec<LrPoint>,
    /// the un-corrected moving average avg_t
    avg: f64,
    /// β^t, for the bias correction
    beta_t: f64,
    /// index of the smallest smoothed loss so far
    best: usize,
    stop: Option<StopReason>,
}

impl LrFinder {
    pub fn new(config: LrFinderConfig) -> Result<LrFinder, ConfigError> {
        config.validate()?;
        Ok(LrFinder {
            points: Vec::with_capacity(config.iterations),
            avg: 0.0,
            beta_t: 1.0,
            best: 0,
            stop: None,
            config,
        })
    }

    pub fn config(&self) -> &LrFinderConfig {
        &self.config
    }

    /// The rate for the next step, or None when the sweep is over (completed or stopped).
    pub fn next_lr(&self) -> Option<f64> {
        (self.stop.is_none() && self.points.len() < self.config.iterations)
            .then(|| self.config.lr(self.points.len()))
    }

    /// Records the loss of the step taken at `next_lr()`. Returns whether the sweep goes on.
    pub fn record(&mut self, loss: f64) -> bool {
        let Some(lr) = self.next_lr() else { return false };
        let beta = self.config.smoothing;
        if !loss.is_finite() {
            self.points.push(LrPoint {
                lr,
                loss,
                smoothed: f64::NAN,
            });
            self.stop = Some(StopReason::NonFinite);
            return false;
        }
        self.avg = beta * self.avg + (1.0 - beta) * loss;
        self.beta_t *= beta;
        let smoothed = self.avg / (1.0 - self.beta_t);
        self.points.push(LrPoint { lr, loss, smoothed });
        let i = self.points.len() - 1;
        if smoothed < self.points[self.best].smoothed {
            self.best = i;
        }
        // Relative to the minimum, so it works for any loss scale. A smoothed loss can overflow to
        // infinity from finite losses; that is divergence too.
        if !smoothed.is_finite() || smoothed > self.config.divergence * self.points[self.best].smoothed {
            self.stop = Some(StopReason::Diverged);
        } else if self.points.len() == self.config.iterations {
            self.stop = Some(StopReason::Completed);
        }
        self.stop.is_none()
    }

    pub fn points(&self) -> &[LrPoint] {
        &self.points
    }

    pub fn is_done(&self) -> bool {
        self.next_lr().is_none()
    }

    /// The sweep so far and the suggestion.
    ///
    /// Rule: suggestedLr = min(steepestLr, minLr/10), where steepestLr is the rate at which the
    /// smoothed loss falls fastest per step — the most negative central difference
    /// smoothed[i+1] − smoothed[i−1], which is the steepest slope against log lr since the points are
    /// evenly spaced in log lr — searched up to the smoothed minimum at minLr.
    ///
    /// Why the steepest descent: it is where the rate is already large enough to make real
    /// progress per step and still below instability — the lecture's "makes the loss drop
    /// significantly" — and it is found before the curve's noisy end. On its own it can land right
    /// next to the minimum when a noisy curve happens to dip late (measured on shapes-cnn with
    /// momentum 0.9, where the loss barely moves for the first ~100 steps at any small rate: over
    /// six seeds it ranged 0.007–0.12, against 0.005–0.035 for minLr/10, while lr 0.05 trains
    /// badly there). The cap at a tenth of the minimum's rate — the other usual rule — keeps it a
    /// decade clear of the rate where the loss turns up; a rate too low costs time, one too high
    /// costs the run. "A tenth of the minimum" alone is not used because on a curve with a deep,
    /// sharp dip the smoothed minimum lags far behind the raw one: on ½a·w² a tenth of it came out at
    /// 1/a–4/a, at or above the one-step optimum.
    ///
    /// Where it lands on f(w) = ½a·w² with plain gradient steps w ← (1 − lr·a)·w: the loss after
    /// step t is L₀·Π(1 − lr_i·a)² ≈ L₀·exp(−2a·Σ_{i≤t} lr_i), and with a constant ratio r between
    /// rates Σ lr_i ≈ lr_t·r/(r − 1). The loss therefore falls fastest per step where
    /// 2a·lr·r/(r − 1) = 1, i.e. lr = (r − 1)/(2ra) ≈ 0.065/a for 1e-5..10 over 100 steps
    /// (r = 10^(6/99) ≈ 1.15); the moving average's lag moves the smoothed curve's steepest point
    /// a few steps later (measured 0.13/a–0.14/a), and the minimum is past the stability limit 2/a,
    /// so the cap does not bind. The suggestion is in [0.1/a, 1/a], the decade below the one-step
    /// optimum 1/a (a = 10: [0.01, 0.1]); tests/lr_finder.rs checks this for a = 1, 10, 100.
    pub fn result(&self) -> LrFinderResult {
        let p = &self.points;
        let head = p.len().min((self.config.iterations / 10).max(1));
        let initial_loss = p[..head].iter().map(|q| q.loss).sum::<f64>() / head as f64;
        let min = p.get(self.best).map(|q| (self.best, q.lr, q.smoothed));
        let dropped = min.is_some_and(|(_, _, s)| s <= (1.0 - MIN_DROP) * initial_loss);
        let mut steepest_index = None;
        if dropped {
            let mut steepest = 0.0;
            // central differences need i−1 and i+1; i+1 may pass the minimum by one point
            for i in 1..(self.best + 1).min(p.len() - 1) {
                let slope = p[i + 1].smoothed - p[i - 1].smoothed;
                if slope < steepest {
                    steepest = slope;
                    steepest_index = Some(i);
                }
            }
        }
        let steepest_lr = steepest_index.map(|i| p[i].lr);
        LrFinderResult {
            points: p.clone(),
            stop_reason: self.stop.unwrap_or(StopReason::Running),
            initial_loss,
            suggested_lr: steepest_lr.zip(min).map(|(s, (_, m, _))| s.min(m / 10.0)),
            steepest_index,
            steepest_lr,
            min_index: min.map(|m| m.0),
            min_lr: min.map(|m| m.1),
            min_smoothed: min.map(|m| m.2),
            rule: RULE.to_string(),
        }
    }
}

/// Runs the whole sweep: calls `train_step(lr)` with each rate in turn (it should take one
/// training step at that rate and return that step's loss) until the sweep completes or stops.
pub fn find_lr(
    config: &LrFinderConfig,
    mut train_step: impl FnMut(f64) -> f64,
) -> Result<LrFinderResult, ConfigError> {
    let mut finder = LrFinder::new(config.clone())?;
    while let Some(lr) = finder.next_lr() {
        finder.record(train_step(lr));
    }
    Ok(finder.result())
}
