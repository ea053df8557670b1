//! A model: an ordered list of layers built from specs, plus the activation and gradient buffers
//! between them. `acts[0]` is the input batch, `acts[i + 1]` the output of layer i; `grads[i]` is
//! the loss gradient with respect to `acts[i]`. Buffers keep their allocation between steps.
//! Named parameters, their shapes and frozen flags: `model/params.rs`.

mod params;

pub use params::PREFIX;

use crate::config::{ConfigError, LayerSpec};
use crate::kernels::{ConvGeom, Real};
use crate::limits::{self, at_most, Footprint};
use crate::nn::BufferInfo;
use crate::nn::{
    Activation, AvgPool2d, BatchNorm, Conv2d, Dropout, Flatten, FractionalMaxPool2d, Init, Layer, Linear,
    MaxPool2d, Mode, ParamInfo, ParamVisitor, ResidualBlock,
};
use crate::{Rng, Tensor};

pub struct Model<T: Real> {
    pub layers: Vec<Box<dyn Layer<T>>>,
    pub input_shape: [usize; 3],
    acts: Vec<Tensor<T>>,
    grads: Vec<Tensor<T>>,
    /// Name, shape, role and frozen flag of every parameter buffer, in `visit_params` order.
    params: Vec<ParamInfo>,
    /// Name and shape of every state buffer, in `visit_buffers` order.
    buffers: Vec<BufferInfo>,
    /// What the layers cost (`limits`), for the run's budget check.
    footprint: Footprint,
}

fn shape_str(s: [usize; 3]) -> String {
    format!("{}×{}×{}", s[0], s[1], s[2])
}

/// Drop probabilities must leave something: p ∈ [0, 1).
fn check_probability(field: &str, p: f64) -> Result<(), String> {
    if (0.0..1.0).contains(&p) {
        Ok(())
    } else {
        Err(format!("{field}: must be in [0, 1), got {p}"))
    }
}

fn size(shape: [usize; 3]) -> u64 {
    shape.iter().fold(1u64, |a, &d| a.saturating_mul(d as u64))
}

/// Builds one layer for a per-sample input shape, or says what is wrong with its spec. Every size
/// the spec asks for is capped (`limits`) and the layer's buffers are added to `tally` and checked
/// against the budget before they are allocated.
fn build_layer<T: Real>(
    spec: &LayerSpec,
    input: [usize; 3],
    init: Init,
    rng: &mut Rng,
    tally: &mut Footprint,
) -> Result<Box<dyn Layer<T>>, String> {
    let [c, h, w] = input;
    let window = |kernel: usize, stride: usize, pad: usize, what: &str| -> Result<ConvGeom, String> {
        if kernel == 0 {
            return Err("kernelSize: must be at least 1, got 0".into());
        }
        if stride == 0 {
            return Err("stride: must be at least 1, got 0".into());
        }
        at_most("kernelSize", kernel, limits::MAX_KERNEL)?;
        at_most("stride", stride, limits::MAX_STRIDE)?;
        at_most("padding", pad, limits::MAX_PADDING)?;
        ConvGeom::new(c, h, w, kernel, kernel, stride, pad).ok_or_else(|| {
            format!("kernelSize: {kernel}×{kernel} {what} is larger than its input {h}×{w} (padding {pad})")
        })
    };
    let layer: Box<dyn Layer<T>> = match spec {
        LayerSpec::Conv2d {
            out_channels,
            kernel_size,
            stride,
            padding,
        } => {
            if *out_channels == 0 {
                return Err("outChannels: must be at least 1, got 0".into());
            }
            at_most("outChannels", *out_channels, limits::MAX_CHANNELS)?;
            let g = window(*kernel_size, *stride, *padding, "kernel")?;
            let oc = *out_channels as u64;
            let (k, p) = (g.col_rows() as u64, g.col_cols() as u64);
            let weights = oc.saturating_mul(k).saturating_add(oc);
            tally.params = tally.params.saturating_add(weights);
            // Gradients, and the im2col scratch and its gradient (`Conv2d::new`).
            let scratch = k.saturating_mul(p);
            tally.fixed = tally
                .fixed
                .saturating_add(weights)
                .saturating_add(scratch.saturating_mul(2));
            // Training caches every image's columns.
            tally.per_image = tally.per_image.saturating_add(scratch);
            tally.macs_per_image = tally.macs_per_image.saturating_add(oc.saturating_mul(scratch));
            tally.check_build()?;
            Box::new(Conv2d::new(g, *out_channels, init, rng))
        }
        LayerSpec::Maxpool2d { kernel_size, stride } => Box::new(MaxPool2d::new(window(
            *kernel_size,
            stride.unwrap_or(*kernel_size),
            0,
            "window",
        )?)),
        LayerSpec::Avgpool2d { kernel_size, stride } => Box::new(AvgPool2d::new(window(
            *kernel_size,
            stride.unwrap_or(*kernel_size),
            0,
            "window",
        )?)),
        LayerSpec::Linear {
            out_features,
            drop_connect,
        } => {
            if *out_features == 0 {
                return Err("outFeatures: must be at least 1, got 0".into());
            }
            at_most("outFeatures", *out_features, limits::MAX_FEATURES)?;
            check_probability("dropConnect", *drop_connect)?;
            let out = *out_features as u64;
            let weights = size(input).saturating_mul(out).saturating_add(out);
            tally.params = tally.params.saturating_add(weights);
            // Gradients, and with DropConnect its mask and masked weights.
            let masks = if *drop_connect > 0.0 { 2 } else { 0 };
            tally.fixed = tally.fixed.saturating_add(weights.saturating_mul(1 + masks));
            tally.macs_per_image = tally.macs_per_image.saturating_add(weights);
            tally.check_build()?;
            // Checked above: c·h·w·out is within the budget, so it fits a usize on every target.
            Box::new(Linear::with_drop_connect(
                c * h * w,
                *out_features,
                *drop_connect,
                init,
                rng,
            ))
        }
        LayerSpec::Flatten => Box::new(Flatten::new(input)),
        LayerSpec::Dropout { p } => {
            check_probability("p", *p)?;
            Box::new(Dropout::new(*p, input))
        }
        LayerSpec::Batchnorm => {
            tally.params = tally.params.saturating_add(2 * c as u64);
            tally.fixed = tally.fixed.saturating_add(6 * c as u64);
            Box::new(BatchNorm::new(input))
        }
        LayerSpec::Fractionalmaxpool2d { alpha, overlapping } => {
            Box::new(FractionalMaxPool2d::with_ratio(input, *alpha, *overlapping)?)
        }
        LayerSpec::Residual { body, survival } => {
            // `limits::check_layers` has bounded the nesting before the first layer was built.
            let mut layers: Vec<Box<dyn Layer<T>>> = Vec::with_capacity(body.len());
            let mut shape = input;
            for (j, spec) in body.iter().enumerate() {
                let layer = build_layer::<T>(spec, shape, init, rng, tally)
                    .map_err(|msg| format!("body[{j}] ({}).{msg}", layer_name(spec)))?;
                shape = layer.output_shape();
                layers.push(layer);
            }
            let survival = survival.unwrap_or(1.0);
            Box::new(ResidualBlock::new(layers, input, survival).map_err(|msg| format!("survival: {msg}"))?)
        }
        other => {
            let (kind, alpha) = other.as_activation().expect("every other spec is an activation");
            Box::new(Activation::new(kind, alpha, input))
        }
    };
    // Every layer's output and its gradient, and a cache as large as the output (mask, normalized
    // input, argmax indices, saved input of the residual sum).
    tally.per_image = tally
        .per_image
        .saturating_add(size(layer.output_shape()).saturating_mul(3));
    tally.check_build()?;
    Ok(layer)
}

impl<T: Real> Model<T> {
    /// Builds the layers in order, checking each against the shape it receives and the last one
    /// against the number of classes.
    pub fn build(
        specs: &[LayerSpec],
        input_shape: [usize; 3],
        classes: usize,
        init: Init,
        rng: &mut Rng,
    ) -> Result<Self, ConfigError> {
        let model = Self::from_specs(specs, input_shape, init, rng)?;
        let shape = model.output_shape();
        let out: usize = shape.iter().product();
        if out != classes {
            return Err(ConfigError(format!(
                "layers: the last layer must output {classes} values (one per class), got {out} ({})",
                shape_str(shape)
            )));
        }
        Ok(model)
    }

    /// Builds the layers in order, checking each against the shape it receives.
    pub fn from_specs(
        specs: &[LayerSpec],
        input_shape: [usize; 3],
        init: Init,
        rng: &mut Rng,
    ) -> Result<Self, ConfigError> {
        if specs.is_empty() {
            return Err(ConfigError(
                "layers: a model needs at least one layer, got an empty list".into(),
            ));
        }
        limits::check_layers(specs)?;
        // The input batch and its gradient.
        let mut tally = Footprint {
            per_image: size(input_shape).saturating_mul(2),
            ..Footprint::default()
        };
        let mut layers: Vec<Box<dyn Layer<T>>> = Vec::with_capacity(specs.len());
        let mut shape = input_shape;
        // The classifier (last layer with weights) feeds the softmax, not an activation, so it gets
        // a small gain whatever the scheme: this is what makes the initial loss ≈ ln(classes).
        let classifier = specs
            .iter()
            .rposition(|s| matches!(s, LayerSpec::Conv2d { .. } | LayerSpec::Linear { .. }));
        for (i, spec) in specs.iter().enumerate() {
            let layer_init = if Some(i) == classifier { Init::Output } else { init };
            let layer = build_layer::<T>(spec, shape, layer_init, rng, &mut tally)
                .map_err(|msg| ConfigError(format!("layers[{i}] ({}).{msg}", layer_name(spec))))?;
            shape = layer.output_shape();
            layers.push(layer);
        }
        let n = layers.len();
        let (params, buffers) = params::describe(&layers);
        Ok(Model {
            layers,
            input_shape,
            acts: vec![Tensor::default(); n + 1],
            grads: vec![Tensor::default(); n + 1],
            params,
            buffers,
            footprint: tally,
        })
    }

    /// What the model costs (parameters, per-image activations, work), for `limits::check_run`.
    pub fn footprint(&self) -> &Footprint {
        &self.footprint
    }

    /// Per-sample output shape (C, H, W) of the last layer.
    pub fn output_shape(&self) -> [usize; 3] {
        self.layers.last().expect("at least one layer").output_shape()
    }

    /// The input buffer for a batch of `n`, to be filled by the caller before `forward`.
    pub fn input_mut(&mut self, n: usize) -> &mut Tensor<T> {
        let [c, h, w] = self.input_shape;
        self.acts[0].resize([n, c, h, w]);
        &mut self.acts[0]
    }

    /// The input batch of the last forward (after augmentation and mixing: what the network saw).
    pub fn input(&self) -> &Tensor<T> {
        &self.acts[0]
    }

    /// Runs every layer on the current input; returns the logits.
    pub fn forward(&mut self, mode: Mode, rng: &mut Rng) -> &Tensor<T> {
        for (i, layer) in self.layers.iter_mut().enumerate() {
            let (before, after) = self.acts.split_at_mut(i + 1);
            layer.forward(&before[i], &mut after[0], mode, rng);
        }
        self.acts.last().expect("at least the input")
    }

    /// The logits of the last forward and the buffer their gradient goes into.
    pub fn logits_and_grad(&mut self) -> (&Tensor<T>, &mut Tensor<T>) {
        (
            self.acts.last().expect("input"),
            self.grads.last_mut().expect("input"),
        )
    }

    /// Backpropagates the gradient in the last grad buffer (written via `logits_and_grad`). The
    /// input gradient is computed only if asked (gradient checks); training never needs it.
    pub fn backward(&mut self, input_grad: bool) {
        for i in (0..self.layers.len()).rev() {
            let (g_before, g_after) = self.grads.split_at_mut(i + 1);
            let dx = if i > 0 || input_grad {
                Some(&mut g_before[i])
            } else {
                None
            };
            self.layers[i].backward(&self.acts[i], &self.acts[i + 1], &g_after[0], dx);
        }
    }

    /// Gradient with respect to the input of the last backward(true).
    pub fn input_grad(&self) -> &Tensor<T> {
        &self.grads[0]
    }

    /// Output of layer `i` in the last forward.
    pub fn activation(&self, i: usize) -> &Tensor<T> {
        &self.acts[i + 1]
    }

    pub fn visit_params(&mut self, f: &mut ParamVisitor<'_, T>) {
        for layer in &mut self.layers {
            layer.visit_params(f);
        }
    }

    /// Every non-trained state buffer (BatchNorm running statistics), in a fixed order.
    pub fn visit_buffers(&mut self, f: &mut dyn FnMut(&mut [T])) {
        for layer in &mut self.layers {
            layer.visit_buffers(f);
        }
    }

    /// Whether evaluation is itself random (fractional pooling draws regions at test too), so that
    /// predictions must be averaged over several forward passes.
    pub fn random_at_eval(&self) -> bool {
        self.layers.iter().any(|l| l.kind() == "fractionalmaxpool2d")
    }

    pub fn param_count(&self) -> usize {
        self.layers.iter().map(|l| l.param_count()).sum()
    }
}

pub fn layer_name(spec: &LayerSpec) -> &'static str {
    match spec {
        LayerSpec::Conv2d { .. } => "conv2d",
        LayerSpec::Maxpool2d { .. } => "maxpool2d",
        LayerSpec::Avgpool2d { .. } => "avgpool2d",
        LayerSpec::Linear { .. } => "linear",
        LayerSpec::Flatten => "flatten",
        LayerSpec::Dropout { .. } => "dropout",
        LayerSpec::Batchnorm => "batchnorm",
        LayerSpec::Fractionalmaxpool2d { .. } => "fractionalmaxpool2d",
        LayerSpec::Residual { .. } => "residual",
        other => other.as_activation().map(|(k, _)| k.name()).unwrap_or("layer"),
    }
}
