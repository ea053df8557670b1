//! Finite-difference gradient checks in f64 for every layer and every activation, parameters
//! included. The layers run the very code the page runs (generic over the float type).

// Expected values may come from std's math: an implementation independent of the core's
// (src/math.rs, the `libm` crate) that clippy.toml otherwise keeps out.
#![allow(clippy::disallowed_methods)]
#![cfg(not(target_arch = "wasm32"))]

mod common;

use common::Check;
use trainlab::config::LayerSpec;
use trainlab::nn::ActivationKind;

const TOL: f64 = 1e-6;

fn conv(out_channels: usize, kernel_size: usize, stride: usize, padding: usize) -> LayerSpec {
    LayerSpec::Conv2d {
        out_channels,
        kernel_size,
        stride,
        padding,
    }
}

#[test]
fn conv2d_gradients_across_stride_and_padding() {
    for (k, stride, pad) in [
        (3, 1, 0),
        (3, 1, 1),
        (3, 2, 1),
        (5, 1, 2),
        (1, 1, 0),
        (2, 2, 0),
        (4, 3, 2),
    ] {
        let mut check = Check::new(&[conv(3, k, stride, pad)], [2, 7, 6], 2, 0.0, 1);
        check.assert_gradients(&format!("conv2d k{k} s{stride} p{pad}"), TOL, 200);
    }
}

#[test]
fn linear_gradients() {
    let mut check = Check::new(
        &[LayerSpec::Linear {
            out_features: 4,
            drop_connect: 0.0,
        }],
        [5, 1, 1],
        3,
        0.0,
        2,
    );
    check.assert_gradients("linear", TOL, 200);
    // On a spatial input Linear sees the flattened (C·H·W) vector.
    let mut check = Check::new(
        &[LayerSpec::Linear {
            out_features: 3,
            drop_connect: 0.0,
        }],
        [2, 3, 3],
        2,
        0.0,
        3,
    );
    check.assert_gradients("linear on 2×3×3", TOL, 200);
}

#[test]
fn flatten_gradients() {
    let mut check = Check::new(
        &[
            LayerSpec::Flatten,
            LayerSpec::Linear {
                out_features: 3,
                drop_connect: 0.0,
            },
        ],
        [2, 3, 4],
        2,
        0.0,
        4,
    );
    check.assert_gradients("flatten", TOL, 200);
}

#[test]
fn pooling_gradients() {
    for (k, stride) in [(2, None), (3, Some(1)), (3, Some(2)), (2, Some(1))] {
        let specs = [
            LayerSpec::Maxpool2d {
                kernel_size: k,
                stride,
            },
            LayerSpec::Linear {
                out_features: 2,
                drop_connect: 0.0,
            },
        ];
        Check::new(&specs, [2, 6, 7], 2, 0.0, 5).assert_gradients(
            &format!("maxpool k{k} s{stride:?}"),
            TOL,
            200,
        );
        let specs = [
            LayerSpec::Avgpool2d {
                kernel_size: k,
                stride,
            },
            LayerSpec::Linear {
                out_features: 2,
                drop_connect: 0.0,
            },
        ];
        Check::new(&specs, [2, 6, 7], 2, 0.0, 6).assert_gradients(
            &format!("avgpool k{k} s{stride:?}"),
            TOL,
            200,
        );
    }
}

#[test]
fn every_activation_gradient() {
    for kind in ActivationKind::ALL {
        // Inputs are kept ≥ 0.05 away from 0, where ReLU, leaky ReLU and step have their kink.
        let specs = [
            LayerSpec::activation(kind),
            LayerSpec::Linear {
                out_features: 3,
                drop_connect: 0.0,
            },
        ];
        Check::new(&specs, [2, 3, 3], 3, 0.05, 7).assert_gradients(kind.name(), TOL, 200);
    }
    let specs = [
        LayerSpec::Elu { alpha: 0.5 },
        LayerSpec::Linear {
            out_features: 3,
            drop_connect: 0.0,
        },
    ];
    Check::new(&specs, [2, 3, 3], 3, 0.05, 8).assert_gradients("elu alpha 0.5", TOL, 200);
}

#[test]
fn whole_presets_backpropagate_correctly() {
    // End to end through conv, activation, pooling, flatten and linear layers, in one graph.
    let shape = trainlab::presets::default_input("lenet").unwrap();
    let specs = trainlab::presets::preset("lenet", ActivationKind::Tanh, shape, 10).unwrap();
    Check::new(&specs, shape, 2, 0.0, 9).assert_gradients("lenet (tanh)", 1e-5, 25);
    let shape = trainlab::presets::default_input("shapes-cnn").unwrap();
    let specs = trainlab::presets::preset("shapes-cnn", ActivationKind::Swish, shape, 10).unwrap();
    Check::new(&specs, shape, 1, 0.0, 10).assert_gradients("shapes-cnn (swish)", 1e-5, 25);
}

/// f and f' at chosen points against values computed by hand.
#[test]
fn activation_reference_values() {
    use ActivationKind::*;
    let cases: &[(ActivationKind, f64, f64, f64)] = &[
        // (kind, x, f(x), f'(x))
        (Sigmoid, 0.0, 0.5, 0.25),
        (Tanh, 0.0, 0.0, 1.0),
        (Step, -0.5, 0.0, 0.0),
        (Step, 0.0, 1.0, 0.0), // y = 1 for x ≥ 0 (lecture); gradient zero everywhere
        (Softplus, 0.0, std::f64::consts::LN_2, 0.5),
        (Relu, -1.0, 0.0, 0.0),
        (Relu, 2.0, 2.0, 1.0),
        (Softsign, 1.0, 0.5, 0.25),
        (Elu, -1.0, -0.632_120_558_828_557_7, 0.367_879_441_171_442_3), // e^-1 − 1, e^-1
        (Logsigmoid, 0.0, -std::f64::consts::LN_2, 0.5),
        (Leakyrelu, -2.0, -0.2, 0.1), // max(0.1x, x)
        (Swish, 0.0, 0.0, 0.5),
        (Sinc, 0.0, 1.0, 0.0), // defined at 0 by continuity
        (Sinc, std::f64::consts::PI, 0.0, -1.0 / std::f64::consts::PI), // (π cos π − sin π)/π²
        (Mish, 0.0, 0.0, 0.6), // tanh(softplus(0)) = tanh(ln 2) = (2 − ½)/(2 + ½)
    ];
    for &(kind, x, f, df) in cases {
        assert!(
            (kind.f(x, 1.0) - f).abs() < 1e-12,
            "{}({x}) = {} want {f}",
            kind.name(),
            kind.f(x, 1.0)
        );
        assert!(
            (kind.df(x, 1.0) - df).abs() < 1e-12,
            "{}'({x}) = {} want {df}",
            kind.name(),
            kind.df(x, 1.0)
        );
    }
    // Large inputs neither overflow nor lose the asymptote.
    assert_eq!(Softplus.f(1000.0, 1.0), 1000.0);
    assert_eq!(Logsigmoid.f(-1000.0, 1.0), -1000.0);
    assert!(Sigmoid.f(-1000.0f64, 1.0) >= 0.0 && Sigmoid.f(-1000.0f64, 1.0) < 1e-300);
}

#[test]
fn sinc_is_continuous_across_its_series_switch() {
    for x in [9.99e-4_f64, 1.0001e-3, -9.99e-4, -1.0001e-3] {
        let direct = x.sin() / x;
        let direct_d = (x * x.cos() - x.sin()) / (x * x);
        assert!((ActivationKind::Sinc.f(x, 1.0) - direct).abs() < 1e-12);
        assert!((ActivationKind::Sinc.df(x, 1.0) - direct_d).abs() < 1e-6);
    }
}

/// The regularization layers through the same harness as the rest: every forward of the check
/// uses an identically seeded Rng, so masks, gates and pooling regions are fixed by the seed.
#[test]
fn regularizer_layers_through_the_model_builder() {
    let cases: Vec<(&str, Vec<LayerSpec>, [usize; 3], usize)> = vec![
        (
            "dropout",
            vec![
                LayerSpec::Dropout { p: 0.4 },
                LayerSpec::Linear {
                    out_features: 3,
                    drop_connect: 0.0,
                },
            ],
            [2, 3, 3],
            3,
        ),
        (
            "dropconnect",
            vec![LayerSpec::Linear {
                out_features: 4,
                drop_connect: 0.3,
            }],
            [2, 3, 3],
            3,
        ),
        (
            "batchnorm conv",
            vec![
                conv(3, 3, 1, 1),
                LayerSpec::Batchnorm,
                LayerSpec::Linear {
                    out_features: 2,
                    drop_connect: 0.0,
                },
            ],
            [2, 5, 5],
            4,
        ),
        (
            "batchnorm linear",
            vec![
                LayerSpec::Linear {
                    out_features: 4,
                    drop_connect: 0.0,
                },
                LayerSpec::Batchnorm,
                LayerSpec::Tanh,
                LayerSpec::Linear {
                    out_features: 2,
                    drop_connect: 0.0,
                },
            ],
            [3, 2, 2],
            5,
        ),
        (
            "fractional max pool",
            vec![
                LayerSpec::Fractionalmaxpool2d {
                    alpha: 1.5,
                    overlapping: false,
                },
                LayerSpec::Linear {
                    out_features: 2,
                    drop_connect: 0.0,
                },
            ],
            [2, 7, 9],
            2,
        ),
        (
            "fractional max pool, overlapping",
            vec![
                LayerSpec::Fractionalmaxpool2d {
                    alpha: 1.4,
                    overlapping: true,
                },
                LayerSpec::Linear {
                    out_features: 2,
                    drop_connect: 0.0,
                },
            ],
            [2, 8, 8],
            2,
        ),
        (
            "residual block",
            vec![
                LayerSpec::Residual {
                    body: vec![
                        conv(2, 3, 1, 1),
                        LayerSpec::Batchnorm,
                        LayerSpec::Relu,
                        conv(2, 3, 1, 1),
                    ],
                    survival: Some(0.999),
                },
                LayerSpec::Linear {
                    out_features: 2,
                    drop_connect: 0.0,
                },
            ],
            [2, 4, 4],
            3,
        ),
    ];
    for (what, specs, shape, batch) in cases {
        Check::new(&specs, shape, batch, 0.05, 11).assert_gradients(what, TOL, 200);
    }
}
