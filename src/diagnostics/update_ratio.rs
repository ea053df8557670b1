//! ‖ΔW‖/‖W‖ per weight buffer per step: the lecture's "track ratio of weight update / weight
//! magnitude; want this to be somewhere around 0.001".
//!
//! The tracker copies the model (a `Snapshot`, kept and captured in place) before the optimizer
//! step, then measures the change of each weight after it. It works for any optimizer because it looks at the weights, not
//! at the optimizer's internals. Biases and normalization parameters are left out, as in the slide.

use crate::kernels::Real;
use crate::model::Model;
use crate::nn::ParamRole;
use crate::snapshot::Snapshot;

/// The lecture's target ratio.
pub const TARGET: f64 = 1e-3;

#[derive(Default)]
pub struct UpdateRatio {
    /// The model before the step (allocated once, then captured in place).
    before: Option<Snapshot<f32>>,
    /// ‖ΔW‖/‖W‖ of the last step, one per weight tensor in model order.
    pub ratios: Vec<f64>,
}

impl UpdateRatio {
    /// Remember the weights the optimizer is about to change.
    pub fn before_step(&mut self, model: &mut Model<f32>) {
        match &mut self.before {
            Some(before) => before.capture(model),
            None => self.before = Some(Snapshot::of(model)),
        }
    }

    /// ‖W_after − W_before‖ / ‖W_before‖ for every weight tensor (0 where ‖W‖ = 0; a frozen one
    /// gives 0). Nothing without a `before_step`.
    pub fn after_step(&mut self, model: &mut Model<f32>) {
        self.ratios.clear();
        let Some(before) = &self.before else { return };
        if before.params().len() != model.parameters().len() {
            return; // captured from another model: no step of this one to measure
        }
        let mut i = 0;
        let (before, ratios) = (before.params(), &mut self.ratios);
        model.visit_named_params(&mut |p, w, _| {
            let old = &before[i];
            i += 1;
            if p.role != ParamRole::Weight {
                return;
            }
            let (mut dd, mut ww) = (0.0f64, 0.0f64);
            for (&new, &old) in w.iter().zip(old.data()) {
                dd += ((new - old) as f64).powi(2);
                ww += (old as f64).powi(2);
            }
            ratios.push(if ww > 0.0 { (dd / ww).sqrt() } else { 0.0 });
        });
    }
}

/// ‖update‖/‖W‖ for a plain update vector (the slide's numpy, for tests and the page's explainer).
pub fn ratio<T: Real>(w: &[T], update: &[T]) -> f64 {
    let norm = |v: &[T]| {
        v.iter()
            .map(|x| x.to_f64().unwrap_or(0.0).powi(2))
            .sum::<f64>()
            .sqrt()
    };
    let scale = norm(w);
    if scale > 0.0 {
        norm(update) / scale
    } else {
        0.0
    }
}
