//! The lecture's weight-initialization experiment ("Recap: Weight initialization"), exactly:
//!
//! ```text
//! dims = [4096] * 7
//! hs = []
//! x = np.random.randn(16, dims[0])
//! for Din, Dout in zip(dims[:-1], dims[1:]):
//!     W = np.random.randn(Din, Dout) * std        # the slide's Xavier: std = 1/sqrt(Din)
//!     x = np.tanh(x.dot(W))
//!     hs.append(x)
//! ```
//!
//! with the weight std chosen by a scheme — too small (0.01: activations tend to zero), Xavier
//! (1/√Din: "just right" for tanh), too large (0.05: tanh saturates), Kaiming (√(2/Din), meant for
//! ReLU) or a custom value — and ReLU as the alternative nonlinearity. Per layer it reports the
//! activations' mean, std, saturated fraction and a histogram, which the page draws side by side.
//!
//! Shape letters: N = batch (the slide's 16), D = width (the slide's 4096), L = layers (six).
//! Runs in f32 on [`Real::gemm`] (wasm SIMD on the page): N·D·D multiply-adds per layer, about
//! 0.27 G at the slide's size. W is never held whole: it is drawn panel by panel of rows and
//! multiplied in as it comes (accumulating gemm), so the lab needs 4 MiB for W instead of 64 MiB.
//! The random draws are the slide's order: x row-major first, then each layer's W row-major.

use crate::config::{path_message, ConfigError};
use crate::kernels::Real;
use crate::math;
use crate::nn::Init;
use crate::Rng;
use serde::{Deserialize, Serialize};

/// The slide's width; also the largest the lab accepts (W panels and x stay small, but the time
/// grows as D²).
pub const MAX_WIDTH: usize = 4096;
pub const MAX_BATCH: usize = 256;
pub const MAX_LAYERS: usize = 20;
pub const MAX_BINS: usize = 200;

/// |a| above this counts as saturated for tanh (its gradient 1 − a² is then below 0.02).
pub const SATURATION: f32 = 0.99;

/// Rows of W drawn and multiplied at a time: 256 rows × 4096 columns × 4 B = 4 MiB.
const PANEL_ROWS: usize = 256;

/// How the weights' standard deviation σ is chosen (Din = D for every layer of this network).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum InitScheme {
    /// σ = 0.01: "activations tend to zero for deeper network layers".
    Small,
    /// σ = 1/√Din: the slide's "Xavier", "just right" for tanh.
    Xavier,
    /// σ = 0.05: "activations saturate" (tanh near ±1, local gradients near zero).
    Large,
    /// σ = √(2/Din): He et al. 2015, keeps ReLU activations' scale.
    Kaiming,
    /// σ = the config's `std`.
    Custom,
}

/// The lab's nonlinearities: the slide's tanh, and ReLU for Kaiming initialization.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LabActivation {
    Tanh,
    Relu,
}

/// The experiment's definition. JSON (every field optional, defaults are the slide's):
/// `{ scheme: "xavier", std: undefined /* only with scheme "custom" */, activation: "tanh",
///    width: 4096, batch: 16, layers: 6, bins: 50 }`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct InitLabConfig {
    pub scheme: InitScheme,
    /// The weight std for `scheme: "custom"`; rejected with any other scheme (it would be ignored).
    pub std: Option<f64>,
    pub activation: LabActivation,
    /// D: every layer is D → D.
    pub width: usize,
    /// N: rows of the random input batch.
    pub batch: usize,
    /// Number of weight layers (the slide's `dims = [D] * 7` has six).
    pub layers: usize,
    /// Histogram bins per layer.
    pub bins: usize,
}

impl Default for InitLabConfig {
    fn default() -> Self {
        InitLabConfig {
            scheme: InitScheme::Xavier,
            std: None,
            activation: LabActivation::Tanh,
            width: MAX_WIDTH,
            batch: 16,
            layers: 6,
            bins: 50,
        }
    }
}

impl InitLabConfig {
    /// The slide's experiment with the given scheme and activation, at width D.
    pub fn new(scheme: InitScheme, activation: LabActivation, width: usize) -> Self {
        InitLabConfig {
            scheme,
            activation,
            width,
            ..Default::default()
        }
    }

    /// The slide's experiment with a custom weight std.
    pub fn custom(std: f64, activation: LabActivation, width: usize) -> Self {
        InitLabConfig {
            scheme: InitScheme::Custom,
            std: Some(std),
            activation,
            width,
            ..Default::default()
        }
    }

    /// The weight std σ this config draws W with (Din = width). Call after `validate`.
    pub fn sigma(&self) -> f64 {
        match self.scheme {
            InitScheme::Small => 0.01,
            InitScheme::Large => 0.05,
            InitScheme::Xavier => Init::Xavier.std(self.width),
            InitScheme::Kaiming => Init::Kaiming.std(self.width),
            InitScheme::Custom => self.std.unwrap_or(f64::NAN),
        }
    }

    pub fn validate(&self) -> Result<(), ConfigError> {
        let err = |field: &str, rule: &str, value: &dyn std::fmt::Display| {
            Err(ConfigError(format!("{field}: {rule}, got {value}")))
        };
        match (self.scheme, self.std) {
            (InitScheme::Custom, None) => {
                return Err(ConfigError("std: required with scheme \"custom\"".into()))
            }
            (InitScheme::Custom, Some(s)) if !(s.is_finite() && s > 0.0) => {
                return err("std", "must be a positive finite number", &s)
            }
            (InitScheme::Custom, Some(_)) => {}
            (_, Some(s)) => return err("std", "is only used with scheme \"custom\"", &s),
            (_, None) => {}
        }
        if !(1..=MAX_WIDTH).contains(&self.width) {
            return err(
                "width",
                &format!("must be between 1 and {MAX_WIDTH}"),
                &self.width,
            );
        }
        if !(1..=MAX_BATCH).contains(&self.batch) {
            return err(
                "batch",
                &format!("must be between 1 and {MAX_BATCH}"),
                &self.batch,
            );
        }
        if !(1..=MAX_LAYERS).contains(&self.layers) {
            return err(
                "layers",
                &format!("must be between 1 and {MAX_LAYERS}"),
                &self.layers,
            );
        }
        if !(1..=MAX_BINS).contains(&self.bins) {
            return err("bins", &format!("must be between 1 and {MAX_BINS}"), &self.bins);
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
}

/// Counts of values in `bins` equal-width bins over [lo, hi]; the last bin includes hi. Values
/// outside the range (none occur: tanh stays in [−1, 1] and ReLU's hi is the layer's maximum)
/// would be counted in the end bins.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Histogram {
    pub lo: f64,
    pub hi: f64,
    pub counts: Vec<u32>,
}

impl Histogram {
    pub fn of(values: &[f32], lo: f64, hi: f64, bins: usize) -> Histogram {
        let mut counts = vec![0u32; bins];
        let scale = bins as f64 / (hi - lo);
        for &v in values {
            let b = ((v as f64 - lo) * scale).floor();
            // Clamp (also maps NaN to bin 0: `as usize` saturates, NaN → 0).
            counts[(b.max(0.0) as usize).min(bins - 1)] += 1;
        }
        Histogram { lo, hi, counts }
    }
}

/// One layer's activations (all N·D of them).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LayerStats {
    /// 1-based, as on the slide ("Layer 1 mean ...").
    pub layer: usize,
    pub mean: f64,
    /// Population standard deviation (numpy's `np.std`).
    pub std: f64,
    /// Fraction with |a| > 0.99 (tanh). Always 0 for ReLU: it "does not saturate (in + region)".
    pub saturated: f64,
    /// Fraction exactly 0: ReLU's inactive units (zero local gradient); ≈ 0 for tanh.
    pub zero: f64,
    /// Fraction of pre-activations x·W that overflowed f32 (infinite or NaN). ReLU turns NaN into
    /// 0, so without this a blown-up layer would look like a collapsed one (std 0, all zero).
    pub overflow: f64,
    /// tanh: 50 bins over [−1, 1]; ReLU: over [0, the layer's max] (hi = 1 if all are 0).
    pub histogram: Histogram,
}

/// The whole experiment, serialised for the page:
/// `{ scheme, activation, width, batch, sigma, layers: [{ layer, mean, std, saturated, zero,
///    histogram: { lo, hi, counts } }] }`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InitLabReport {
    pub scheme: InitScheme,
    pub activation: LabActivation,
    pub width: usize,
    pub batch: usize,
    /// The weight std used.
    pub sigma: f64,
    pub layers: Vec<LayerStats>,
}

/// The experiment run layer by layer, so a worker can post each layer's result as it comes
/// (a 4096-wide layer takes a noticeable fraction of a second).
pub struct InitLab {
    config: InitLabConfig,
    sigma: f32,
    /// x: (N, D), the current layer's input (after `next_layer`, that layer's activations)
    x: Vec<f32>,
    /// y: (N, D), pre-activations x·W
    y: Vec<f32>,
    /// one panel of W: (PANEL_ROWS, D)
    panel: Vec<f32>,
    /// layers done so far
    done: usize,
    /// overflowed fraction of the last layer's pre-activations
    overflow: f64,
}

impl InitLab {
    /// Validates the config and draws the input x ~ N(0, 1) of shape (N, D).
    pub fn new(config: InitLabConfig, rng: &mut Rng) -> Result<InitLab, ConfigError> {
        config.validate()?;
        let (n, d) = (config.batch, config.width);
        let x = (0..n * d).map(|_| rng.normal() as f32).collect();
        Ok(InitLab {
            sigma: config.sigma() as f32,
            x,
            y: vec![0.0; n * d],
            panel: vec![0.0; PANEL_ROWS.min(d) * d],
            done: 0,
            overflow: 0.0,
            config,
        })
    }

    pub fn config(&self) -> &InitLabConfig {
        &self.config
    }

    /// Layers computed so far.
    pub fn layers_done(&self) -> usize {
        self.done
    }

    /// The last computed activations (N, D) row-major (the random input before the first layer).
    pub fn activations(&self) -> &[f32] {
        &self.x
    }

    /// Draws the next layer's W ~ N(0, σ²) of shape (D, D), computes x = f(x·W) and returns its
    /// statistics; None once every layer is done.
    pub fn next_layer(&mut self, rng: &mut Rng) -> Option<LayerStats> {
        if self.done == self.config.layers {
            return None;
        }
        let (n, d) = (self.config.batch, self.config.width);
        // y (N, D) = Σ over row panels p0..p0+rows of x[:, p0..p0+rows] · W[p0..p0+rows, :]
        let mut p0 = 0;
        while p0 < d {
            let rows = PANEL_ROWS.min(d - p0);
            // panel: (rows, D), the next rows of W in the slide's row-major draw order
            let panel = &mut self.panel[..rows * d];
            for w in panel.iter_mut() {
                *w = self.sigma * rng.normal() as f32;
            }
            // A = x[:, p0..]: element (i, p) at x[p0 + i*D + p]; the first panel overwrites y.
            f32::gemm(
                n,
                d,
                rows,
                &self.x[p0..],
                d,
                1,
                panel,
                d,
                1,
                &mut self.y,
                d,
                p0 > 0,
            );
            p0 += rows;
        }
        self.overflow = self.y.iter().filter(|z| !z.is_finite()).count() as f64 / self.y.len() as f64;
        match self.config.activation {
            LabActivation::Tanh => self
                .x
                .iter_mut()
                .zip(&self.y)
                .for_each(|(a, &z)| *a = math::tanh(z)),
            LabActivation::Relu => f32::relu_forward(&self.y, &mut self.x),
        }
        self.done += 1;
        Some(self.stats())
    }

    /// Statistics of the current activations x, accumulated in f64.
    fn stats(&self) -> LayerStats {
        let x = &self.x;
        let count = x.len() as f64;
        let mean = x.iter().map(|&a| a as f64).sum::<f64>() / count;
        let var = x.iter().map(|&a| (a as f64 - mean).powi(2)).sum::<f64>() / count;
        let zero = x.iter().filter(|&&a| a == 0.0).count() as f64 / count;
        let (saturated, lo, hi) = match self.config.activation {
            LabActivation::Tanh => (
                x.iter().filter(|a| a.abs() > SATURATION).count() as f64 / count,
                -1.0,
                1.0,
            ),
            LabActivation::Relu => {
                let max = x.iter().fold(0.0f32, |m, &a| m.max(a)) as f64;
                (0.0, 0.0, if max > 0.0 { max } else { 1.0 })
            }
        };
        LayerStats {
            layer: self.done,
            mean,
            std: var.sqrt(),
            saturated,
            zero,
            overflow: self.overflow,
            histogram: Histogram::of(x, lo, hi, self.config.bins),
        }
    }
}

/// Runs every layer of the experiment defined by `config`, drawing from `rng`.
pub fn run_init_lab(config: &InitLabConfig, rng: &mut Rng) -> Result<InitLabReport, ConfigError> {
    let mut lab = InitLab::new(config.clone(), rng)?;
    let mut layers = Vec::with_capacity(config.layers);
    while let Some(stats) = lab.next_layer(rng) {
        layers.push(stats);
    }
    Ok(InitLabReport {
        scheme: config.scheme,
        activation: config.activation,
        width: config.width,
        batch: config.batch,
        sigma: config.sigma(),
        layers,
    })
}
