//! Reference values for the conventions that bite: output sizes, convolution as PyTorch computes
//! it (cross-correlation), the loss on known logits, SGD momentum's first steps.

// Expected values may come from std's math: an implementation independent of the core's
// (src/math.rs, the `libm` crate) that clippy.toml otherwise keeps out.
#![allow(clippy::disallowed_methods)]
#![cfg(not(target_arch = "wasm32"))]

use trainlab::config::LayerSpec;
use trainlab::loss::softmax_cross_entropy;
use trainlab::model::Model;
use trainlab::nn::{ActivationKind, Init, Mode};
use trainlab::optim::Sgd;
use trainlab::{Rng, Tensor};

fn shapes_of(preset: &str) -> Vec<[usize; 3]> {
    let input = trainlab::presets::default_input(preset).unwrap();
    let specs = trainlab::presets::preset(preset, ActivationKind::Relu, input, 10).unwrap();
    let model = Model::<f32>::build(&specs, input, 10, Init::Kaiming, &mut Rng::new(0)).unwrap();
    model.layers.iter().map(|l| l.output_shape()).collect()
}

#[test]
fn preset_output_sizes_follow_the_conv_formula() {
    // out = ⌊(in + 2·pad − k)/stride⌋ + 1
    let lenet = shapes_of("lenet");
    assert_eq!(lenet[0], [6, 28, 28]); // 28 + 4 − 5 + 1 ("same")
    assert_eq!(lenet[2], [6, 14, 14]); // pool 2
    assert_eq!(lenet[3], [16, 10, 10]); // 14 − 5 + 1 ("valid")
    assert_eq!(lenet[5], [16, 5, 5]);
    assert_eq!(lenet[7], [120, 1, 1]); // fc on 16·5·5 = 400
    let vgg = shapes_of("vgg-mini");
    assert_eq!(vgg[0], [32, 32, 32]);
    assert_eq!(vgg[4], [32, 16, 16]);
    assert_eq!(vgg[9], [64, 8, 8]);
}

#[test]
fn strided_padded_conv_sizes() {
    let cases = [
        // (in, k, stride, pad) → out
        ((7, 3, 2, 1), 4),
        ((32, 5, 1, 2), 32),
        ((28, 5, 1, 0), 24),
        ((8, 4, 3, 2), 3), // ⌊(8 + 4 − 4)/3⌋ + 1 = 3
        ((5, 5, 1, 0), 1),
    ];
    for ((h, k, stride, padding), out) in cases {
        let spec = [LayerSpec::Conv2d {
            out_channels: 1,
            kernel_size: k,
            stride,
            padding,
        }];
        let m = Model::<f32>::from_specs(&spec, [1, h, h], Init::Kaiming, &mut Rng::new(0)).unwrap();
        assert_eq!(
            m.output_shape(),
            [1, out, out],
            "in {h} k {k} s {stride} p {padding}"
        );
    }
}

#[test]
fn conv_is_cross_correlation_with_zero_padding() {
    // x = [[1,2,3],[4,5,6],[7,8,9]], w = [[1,0],[0,−1]], b = 0.5.
    // Cross-correlation (no kernel flip): y[i][j] = x[i][j] − x[i+1][j+1] + 0.5 = −4 + 0.5.
    // With padding 1, P = x zero-padded to 5×5 and y[i][j] = P[i][j] − P[i+1][j+1] + 0.5:
    //   row 0: −x[0][j] + .5 for j < 3, then 0 + .5;   row 3: .5, then x[2][j−1] + .5;
    //   rows 1–2: −x[i][0] + .5, the interior −3.5s, then x[i−1][2] + .5.
    let x: Vec<f32> = (1..=9).map(|v| v as f32).collect();
    for (pad, expect) in [
        (0usize, vec![-3.5f32; 4]),
        (
            1,
            vec![
                -0.5, -1.5, -2.5, 0.5, -3.5, -3.5, -3.5, 3.5, -6.5, -3.5, -3.5, 6.5, 0.5, 7.5, 8.5, 9.5,
            ],
        ),
    ] {
        let spec = [LayerSpec::Conv2d {
            out_channels: 1,
            kernel_size: 2,
            stride: 1,
            padding: pad,
        }];
        let mut m = Model::<f32>::from_specs(&spec, [1, 3, 3], Init::Kaiming, &mut Rng::new(0)).unwrap();
        m.visit_params(&mut |kind, w, _| match kind {
            trainlab::nn::ParamKind::Weight => w.copy_from_slice(&[1.0, 0.0, 0.0, -1.0]),
            trainlab::nn::ParamKind::Bias => w[0] = 0.5,
        });
        m.input_mut(1).data.copy_from_slice(&x);
        let y = m.forward(Mode::Eval, &mut Rng::new(0));
        assert_eq!(y.data, expect, "padding {pad}");
    }
}

#[test]
fn cross_entropy_reference_values() {
    let logits = Tensor::from_vec([2, 3, 1, 1], vec![1.0f64, 2.0, 3.0, 0.0, 0.0, 0.0]);
    let mut d = Tensor::default();
    // Row 0, one-hot on class 2: −log(e³/(e¹+e²+e³)) = 0.407605964...
    // Row 1, uniform logits with a soft target: −Σ t·log(1/3) = ln 3 = 1.098612289...
    let targets = [0.0, 0.0, 1.0, 0.2, 0.3, 0.5];
    let loss = softmax_cross_entropy(&logits, &targets, &mut d);
    let want = (0.407_605_964_444_380_3 + 3f64.ln()) / 2.0;
    assert!((loss - want).abs() < 1e-12, "loss {loss} want {want}");
    // dz = (softmax − t)/N: row 0 softmax = (0.0900306, 0.2447285, 0.6652410)
    let p = [
        0.090_030_573_170_380_46,
        0.244_728_471_054_797_64,
        0.665_240_955_774_821_9,
    ];
    let want_d = [
        p[0] / 2.0,
        p[1] / 2.0,
        (p[2] - 1.0) / 2.0,
        (1.0 / 3.0 - 0.2) / 2.0,
        (1.0 / 3.0 - 0.3) / 2.0,
        (1.0 / 3.0 - 0.5) / 2.0,
    ];
    for (a, b) in d.data.iter().zip(want_d) {
        assert!((a - b).abs() < 1e-12, "dlogits {:?} want {want_d:?}", d.data);
    }
    // Huge logits do not overflow.
    let big = Tensor::from_vec([1, 2, 1, 1], vec![1000.0f64, 0.0]);
    assert!(softmax_cross_entropy(&big, &[0.0, 1.0], &mut d) - 1000.0 < 1e-9);
}

#[test]
fn sgd_momentum_first_steps_match_pytorch() {
    // One linear unit y = w·x + b, x = 1, dL/dy = 1 every step so g_w = 1, g_b = 1.
    // PyTorch: v₁ = g; w₁ = w₀ − lr·v₁; v₂ = μ·v₁ + g; ... with weight decay λ on w only: g_w = 1 + λ·w.
    let spec = [LayerSpec::Linear {
        out_features: 1,
        drop_connect: 0.0,
    }];
    let mut m = Model::<f64>::from_specs(&spec, [1, 1, 1], Init::Kaiming, &mut Rng::new(0)).unwrap();
    m.visit_params(&mut |kind, w, _| {
        w[0] = if kind == trainlab::nn::ParamKind::Weight {
            2.0
        } else {
            0.0
        }
    });
    let mut opt = Sgd::new(&mut m, 0.9, 0.1);
    let mut ws = Vec::new();
    for _ in 0..3 {
        m.input_mut(1).data[0] = 1.0;
        m.forward(Mode::Train, &mut Rng::new(0));
        let (_, dy) = m.logits_and_grad();
        dy.resize([1, 1, 1, 1]);
        dy.data[0] = 1.0;
        m.backward(false);
        opt.step(&mut m, 0.5);
        let mut p = Vec::new();
        m.visit_params(&mut |_, w, _| p.push(w[0]));
        ws.push(p);
    }
    // w: g₁ = 1 + 0.1·2 = 1.2, v₁ = 1.2, w₁ = 2 − 0.6 = 1.4
    //    g₂ = 1.14, v₂ = 0.9·1.2 + 1.14 = 2.22, w₂ = 1.4 − 1.11 = 0.29
    //    g₃ = 1.029, v₃ = 0.9·2.22 + 1.029 = 3.027, w₃ = 0.29 − 1.5135 = −1.2235
    // b: v = 1, 1.9, 2.71 → b = −0.5, −1.45, −2.805 (no decay on biases)
    let want = [[1.4, -0.5], [0.29, -1.45], [-1.2235, -2.805]];
    for (got, want) in ws.iter().zip(want) {
        assert!(
            (got[0] - want[0]).abs() < 1e-12 && (got[1] - want[1]).abs() < 1e-12,
            "got {ws:?}"
        );
    }
}
