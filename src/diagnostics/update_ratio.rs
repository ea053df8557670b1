//! ‖ΔW‖/‖W‖ per weight buffer per step: the lecture's "track ratio of weight update / weight
//! magnitude; want this to be somewhere around 0.001".
//!
//! The tracker copies every weight buffer before the optimizer step into buffers it keeps, then
//! measures the change after it. It works for any optimizer because it looks at the weights, not
//! at the optimizer's internals. Biases and normalization parameters are left out, as in the slide.

use crate::kernels::Real;
use crate::model::Model;
use crate::nn::ParamKind;

/// The lecture's target ratio.
pub const TARGET: f64 = 1e-3;

#[derive(Default)]
pub struct UpdateRatio {
    /// Weights before the step, one buffer per weight tensor (allocated once).
    before: Vec<Vec<f32>>,
    /// ‖ΔW‖/‖W‖ of the last step, one per weight tensor in model order.
    pub ratios: Vec<f64>,
}

impl UpdateRatio {
    /// Remember the weights the optimizer is about to change.
    pub fn before_step(&mut self, model: &mut Model<f32>) {
        let mut i = 0;
        let before = &mut self.before;
        model.visit_params(&mut |kind, w, _| {
            if kind == ParamKind::Weight {
                if before.len() == i {
                    before.push(Vec::new());
                }
                before[i].clear();
                before[i].extend_from_slice(w);
                i += 1;
            }
        });
    }

    /// ‖W_after − W_before‖ / ‖W_before‖ for every weight tensor (0 where ‖W‖ = 0).
    pub fn after_step(&mut self, model: &mut Model<f32>) {
        self.ratios.clear();
        let mut i = 0;
        let (before, ratios) = (&self.before, &mut self.ratios);
        model.visit_params(&mut |kind, w, _| {
            if kind == ParamKind::Weight {
                let (mut dd, mut ww) = (0.0f64, 0.0f64);
                for (&new, &old) in w.iter().zip(&before[i]) {
                    dd += ((new - old) as f64).powi(2);
                    ww += (old as f64).powi(2);
                }
                ratios.push(if ww > 0.0 { (dd / ww).sqrt() } else { 0.0 });
                i += 1;
            }
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
