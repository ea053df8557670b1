//! Dropout, DropConnect and BatchNorm, each against its definition.
//!
//! Gradient checks alone are not enough for these layers: ConvNetJS's dropout scaled by the wrong
//! factor at test time and its gradient check could not see it, because the check only ever runs
//! the training path. So besides f64 gradient checks (train mode, masks fixed by the seed) every
//! layer here has statistical tests that compare its training path with its eval path.
//!
//! The layers are driven directly through the `Layer` trait (their layer specs are wired into the
//! config separately), with a small single-layer version of tests/common's gradient check.

#![cfg(not(target_arch = "wasm32"))]

mod common;

use common::{close, H};
use trainlab::nn::{BatchNorm, Dropout, Init, Layer, Linear, Mode, ParamKind};
use trainlab::{Rng, Tensor};

const TOL: f64 = 1e-6;
/// Every forward of a gradient check draws its masks from a fresh Rng with this seed, so the
/// function being differentiated is the same deterministic function at every probe.
const MASK_SEED: u64 = 99;

fn randn(len: usize, rng: &mut Rng) -> Vec<f64> {
    (0..len).map(|_| rng.normal()).collect()
}

/// L = Σ y ⊙ r of one training forward with the fixed mask seed.
fn loss(layer: &mut dyn Layer<f64>, x: &Tensor<f64>, r: &[f64]) -> f64 {
    let mut y = Tensor::default();
    layer.forward(x, &mut y, Mode::Train, &mut Rng::new(MASK_SEED));
    y.data.iter().zip(r).map(|(a, b)| a * b).sum()
}

fn nudge(layer: &mut dyn Layer<f64>, p: usize, j: usize, delta: f64) {
    let mut k = 0;
    layer.visit_params(&mut |_, w, _| {
        if k == p {
            w[j] += delta;
        }
        k += 1;
    });
}

/// Central differences against backward for every input element and every parameter element of
/// a single layer, in train mode with masks fixed by `MASK_SEED`.
fn assert_layer_gradients(what: &str, layer: &mut dyn Layer<f64>, mut x: Tensor<f64>, seed: u64) {
    let mut rng = Rng::new(seed);
    let out = x.batch() * layer.output_shape().iter().product::<usize>();
    let r = randn(out, &mut rng);
    // Analytic: dL/dy = r.
    let mut y = Tensor::default();
    layer.forward(&x, &mut y, Mode::Train, &mut Rng::new(MASK_SEED));
    let dy = Tensor::from_vec(y.shape, r.clone());
    let mut dx = Tensor::default();
    layer.backward(&x, &y, &dy, Some(&mut dx));
    let mut grads = Vec::new();
    layer.visit_params(&mut |_, _, g| grads.push(g.to_vec()));
    for i in 0..x.len() {
        let v = x.data[i];
        x.data[i] = v + H;
        let up = loss(layer, &x, &r);
        x.data[i] = v - H;
        let down = loss(layer, &x, &r);
        x.data[i] = v;
        let num = (up - down) / (2.0 * H);
        assert!(
            close(dx.data[i], num, TOL),
            "{what}: input gradient [{i}] analytic {} numeric {num}",
            dx.data[i]
        );
    }
    for (p, g) in grads.iter().enumerate() {
        for (j, &gj) in g.iter().enumerate() {
            nudge(layer, p, j, H);
            let up = loss(layer, &x, &r);
            nudge(layer, p, j, -2.0 * H);
            let down = loss(layer, &x, &r);
            nudge(layer, p, j, H);
            let num = (up - down) / (2.0 * H);
            assert!(
                close(gj, num, TOL),
                "{what}: parameter {p} gradient [{j}] analytic {gj} numeric {num}"
            );
        }
    }
}

fn tensor(shape: [usize; 4], seed: u64) -> Tensor<f64> {
    Tensor::from_vec(shape, randn(shape.iter().product(), &mut Rng::new(seed)))
}

fn forward(layer: &mut dyn Layer<f64>, x: &Tensor<f64>, mode: Mode, rng: &mut Rng) -> Vec<f64> {
    let mut y = Tensor::default();
    layer.forward(x, &mut y, mode, rng);
    y.data
}

// ---------------------------------------------------------------------------------------------
// Gradient checks

#[test]
fn dropout_gradients_with_a_seeded_mask() {
    for p in [0.3, 0.5] {
        let mut layer = Dropout::<f64>::new(p, [3, 2, 2]);
        assert_layer_gradients(&format!("dropout p={p}"), &mut layer, tensor([2, 3, 2, 2], 1), 2);
    }
}

#[test]
fn drop_connect_gradients_with_a_seeded_mask() {
    let mut layer = Linear::<f64>::with_drop_connect(5, 4, 0.5, Init::Kaiming, &mut Rng::new(3));
    assert_layer_gradients("dropconnect 5→4", &mut layer, tensor([3, 5, 1, 1], 4), 5);
    // The mask really is in play: some weights dropped, some kept.
    let zeros = layer.drop_connect_mask().iter().filter(|&&m| m == 0.0).count();
    assert!(zeros > 0 && zeros < 20, "{zeros} of 20 weights dropped");
    // On a spatial input Linear sees the flattened (C·H·W) vector.
    let mut layer = Linear::<f64>::with_drop_connect(18, 3, 0.3, Init::Kaiming, &mut Rng::new(6));
    assert_layer_gradients("dropconnect on 2×3×3", &mut layer, tensor([2, 2, 3, 3], 7), 8);
}

/// γ and β set away from 1 and 0 so their gradients are not a special case.
fn batchnorm_with_affine(shape: [usize; 3], seed: u64) -> BatchNorm<f64> {
    let mut bn = BatchNorm::<f64>::new(shape);
    let mut rng = Rng::new(seed);
    bn.visit_params(&mut |_, w, _| w.iter_mut().for_each(|v| *v = rng.range(0.5, 1.5)));
    bn
}

#[test]
fn batchnorm_gradients_conv_and_linear_shaped() {
    // Conv-shaped (N, C, H, W) = (3, 2, 3, 3): statistics per channel over 27 values; inputs with
    // channel offsets so the mean matters.
    let mut x = tensor([3, 2, 3, 3], 9);
    x.data
        .iter_mut()
        .enumerate()
        .for_each(|(i, v)| *v = *v * 2.0 + (i / 9 % 2) as f64 * 3.0 - 1.0);
    assert_layer_gradients(
        "batchnorm conv-shaped",
        &mut batchnorm_with_affine([2, 3, 3], 10),
        x,
        11,
    );
    // Linear-shaped (N, F, 1, 1) = (4, 5, 1, 1): per feature over the 4 samples of the batch.
    assert_layer_gradients(
        "batchnorm linear-shaped",
        &mut batchnorm_with_affine([5, 1, 1], 12),
        tensor([4, 5, 1, 1], 13),
        14,
    );
    // Batch of 1 on a conv map: statistics over one image's pixels.
    assert_layer_gradients(
        "batchnorm batch 1",
        &mut batchnorm_with_affine([2, 2, 3], 15),
        tensor([1, 2, 2, 3], 16),
        17,
    );
}

#[test]
fn batchnorm_eval_backward_treats_running_statistics_as_constants() {
    let mut bn = batchnorm_with_affine([2, 2, 2], 18);
    let x = tensor([3, 2, 2, 2], 19);
    let mut y = Tensor::default();
    bn.forward(&x, &mut y, Mode::Train, &mut Rng::new(0)); // moves the running statistics off 0 and 1
    bn.forward(&x, &mut y, Mode::Eval, &mut Rng::new(0));
    let dy = tensor(y.shape, 20);
    let mut dx = Tensor::default();
    bn.backward(&x, &y, &dy, Some(&mut dx));
    let (rv, g) = (bn.running_var().to_vec(), bn.gamma().to_vec());
    for (i, (&d, &gy)) in dx.data.iter().zip(&dy.data).enumerate() {
        let ch = i / 4 % 2;
        let want = gy * g[ch] / (rv[ch] + 1e-5).sqrt();
        assert!(
            (d - want).abs() < 1e-12,
            "dx[{i}] = {d}, want γ·dy/√(running_var + eps) = {want}"
        );
    }
    let mut dbeta = Vec::new();
    bn.visit_params(&mut |_, _, gr| dbeta = gr.to_vec());
    for (ch, &db) in dbeta.iter().enumerate() {
        let want: f64 = (0..3)
            .flat_map(|n| (0..4).map(move |k| (n * 2 + ch) * 4 + k))
            .map(|i| dy.data[i])
            .sum();
        assert!((db - want).abs() < 1e-12);
    }
}

// ---------------------------------------------------------------------------------------------
// Dropout: statistics of train vs eval

#[test]
fn dropout_train_preserves_the_mean_and_drops_a_fraction_p() {
    let p = 0.5;
    let features = 16;
    let x_row: Vec<f64> = (0..features).map(|i| 0.5 + i as f64 * 0.25).collect(); // all nonzero
                                                                                  // K copies of the same row in one batch: each row gets its own independent mask.
    let k = 20_000;
    let x = Tensor::from_vec(
        [k, features, 1, 1],
        x_row.iter().cycle().take(k * features).copied().collect(),
    );
    let mut layer = Dropout::<f64>::new(p, [features, 1, 1]);
    let y = forward(&mut layer, &x, Mode::Train, &mut Rng::new(21));
    let eval = forward(
        &mut layer,
        &Tensor::from_vec([1, features, 1, 1], x_row.clone()),
        Mode::Eval,
        &mut Rng::new(0),
    );
    for (j, &xj) in x_row.iter().enumerate() {
        let col = y.iter().skip(j).step_by(features);
        let mean = col.clone().sum::<f64>() / k as f64;
        // Each y is 0 or x/(1 − p): variance x²·p/(1 − p), so the mean of K has this standard error.
        let se = xj * (p / (1.0 - p)).sqrt() / (k as f64).sqrt();
        assert!(
            (mean - xj).abs() < 5.0 * se,
            "feature {j}: mean {mean} vs x {xj} (5σ = {})",
            5.0 * se
        );
        // The ConvNetJS check: the eval output is the expectation of the training output.
        assert!(
            (mean - eval[j]).abs() < 5.0 * se,
            "feature {j}: train mean {mean} vs eval {}",
            eval[j]
        );
        // Kept values are scaled by exactly 1/(1 − p).
        assert!(col.clone().all(|&v| v == 0.0 || v == xj / (1.0 - p)));
    }
    let zeros = y.iter().filter(|&&v| v == 0.0).count() as f64 / y.len() as f64;
    let se = (p * (1.0 - p) / y.len() as f64).sqrt();
    assert!((zeros - p).abs() < 5.0 * se, "fraction dropped {zeros}, want {p}");
}

#[test]
fn dropout_eval_is_exactly_the_identity_and_p0_is_the_identity_in_training() {
    let x = tensor([4, 3, 2, 2], 22);
    let mut layer = Dropout::<f64>::new(0.5, [3, 2, 2]);
    let mut rng = Rng::new(23);
    assert_eq!(forward(&mut layer, &x, Mode::Eval, &mut rng), x.data);
    // Eval draws nothing: the stream continues where a fresh one starts.
    assert_eq!(rng.uniform(), Rng::new(23).uniform());
    // And its backward is the identity too.
    let (mut y, mut dx) = (Tensor::default(), Tensor::default());
    layer.forward(&x, &mut y, Mode::Eval, &mut Rng::new(0));
    layer.backward(&x, &y, &y, Some(&mut dx));
    assert_eq!(dx.data, x.data);

    let mut layer = Dropout::<f64>::new(0.0, [3, 2, 2]);
    let mut rng = Rng::new(24);
    assert_eq!(forward(&mut layer, &x, Mode::Train, &mut rng), x.data);
    assert_eq!(rng.uniform(), Rng::new(24).uniform());
}

#[test]
fn dropout_masks_follow_the_seed_and_change_between_steps() {
    let x = Tensor::from_vec([2, 50, 1, 1], vec![1.0; 100]);
    let mut layer = Dropout::<f64>::new(0.5, [50, 1, 1]);
    let a = forward(&mut layer, &x, Mode::Train, &mut Rng::new(25));
    let b = forward(&mut layer, &x, Mode::Train, &mut Rng::new(25));
    assert_eq!(a, b);
    let mut rng = Rng::new(25);
    let first = forward(&mut layer, &x, Mode::Train, &mut rng);
    let second = forward(&mut layer, &x, Mode::Train, &mut rng);
    assert_ne!(first, second);
}

// ---------------------------------------------------------------------------------------------
// DropConnect: statistics of train vs eval

#[test]
fn drop_connect_training_mean_equals_the_eval_output_and_drops_a_fraction_p() {
    let (inp, out, p) = (6, 3, 0.5);
    let mut layer = Linear::<f64>::with_drop_connect(inp, out, p, Init::Kaiming, &mut Rng::new(26));
    layer.bias.copy_from_slice(&[0.5, -0.25, 1.0]);
    let x = Tensor::from_vec([1, inp, 1, 1], vec![1.0, -0.5, 0.25, 2.0, -1.5, 0.75]);
    let eval = forward(&mut layer, &x, Mode::Eval, &mut Rng::new(0));
    // Eval is plain W·x + b: "use all the connections".
    for (j, &e) in eval.iter().enumerate() {
        let want = layer.bias[j]
            + (0..inp)
                .map(|i| layer.weight[j * inp + i] * x.data[i])
                .sum::<f64>();
        assert!((e - want).abs() < 1e-12);
    }
    let k = 20_000;
    let mut rng = Rng::new(27);
    let (mut sum, mut dropped) = (vec![0.0; out], 0usize);
    for _ in 0..k {
        let y = forward(&mut layer, &x, Mode::Train, &mut rng);
        sum.iter_mut().zip(&y).for_each(|(s, v)| *s += v);
        dropped += layer.drop_connect_mask().iter().filter(|&&m| m == 0.0).count();
        assert!(layer
            .drop_connect_mask()
            .iter()
            .all(|&m| m == 0.0 || m == 1.0 / (1.0 - p)));
    }
    for j in 0..out {
        let mean = sum[j] / k as f64;
        // y_j = b_j + Σ_i W_ji·x_i·m_ji/(1 − p), m ~ Bernoulli(1 − p): Var = p/(1 − p)·Σ_i (W_ji·x_i)².
        let var = p / (1.0 - p)
            * (0..inp)
                .map(|i| (layer.weight[j * inp + i] * x.data[i]).powi(2))
                .sum::<f64>();
        let se = (var / k as f64).sqrt();
        assert!(
            (mean - eval[j]).abs() < 5.0 * se,
            "output {j}: train mean {mean} vs eval {} (5σ = {})",
            eval[j],
            5.0 * se
        );
    }
    let total = (k * inp * out) as f64;
    let frac = dropped as f64 / total;
    assert!(
        (frac - p).abs() < 5.0 * (p * (1.0 - p) / total).sqrt(),
        "fraction of weights dropped {frac}, want {p}"
    );
}

#[test]
fn drop_connect_eval_is_deterministic_and_equals_linear_without_it() {
    let x = tensor([4, 7, 1, 1], 28);
    let mut plain = Linear::<f64>::new(7, 5, Init::Kaiming, &mut Rng::new(29));
    let mut dc = Linear::<f64>::with_drop_connect(7, 5, 0.5, Init::Kaiming, &mut Rng::new(29));
    assert_eq!(plain.weight, dc.weight, "same seed, same initial weights");
    let reference = forward(&mut plain, &x, Mode::Train, &mut Rng::new(0));
    let mut rng = Rng::new(30);
    let first = forward(&mut dc, &x, Mode::Eval, &mut rng);
    assert_eq!(first, reference);
    assert_eq!(forward(&mut dc, &x, Mode::Eval, &mut Rng::new(31)), reference);
    assert_eq!(rng.uniform(), Rng::new(30).uniform(), "eval draws no mask");
    // A training forward in between does not leak into the next eval.
    forward(&mut dc, &x, Mode::Train, &mut Rng::new(32));
    assert_eq!(forward(&mut dc, &x, Mode::Eval, &mut Rng::new(0)), reference);
}

#[test]
fn drop_connect_p0_is_bit_for_bit_the_plain_linear_layer() {
    let x = tensor([3, 6, 1, 1], 33);
    let mut plain = Linear::<f64>::new(6, 4, Init::Xavier, &mut Rng::new(34));
    let mut dc = Linear::<f64>::with_drop_connect(6, 4, 0.0, Init::Xavier, &mut Rng::new(34));
    assert!(dc.drop_connect_mask().is_empty(), "no mask buffer when p = 0");
    let mut rng = Rng::new(35);
    let (mut ya, mut yb, mut dxa, mut dxb) = (
        Tensor::default(),
        Tensor::default(),
        Tensor::default(),
        Tensor::default(),
    );
    plain.forward(&x, &mut ya, Mode::Train, &mut Rng::new(0));
    dc.forward(&x, &mut yb, Mode::Train, &mut rng);
    assert_eq!(ya.data, yb.data);
    assert_eq!(rng.uniform(), Rng::new(35).uniform(), "p = 0 draws nothing");
    let dy = tensor(ya.shape, 36);
    plain.backward(&x, &ya, &dy, Some(&mut dxa));
    dc.backward(&x, &yb, &dy, Some(&mut dxb));
    assert_eq!(dxa.data, dxb.data);
    let (mut ga, mut gb) = (Vec::new(), Vec::new());
    plain.visit_params(&mut |_, _, g| ga.push(g.to_vec()));
    dc.visit_params(&mut |_, _, g| gb.push(g.to_vec()));
    assert_eq!(ga, gb);
}

// ---------------------------------------------------------------------------------------------
// BatchNorm: running statistics by hand, train vs eval

/// (N, C, H, W) = (2, 2, 1, 2): channel 0 holds {1, 2} and {3, 6}, channel 1 {−2, 0} and {0, 2}.
fn hand_input() -> Tensor<f64> {
    Tensor::from_vec([2, 2, 1, 2], vec![1.0, 2.0, -2.0, 0.0, 3.0, 6.0, 0.0, 2.0])
}

#[test]
fn batchnorm_running_statistics_after_three_steps_match_hand_arithmetic() {
    let mut bn = BatchNorm::<f64>::new([2, 1, 2]);
    assert_eq!(
        (bn.running_mean(), bn.running_var()),
        (&[0.0, 0.0][..], &[1.0, 1.0][..])
    );
    let x = hand_input();
    for _ in 0..3 {
        forward(&mut bn, &x, Mode::Train, &mut Rng::new(0));
    }
    // Channel 0, values {1, 2, 3, 6} (over N and W): μ = 12/4 = 3, Σ(x − μ)² = 4 + 1 + 0 + 9 = 14,
    // unbiased var = 14/3. With m = 0.1, starting from (0, 1):
    //   step 1: mean 0.9·0    + 0.1·3 = 0.3    var 0.9·1         + 0.1·14/3 = 1.366666…
    //   step 2: mean 0.9·0.3  + 0.3   = 0.57   var 0.9·1.366666… + 0.466666… = 1.696666…
    //   step 3: mean 0.9·0.57 + 0.3   = 0.813  var 0.9·1.696666… + 0.466666… = 1.993666…
    // Channel 1, values {−2, 0, 0, 2}: μ = 0, Σ(x − μ)² = 8, unbiased var = 8/3:
    //   var 0.9 + 0.266666… = 1.166666…, 1.05 + 0.266666… = 1.316666…, 1.185 + 0.266666… = 1.451666…
    // (Closed form: mean_k = μ(1 − 0.9^k), var_k = 0.9^k + s²(1 − 0.9^k), 0.9³ = 0.729.)
    let (want_mean, want_var) = ([0.813, 0.0], [1.993_666_666_666_666_7, 1.451_666_666_666_666_7]);
    for ch in 0..2 {
        assert!(
            (bn.running_mean()[ch] - want_mean[ch]).abs() < 1e-12,
            "running_mean[{ch}] = {}",
            bn.running_mean()[ch]
        );
        assert!(
            (bn.running_var()[ch] - want_var[ch]).abs() < 1e-12,
            "running_var[{ch}] = {}",
            bn.running_var()[ch]
        );
    }
    // The training output normalizes with the *biased* variance: channel 0's x = 6 maps to
    // (6 − 3)/√(14/4 + 1e-5).
    let y = forward(&mut bn, &x, Mode::Train, &mut Rng::new(0));
    assert!((y[5] - 3.0 / (3.5f64 + 1e-5).sqrt()).abs() < 1e-12);
}

#[test]
fn batchnorm_eval_uses_the_running_statistics() {
    let mut bn = BatchNorm::<f64>::new([2, 1, 2]);
    for _ in 0..3 {
        forward(&mut bn, &hand_input(), Mode::Train, &mut Rng::new(0));
    }
    // γ = (2, 0.5), β = (1, −1): visited in that order, γ first.
    let mut k = 0;
    bn.visit_params(&mut |_, w, _| {
        w.copy_from_slice(if k == 0 { &[2.0, 0.5] } else { &[1.0, -1.0] });
        k += 1;
    });
    let (rm, rv) = (bn.running_mean().to_vec(), bn.running_var().to_vec());
    let x = Tensor::from_vec([1, 2, 1, 2], vec![0.0, 4.0, 1.0, -3.0]);
    let y = forward(&mut bn, &x, Mode::Eval, &mut Rng::new(0));
    let (gamma, beta) = ([2.0, 0.5], [1.0, -1.0]);
    for (i, &xv) in x.data.iter().enumerate() {
        let ch = i / 2;
        // Exactly the definition, in f64 the same operations give the same bits.
        assert_eq!(
            y[i],
            (xv - rm[ch]) / (rv[ch] + 1e-5).sqrt() * gamma[ch] + beta[ch]
        );
        // And with the hand-computed statistics of the previous test.
        let (m, v) = (
            [0.813, 0.0][ch],
            [1.993_666_666_666_666_7, 1.451_666_666_666_666_7][ch],
        );
        assert!((y[i] - ((xv - m) / (v + 1e-5f64).sqrt() * gamma[ch] + beta[ch])).abs() < 1e-12);
    }
    // Evaluating does not move the running statistics.
    assert_eq!((bn.running_mean(), bn.running_var()), (&rm[..], &rv[..]));
}

/// Per-channel mean and biased variance of an (N, C, H, W) buffer.
fn channel_stats(y: &[f64], shape: [usize; 4]) -> Vec<(f64, f64)> {
    let [n, c, h, w] = shape;
    (0..c)
        .map(|ch| {
            let vals: Vec<f64> = (0..n)
                .flat_map(|i| y[(i * c + ch) * h * w..(i * c + ch + 1) * h * w].to_vec())
                .collect();
            let mean = vals.iter().sum::<f64>() / vals.len() as f64;
            (
                mean,
                vals.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / vals.len() as f64,
            )
        })
        .collect()
}

#[test]
fn batchnorm_training_output_has_zero_mean_and_unit_variance_per_channel() {
    for shape in [[4, 3, 3, 3], [16, 5, 1, 1]] {
        let mut x = tensor(shape, 37);
        let per = shape[2] * shape[3];
        // Channel ch gets scale ch + 0.5 and offset 10·ch − 7.
        x.data.iter_mut().enumerate().for_each(|(i, v)| {
            let ch = (i / per % shape[1]) as f64;
            *v = *v * (ch + 0.5) + 10.0 * ch - 7.0;
        });
        let before = channel_stats(&x.data, shape);
        let mut bn = BatchNorm::<f64>::new([shape[1], shape[2], shape[3]]);
        let y = forward(&mut bn, &x, Mode::Train, &mut Rng::new(0));
        for (ch, ((mean, var), (_, xvar))) in channel_stats(&y, shape).into_iter().zip(before).enumerate() {
            assert!(mean.abs() < 1e-12, "{shape:?} channel {ch}: mean {mean}");
            // Exactly σ²/(σ² + eps) with the biased σ², i.e. 1 up to eps.
            assert!(
                (var - xvar / (xvar + 1e-5)).abs() < 1e-12,
                "{shape:?} channel {ch}: var {var}"
            );
            assert!((var - 1.0).abs() < 1e-4);
        }
    }
}

/// The ConvNetJS check for BatchNorm: after training on batches from a fixed distribution, the
/// eval path (running statistics) must normalize fresh data as the train path (batch statistics)
/// does — a wrong momentum, a biased running variance or a swapped update would show here.
#[test]
fn batchnorm_eval_statistics_match_training_statistics() {
    let shape = [16, 2, 3, 3];
    let (mu, sigma) = ([3.0, -1.0], [2.0, 0.5]);
    let mut rng = Rng::new(38);
    let sample = |rng: &mut Rng, n: usize| {
        let s = [n, shape[1], shape[2], shape[3]];
        let data = (0..s.iter().product::<usize>())
            .map(|i| mu[i / 9 % 2] + sigma[i / 9 % 2] * rng.normal())
            .collect();
        Tensor::from_vec(s, data)
    };
    let mut bn = BatchNorm::<f64>::new([2, 3, 3]);
    for _ in 0..200 {
        let x = sample(&mut rng, shape[0]);
        forward(&mut bn, &x, Mode::Train, &mut Rng::new(0));
    }
    for ch in 0..2 {
        // One batch of 144 values estimates μ with error σ/12 and σ² with relative error √(2/143)
        // ≈ 0.12; the EMA with m = 0.1 shrinks both by √(m/(2 − m)) ≈ 0.23, to ≈ 0.02σ and ≈ 0.03.
        // The bounds are ≈ 5 of these standard errors.
        assert!(
            (bn.running_mean()[ch] - mu[ch]).abs() < 0.1 * sigma[ch],
            "running_mean[{ch}] {}",
            bn.running_mean()[ch]
        );
        assert!(
            (bn.running_var()[ch] / (sigma[ch] * sigma[ch]) - 1.0).abs() < 0.15,
            "running_var[{ch}] {}",
            bn.running_var()[ch]
        );
    }
    let big = sample(&mut rng, 400);
    let eval = forward(&mut bn, &big, Mode::Eval, &mut Rng::new(0));
    let train = forward(&mut bn, &big, Mode::Train, &mut Rng::new(0));
    for (ch, ((em, ev), (tm, tv))) in channel_stats(&eval, big.shape)
        .into_iter()
        .zip(channel_stats(&train, big.shape))
        .enumerate()
    {
        assert!(tm.abs() < 1e-12 && (tv - 1.0).abs() < 1e-4);
        assert!(
            (em - tm).abs() < 0.1 && (ev / tv - 1.0).abs() < 0.15,
            "channel {ch}: eval mean {em} var {ev} vs train {tm} {tv}"
        );
    }
}

#[test]
fn batchnorm_parameters_are_gamma_then_beta_and_are_not_weight_decayed() {
    let mut bn = BatchNorm::<f64>::new([3, 2, 2]);
    let mut seen = Vec::new();
    bn.visit_params(&mut |kind, w, _| seen.push((kind, w.to_vec())));
    // The optimizer decays ParamKind::Weight only (src/optim/sgd.rs); γ and β are not weights.
    assert_eq!(
        seen,
        vec![(ParamKind::Bias, vec![1.0; 3]), (ParamKind::Bias, vec![0.0; 3])]
    );
    assert_eq!(bn.weights(), &[1.0; 3], "weights() shows γ");
    assert_eq!(bn.param_count(), 6);
    assert_eq!(bn.output_shape(), [3, 2, 2]);
}
