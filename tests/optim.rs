//! Optimizers against hand-computed PyTorch formulas.
//!
//! The problem: a Linear(1 → 1) layer, i.e. one weight w (ParamKind::Weight) and one bias b
//! (ParamKind::Bias), on the loss f(w, b) = ½·2·w² + ½·b², so g_w = 2w and g_b = b, written straight
//! into the gradient buffers before each step. Start: w₀ = 1, b₀ = −2. Weight decay λ = 0.1 on the
//! weight only, so the bias shows the undecayed update and the weight the decayed one:
//! g'_w = 2w + 0.1w = 2.1w, g'_b = b.
//!
//! The literals were computed by hand from the formulas in the comments (in f64, in the order the
//! comments give); `close` allows 1e-12 relative for the rounding of a different evaluation order.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use trainlab::config::LayerSpec;
use trainlab::model::Model;
use trainlab::nn::{Init, ParamKind};
use trainlab::optim::{Adam, Optimizer, OptimizerConfig, Sgd};
use trainlab::Rng;

// ---- allocation counter (per thread, so parallel tests do not disturb each other) ----

struct Counting;

thread_local! {
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

fn count() {
    // try_with: the counter may already be gone while a thread is being torn down.
    let _ = ALLOCATIONS.try_with(|c| c.set(c.get() + 1));
}

// SAFETY: every call is forwarded unchanged to the system allocator; counting touches only a
// const-initialised thread-local Cell (no allocation, no destructor).
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count();
        System.alloc(layout)
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        count();
        System.alloc_zeroed(layout)
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count();
        System.realloc(ptr, layout, new_size)
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        System.dealloc(ptr, layout)
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

fn allocations() -> usize {
    ALLOCATIONS.with(|c| c.get())
}

// ---- the two-parameter problem ----

/// Linear(1 → 1) with w = `w0`, b = `b0`.
fn model(w0: f64, b0: f64) -> Model<f64> {
    let spec = [LayerSpec::Linear {
        out_features: 1,
        drop_connect: 0.0,
    }];
    let mut m = Model::<f64>::from_specs(&spec, [1, 1, 1], Init::Kaiming, &mut Rng::new(0)).unwrap();
    m.visit_params(&mut |kind, w, _| w[0] = if kind == ParamKind::Weight { w0 } else { b0 });
    m
}

/// Writes the gradient of f = ½·a·w² + ½·c·b²: g_w = a·w, g_b = c·b.
fn set_grads(m: &mut Model<f64>, a: f64, c: f64) {
    m.visit_params(&mut |kind, w, g| {
        g[0] = if kind == ParamKind::Weight {
            a * w[0]
        } else {
            c * w[0]
        }
    });
}

/// (w, b) now.
fn params(m: &mut Model<f64>) -> [f64; 2] {
    let mut p = [0.0; 2];
    m.visit_params(&mut |kind, w, _| p[(kind == ParamKind::Bias) as usize] = w[0]);
    p
}

/// Three steps of `step` on f = ½·2·w² + ½·b² from (w₀, b₀) = (1, −2); (w, b) after each.
fn three_steps(mut step: impl FnMut(&mut Model<f64>)) -> Vec<[f64; 2]> {
    let mut m = model(1.0, -2.0);
    (0..3)
        .map(|_| {
            set_grads(&mut m, 2.0, 1.0);
            step(&mut m);
            params(&mut m)
        })
        .collect()
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-12 * 1f64.max(a.abs()).max(b.abs())
}

fn assert_steps(got: &[[f64; 2]], want: [[f64; 2]; 3]) {
    for (g, w) in got.iter().zip(want) {
        assert!(
            close(g[0], w[0]) && close(g[1], w[1]),
            "got {got:?}, want {want:?}"
        );
    }
}

fn build(json: &str) -> OptimizerConfig {
    let c: OptimizerConfig = serde_json::from_str(json).unwrap();
    c.validate().unwrap();
    c
}

/// Three steps of the optimizer `json` describes, at learning rate `lr`.
fn run(json: &str, lr: f64) -> Vec<[f64; 2]> {
    let c = build(json);
    let mut opt: Option<Optimizer<f64>> = None;
    three_steps(|m| opt.get_or_insert_with(|| c.build(m)).step(m, lr))
}

// ---- each optimizer's first three steps ----

#[test]
fn sgd_three_steps() {
    // PyTorch SGD, μ = 0: w ← w − lr·(g + λw), lr = 0.1.
    // w: w ← w − 0.1·2.1w = 0.79·w            → 0.79, 0.6241, 0.493039
    // b: b ← b − 0.1·b   = 0.9·b  (no decay)   → −1.8, −1.62, −1.458
    let got = run(r#"{"type": "sgd", "weightDecay": 0.1}"#, 0.1);
    assert_steps(&got, [[0.79, -1.8], [0.6241, -1.62], [0.493039, -1.458]]);
}

#[test]
fn sgd_momentum_three_steps() {
    // PyTorch SGD, μ = 0.9, lr = 0.1: g' = g + λw; v = μv + g' (v₁ = g'); w ← w − lr·v.
    // w: g'₁ = 2.1,     v₁ = 2.1,                     w₁ = 1 − 0.21       = 0.79
    //    g'₂ = 1.659,   v₂ = 0.9·2.1 + 1.659  = 3.549, w₂ = 0.79 − 0.3549  = 0.4351
    //    g'₃ = 0.91371, v₃ = 0.9·3.549 + 0.91371 = 4.10781, w₃ = 0.4351 − 0.410781 = 0.024319
    // b: g = −2, v = −2,           b₁ = −1.8
    //    g = −1.8, v = −1.8 − 1.8 = −3.6, b₂ = −1.8 + 0.36 = −1.44
    //    g = −1.44, v = −3.24 − 1.44 = −4.68, b₃ = −1.44 + 0.468 = −0.972
    let got = run(r#"{"type": "sgd", "momentum": 0.9, "weightDecay": 0.1}"#, 0.1);
    assert_steps(&got, [[0.79, -1.8], [0.4351, -1.44], [0.024319, -0.972]]);
}

#[test]
fn sgd_nesterov_three_steps() {
    // PyTorch SGD, nesterov: g' = g + λw; v = μv + g'; w ← w − lr·(g' + μv); μ = 0.9, lr = 0.1.
    // w: g'₁ = 2.1,    v₁ = 2.1,    step = 2.1 + 1.89 = 3.99,          w₁ = 1 − 0.399 = 0.601
    //    g'₂ = 1.2621, v₂ = 1.89 + 1.2621 = 3.1521, step = 1.2621 + 2.83689 = 4.09899,
    //                                                                  w₂ = 0.601 − 0.409899 = 0.191101
    //    g'₃ = 0.4013121, v₃ = 2.83689 + 0.4013121 = 3.2382021, step = 0.4013121 + 2.91438189 = 3.31569399,
    //                                                                  w₃ = 0.191101 − 0.331569399 = −0.140468399
    // b: g = −2, v = −2, step = −3.8, b₁ = −1.62
    //    g = −1.62, v = −1.8 − 1.62 = −3.42, step = −1.62 − 3.078 = −4.698, b₂ = −1.1502
    //    g = −1.1502, v = −3.078 − 1.1502 = −4.2282, step = −1.1502 − 3.80538 = −4.95558, b₃ = −0.654642
    let got = run(
        r#"{"type": "sgd", "momentum": 0.9, "nesterov": true, "weightDecay": 0.1}"#,
        0.1,
    );
    assert_steps(
        &got,
        [[0.601, -1.62], [0.191101, -1.1502], [-0.140468399, -0.654642]],
    );
}

#[test]
fn nesterov_differs_from_momentum_as_the_formula_says() {
    // Step 1 from v = 0: momentum moves by lr·g', Nesterov by lr·(g' + μ·g') = (1 + μ)·lr·g'.
    let plain = run(r#"{"type": "sgd", "momentum": 0.9}"#, 0.1);
    let nesterov = run(r#"{"type": "sgd", "momentum": 0.9, "nesterov": true}"#, 0.1);
    let (d_plain, d_nesterov) = (1.0 - plain[0][0], 1.0 - nesterov[0][0]);
    assert!(close(d_nesterov, 1.9 * d_plain), "{d_nesterov} vs 1.9·{d_plain}");
    assert!(close(-2.0 - nesterov[0][1], 1.9 * (-2.0 - plain[0][1])));
    // The struct API gives the same as the config (nesterov via with_nesterov).
    let mut opt = None;
    let direct = three_steps(|m| {
        opt.get_or_insert_with(|| Sgd::new(m, 0.9, 0.0).with_nesterov(true))
            .step(m, 0.1)
    });
    assert_eq!(direct, nesterov);
}

#[test]
fn adagrad_three_steps() {
    // PyTorch Adagrad, lr = 0.1, eps = 1e-10, s₀ = 0: g' = g + λw; s ← s + g'²; w ← w − lr·g'/(√s + eps).
    // w: g'₁ = 2.1, s = 4.41, w₁ = 1 − 0.1·2.1/(2.1 + 1e-10) = 0.9000000000047619
    //    g'₂ = 2.1·w₁ = 1.89000000001, s = 7.9821000000378, w₂ = w₁ − 0.1·g'₂/(√s + eps) = 0.8331035268446891
    //    g'₃ = 1.7495174063738472, s = 11.042911155242873, w₃ = 0.7804561813563952
    // b: g₁ = −2, s = 4, b₁ = −2 + 0.1·2/(2 + 1e-10) = −1.900000000005
    //    g₂ = −1.900000000005, s = 7.610000000019, b₂ = −1.831125053815932
    //    g₃ = −1.831125053815932, s = 10.9630189627314, b₃ = −1.7758215150175451
    let got = run(r#"{"type": "adagrad", "weightDecay": 0.1}"#, 0.1);
    assert_steps(
        &got,
        [
            [0.9000000000047619, -1.900000000005],
            [0.8331035268446891, -1.831125053815932],
            [0.7804561813563952, -1.7758215150175451],
        ],
    );
}

#[test]
fn rmsprop_three_steps() {
    // PyTorch RMSprop, lr = 0.01, α = 0.99, eps = 1e-8: g' = g + λw; sa ← α·sa + (1 − α)·g'²;
    // w ← w − lr·g'/(√sa + eps).
    // w: g'₁ = 2.1, sa = 0.01·4.41 = 0.0441, w₁ = 1 − 0.01·2.1/(0.21 + 1e-8) = 0.9000000047619046
    //    g'₂ = 1.89000001, sa = 0.99·0.0441 + 0.01·g'₂² = 0.079380000378, w₂ = 0.8329179676226509
    //    g'₃ = 1.7491277320075669, sa = 0.10918067860299943, w₃ = 0.7799822728275055
    // b: g₁ = −2, sa = 0.04, b₁ = −2 + 0.01·2/(0.2 + 1e-8) = −1.900000005
    //    g₂ = −1.900000005, sa = 0.07570000019, b₂ = −1.8309433328172848
    //    g₃ = −1.8309433328172848, sa = 0.10846653506798076, b₃ = −1.775349450099218
    let got = run(r#"{"type": "rmsprop", "weightDecay": 0.1}"#, 0.01);
    assert_steps(
        &got,
        [
            [0.9000000047619046, -1.900000005],
            [0.8329179676226509, -1.8309433328172848],
            [0.7799822728275055, -1.775349450099218],
        ],
    );
}

#[test]
fn rmsprop_momentum_three_steps() {
    // As above with momentum μ = 0.9: buf ← μ·buf + g'/(√sa + eps); w ← w − lr·buf.
    // w: buf₁ = 2.1/(0.21 + 1e-8) = 9.999999523809542,  w₁ = 0.9000000047619046
    //    g'₂ = 1.89000001, sa = 0.079380000378, buf₂ = 15.708203285353953, w₂ = 0.7429179719083651
    //    g'₃ = 1.5601277410075667, sa = 0.1029261860568338, buf₃ = 19.00030385844238, w₃ = 0.5529149333239413
    // b: buf₁ = −9.99999950000002, b₁ = −1.900000005
    //    buf₂ = −15.905666768271521, b₂ = −1.7409433373172847
    //    buf₃ = −19.681336236845492, b₃ = −1.5441299749488298
    let got = run(
        r#"{"type": "rmsprop", "momentum": 0.9, "weightDecay": 0.1}"#,
        0.01,
    );
    assert_steps(
        &got,
        [
            [0.9000000047619046, -1.900000005],
            [0.7429179719083651, -1.7409433373172847],
            [0.5529149333239413, -1.5441299749488298],
        ],
    );
}

#[test]
fn adam_three_steps() {
    // torch.optim.Adam, lr = 0.1, β = (0.9, 0.999), eps = 1e-8, L2 λ = 0.1 on w:
    // g' = g + λw; m ← β1·m + (1 − β1)·g'; v ← β2·v + (1 − β2)·g'²;
    // w ← w − (lr/(1 − β1ᵗ))·m / (√v/√(1 − β2ᵗ) + eps)    (= lr·m̂/(√v̂ + eps))
    // w: t=1: g' = 2.1, m̂ = 2.1, v̂ = 4.41, w₁ = 1 − 0.1·2.1/(2.1 + 1e-8) = 0.9000000004761904
    //    t=2: g' = 1.890000001, m = 0.3780000001, v = 0.00797769000378, m̂ = 1.9894736847368422,
    //         v̂ = 3.990840422101108, w₂ = 0.8004122286431954
    //    t=3: g' = 1.6808656801507103, m̂ = 1.875596192269635, v̂ = 3.6019413235046436, w₃ = 0.7015862728718214
    // b: t=1: m̂ = −2, v̂ = 4, b₁ = −2 + 0.1·2/(2 + 1e-8) = −1.9000000005
    //    t=2: m̂ = −1.9473684213157894, v̂ = 3.804902452176143, b₂ = −1.8001664866210927
    //    t=3: m̂ = −1.8930503642328758, v̂ = 3.616613201481028, b₃ = −1.7006233928121137
    let got = run(r#"{"type": "adam", "weightDecay": 0.1}"#, 0.1);
    assert_steps(
        &got,
        [
            [0.9000000004761904, -1.9000000005],
            [0.8004122286431954, -1.8001664866210927],
            [0.7015862728718214, -1.7006233928121137],
        ],
    );
}

#[test]
fn adamw_three_steps() {
    // torch.optim.AdamW, lr = 0.1, β = (0.9, 0.999), eps = 1e-8, λ = 0.1 on w (decoupled):
    // w ← w·(1 − lr·λ) = 0.99·w; then the Adam update with the plain gradient g = 2w (of the w
    // before shrinking, as in PyTorch: the gradient was computed before the step).
    // w: t=1: w = 0.99, g = 2, m̂ = 2, v̂ = 4, w₁ = 0.99 − 0.1·2/(2 + 1e-8) = 0.8900000004999999
    //    t=2: w = 0.8811000004949999, g = 1.780000001, m̂ = 1.8842105268421052, v̂ = 3.583991997778941,
    //         w₂ = 0.7815718559365048
    //    t=3: w = 0.7737561373771398, g = 1.5631437118730096, m̂ = 1.7657356873701142,
    //         v̂ = 3.2034203083431008, w₃ = 0.6751012216400698
    // b: not decayed: exactly Adam's bias sequence above.
    let got = run(r#"{"type": "adamw", "weightDecay": 0.1}"#, 0.1);
    assert_steps(
        &got,
        [
            [0.8900000004999999, -1.9000000005],
            [0.7815718559365048, -1.8001664866210927],
            [0.6751012216400698, -1.7006233928121137],
        ],
    );
}

// ---- weight decay: which buffers, and how ----

const ALL: [&str; 6] = [
    r#"{"type": "sgd", "momentum": 0.9}"#,
    r#"{"type": "sgd", "momentum": 0.9, "nesterov": true}"#,
    r#"{"type": "adagrad"}"#,
    r#"{"type": "rmsprop", "momentum": 0.5}"#,
    r#"{"type": "adam"}"#,
    r#"{"type": "adamw"}"#,
];

#[test]
fn weight_decay_skips_biases() {
    for json in ALL {
        let c = build(json);
        let with = c.with_weight_decay(0.1);
        let without = c.with_weight_decay(0.0);
        let (mut a, mut b) = (None, None);
        let decayed = three_steps(|m| a.get_or_insert_with(|| with.build(m)).step(m, 0.01));
        let plain = three_steps(|m| b.get_or_insert_with(|| without.build(m)).step(m, 0.01));
        for (d, p) in decayed.iter().zip(&plain) {
            assert_eq!(d[1], p[1], "{json}: the bias must not be decayed");
            assert!(
                d[0] < p[0],
                "{json}: the (positive) weight must be decayed: {} vs {}",
                d[0],
                p[0]
            );
        }
        // Opting in decays the bias too (it is negative, so decay moves it up).
        let mut o = None;
        let all = three_steps(|m| {
            o.get_or_insert_with(|| {
                let mut opt = with.build(m);
                opt.set_decay_biases(true);
                opt
            })
            .step(m, 0.01)
        });
        assert!(
            all[2][1] > plain[2][1],
            "{json}: decay_biases must decay the bias"
        );
    }
}

#[test]
fn batchnorm_parameters_are_not_decayed() {
    // BatchNorm's γ (= 1) and β (= 0) are reported as ParamKind::Bias: with zero gradients and a
    // large weight decay only the Linear weight moves (SGD: w ← w − lr·λ·w; every optimizer moves it
    // towards zero).
    let spec = [
        LayerSpec::Batchnorm,
        LayerSpec::Linear {
            out_features: 2,
            drop_connect: 0.0,
        },
    ];
    let mut m = Model::<f64>::from_specs(&spec, [3, 1, 1], Init::Kaiming, &mut Rng::new(1)).unwrap();
    let snapshot = |m: &mut Model<f64>| {
        let mut p = Vec::new();
        m.visit_params(&mut |kind, w, g| {
            g.fill(0.0);
            p.push((kind, w.to_vec()));
        });
        p
    };
    for json in ALL {
        let before = snapshot(&mut m);
        let mut opt = build(json).with_weight_decay(0.5).build(&mut m);
        opt.step(&mut m, 0.1);
        let after = snapshot(&mut m);
        assert_eq!(before.len(), 4, "γ, β, weight, bias");
        for ((kind, b), (_, a)) in before.iter().zip(&after) {
            if *kind == ParamKind::Bias {
                assert_eq!(a, b, "{json}: γ/β and biases must not be decayed");
            } else {
                // Every weight moves towards zero (adaptive methods may step past it: their step is ≈ lr).
                assert!(
                    a.iter().zip(b).all(|(x, y)| (x - y) * y < 0.0),
                    "{json}: weights must be decayed: {b:?} → {a:?}"
                );
            }
        }
    }
}

#[test]
fn adamw_decay_is_decoupled_from_the_adaptive_scaling() {
    // Only the decay acts (zero loss gradient on w, i.e. a = 0), lr = 0.1, λ = 0.1, w₀ = 1.
    // AdamW: w ← w·(1 − lr·λ), and m = v = 0 so the Adam part does nothing:
    //        w = 0.99, 0.9801, 0.970299.
    // Adam + L2: g' = λw goes through m and v, and m̂/√v̂ = ±1 whatever λ is, so w moves by ≈ lr:
    //        t=1: g' = 0.1, w₁ = 1 − 0.1·0.1/(0.1 + 1e-8) = 0.900000009999999
    //        t=2: g' = 0.0900000009999999, w₂ = 0.8004122480821506
    //        t=3: g' = 0.08004122480821507, w₃ = 0.7015863025553359
    let mut m = model(1.0, 0.0);
    let mut adamw = Adam::adamw(&mut m, (0.9, 0.999), 1e-8, 0.1);
    let mut m2 = model(1.0, 0.0);
    let mut adam = Adam::new(&mut m2, (0.9, 0.999), 1e-8, 0.1);
    let want_w = [0.99, 0.9801, 0.970299];
    let want_l2 = [0.900000009999999, 0.8004122480821506, 0.7015863025553359];
    for t in 0..3 {
        set_grads(&mut m, 0.0, 0.0);
        adamw.step(&mut m, 0.1);
        set_grads(&mut m2, 0.0, 0.0);
        adam.step(&mut m2, 0.1);
        let (w, l2) = (params(&mut m)[0], params(&mut m2)[0]);
        assert!(close(w, want_w[t]), "AdamW step {t}: {w}");
        assert!(close(l2, want_l2[t]), "Adam+L2 step {t}: {l2}");
    }
    // Without decay the two are the same algorithm, bit for bit.
    let (mut a, mut b) = (None, None);
    let x = three_steps(|m| {
        a.get_or_insert_with(|| build(r#"{"type": "adam"}"#).build(m))
            .step(m, 0.1)
    });
    let y = three_steps(|m| {
        b.get_or_insert_with(|| build(r#"{"type": "adamw", "weightDecay": 0}"#).build(m))
            .step(m, 0.1)
    });
    assert_eq!(x, y);
}

// ---- the hot path ----

#[test]
fn steps_allocate_nothing() {
    let spec = [
        LayerSpec::Conv2d {
            out_channels: 2,
            kernel_size: 3,
            stride: 1,
            padding: 1,
        },
        LayerSpec::Batchnorm,
        LayerSpec::Flatten,
        LayerSpec::Linear {
            out_features: 3,
            drop_connect: 0.0,
        },
    ];
    let mut m = Model::<f32>::from_specs(&spec, [1, 4, 4], Init::Kaiming, &mut Rng::new(2)).unwrap();
    // The counter does count (a test that cannot fail proves nothing).
    let before = allocations();
    let probe = std::hint::black_box(vec![0u8; 16]);
    assert!(allocations() > before);
    drop(probe);
    for json in ALL {
        let mut opt = build(json).with_weight_decay(1e-4).build(&mut m);
        opt.step(&mut m, 0.01);
        let before = allocations();
        for _ in 0..5 {
            opt.step(&mut m, 0.01);
        }
        assert_eq!(allocations() - before, 0, "{json}: step() allocated");
    }
}

#[test]
fn f32_matches_f64_on_the_first_steps() {
    for json in ALL {
        let c = build(json);
        let f64_run = three_steps({
            let mut o = None;
            move |m| o.get_or_insert_with(|| c.build(m)).step(m, 0.01)
        });
        let spec = [LayerSpec::Linear {
            out_features: 1,
            drop_connect: 0.0,
        }];
        let mut m = Model::<f32>::from_specs(&spec, [1, 1, 1], Init::Kaiming, &mut Rng::new(0)).unwrap();
        m.visit_params(&mut |kind, w, _| w[0] = if kind == ParamKind::Weight { 1.0 } else { -2.0 });
        let mut opt = build(json).build(&mut m);
        for want in &f64_run {
            m.visit_params(&mut |kind, w, g| {
                g[0] = if kind == ParamKind::Weight {
                    2.0 * w[0]
                } else {
                    w[0]
                }
            });
            opt.step(&mut m, 0.01);
            let mut p = [0.0f64; 2];
            m.visit_params(&mut |kind, w, _| p[(kind == ParamKind::Bias) as usize] = w[0] as f64);
            assert!(
                (p[0] - want[0]).abs() < 1e-5 && (p[1] - want[1]).abs() < 1e-5,
                "{json}: {p:?} vs {want:?}"
            );
        }
    }
}

// ---- config ----

#[test]
fn config_defaults_follow_pytorch() {
    assert_eq!(
        OptimizerConfig::default(),
        OptimizerConfig::Sgd {
            momentum: 0.9,
            nesterov: false,
            weight_decay: 0.0
        }
    );
    let parse = |s: &str| serde_json::from_str::<OptimizerConfig>(s).unwrap();
    assert_eq!(
        parse(r#"{"type": "sgd"}"#),
        OptimizerConfig::Sgd {
            momentum: 0.0,
            nesterov: false,
            weight_decay: 0.0
        }
    );
    assert_eq!(
        parse(r#"{"type": "adagrad"}"#),
        OptimizerConfig::Adagrad {
            eps: 1e-10,
            initial_accumulator_value: 0.0,
            weight_decay: 0.0
        }
    );
    assert_eq!(
        parse(r#"{"type": "rmsprop"}"#),
        OptimizerConfig::Rmsprop {
            alpha: 0.99,
            eps: 1e-8,
            momentum: 0.0,
            weight_decay: 0.0
        }
    );
    assert_eq!(
        parse(r#"{"type": "adam"}"#),
        OptimizerConfig::Adam {
            betas: [0.9, 0.999],
            eps: 1e-8,
            weight_decay: 0.0
        }
    );
    assert_eq!(
        parse(r#"{"type": "adamw"}"#),
        OptimizerConfig::Adamw {
            betas: [0.9, 0.999],
            eps: 1e-8,
            weight_decay: 0.01
        }
    );
    let c = parse(r#"{"type": "adam", "betas": [0.8, 0.99], "eps": 1e-6, "weightDecay": 0.001}"#);
    assert_eq!(
        c,
        OptimizerConfig::Adam {
            betas: [0.8, 0.99],
            eps: 1e-6,
            weight_decay: 0.001
        }
    );
    // Round trip through JSON keeps the shape.
    let text = serde_json::to_string(&c).unwrap();
    assert_eq!(
        text,
        r#"{"type":"adam","betas":[0.8,0.99],"eps":1e-6,"weightDecay":0.001}"#
    );
    assert_eq!(parse(&text), c);
}

#[test]
fn config_rejects_unknown_fields_and_bad_values_by_name() {
    let e = serde_json::from_str::<OptimizerConfig>(r#"{"type": "sgd", "beta": 0.9}"#)
        .unwrap_err()
        .to_string();
    assert!(e.contains("unknown field `beta`"), "{e}");
    let e = serde_json::from_str::<OptimizerConfig>(r#"{"type": "lion"}"#)
        .unwrap_err()
        .to_string();
    assert!(e.contains("lion"), "{e}");
    let check = |json: &str, want: &str| {
        let e = serde_json::from_str::<OptimizerConfig>(json)
            .unwrap()
            .validate()
            .unwrap_err();
        assert_eq!(e, want);
    };
    check(
        r#"{"type": "sgd", "momentum": 1.5}"#,
        "momentum: must be in [0, 1), got 1.5",
    );
    check(
        r#"{"type": "sgd", "nesterov": true}"#,
        "nesterov: requires momentum > 0, got true with momentum 0",
    );
    check(
        r#"{"type": "sgd", "weightDecay": -1}"#,
        "weightDecay: must be a finite number ≥ 0, got -1",
    );
    check(
        r#"{"type": "adagrad", "eps": 0}"#,
        "eps: must be a positive finite number, got 0",
    );
    check(
        r#"{"type": "adagrad", "initialAccumulatorValue": -0.1}"#,
        "initialAccumulatorValue: must be a finite number ≥ 0, got -0.1",
    );
    check(
        r#"{"type": "rmsprop", "alpha": 1}"#,
        "alpha: must be in [0, 1), got 1",
    );
    check(
        r#"{"type": "adam", "betas": [0.9, 1.0]}"#,
        "betas[1]: must be in [0, 1), got 1",
    );
    check(
        r#"{"type": "adamw", "betas": [-0.1, 0.999]}"#,
        "betas[0]: must be in [0, 1), got -0.1",
    );
    for json in ALL {
        build(json);
    }
}
