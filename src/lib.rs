//! trainlab: a small CNN trainer for teaching "Training Neural Networks II" in the browser.
//! Module list and re-exports only; `api` is the one wasm-aware module.

// Unit tests may use std's math as an independent reference; the core itself calls src/math.rs
// (clippy.toml).
#![cfg_attr(test, allow(clippy::disallowed_methods))]

pub mod api;
pub mod augment;
pub mod calibration;
pub mod config;
pub mod confusion;
pub mod data;
pub mod diagnostics;
pub mod ensemble;
pub mod export;
pub mod kernels;
pub mod lab;
pub mod limits;
pub mod loss;
pub mod math;
pub mod model;
pub mod nn;
pub mod optim;
pub mod parallel;
pub mod presets;
pub mod rng;
pub mod schedule;
pub mod search;
pub mod session;
pub mod snapshot;
pub mod tensor;
pub mod transfer;

pub use rng::Rng;
pub use tensor::Tensor;
