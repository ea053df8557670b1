//! Residual blocks with stochastic depth (Huang et al. 2016) against the definition
//! H = ReLU(b·f(x) + x), b ~ Bernoulli(p) in training, H = ReLU(p·f(x) + x) at test.

#![cfg(not(target_arch = "wasm32"))]

use trainlab::kernels::ConvGeom;
use trainlab::nn::residual::survival_schedule;
use trainlab::nn::{
    survival_linear, Activation, ActivationKind, BatchNorm, Conv2d, Init, Layer, Mode, ResidualBlock,
};
use trainlab::{Rng, Tensor};

type Body = Vec<Box<dyn Layer<f64>>>;

fn conv3x3(shape: [usize; 3], rng: &mut Rng) -> Box<dyn Layer<f64>> {
    let [c, h, w] = shape;
    Box::new(Conv2d::new(
        ConvGeom::new(c, h, w, 3, 3, 1, 1).unwrap(),
        c,
        Init::Kaiming,
        rng,
    ))
}

/// The paper's body: conv3×3-BN-ReLU-conv3×3-BN, same shape in and out. Same seed, same weights.
fn resnet_body(shape: [usize; 3], seed: u64) -> Body {
    let mut rng = Rng::new(seed);
    vec![
        conv3x3(shape, &mut rng),
        Box::new(BatchNorm::new(shape)),
        Box::new(Activation::new(ActivationKind::Relu, 1.0, shape)),
        conv3x3(shape, &mut rng),
        Box::new(BatchNorm::new(shape)),
    ]
}

/// A body without BatchNorm, so f is the same function in training and at test.
fn plain_body(shape: [usize; 3], seed: u64) -> Body {
    let mut rng = Rng::new(seed);
    vec![
        conv3x3(shape, &mut rng),
        Box::new(Activation::new(ActivationKind::Relu, 1.0, shape)),
        conv3x3(shape, &mut rng),
    ]
}

fn random(shape: [usize; 4], rng: &mut Rng) -> Tensor<f64> {
    Tensor::from_vec(shape, (0..shape.iter().product()).map(|_| rng.normal()).collect())
}

/// f(x) through a body by hand, layer by layer.
fn run_body(body: &mut Body, x: &Tensor<f64>, mode: Mode) -> Tensor<f64> {
    let mut cur = x.clone();
    for layer in body.iter_mut() {
        let mut next = Tensor::default();
        layer.forward(&cur, &mut next, mode, &mut Rng::new(0));
        cur = next;
    }
    cur
}

const H: f64 = 1e-6;

fn close(a: f64, n: f64, tol: f64) -> bool {
    (a - n).abs() <= tol * 1f64.max(a.abs()).max(n.abs())
}

/// L = Σ y ⊙ R, every forward drawing from Rng::new(seed) (the gate is forced in these checks).
fn loss(block: &mut ResidualBlock<f64>, x: &Tensor<f64>, r: &[f64], mode: Mode, seed: u64) -> f64 {
    let mut y = Tensor::default();
    block.forward(x, &mut y, mode, &mut Rng::new(seed));
    y.data.iter().zip(r).map(|(a, b)| a * b).sum()
}

fn nudge(block: &mut ResidualBlock<f64>, p: usize, j: usize, delta: f64) {
    let mut k = 0;
    block.visit_params(&mut |_, w, _| {
        if k == p {
            w[j] += delta;
        }
        k += 1;
    });
}

/// Analytic input and parameter gradients against central differences; returns them.
fn check_gradients(
    block: &mut ResidualBlock<f64>,
    x: &mut Tensor<f64>,
    mode: Mode,
    what: &str,
) -> (Tensor<f64>, Tensor<f64>, Vec<Vec<f64>>) {
    let seed = 5;
    let mut y = Tensor::default();
    block.forward(x, &mut y, mode, &mut Rng::new(seed));
    // The output ReLU's kink must be far from every pre-activation for finite differences to hold.
    let margin = block
        .pre_activation()
        .data
        .iter()
        .fold(f64::INFINITY, |m, z| m.min(z.abs()));
    assert!(
        margin > 1e-4,
        "{what}: a pre-activation is {margin} from the ReLU kink; pick another seed"
    );
    let dy = random(y.shape, &mut Rng::new(17));
    let mut dx = Tensor::default();
    block.backward(x, &y, &dy, Some(&mut dx));
    let mut grads = Vec::new();
    block.visit_params(&mut |_, _, g| grads.push(g.to_vec()));
    for i in 0..x.len() {
        let v = x.data[i];
        x.data[i] = v + H;
        let up = loss(block, x, &dy.data, mode, seed);
        x.data[i] = v - H;
        let down = loss(block, x, &dy.data, mode, seed);
        x.data[i] = v;
        let num = (up - down) / (2.0 * H);
        assert!(
            close(dx.data[i], num, 1e-6),
            "{what}: dx[{i}] analytic {} numeric {num}",
            dx.data[i]
        );
    }
    for (p, g) in grads.iter().enumerate() {
        for (j, &gj) in g.iter().enumerate() {
            nudge(block, p, j, H);
            let up = loss(block, x, &dy.data, mode, seed);
            nudge(block, p, j, -2.0 * H);
            let down = loss(block, x, &dy.data, mode, seed);
            nudge(block, p, j, H);
            let num = (up - down) / (2.0 * H);
            assert!(
                close(gj, num, 1e-6),
                "{what}: parameter {p} [{j}] analytic {gj} numeric {num}"
            );
        }
    }
    (dy, dx, grads)
}

#[test]
fn gradients_in_training_with_the_body_kept() {
    let shape = [2, 5, 4];
    let mut block = ResidualBlock::new(resnet_body(shape, 1), shape, 0.5).unwrap();
    block.force_gate(Some(true));
    let mut x = random([2, 2, 5, 4], &mut Rng::new(2));
    let (dy, dx, grads) = check_gradients(&mut block, &mut x, Mode::Train, "train, b = 1");
    assert!(block.last_kept());
    assert_eq!(grads.len(), 8, "conv w, b, BN γ, β, twice");
    assert!(grads.iter().all(|g| g.iter().any(|&v| v != 0.0)));
    // As a first layer (no input gradient asked) the parameter gradients are the same.
    let mut param_grads = |want_dx: bool| {
        let (mut y, mut dx) = (Tensor::default(), Tensor::default());
        block.forward(&x, &mut y, Mode::Train, &mut Rng::new(5));
        block.backward(&x, &y, &dy, if want_dx { Some(&mut dx) } else { None });
        let mut out = Vec::new();
        block.visit_params(&mut |_, _, g| out.push(g.to_vec()));
        out
    };
    assert_eq!(param_grads(false), param_grads(true));
    // The identity path is part of dx: it differs from the body's contribution alone.
    assert!(dx.data.iter().zip(&dy.data).any(|(a, b)| a != b));
}

#[test]
fn gradients_in_training_with_the_body_dropped_are_the_identity_path_only() {
    let shape = [2, 5, 4];
    let mut block = ResidualBlock::new(resnet_body(shape, 1), shape, 0.5).unwrap();
    // Give the parameter gradients stale non-zero values first: b = 0 must overwrite them.
    block.force_gate(Some(true));
    let mut x = random([2, 2, 5, 4], &mut Rng::new(3));
    let mut y = Tensor::default();
    block.forward(&x, &mut y, Mode::Train, &mut Rng::new(0));
    block.backward(&x, &y, &y, None);
    block.force_gate(Some(false));
    let (dy, dx, grads) = check_gradients(&mut block, &mut x, Mode::Train, "train, b = 0");
    assert!(!block.last_kept());
    // H = ReLU(x): dx = dy where x > 0, exactly; the body's parameters get zero gradient.
    for i in 0..x.len() {
        assert_eq!(
            dx.data[i],
            if x.data[i] > 0.0 { dy.data[i] } else { 0.0 },
            "dx[{i}]"
        );
    }
    assert!(grads.iter().flatten().all(|&g| g == 0.0));
}

#[test]
fn gradients_at_test_time() {
    let shape = [2, 4, 4];
    let mut block = ResidualBlock::new(resnet_body(shape, 4), shape, 0.7).unwrap();
    // A few training forwards so that BatchNorm's running statistics are not the initial ones.
    let mut rng = Rng::new(6);
    block.force_gate(Some(true));
    for _ in 0..3 {
        let mut y = Tensor::default();
        block.forward(&random([3, 2, 4, 4], &mut rng), &mut y, Mode::Train, &mut rng);
    }
    let mut x = random([2, 2, 4, 4], &mut rng);
    check_gradients(&mut block, &mut x, Mode::Eval, "eval");
}

#[test]
fn at_test_the_block_computes_relu_of_p_f_plus_x_exactly() {
    let shape = [3, 6, 5];
    for p in [0.5, 0.8, 1.0] {
        // Two copies of the same body: one inside the block, one run by hand.
        let mut block = ResidualBlock::new(resnet_body(shape, 8), shape, p).unwrap();
        let mut body = resnet_body(shape, 8);
        // Identical training forwards give both BatchNorms the same running statistics.
        let mut rng = Rng::new(9);
        block.force_gate(Some(true));
        for _ in 0..4 {
            let x = random([4, 3, 6, 5], &mut rng);
            let mut y = Tensor::default();
            block.forward(&x, &mut y, Mode::Train, &mut Rng::new(0));
            run_body(&mut body, &x, Mode::Train);
        }
        let x = random([2, 3, 6, 5], &mut rng);
        let mut y = Tensor::default();
        block.forward(&x, &mut y, Mode::Eval, &mut rng);
        assert!(block.last_kept(), "the whole network at test");
        let f = run_body(&mut body, &x, Mode::Eval);
        for i in 0..x.len() {
            let z = p * f.data[i] + x.data[i];
            assert_eq!(block.pre_activation().data[i], z, "p = {p}: pre-activation [{i}]");
            assert_eq!(y.data[i], z.max(0.0), "p = {p}: H [{i}]");
        }
    }
}

/// Huang et al.'s test rule is the expectation over b of the training pre-activation:
/// p·(f(x) + x) + (1 − p)·x = p·f(x) + x. The body has no BatchNorm so that f itself is the same
/// in both modes (BN's f differs between batch and running statistics, whatever b does). The
/// rule is on the pre-activation: E[ReLU(z)] ≠ ReLU(E[z]) in general.
#[test]
fn test_pre_activation_is_the_expectation_of_training_pre_activation_over_b() {
    let shape = [1, 3, 3];
    for p in [0.2, 0.5, 0.9] {
        let mut block = ResidualBlock::new(plain_body(shape, 12), shape, p).unwrap();
        let x = random([2, 1, 3, 3], &mut Rng::new(13));
        let mut y = Tensor::default();
        let mut pre = |block: &mut ResidualBlock<f64>, mode, gate| {
            block.force_gate(gate);
            block.forward(&x, &mut y, mode, &mut Rng::new(1));
            block.pre_activation().data.clone()
        };
        let kept = pre(&mut block, Mode::Train, Some(true)); // b = 1: f(x) + x
        let dropped = pre(&mut block, Mode::Train, Some(false)); // b = 0: x
        let eval = pre(&mut block, Mode::Eval, None);
        assert_eq!(dropped, x.data);
        for i in 0..x.len() {
            let expectation = p * kept[i] + (1.0 - p) * dropped[i];
            assert!(
                (eval[i] - expectation).abs() < 1e-12,
                "p = {p} [{i}]: eval {} E_b {expectation}",
                eval[i]
            );
        }
        // And f really contributes (the test is not trivially x = x).
        assert!(kept.iter().zip(&dropped).any(|(a, b)| (a - b).abs() > 1e-3));
    }
}

#[test]
fn the_body_is_kept_in_a_fraction_p_of_training_forwards() {
    let shape = [1, 2, 2];
    let x = random([1, 1, 2, 2], &mut Rng::new(21));
    for p in [0.5, 0.8] {
        let mut block = ResidualBlock::new(plain_body(shape, 3), shape, p).unwrap();
        let mut rng = Rng::new(22);
        let mut y = Tensor::default();
        let draws = 5000;
        let mut gates = Vec::with_capacity(draws);
        for _ in 0..draws {
            block.forward(&x, &mut y, Mode::Train, &mut rng);
            gates.push(block.last_kept());
            if !block.last_kept() {
                // Skipped: H = ReLU(x), the body not computed.
                assert_eq!(block.pre_activation().data, x.data);
            }
        }
        let frac = gates.iter().filter(|&&b| b).count() as f64 / draws as f64;
        let sd = (p * (1.0 - p) / draws as f64).sqrt();
        assert!(
            (frac - p).abs() < 4.0 * sd,
            "p = {p}: kept {frac} of {draws} forwards (4σ = {})",
            4.0 * sd
        );
        // Same seed, same sequence of gates.
        let mut rng = Rng::new(22);
        let again: Vec<bool> = (0..200)
            .map(|_| {
                block.forward(&x, &mut y, Mode::Train, &mut rng);
                block.last_kept()
            })
            .collect();
        assert_eq!(again, gates[..200]);
    }
    // p = 1: a plain residual block, which draws nothing from the RNG.
    let mut block = ResidualBlock::new(plain_body(shape, 3), shape, 1.0).unwrap();
    let mut rng = Rng::new(23);
    let mut y = Tensor::default();
    block.forward(&x, &mut y, Mode::Train, &mut rng);
    assert!(block.last_kept());
    assert_eq!(rng.uniform(), Rng::new(23).uniform());
}

#[test]
fn survival_decays_linearly_with_depth() {
    // p_l = 1 − l/L·(1 − p_L)
    let cases: &[(usize, usize, f64, f64)] = &[
        (0, 54, 0.5, 1.0),   // the input
        (27, 54, 0.5, 0.75), // ResNet-110 has L = 54 blocks; halfway down with p_L = 0.5
        (54, 54, 0.5, 0.5),
        (1, 4, 0.8, 0.95),
        (3, 4, 0.8, 0.85),
        (1, 3, 0.5, 1.0 - 1.0 / 6.0),
        (5, 10, 0.9, 0.95), // timm drop_path_rate = 0.1 ⇒ p_L = 0.9
        (3, 3, 1.0, 1.0),   // no stochastic depth
    ];
    for &(l, depth, p_last, want) in cases {
        let got = survival_linear(l, depth, p_last);
        assert!(
            (got - want).abs() < 1e-15,
            "l = {l}, L = {depth}, p_L = {p_last}: {got} want {want}"
        );
    }
    let schedule = survival_schedule(4, 0.6);
    assert_eq!(schedule.len(), 4, "blocks 1 … L");
    for (got, want) in schedule.iter().zip([0.9, 0.8, 0.7, 0.6]) {
        assert!((got - want).abs() < 1e-15, "{schedule:?}");
    }
    assert_eq!(survival_linear(0, 0, 0.5), 1.0);
}

#[test]
fn constructor_checks_shape_and_survival_and_the_block_exposes_its_body() {
    let shape = [2, 4, 4];
    for p in [0.0, -0.1, 1.5, f64::NAN] {
        let err = ResidualBlock::new(plain_body(shape, 1), shape, p)
            .err()
            .expect("rejected");
        assert!(err.starts_with("survival:"), "{err}");
    }
    let err = ResidualBlock::<f64>::new(Vec::new(), shape, 0.5)
        .err()
        .expect("empty body");
    assert!(err.starts_with("body:"), "{err}");
    // A body that changes the channel count (2 → 3) cannot be added to its input.
    let mut rng = Rng::new(1);
    let wrong: Body = vec![Box::new(Conv2d::new(
        ConvGeom::new(2, 4, 4, 3, 3, 1, 1).unwrap(),
        3,
        Init::Kaiming,
        &mut rng,
    ))];
    let err = ResidualBlock::new(wrong, shape, 0.5)
        .err()
        .expect("shape mismatch");
    assert!(err.starts_with("body:") && err.contains("3×4×4"), "{err}");
    // A body that shrinks the image (no padding) neither.
    let wrong: Body = vec![Box::new(Conv2d::new(
        ConvGeom::new(2, 4, 4, 3, 3, 1, 0).unwrap(),
        2,
        Init::Kaiming,
        &mut rng,
    ))];
    assert!(ResidualBlock::new(wrong, shape, 0.5).is_err());

    let mut block = ResidualBlock::new(resnet_body(shape, 1), shape, 0.5).unwrap();
    assert_eq!(block.kind(), "residual");
    assert_eq!(block.output_shape(), shape);
    assert_eq!(block.survival(), 0.5);
    assert_eq!(block.body().len(), 5);
    let mut sizes = Vec::new();
    block.visit_params(&mut |_, w, _| sizes.push(w.len()));
    // conv (2·2·9 weights, 2 biases), BN (γ, β) — twice
    assert_eq!(sizes, [36, 2, 2, 2, 36, 2, 2, 2]);
    assert_eq!(block.param_count(), 84);
    assert_eq!(block.weights().len(), 36, "the first conv's weights");
}
