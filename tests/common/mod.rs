//! Finite-difference gradient checking in f64, shared by the native math tests.
//!
//! The scalar loss is L = Σ y ⊙ R for a fixed random R, so dL/dy = R and every output element
//! contributes. Each analytic derivative (input and every parameter) is compared with the central
//! difference (L(θ+h) − L(θ−h)) / 2h.

#![allow(dead_code)]

use trainlab::config::LayerSpec;
use trainlab::model::Model;
use trainlab::nn::{Init, Mode};
use trainlab::Rng;

pub const H: f64 = 1e-6;

/// |a − n| ≤ tol · max(1, |a|, |n|)
pub fn close(analytic: f64, numeric: f64, tol: f64) -> bool {
    (analytic - numeric).abs() <= tol * 1f64.max(analytic.abs()).max(numeric.abs())
}

pub struct Check {
    pub model: Model<f64>,
    pub input: Vec<f64>,
    pub r: Vec<f64>,
    pub batch: usize,
}

impl Check {
    /// A model of `specs` on inputs of `shape`, fed `batch` random inputs; inputs closer than
    /// `margin` to zero are pushed away from it (kinks of ReLU, step, leaky ReLU sit at 0).
    pub fn new(specs: &[LayerSpec], shape: [usize; 3], batch: usize, margin: f64, seed: u64) -> Check {
        let mut rng = Rng::new(seed);
        let model = Model::<f64>::from_specs(specs, shape, Init::Kaiming, &mut rng).expect("valid specs");
        let out: usize = model.output_shape().iter().product();
        let n_in = batch * shape.iter().product::<usize>();
        let input = (0..n_in)
            .map(|_| {
                let x = rng.normal();
                if x.abs() < margin {
                    x.signum() * margin + x
                } else {
                    x
                }
            })
            .collect();
        let r = (0..batch * out).map(|_| rng.normal()).collect();
        Check {
            model,
            input,
            r,
            batch,
        }
    }

    pub fn loss(&mut self) -> f64 {
        let n = self.batch;
        self.model.input_mut(n).data.copy_from_slice(&self.input);
        let y = self.model.forward(Mode::Train, &mut Rng::new(99));
        y.data.iter().zip(&self.r).map(|(a, b)| a * b).sum()
    }

    /// Analytic gradients: (input gradient, one vector per parameter buffer).
    pub fn analytic(&mut self) -> (Vec<f64>, Vec<Vec<f64>>) {
        self.loss();
        let r = self.r.clone();
        let shape = dy_shape(&self.model, self.batch);
        let (_, dy) = self.model.logits_and_grad();
        dy.resize(shape);
        dy.data.copy_from_slice(&r);
        self.model.backward(true);
        let dx = self.model.input_grad().data.clone();
        let mut grads = Vec::new();
        self.model.visit_params(&mut |_, _, g| grads.push(g.to_vec()));
        (dx, grads)
    }

    /// Central difference with respect to input element i.
    pub fn numeric_input(&mut self, i: usize) -> f64 {
        let x = self.input[i];
        self.input[i] = x + H;
        let up = self.loss();
        self.input[i] = x - H;
        let down = self.loss();
        self.input[i] = x;
        (up - down) / (2.0 * H)
    }

    /// Central difference with respect to element j of parameter buffer p.
    pub fn numeric_param(&mut self, p: usize, j: usize) -> f64 {
        let up = {
            self.nudge(p, j, H);
            self.loss()
        };
        let down = {
            self.nudge(p, j, -2.0 * H);
            self.loss()
        };
        self.nudge(p, j, H);
        (up - down) / (2.0 * H)
    }

    fn nudge(&mut self, p: usize, j: usize, delta: f64) {
        let mut k = 0;
        self.model.visit_params(&mut |_, w, _| {
            if k == p {
                w[j] += delta;
            }
            k += 1;
        });
    }

    /// Checks every input element and every parameter element (or a strided sample of at most
    /// `max_per_buffer` of each buffer) and panics with the first mismatch.
    pub fn assert_gradients(&mut self, what: &str, tol: f64, max_per_buffer: usize) {
        let (dx, grads) = self.analytic();
        let stride = |len: usize| (len / max_per_buffer).max(1);
        for i in (0..dx.len()).step_by(stride(dx.len())) {
            let num = self.numeric_input(i);
            assert!(
                close(dx[i], num, tol),
                "{what}: input gradient [{i}] analytic {} numeric {num}",
                dx[i]
            );
        }
        for (p, g) in grads.iter().enumerate() {
            assert!(!g.is_empty());
            for j in (0..g.len()).step_by(stride(g.len())) {
                let num = self.numeric_param(p, j);
                assert!(
                    close(g[j], num, tol),
                    "{what}: parameter {p} gradient [{j}] analytic {} numeric {num}",
                    g[j]
                );
            }
        }
    }
}

fn dy_shape(model: &Model<f64>, batch: usize) -> [usize; 4] {
    let s = model.output_shape();
    [batch, s[0], s[1], s[2]]
}
