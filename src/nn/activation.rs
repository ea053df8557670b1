//! The activation functions the lecture lists, each as f(x) and f'(x) side by side.
//!
//! Derivatives are taken with respect to the input x (cached by the model as the layer's input).
//! Conventions: step's gradient is zero everywhere (it is flat almost everywhere; the jump at 0 has
//! no useful derivative), sinc(0) = 1 and sinc'(0) = 0 by continuity, and ReLU's and leaky ReLU's
//! derivative at exactly 0 is that of the x < 0 side, as in PyTorch.

use super::{Layer, Mode};
use crate::kernels::Real;
use crate::math;
use crate::parallel;
use crate::{Rng, Tensor};
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ActivationKind {
    Sigmoid,
    Tanh,
    Step,
    Softplus,
    Relu,
    Softsign,
    Elu,
    Logsigmoid,
    Leakyrelu,
    Swish,
    Sinc,
    Mish,
}

impl ActivationKind {
    pub const ALL: [ActivationKind; 12] = [
        ActivationKind::Sigmoid,
        ActivationKind::Tanh,
        ActivationKind::Step,
        ActivationKind::Softplus,
        ActivationKind::Relu,
        ActivationKind::Softsign,
        ActivationKind::Elu,
        ActivationKind::Logsigmoid,
        ActivationKind::Leakyrelu,
        ActivationKind::Swish,
        ActivationKind::Sinc,
        ActivationKind::Mish,
    ];

    pub fn name(self) -> &'static str {
        match self {
            ActivationKind::Sigmoid => "sigmoid",
            ActivationKind::Tanh => "tanh",
            ActivationKind::Step => "step",
            ActivationKind::Softplus => "softplus",
            ActivationKind::Relu => "relu",
            ActivationKind::Softsign => "softsign",
            ActivationKind::Elu => "elu",
            ActivationKind::Logsigmoid => "logsigmoid",
            ActivationKind::Leakyrelu => "leakyrelu",
            ActivationKind::Swish => "swish",
            ActivationKind::Sinc => "sinc",
            ActivationKind::Mish => "mish",
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.name() == name)
    }
}

/// Leaky ReLU's slope for x < 0, as on the lecture's slide: max(0.1x, x).
pub const LEAKY_SLOPE: f64 = 0.1;

fn sigmoid<T: Real>(x: T) -> T {
    // Two forms so that exp never overflows.
    if x >= T::zero() {
        T::one() / (T::one() + math::exp(-x))
    } else {
        let e = math::exp(x);
        e / (T::one() + e)
    }
}

/// ln(1 + eˣ) computed as max(x, 0) + ln(1 + e^−|x|), exact for large |x|.
fn softplus<T: Real>(x: T) -> T {
    x.max(T::zero()) + math::ln_1p(math::exp(-x.abs()))
}

/// Below this |x|, sinc and its derivative use their Taylor series to avoid 0/0.
const SINC_TAYLOR: f64 = 1e-3;

impl ActivationKind {
    pub fn f<T: Real>(self, x: T, alpha: T) -> T {
        let (zero, one) = (T::zero(), T::one());
        match self {
            ActivationKind::Sigmoid => sigmoid(x),
            ActivationKind::Tanh => math::tanh(x),
            ActivationKind::Step => {
                if x >= zero {
                    one
                } else {
                    zero
                }
            }
            ActivationKind::Softplus => softplus(x),
            ActivationKind::Relu => x.max(zero),
            ActivationKind::Softsign => x / (one + x.abs()),
            ActivationKind::Elu => {
                if x < zero {
                    alpha * math::exp_m1(x)
                } else {
                    x
                }
            }
            ActivationKind::Logsigmoid => -softplus(-x),
            ActivationKind::Leakyrelu => {
                if x < zero {
                    T::of(LEAKY_SLOPE) * x
                } else {
                    x
                }
            }
            ActivationKind::Swish => x * sigmoid(x),
            ActivationKind::Sinc => {
                if x.abs() < T::of(SINC_TAYLOR) {
                    let x2 = x * x; // 1 − x²/6 + x⁴/120
                    one - x2 / T::of(6.0) + x2 * x2 / T::of(120.0)
                } else {
                    math::sin(x) / x
                }
            }
            ActivationKind::Mish => x * math::tanh(softplus(x)),
        }
    }

    /// f'(x)
    pub fn df<T: Real>(self, x: T, alpha: T) -> T {
        let (zero, one) = (T::zero(), T::one());
        match self {
            ActivationKind::Sigmoid => {
                let s = sigmoid(x);
                s * (one - s)
            }
            ActivationKind::Tanh => {
                let t = math::tanh(x);
                one - t * t
            }
            ActivationKind::Step => zero,
            ActivationKind::Softplus => sigmoid(x),
            ActivationKind::Relu => {
                if x > zero {
                    one
                } else {
                    zero
                }
            }
            ActivationKind::Softsign => {
                let d = one + x.abs();
                one / (d * d)
            }
            ActivationKind::Elu => {
                if x < zero {
                    alpha * math::exp(x)
                } else {
                    one
                }
            }
            ActivationKind::Logsigmoid => sigmoid(-x),
            ActivationKind::Leakyrelu => {
                if x < zero {
                    T::of(LEAKY_SLOPE)
                } else {
                    one
                }
            }
            ActivationKind::Swish => {
                let s = sigmoid(x);
                s + x * s * (one - s)
            }
            ActivationKind::Sinc => {
                if x.abs() < T::of(SINC_TAYLOR) {
                    // d/dx (1 − x²/6 + x⁴/120) = −x/3 + x³/30
                    -x / T::of(3.0) + x * x * x / T::of(30.0)
                } else {
                    (x * math::cos(x) - math::sin(x)) / (x * x)
                }
            }
            ActivationKind::Mish => {
                // d/dx x·tanh(sp(x)) = tanh(sp) + x·(1 − tanh²(sp))·σ(x)
                let t = math::tanh(softplus(x));
                t + x * (one - t * t) * sigmoid(x)
            }
        }
    }
}

/// Rough work of one element of the non-ReLU activations (an exp or tanh), for `parallel::parts`.
const TRANSCENDENTAL_COST: usize = 20;

pub struct Activation {
    kind: ActivationKind,
    /// ELU's α (unused by the others)
    alpha: f64,
    shape: [usize; 3],
}

impl Activation {
    pub fn new(kind: ActivationKind, alpha: f64, shape: [usize; 3]) -> Self {
        Activation { kind, alpha, shape }
    }
}

impl<T: Real> Layer<T> for Activation {
    fn kind(&self) -> &'static str {
        self.kind.name()
    }

    fn output_shape(&self) -> [usize; 3] {
        self.shape
    }

    fn forward(&mut self, x: &Tensor<T>, y: &mut Tensor<T>, _mode: Mode, _rng: &mut Rng) {
        y.resize(x.shape);
        // Elementwise, so split across threads in runs of elements (crate::parallel).
        if self.kind == ActivationKind::Relu {
            return parallel::elementwise(&mut y.data, 1, |r, y| T::relu_forward(&x.data[r], y));
        }
        let (kind, alpha) = (self.kind, T::of(self.alpha));
        parallel::elementwise(&mut y.data, TRANSCENDENTAL_COST, |r, y| {
            for (yi, &xi) in y.iter_mut().zip(&x.data[r]) {
                *yi = kind.f(xi, alpha);
            }
        });
    }

    fn backward(&mut self, x: &Tensor<T>, _y: &Tensor<T>, dy: &Tensor<T>, dx: Option<&mut Tensor<T>>) {
        let Some(dx) = dx else { return };
        dx.resize(x.shape);
        if self.kind == ActivationKind::Relu {
            return parallel::elementwise(&mut dx.data, 1, |r, dx| {
                T::relu_backward(&x.data[r.clone()], &dy.data[r], dx)
            });
        }
        let (kind, alpha) = (self.kind, T::of(self.alpha));
        parallel::elementwise(&mut dx.data, TRANSCENDENTAL_COST, |r, dx| {
            for ((d, &xi), &g) in dx.iter_mut().zip(&x.data[r.clone()]).zip(&dy.data[r]) {
                *d = g * kind.df(xi, alpha);
            }
        });
    }
}
