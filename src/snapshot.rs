//! One copy of a model's named parameters and state buffers (PyTorch's `state_dict()`): what early
//! stopping keeps of the best model, what an exponential moving average of the weights (Polyak
//! averaging) accumulates, and what a snapshot ensemble keeps at the end of each cycle.
//!
//! A snapshot restores only into a model of the same structure: the same parameter and buffer
//! names with the same shapes, in the same order. Anything else is a [`SnapshotMismatch`] naming
//! the first buffer that differs, and the model is left as it was.

use std::fmt;

use crate::kernels::Real;
use crate::model::Model;

/// One named buffer's values, in PyTorch layout (see `nn::params`).
#[derive(Clone, Debug, PartialEq)]
pub struct NamedValues<T> {
    name: String,
    shape: Vec<usize>,
    data: Vec<T>,
}

impl<T> NamedValues<T> {
    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn shape(&self) -> &[usize] {
        &self.shape
    }

    pub fn data(&self) -> &[T] {
        &self.data
    }

    /// The values, to change in place (a slice: the shape cannot change).
    pub fn data_mut(&mut self) -> &mut [T] {
        &mut self.data
    }
}

/// A model's parameters and state buffers, copied (see the module comment).
#[derive(Clone, Debug, PartialEq)]
pub struct Snapshot<T> {
    params: Vec<NamedValues<T>>,
    buffers: Vec<NamedValues<T>>,
}

/// A snapshot that does not fit a model; the message names the first buffer that differs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SnapshotMismatch(pub String);

impl fmt::Display for SnapshotMismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for SnapshotMismatch {}

/// The first difference between the snapshot's buffers `ours` and the model's `theirs`, given as
/// (name, shape) of each (no copy: early stopping and the update-ratio tracker check every time).
fn compare<'a, T>(
    what: &str,
    ours: &[NamedValues<T>],
    theirs: impl ExactSizeIterator<Item = (&'a str, &'a [usize])>,
) -> Result<(), SnapshotMismatch> {
    let n = theirs.len();
    let mut theirs = theirs.enumerate();
    // `ours` first: when it runs out, zip has not taken the model's next buffer yet.
    for (o, (i, (name, shape))) in ours.iter().zip(theirs.by_ref()) {
        if o.name != name || o.shape != shape {
            return Err(SnapshotMismatch(format!(
                "snapshot: {what} {i} is {} {:?} in the snapshot but {name} {shape:?} in the model",
                o.name, o.shape
            )));
        }
    }
    if let Some((_, (name, _))) = theirs.next() {
        return Err(SnapshotMismatch(format!(
            "snapshot: has no {what} {name} (the model has {n} {what}s, the snapshot {})",
            ours.len()
        )));
    }
    if let Some(o) = ours.get(n) {
        return Err(SnapshotMismatch(format!(
            "snapshot: the model has no {what} {} (the model has {n} {what}s, the snapshot {})",
            o.name,
            ours.len()
        )));
    }
    Ok(())
}

impl<T: Real> Snapshot<T> {
    /// A copy of `model`'s parameters and buffers now.
    pub fn of(model: &mut Model<T>) -> Self {
        let mut params = Vec::with_capacity(model.parameters().len());
        model.visit_named_params(&mut |p, w, _| {
            params.push(NamedValues {
                name: p.name.clone(),
                shape: p.shape.clone(),
                data: w.to_vec(),
            })
        });
        let mut buffers = Vec::with_capacity(model.buffers().len());
        model.visit_named_buffers(&mut |b, v| {
            buffers.push(NamedValues {
                name: b.name.clone(),
                shape: b.shape.clone(),
                data: v.to_vec(),
            })
        });
        Snapshot { params, buffers }
    }

    /// Overwrites this snapshot with `model`'s values now, reusing its buffers when the structure
    /// is the same (early stopping captures every new best without allocating).
    pub fn capture(&mut self, model: &mut Model<T>) {
        if self.check(model).is_err() {
            *self = Self::of(model);
            return;
        }
        let (params, buffers) = (&mut self.params, &mut self.buffers);
        let mut i = 0;
        model.visit_named_params(&mut |_, w, _| {
            params[i].data.copy_from_slice(w);
            i += 1;
        });
        let mut j = 0;
        model.visit_named_buffers(&mut |_, v| {
            buffers[j].data.copy_from_slice(v);
            j += 1;
        });
    }

    /// Whether this snapshot fits `model`: the same names and shapes in the same order.
    pub fn check(&self, model: &Model<T>) -> Result<(), SnapshotMismatch> {
        let params = model
            .parameters()
            .iter()
            .map(|p| (p.name.as_str(), p.shape.as_slice()));
        compare("parameter", &self.params, params)?;
        let buffers = model
            .buffers()
            .iter()
            .map(|b| (b.name.as_str(), b.shape.as_slice()));
        compare("buffer", &self.buffers, buffers)
    }

    /// Puts the values back into `model` (parameters and batch norm statistics), or says why they
    /// do not fit and changes nothing. Frozen flags are the model's and stay as they are.
    pub fn restore(&self, model: &mut Model<T>) -> Result<(), SnapshotMismatch> {
        self.check(model)?;
        let mut i = 0;
        model.visit_named_params(&mut |_, w, _| {
            w.copy_from_slice(&self.params[i].data);
            i += 1;
        });
        let mut j = 0;
        model.visit_named_buffers(&mut |_, v| {
            v.copy_from_slice(&self.buffers[j].data);
            j += 1;
        });
        Ok(())
    }

    /// One step of an exponential moving average towards `model`: s ← decay·s + (1 − decay)·w for
    /// every parameter and buffer (computed in f64, rounded to T). Batch norm's running statistics
    /// are averaged like the weights, as timm's `ModelEmaV2` does with the whole state dict.
    pub fn ema_update(&mut self, model: &mut Model<T>, decay: f64) -> Result<(), SnapshotMismatch> {
        self.check(model)?;
        let towards = |s: &mut [T], w: &[T]| {
            for (si, &wi) in s.iter_mut().zip(w) {
                let (sv, wv) = (si.to_f64().unwrap_or(0.0), wi.to_f64().unwrap_or(0.0));
                *si = T::of(decay * sv + (1.0 - decay) * wv);
            }
        };
        let (params, buffers) = (&mut self.params, &mut self.buffers);
        let mut i = 0;
        model.visit_named_params(&mut |_, w, _| {
            towards(&mut params[i].data, w);
            i += 1;
        });
        let mut j = 0;
        model.visit_named_buffers(&mut |_, v| {
            towards(&mut buffers[j].data, v);
            j += 1;
        });
        Ok(())
    }

    /// The parameters, in the model's order.
    pub fn params(&self) -> &[NamedValues<T>] {
        &self.params
    }

    /// The state buffers (batch norm's running statistics), in the model's order.
    pub fn buffers(&self) -> &[NamedValues<T>] {
        &self.buffers
    }

    pub fn params_mut(&mut self) -> &mut [NamedValues<T>] {
        &mut self.params
    }

    pub fn buffers_mut(&mut self) -> &mut [NamedValues<T>] {
        &mut self.buffers
    }

    /// The parameter or buffer called `name`.
    pub fn get(&self, name: &str) -> Option<&NamedValues<T>> {
        self.params.iter().chain(&self.buffers).find(|v| v.name == name)
    }
}
