//! What a model's parameter and state buffers are: PyTorch-style names, shapes, roles and the
//! frozen flag. Layers describe their own buffers with local names (`weight`, `bias`,
//! `running_mean`); the model prefixes them with the layer's place (`features.3.weight`).
//!
//! Shapes are PyTorch's layouts, and the core stores the values in exactly that row-major order,
//! so a buffer's values are `tensor.flatten()` of its PyTorch twin:
//! - conv weight `[out, in, kh, kw]`: stored as (OC, K) with K = C·KH·KW in im2col row order
//!   (c, ky, kx), which is the same memory;
//! - linear weight `[out, in]`, with `in` the input's C·H·W flattened in NCHW order, as
//!   `nn.Flatten` would;
//! - biases and batch norm's γ, β, running mean and running variance `[channels]` (`[features]`
//!   after a linear layer, PyTorch's BatchNorm1d).
//!
//! PyTorch's batch norm also has a `num_batches_tracked` buffer; it only matters with
//! `momentum=None` (a cumulative average), which the core does not offer, so the model does not keep
//! it; the weights file writes it (as the steps trained, `transfer::weights`) so that PyTorch's
//! strict `load_state_dict` accepts the file.

use std::fmt;

/// The optimizer's decay class of a buffer: weight decay applies to weights only by default.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ParamKind {
    Weight,
    /// Not weight-decayed: biases, and normalization parameters (BatchNorm's γ and β).
    Bias,
}

/// What a parameter is, finer than [`ParamKind`]: what a transfer-learning recipe or a
/// per-kind learning rate selects on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ParamRole {
    /// A convolution's kernel or a linear layer's matrix.
    Weight,
    /// A convolution's or linear layer's bias.
    Bias,
    /// Batch norm's scale γ (PyTorch's `weight` of `nn.BatchNorm2d`).
    BnWeight,
    /// Batch norm's shift β (PyTorch's `bias` of `nn.BatchNorm2d`).
    BnBias,
}

impl ParamRole {
    /// "weight", "bias", "bn-weight" or "bn-bias".
    pub fn as_str(self) -> &'static str {
        match self {
            ParamRole::Weight => "weight",
            ParamRole::Bias => "bias",
            ParamRole::BnWeight => "bn-weight",
            ParamRole::BnBias => "bn-bias",
        }
    }

    /// The decay class the optimizers use: only weights are decayed by default.
    pub fn decay_kind(self) -> ParamKind {
        match self {
            ParamRole::Weight => ParamKind::Weight,
            ParamRole::Bias | ParamRole::BnWeight | ParamRole::BnBias => ParamKind::Bias,
        }
    }
}

impl fmt::Display for ParamRole {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One parameter buffer of a model: trained by the optimizer unless `frozen`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParamInfo {
    /// PyTorch's `named_parameters()` name, e.g. `features.0.weight`.
    pub name: String,
    /// PyTorch layout, e.g. `[6, 1, 5, 5]` for a 5×5 conv from 1 to 6 channels.
    pub shape: Vec<usize>,
    pub role: ParamRole,
    /// A frozen parameter gets no update, no weight decay, and its optimizer state stays as it is.
    /// Its gradient is still computed, and a frozen batch norm layer still updates its running
    /// statistics in training (as in PyTorch with `requires_grad=False` and the module in train
    /// mode).
    pub frozen: bool,
}

impl ParamInfo {
    /// Number of values (the product of the shape).
    pub fn len(&self) -> usize {
        self.shape.iter().product()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// One state buffer that is not trained but is part of the model (PyTorch's `named_buffers()`:
/// batch norm's `running_mean` and `running_var`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BufferInfo {
    pub name: String,
    pub shape: Vec<usize>,
}

/// A layer's own description of one buffer, before the model prefixes its name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LocalParam {
    /// The name inside the layer: `weight`, `bias`, or nested (`body.0.weight`).
    pub name: String,
    pub shape: Vec<usize>,
    pub role: ParamRole,
}

impl LocalParam {
    pub fn new(name: &str, shape: Vec<usize>, role: ParamRole) -> Self {
        LocalParam {
            name: name.to_string(),
            shape,
            role,
        }
    }
}

/// Whether `name` is `prefix` itself or lies under it at a dot boundary (PyTorch's module paths:
/// `features.1` covers `features.1.weight`, not `features.10.weight`). The empty prefix covers all.
pub fn under_prefix(name: &str, prefix: &str) -> bool {
    prefix.is_empty()
        || name == prefix
        || (name.starts_with(prefix) && name.as_bytes().get(prefix.len()) == Some(&b'.'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes_stop_at_dots() {
        assert!(under_prefix("features.1.weight", "features.1"));
        assert!(under_prefix("features.1.weight", "features.1.weight"));
        assert!(!under_prefix("features.10.weight", "features.1"));
        assert!(under_prefix("features.10.weight", ""));
        assert!(!under_prefix("features.1", "features.1.weight"));
    }
}
