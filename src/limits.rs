//! Every bound on what one run may ask for, in one place (README, "Bounds"). A config arrives from a
//! link anyone can send, so each number in it that sizes an allocation or a loop is capped here, and
//! the whole run's memory is estimated and checked against `BUDGET_BYTES` before its big buffers
//! exist. Every refusal names the key, the value and the bound.
//!
//! The estimate is computed in u64 with saturating arithmetic: a product too large for u64 saturates
//! and is then refused by the budget like any other large one, and nothing accepted can wrap a usize
//! of the 32-bit wasm build (the budget is far below 2^32).

use crate::config::ConfigError;

pub use crate::config::{MAX_BATCH, MAX_GENERATED_TRAIN, MAX_MEMBER, MAX_TRAIN, MAX_VAL};

/// Memory one run may use for its model: parameters with their gradients, optimizer state, the
/// copies kept beside them (best weights, update-ratio baseline, EMA, snapshots) and the activations,
/// gradients and caches of one batch, as `Footprint` estimates them (measured natively: about twice
/// the real resident size, e.g. vgg-mini at batch 1024 is estimated at 5.9 GiB and uses 2.9 GiB).
/// 1 GiB: a 32-bit wasm worker has 4 GiB at most, which must also hold the data (up to 600 MB) and
/// the page's copies, and a tablet's browser refuses much earlier. Every preset fits with every
/// regularizer on at batch 128 (vgg-mini, the largest, up to batch 176); the page's default is 32.
pub const BUDGET_BYTES: u64 = 1 << 30;
/// Layers in a model, counting those inside residual bodies: the largest preset has 30; 20,000
/// cheap layers cost gigabytes of bookkeeping before any budget is reached.
pub const MAX_LAYERS: usize = 256;
/// Residual blocks inside residual blocks. Checked before descending, so a deeply nested body is a
/// named error instead of a stack overflow.
pub const MAX_NESTING: usize = 8;
/// Nesting of a config object (objects and arrays inside each other), checked while it crosses the
/// wasm boundary, before anything recursive walks it. Eight residual levels need about 20.
pub const MAX_JSON_DEPTH: usize = 64;
/// Output channels of one convolution (the presets use at most 128).
pub const MAX_CHANNELS: usize = 1024;
/// Outputs of one linear layer (the presets use at most 512).
pub const MAX_FEATURES: usize = 16_384;
/// Kernel (and pooling window) side, and stride: the largest image side a loaded set may have
/// (`data::Limits::max_side`), so a global pooling over any accepted image is possible.
pub const MAX_KERNEL: usize = 256;
pub const MAX_STRIDE: usize = 256;
/// Zero padding of a convolution: beyond half the largest useful kernel it only adds zeros.
pub const MAX_PADDING: usize = 32;
/// Multiply-adds of one training step (forward and both backward products, whole batch): measured
/// natively at about 10^9 per second, so at most about 20 s a step (vgg-mini at batch 1024, 7.5·10^10,
/// took 70 s). Every preset at batch 128 needs at most 9.4·10^9 (vgg-mini).
pub const MAX_STEP_MACS: u64 = 20_000_000_000;
/// Images evaluated in one forward (`session::evaluate::EVAL_CHUNK`): a run's activations are
/// sized for the larger of this and its batch.
pub const EVAL_IMAGES: usize = 64;

/// "layers[3].padding: must be at most 32, got 1000".
pub fn over(key: &str, value: impl std::fmt::Display, bound: impl std::fmt::Display) -> String {
    format!("{key}: must be at most {bound}, got {value}")
}

/// `value` if it is at most `bound`, otherwise the named refusal (the key is relative to its layer).
pub fn at_most(key: &str, value: usize, bound: usize) -> Result<usize, String> {
    if value <= bound {
        Ok(value)
    } else {
        Err(over(key, value, bound))
    }
}

/// What a model costs, summed over its layers while it is built (f32 values, not bytes).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Footprint {
    /// Trained values (weights, biases, BatchNorm's γ and β).
    pub params: u64,
    /// Values allocated once whatever the batch: parameter gradients, running statistics, im2col
    /// scratch, DropConnect masks.
    pub fixed: u64,
    /// Values per image of a batch: every layer's output and its gradient, and its caches (im2col
    /// columns, masks, normalized inputs, argmax indices).
    pub per_image: u64,
    /// Multiply-adds of one image's forward pass.
    pub macs_per_image: u64,
}

impl Footprint {
    /// Bytes of the model's own buffers with a batch of one: what exists once `Model::build` returns.
    pub fn built_bytes(&self) -> u64 {
        4u64.saturating_mul(
            self.params
                .saturating_add(self.fixed)
                .saturating_add(self.per_image),
        )
    }

    /// Bytes of a run: `copies` extra copies of the parameters (optimizer state, EMA, snapshots...)
    /// and `batch` images of activations.
    pub fn run_bytes(&self, copies: u64, batch: usize) -> u64 {
        let params = self.params.saturating_mul(1 + copies);
        let batch = self.per_image.saturating_mul(batch.max(EVAL_IMAGES) as u64);
        4u64.saturating_mul(params.saturating_add(self.fixed).saturating_add(batch))
    }

    /// Multiply-adds of one training step on `batch` images: the forward and, for the backward, the
    /// weight gradient and the input gradient, each as large as the forward.
    pub fn step_macs(&self, batch: usize) -> u64 {
        self.macs_per_image.saturating_mul(3).saturating_mul(batch as u64)
    }

    /// Refuses a model that alone, with a batch of one, exceeds the budget: called before each layer's
    /// buffers are allocated, with that layer already counted.
    pub fn check_build(&self) -> Result<(), String> {
        let bytes = self.built_bytes();
        if bytes > BUDGET_BYTES {
            return Err(format!(
                "this layer brings the model to {} with a batch of one, over the budget of {} for a run",
                mib(bytes),
                mib(BUDGET_BYTES)
            ));
        }
        Ok(())
    }
}

/// "16,563.5 MiB" — sizes in messages, in MiB with one decimal.
pub fn mib(bytes: u64) -> String {
    format!("{:.1} MiB", bytes as f64 / (1u64 << 20) as f64)
}

/// Checks a run's whole memory and one step's work before the optimizer, the copies and the batch
/// buffers are allocated. `copies`: parameter-sized buffers besides the values themselves.
pub fn check_run(footprint: &Footprint, copies: u64, batch: usize) -> Result<(), ConfigError> {
    let fits =
        |b: usize| footprint.run_bytes(copies, b) <= BUDGET_BYTES && footprint.step_macs(b) <= MAX_STEP_MACS;
    if fits(batch) {
        return Ok(());
    }
    // The largest batch that would fit, so the message says what to change.
    let hint = match (1..batch).rev().find(|&b| fits(b)) {
        Some(b) => format!("; batchSize {b} would fit"),
        None => "; a smaller model is needed (fewer channels, units or layers, or a smaller input)".into(),
    };
    let bytes = footprint.run_bytes(copies, batch);
    let what = if bytes > BUDGET_BYTES {
        format!(
            "needs {} ({} parameters), over the budget of {} for a run",
            mib(bytes),
            footprint.params,
            mib(BUDGET_BYTES)
        )
    } else {
        format!(
            "needs {} multiply-adds a step, over the bound of {MAX_STEP_MACS}",
            footprint.step_macs(batch)
        )
    };
    Err(ConfigError(format!(
        "batchSize: the model with a batch of {batch} {what}{hint}"
    )))
}

/// Counts the layers of `specs` (bodies included) and checks the nesting of residual blocks, without
/// recursing deeper than `MAX_NESTING` (the error names the path of the block that is too deep).
pub fn check_layers(specs: &[crate::config::LayerSpec]) -> Result<(), ConfigError> {
    use crate::config::LayerSpec;
    // An explicit stack of (path, body, depth): a hostile nesting cannot exhaust the call stack.
    let mut count = 0usize;
    let mut stack: Vec<(String, &[LayerSpec], usize)> = vec![("layers".into(), specs, 0)];
    while let Some((path, body, depth)) = stack.pop() {
        count += body.len();
        if count > MAX_LAYERS {
            return Err(ConfigError(format!(
                "layers: a model may have at most {MAX_LAYERS} layers (counting those inside residual \
                 bodies), got more than {MAX_LAYERS}"
            )));
        }
        for (i, spec) in body.iter().enumerate() {
            if let LayerSpec::Residual { body, .. } = spec {
                let inner = format!("{path}[{i}].body");
                if depth + 1 > MAX_NESTING {
                    return Err(ConfigError(format!(
                        "{path}[{i}]: residual blocks may be nested at most {MAX_NESTING} deep, this one is \
                         at depth {}",
                        depth + 1
                    )));
                }
                stack.push((inner, body, depth + 1));
            }
        }
    }
    Ok(())
}

/// Parameter-sized buffers a run keeps besides the values and their gradients: optimizer state (two
/// for Adam and RMSProp with momentum; counted as two whatever the optimizer), the best weights of
/// early stopping, the update-ratio baseline, and with averaging the EMA and the snapshots with their
/// average (`max_snapshots`: the most a snapshot ensemble keeps).
pub fn param_copies(config: &crate::config::Config, max_snapshots: usize) -> u64 {
    let ema = if config.model_ema_decay > 0.0 { 1 } else { 0 };
    let snapshots = if config.snapshot_ensemble {
        max_snapshots as u64 + 1
    } else {
        0
    };
    2 + 1 + 1 + ema + snapshots
}
