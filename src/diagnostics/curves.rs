//! Step 6 of the lecture's recipe, "look at learning curves", as rules that say what the curves
//! mean while the run goes on. Pure functions of the run's history, so they are tested natively.

use crate::math;
use serde::Serialize;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Finding {
    /// The loss became NaN or infinite, or exploded past `EXPLODED` × ln(classes).
    Diverged,
    /// The first loss is more than 10% away from ln(classes).
    InitialLossOff,
    /// Early in the run the loss jumped well above its first value: the start is too fast.
    EarlySpike,
    /// The loss has not moved over the recent window.
    NotMoving,
    /// Training accuracy is well above validation accuracy.
    Overfitting,
    /// Training and validation accuracy are close and low.
    Underfitting,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Diagnosis {
    pub finding: Finding,
    /// What the lecture says it means and what to do.
    pub message: String,
}

/// A finite loss above this many times ln(C) has diverged too. Cross-entropy that large means
/// logits hundreds apart: the weights blew up, and a few steps later ReLUs are dead and the loss
/// sits at a large finite plateau instead of reaching NaN. Healthy runs stay within a few ln(C)
/// even in their early spikes, so 100× leaves a wide margin.
pub const EXPLODED: f64 = 100.0;

/// Whether one step's loss means the run has diverged (lecture, step 6: "loss goes to NaN/Inf").
pub fn is_diverged(loss: f64, classes: usize) -> bool {
    !loss.is_finite() || loss > EXPLODED * math::ln(classes as f64)
}

/// What a diverged loss did, for "Loss … at step N": "became NaN", "became infinite" or
/// "exploded to 1.4e8".
pub fn describe_divergence(loss: f64) -> String {
    if loss.is_nan() {
        "became NaN".into()
    } else if loss.is_infinite() {
        "became infinite".into()
    } else {
        format!("exploded to {loss:.1e}")
    }
}

/// Relative distance from ln(C) beyond which the initial loss is flagged (lecture, step 1).
pub const INITIAL_LOSS_TOLERANCE: f64 = 0.10;
/// A loss this many times the first one, within the first `SPIKE_STEPS` steps, is an early spike.
pub const SPIKE_FACTOR: f64 = 1.5;
/// Steps at the start of a run in which a spike counts.
pub const SPIKE_STEPS: usize = 50;
/// The spike is reported while the run is younger than this many steps (then it is history).
pub const SPIKE_REPORTED_UNTIL: usize = 500;

/// Steps the "not moving" rule looks back over.
pub const WINDOW: usize = 100;
/// Train − validation accuracy gap (in accuracy units) flagged as overfitting.
pub const GAP: f64 = 0.10;

/// What the curves say. `losses` is every step's training loss so far, `accuracies` the last
/// evaluation's (train, validation) accuracy if any.
pub fn diagnose(losses: &[f64], classes: usize, accuracies: Option<(f64, f64)>) -> Vec<Diagnosis> {
    let mut out = Vec::new();
    let say = |finding, message: &str| Diagnosis {
        finding,
        message: message.to_string(),
    };
    if let Some(step) = losses.iter().position(|&l| is_diverged(l, classes)) {
        let what = describe_divergence(losses[step]);
        out.push(say(
            Finding::Diverged,
            &format!(
                "Loss {what} at step {}: learning rate too high or bad initialization.",
                step + 1
            ),
        ));
        return out;
    }
    let expected = math::ln(classes as f64);
    if let Some(&first) = losses.first() {
        if (first - expected).abs() > INITIAL_LOSS_TOLERANCE * expected {
            out.push(say(
                Finding::InitialLossOff,
                &format!("Initial loss {first:.3} is far from ln({classes}) = {expected:.3}: check the initialization (turn weight decay off for this check)."),
            ));
        }
    }
    // Too large a first step: the classifier's weights start small, so one update at full rate can
    // move the logits a lot. The lecture's fix is a linear warmup (or a lower rate).
    if let (Some(&first), true) = (losses.first(), losses.len() <= SPIKE_REPORTED_UNTIL) {
        let early = &losses[..losses.len().min(SPIKE_STEPS)];
        let (at, &peak) = early
            .iter()
            .enumerate()
            .max_by(|a, b| a.1.total_cmp(b.1))
            .expect("non-empty");
        if peak > SPIKE_FACTOR * first {
            out.push(say(
                Finding::EarlySpike,
                &format!(
                    "The loss jumped to {peak:.2} at step {}, {:.1}× the first loss: the start is too fast for this learning rate. A linear warmup (Warmup steps) or a lower rate avoids it.",
                    at + 1,
                    peak / first
                ),
            ));
        }
    }
    if losses.len() >= 2 * WINDOW {
        let mean = |s: &[f64]| s.iter().sum::<f64>() / s.len() as f64;
        let early = mean(&losses[..WINDOW]);
        let late = mean(&losses[losses.len() - WINDOW..]);
        if late > 0.98 * early && late > 0.9 * expected {
            out.push(say(
                Finding::NotMoving,
                "The loss is not going down: learning rate too low or bad initialization.",
            ));
        }
    }
    if let Some((train, val)) = accuracies {
        if train - val > GAP {
            out.push(say(
                Finding::Overfitting,
                "Huge train / val gap means overfitting: increase regularization, get more data.",
            ));
        } else if losses.len() >= 2 * WINDOW && train < 0.9 {
            out.push(say(Finding::Underfitting, "No gap between train / val means underfitting: train longer, use a bigger model, maybe a higher learning rate."));
        }
    }
    out
}
