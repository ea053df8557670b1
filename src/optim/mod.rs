//! Optimizers. They receive the learning rate at every step and know nothing about schedules.

pub mod sgd;

pub use sgd::Sgd;
