//! Batch normalization (Ioffe & Szegedy 2015), PyTorch semantics for BatchNorm1d/BatchNorm2d.
//! Shapes: N batch, C channels (features), HW = H·W pixels per channel; M = N·HW values per channel.
//! A conv output (N, C, H, W) is normalized per channel over N·H·W values; a linear output
//! (N, F, 1, 1) is the same code with H = W = 1, so per feature over the batch.
//!
//! Train: mean μ and *biased* variance σ² = Σ(x − μ)²/M of the batch, x̂ = (x − μ)/√(σ² + eps),
//! y = γ·x̂ + β; then running_mean ← (1 − m)·running_mean + m·μ and
//! running_var ← (1 − m)·running_var + m·σ²·M/(M − 1) (the *unbiased* variance), m = momentum.
//! Eval: y = (x − running_mean)/√(running_var + eps)·γ + β, the lecture's marginalization: the
//! batch's noise in μ, σ is replaced by its expectation over batches.
//! γ starts at 1, β at 0, running_mean at 0, running_var at 1.
//!
//! γ and β are visited as `ParamKind::Bias`: like biases they are not weight-decayed (decaying γ
//! pulls the normalized activations toward zero for no regularization benefit).

use super::{BufferInfo, Layer, LocalParam, Mode, ParamKind, ParamRole, ParamVisitor};
use crate::kernels::Real;
use crate::{Rng, Tensor};

/// Hyperparameters, PyTorch's defaults and names.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct BatchNormConfig {
    pub momentum: f64,
    pub eps: f64,
}

impl Default for BatchNormConfig {
    fn default() -> Self {
        BatchNormConfig {
            momentum: 0.1,
            eps: 1e-5,
        }
    }
}

pub struct BatchNorm<T> {
    /// Per-sample shape (C, H, W); unchanged by the layer.
    shape: [usize; 3],
    cfg: BatchNormConfig,
    /// (C) scale γ and shift β, and their gradients
    gamma: Vec<T>,
    beta: Vec<T>,
    dgamma: Vec<T>,
    dbeta: Vec<T>,
    /// (C) running estimates used in eval
    running_mean: Vec<T>,
    running_var: Vec<T>,
    /// (N, C, H, W) x̂ of the last forward (batch statistics in train, running ones in eval)
    xhat: Vec<T>,
    /// (C) 1/√(σ² + eps) of the last forward (batch σ² in train, running_var in eval)
    rstd: Vec<T>,
    /// Whether the last forward normalized with batch statistics (then backward differentiates
    /// through μ and σ²; after an eval forward they are constants).
    train: bool,
}

impl<T: Real> BatchNorm<T> {
    /// BatchNorm over inputs of per-sample shape `shape` = (C, H, W), PyTorch defaults.
    pub fn new(shape: [usize; 3]) -> Self {
        Self::with_config(shape, BatchNormConfig::default())
    }

    pub fn with_config(shape: [usize; 3], cfg: BatchNormConfig) -> Self {
        let c = shape[0];
        BatchNorm {
            shape,
            cfg,
            gamma: vec![T::one(); c],
            beta: vec![T::zero(); c],
            dgamma: vec![T::zero(); c],
            dbeta: vec![T::zero(); c],
            running_mean: vec![T::zero(); c],
            running_var: vec![T::one(); c],
            xhat: Vec::new(),
            rstd: vec![T::zero(); c],
            train: false,
        }
    }

    pub fn config(&self) -> BatchNormConfig {
        self.cfg
    }

    pub fn gamma(&self) -> &[T] {
        &self.gamma
    }

    pub fn beta(&self) -> &[T] {
        &self.beta
    }

    pub fn running_mean(&self) -> &[T] {
        &self.running_mean
    }

    pub fn running_var(&self) -> &[T] {
        &self.running_var
    }

    fn channels(&self) -> usize {
        self.shape[0]
    }

    fn pixels(&self) -> usize {
        self.shape[1] * self.shape[2]
    }
}

fn f<T: Real>(v: T) -> f64 {
    v.to_f64().expect("finite float")
}

impl<T: Real> Layer<T> for BatchNorm<T> {
    fn kind(&self) -> &'static str {
        "batchnorm"
    }

    fn output_shape(&self) -> [usize; 3] {
        self.shape
    }

    fn forward(&mut self, x: &Tensor<T>, y: &mut Tensor<T>, mode: Mode, _rng: &mut Rng) {
        let (n, c, hw) = (x.batch(), self.channels(), self.pixels());
        debug_assert_eq!(x.sample_len(), c * hw);
        y.resize(x.shape);
        self.xhat.resize(x.len(), T::zero());
        let m = n * hw;
        self.train = mode == Mode::Train && m > 0;
        // Channel ch of sample i is the contiguous run x[(i·C + ch)·HW ..][..HW].
        let run = |i: usize, ch: usize| (i * c + ch) * hw..(i * c + ch + 1) * hw;
        for ch in 0..c {
            let (g, b) = (self.gamma[ch], self.beta[ch]);
            if self.train {
                // Two passes in f64: the mean, then the biased variance around it (no E[x²] − μ²
                // cancellation when |μ| ≫ σ, and f32 sums over M = N·H·W values stay accurate).
                let mean = (0..n)
                    .map(|i| x.data[run(i, ch)].iter().map(|&v| f(v)).sum::<f64>())
                    .sum::<f64>()
                    / m as f64;
                let ss: f64 = (0..n)
                    .map(|i| {
                        x.data[run(i, ch)]
                            .iter()
                            .map(|&v| {
                                let d = f(v) - mean;
                                d * d
                            })
                            .sum::<f64>()
                    })
                    .sum();
                let var = ss / m as f64;
                let rstd = 1.0 / (var + self.cfg.eps).sqrt();
                self.rstd[ch] = T::of(rstd);
                let (mean_t, rstd_t) = (T::of(mean), T::of(rstd));
                for i in 0..n {
                    let r = run(i, ch);
                    for ((xh, yv), &xv) in self.xhat[r.clone()]
                        .iter_mut()
                        .zip(&mut y.data[r.clone()])
                        .zip(&x.data[r])
                    {
                        *xh = (xv - mean_t) * rstd_t;
                        *yv = g * *xh + b;
                    }
                }
                // Running estimates: the unbiased variance M/(M − 1)·σ². With a single value per
                // channel (M = 1, e.g. a linear layer at batch 1) it is undefined and PyTorch
                // refuses to train; here running_var is left as it is for that step.
                let mo = self.cfg.momentum;
                self.running_mean[ch] = T::of((1.0 - mo) * f(self.running_mean[ch]) + mo * mean);
                if m > 1 {
                    self.running_var[ch] =
                        T::of((1.0 - mo) * f(self.running_var[ch]) + mo * ss / (m - 1) as f64);
                }
            } else {
                // Eval: exactly (x − running_mean)/√(running_var + eps)·γ + β, element by element.
                let (mean, sd) = (
                    self.running_mean[ch],
                    (self.running_var[ch] + T::of(self.cfg.eps)).sqrt(),
                );
                self.rstd[ch] = T::one() / sd;
                for i in 0..n {
                    let r = run(i, ch);
                    for ((xh, yv), &xv) in self.xhat[r.clone()]
                        .iter_mut()
                        .zip(&mut y.data[r.clone()])
                        .zip(&x.data[r])
                    {
                        *xh = (xv - mean) / sd;
                        *yv = *xh * g + b;
                    }
                }
            }
        }
    }

    fn backward(&mut self, x: &Tensor<T>, _y: &Tensor<T>, dy: &Tensor<T>, mut dx: Option<&mut Tensor<T>>) {
        let (n, c, hw) = (x.batch(), self.channels(), self.pixels());
        let m = n * hw;
        if let Some(dx) = dx.as_deref_mut() {
            dx.resize(x.shape);
        }
        let run = |i: usize, ch: usize| (i * c + ch) * hw..(i * c + ch + 1) * hw;
        for ch in 0..c {
            // dβ = Σ dy, dγ = Σ dy·x̂ over the channel's M values (accumulated in f64).
            let (mut sum_dy, mut sum_dy_xhat) = (0.0f64, 0.0f64);
            for i in 0..n {
                let r = run(i, ch);
                for (&g, &xh) in dy.data[r.clone()].iter().zip(&self.xhat[r]) {
                    sum_dy += f(g);
                    sum_dy_xhat += f(g) * f(xh);
                }
            }
            self.dbeta[ch] = T::of(sum_dy);
            self.dgamma[ch] = T::of(sum_dy_xhat);
            let Some(dx) = dx.as_deref_mut() else { continue };
            let (gamma, rstd) = (self.gamma[ch], self.rstd[ch]);
            if self.train {
                // With dx̂ = γ·dy, and μ, σ² functions of every x of the channel:
                //   dx = rstd/M · (M·dx̂ − Σdx̂ − x̂·Σ(dx̂·x̂))
                //      = γ·rstd · (dy − mean(dy) − x̂·mean(dy·x̂))
                let mean_dy = T::of(sum_dy / m as f64);
                let mean_dy_xhat = T::of(sum_dy_xhat / m as f64);
                let k = gamma * rstd;
                for i in 0..n {
                    let r = run(i, ch);
                    for ((d, &g), &xh) in dx.data[r.clone()]
                        .iter_mut()
                        .zip(&dy.data[r.clone()])
                        .zip(&self.xhat[r])
                    {
                        *d = k * (g - mean_dy - xh * mean_dy_xhat);
                    }
                }
            } else {
                // Running statistics are constants: y is affine in x, dx = γ·rstd·dy.
                let k = gamma * rstd;
                for i in 0..n {
                    let r = run(i, ch);
                    for (d, &g) in dx.data[r.clone()].iter_mut().zip(&dy.data[r]) {
                        *d = k * g;
                    }
                }
            }
        }
    }

    fn visit_params(&mut self, f: &mut ParamVisitor<'_, T>) {
        f(ParamKind::Bias, &mut self.gamma, &mut self.dgamma);
        f(ParamKind::Bias, &mut self.beta, &mut self.dbeta);
    }

    fn visit_buffers(&mut self, f: &mut dyn FnMut(&mut [T])) {
        f(&mut self.running_mean);
        f(&mut self.running_var);
    }

    /// γ and β under PyTorch's names, `weight` and `bias`, each `[channels]`.
    fn param_names(&self) -> Vec<LocalParam> {
        let c = self.channels();
        vec![
            LocalParam::new("weight", vec![c], ParamRole::BnWeight),
            LocalParam::new("bias", vec![c], ParamRole::BnBias),
        ]
    }

    fn buffer_names(&self) -> Vec<BufferInfo> {
        let c = self.channels();
        ["running_mean", "running_var"]
            .map(|name| BufferInfo {
                name: name.to_string(),
                shape: vec![c],
            })
            .to_vec()
    }

    /// γ, the per-channel scale (what the page shows for this layer).
    fn weights(&self) -> &[T] {
        &self.gamma
    }

    fn param_count(&self) -> usize {
        self.gamma.len() + self.beta.len()
    }
}
