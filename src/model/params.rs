//! A model's named parameters (PyTorch's `named_parameters()` / `named_buffers()`) and which of
//! them are frozen.
//!
//! Names are those of a PyTorch module whose one child `features` is an `nn.Sequential` of the
//! model's layers, in order: layer i's parameters are `features.{i}.weight` and `features.{i}.bias`,
//! parameter-free layers (activations, pooling, flatten, dropout) keep their index, and a residual
//! block's body is nested as `features.{i}.body.{j}.…`. So a PyTorch twin built as
//! `self.features = nn.Sequential(...)` from the same layer list has the same state-dict keys.

use super::Model;
use crate::config::ConfigError;
use crate::kernels::Real;
use crate::nn::{under_prefix, BufferInfo, Layer, NamedParamVisitor, ParamInfo};

/// The name of the `nn.Sequential` that holds the layers.
pub const PREFIX: &str = "features";

/// The full description of every parameter and state buffer of `layers`, nothing frozen.
pub(super) fn describe<T: Real>(layers: &[Box<dyn Layer<T>>]) -> (Vec<ParamInfo>, Vec<BufferInfo>) {
    let (mut params, mut buffers) = (Vec::new(), Vec::new());
    for (i, layer) in layers.iter().enumerate() {
        params.extend(layer.param_names().into_iter().map(|p| ParamInfo {
            name: format!("{PREFIX}.{i}.{}", p.name),
            shape: p.shape,
            role: p.role,
            frozen: false,
        }));
        buffers.extend(layer.buffer_names().into_iter().map(|b| BufferInfo {
            name: format!("{PREFIX}.{i}.{}", b.name),
            shape: b.shape,
        }));
    }
    (params, buffers)
}

impl<T: Real> Model<T> {
    /// Every parameter buffer (name, PyTorch shape, role, frozen flag), in `visit_params` order.
    pub fn parameters(&self) -> &[ParamInfo] {
        &self.params
    }

    /// Every state buffer (batch norm's running statistics), in `visit_buffers` order.
    pub fn buffers(&self) -> &[BufferInfo] {
        &self.buffers
    }

    /// `f(info, value, grad)` for each parameter buffer, in `visit_params` order.
    pub fn visit_named_params(&mut self, f: &mut NamedParamVisitor<'_, T>) {
        let mut i = 0;
        let params = &self.params;
        for layer in &mut self.layers {
            layer.visit_params(&mut |_, w, g| {
                let info = &params[i];
                debug_assert_eq!(w.len(), info.len(), "{} changed size", info.name);
                f(info, w, g);
                i += 1;
            });
        }
        debug_assert_eq!(i, params.len(), "the model's layers changed after it was built");
    }

    /// `f(info, value)` for each state buffer, in `visit_buffers` order.
    pub fn visit_named_buffers(&mut self, f: &mut dyn FnMut(&BufferInfo, &mut [T])) {
        let mut i = 0;
        let buffers = &self.buffers;
        for layer in &mut self.layers {
            layer.visit_buffers(&mut |b| {
                f(&buffers[i], b);
                i += 1;
            });
        }
        debug_assert_eq!(i, buffers.len(), "the model's layers changed after it was built");
    }

    /// Freezes (or unfreezes) every parameter under `prefix` (PyTorch's module path: `features.3`
    /// is layer 3's weight and bias, `features.3.weight` its weight alone, "" every parameter).
    /// Returns how many parameters matched. A prefix that names nothing, or freezing that would
    /// leave nothing to train, is an error naming it, and nothing is changed.
    pub fn set_frozen(&mut self, prefix: &str, frozen: bool) -> Result<usize, ConfigError> {
        if !self.params.iter().any(|p| under_prefix(&p.name, prefix)) {
            return Err(ConfigError(format!(
                "freeze: no parameter is named \"{prefix}\" or lies under it; the layers with parameters are {}",
                self.layer_prefixes().join(", ")
            )));
        }
        self.freeze(
            |p| under_prefix(&p.name, prefix),
            frozen,
            &format!("\"{prefix}\""),
        )
    }

    /// Freezes (or unfreezes) every parameter for which `select` is true; returns how many it
    /// selected. Freezing that would leave no parameter to train is an error, and nothing is
    /// changed.
    pub fn set_frozen_where(
        &mut self,
        select: impl Fn(&ParamInfo) -> bool,
        frozen: bool,
    ) -> Result<usize, ConfigError> {
        self.freeze(select, frozen, "the selection")
    }

    fn freeze(
        &mut self,
        select: impl Fn(&ParamInfo) -> bool,
        frozen: bool,
        what: &str,
    ) -> Result<usize, ConfigError> {
        let frozen_after = |p: &ParamInfo| if select(p) { frozen } else { p.frozen };
        if !self.params.is_empty() && self.params.iter().all(frozen_after) {
            return Err(ConfigError(format!(
                "freeze: freezing {what} would leave none of the model's {} parameters to train; nothing was changed",
                self.params.len()
            )));
        }
        let mut matched = 0;
        for p in self.params.iter_mut().filter(|p| select(p)) {
            p.frozen = frozen;
            matched += 1;
        }
        Ok(matched)
    }

    /// Number of parameter values the optimizer trains (frozen ones left out).
    pub fn trainable_count(&self) -> usize {
        self.params.iter().filter(|p| !p.frozen).map(|p| p.len()).sum()
    }

    /// `features.{i}` of each layer with parameters (for messages).
    fn layer_prefixes(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for p in &self.params {
            let layer = p.name.splitn(3, '.').take(2).collect::<Vec<_>>().join(".");
            if out.last() != Some(&layer) {
                out.push(layer);
            }
        }
        out
    }
}
