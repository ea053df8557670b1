//! Every wasm SIMD kernel against its scalar twin, in a real engine.
//!
//! Run: `wasm-pack test --headless --chrome --chromedriver /usr/bin/chromedriver -- --test web_kernels`.
//! Lengths cover empty, short (1..3, all tail), exact multiples of the vector width and of the
//! GEMM tile (4, 8, 16, 64) and tails (5, 17, 33, 1001). Elementwise kernels, im2col/col2im and
//! the simd128 build's gemm must match bit for bit (gemm adds each element's products onto C in k
//! order, as the scalar loop does). `sum` reassociates additions, and the relaxed-SIMD build's
//! gemm may fuse each multiply-add (one rounding instead of two, as the engine chooses): those
//! must match within 1e-5 × Σ|terms|, the scale of the rounding error any summation order or
//! fusing can make.
//!
//! The relaxed-SIMD build runs the same tests:
//! `RUSTFLAGS="-C target-feature=+simd128,+relaxed-simd" wasm-pack test --headless --chrome
//! --chromedriver /usr/bin/chromedriver -- --test web_kernels` (with its own CARGO_TARGET_DIR).
#![cfg(target_arch = "wasm32")]

use trainlab::kernels::{scalar, ConvGeom};
use trainlab::Rng;
use wasm_bindgen_test::*;

#[cfg(target_feature = "simd128")]
use trainlab::kernels::simd128;

wasm_bindgen_test_configure!(run_in_browser);

const LENGTHS: [usize; 12] = [0, 1, 2, 3, 4, 5, 8, 16, 17, 33, 64, 1001];

/// Uniform values in [-1, 1) with about one in eight exactly zero (zeros take the scalar gemm's
/// skip branch and relu's boundary).
fn random(n: usize, rng: &mut Rng) -> Vec<f32> {
    (0..n)
        .map(|_| {
            if rng.below(8) == 0 {
                0.0
            } else {
                rng.range(-1.0, 1.0) as f32
            }
        })
        .collect()
}

/// Bit-level equality, so that -0 vs +0 and NaN payloads count as differences.
fn assert_bits_eq(got: &[f32], want: &[f32], what: &str) {
    assert_eq!(got.len(), want.len(), "{what}: length");
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        assert_eq!(
            g.to_bits(),
            w.to_bits(),
            "{what}: element {i}: simd {g:e} vs scalar {w:e}"
        );
    }
}

#[wasm_bindgen_test]
fn backend_is_simd() {
    let want = if cfg!(target_feature = "relaxed-simd") {
        "wasm relaxed-simd"
    } else {
        "wasm simd128"
    };
    assert_eq!(trainlab::kernels::BACKEND, want);
}

/// Whether this build's gemm may round a multiply-add once (relaxed SIMD) instead of twice.
const FUSED_GEMM: bool = cfg!(target_feature = "relaxed-simd");

#[cfg(target_feature = "simd128")]
mod simd {
    use super::*;

    // ----------------------------------------------------------------------------------- gemm

    /// One gemm case: A stored (m×k) or transposed, B stored (k×n) or transposed, C with a row
    /// stride ldc ≥ n whose padding must stay untouched.
    #[allow(clippy::too_many_arguments)]
    fn check_gemm(
        m: usize,
        n: usize,
        k: usize,
        a_t: bool,
        b_t: bool,
        ldc: usize,
        accumulate: bool,
        rng: &mut Rng,
    ) {
        // A(i, p): row-major (m, k) → (k, 1); stored transposed as (k, m) → (1, m).
        let (rsa, csa) = if a_t { (1, m) } else { (k, 1) };
        let (rsb, csb) = if b_t { (1, k) } else { (n, 1) };
        check_gemm_strided(
            m,
            n,
            k,
            (rsa, csa, m * k),
            (rsb, csb, k * n),
            ldc,
            accumulate,
            rng,
        );
    }

    /// The general case: A(i, p) = a[i·rsa + p·csa] in a buffer of a_len, likewise B; C as above.
    #[allow(clippy::too_many_arguments)]
    fn check_gemm_strided(
        m: usize,
        n: usize,
        k: usize,
        (rsa, csa, a_len): (usize, usize, usize),
        (rsb, csb, b_len): (usize, usize, usize),
        ldc: usize,
        accumulate: bool,
        rng: &mut Rng,
    ) {
        let a = random(a_len, rng);
        let b = random(b_len, rng);
        let c0: Vec<f32> = (0..m * ldc).map(|_| rng.range(-1.0, 1.0) as f32).collect();
        let mut got = c0.clone();
        let mut want = c0.clone();
        simd128::gemm(m, n, k, &a, rsa, csa, &b, rsb, csb, &mut got, ldc, accumulate);
        scalar::gemm(m, n, k, &a, rsa, csa, &b, rsb, csb, &mut want, ldc, accumulate);
        let what = format!("gemm m={m} n={n} k={k} A({rsa},{csa}) B({rsb},{csb}) ldc={ldc} acc={accumulate}");
        for i in 0..m {
            for j in 0..ldc {
                let (g, w) = (got[i * ldc + j], want[i * ldc + j]);
                if j >= n {
                    assert_eq!(
                        g.to_bits(),
                        c0[i * ldc + j].to_bits(),
                        "{what}: C padding ({i},{j}) written"
                    );
                    continue;
                }
                if !FUSED_GEMM {
                    assert_eq!(
                        g.to_bits(),
                        w.to_bits(),
                        "{what}: C({i},{j}) simd {g:e} vs scalar {w:e}: not the scalar's k order"
                    );
                    continue;
                }
                // Σ|a||b| (+|C0|): the magnitude every summation order's rounding error scales with.
                let mut scale: f32 = (0..k)
                    .map(|p| (a[i * rsa + p * csa] * b[p * rsb + j * csb]).abs())
                    .sum();
                if accumulate {
                    scale += c0[i * ldc + j].abs();
                }
                assert!(
                    (g - w).abs() <= 1e-5 * scale,
                    "{what}: C({i},{j}) simd {g} vs scalar {w} (scale {scale})"
                );
            }
        }
    }

    fn gemm_all_layouts(m: usize, n: usize, k: usize, rng: &mut Rng) {
        for a_t in [false, true] {
            for b_t in [false, true] {
                for accumulate in [false, true] {
                    check_gemm(m, n, k, a_t, b_t, n, accumulate, rng);
                }
            }
        }
    }

    #[wasm_bindgen_test]
    fn gemm_small_sizes_every_layout() {
        // Around the 6×8 tile: 0, 1, below, at and above MR/NR and their multiples.
        let mut rng = Rng::new(1);
        let dims = [0, 1, 2, 3, 5, 6, 7, 8, 9, 13, 17];
        let ks = [0, 1, 2, 3, 4, 5, 7, 16, 33];
        for &m in &dims {
            for &n in &dims {
                for &k in &ks {
                    gemm_all_layouts(m, n, k, &mut rng);
                }
            }
        }
    }

    #[wasm_bindgen_test]
    fn gemm_k_blocks() {
        // k past the 256 k-block: the second and later blocks accumulate into C.
        let mut rng = Rng::new(2);
        for (m, n, k) in [
            (7, 9, 255),
            (6, 8, 256),
            (5, 17, 257),
            (13, 16, 513),
            (3, 10, 1001),
            (2, 3, 1600),
        ] {
            gemm_all_layouts(m, n, k, &mut rng);
        }
    }

    #[wasm_bindgen_test]
    fn gemm_padded_c_rows() {
        // ldc > n: a layer writing into a wider buffer; columns n..ldc must stay as they were.
        let mut rng = Rng::new(3);
        for (m, n, k, ldc) in [(5, 7, 9, 8), (6, 8, 4, 13), (13, 17, 33, 20), (1, 1, 1, 5)] {
            for accumulate in [false, true] {
                check_gemm(m, n, k, false, true, ldc, accumulate, &mut rng);
                check_gemm(m, n, k, true, false, ldc, accumulate, &mut rng);
            }
        }
    }

    #[wasm_bindgen_test]
    fn gemm_general_strides() {
        // Strides that are neither 1 nor a dense row length: every other element of A and B (a
        // view of every other column), exercising the generic packing paths.
        let mut rng = Rng::new(4);
        for (m, n, k) in [(1, 1, 1), (7, 13, 11), (16, 24, 40)] {
            check_gemm_strided(
                m,
                n,
                k,
                (2 * k, 2, 2 * m * k),
                (2 * n, 2, 2 * k * n),
                n,
                false,
                &mut rng,
            );
        }
    }

    #[wasm_bindgen_test]
    fn gemm_b_row_strides() {
        // A row-major B is read in place, packed block-wise (row stride a multiple of 512 floats,
        // where rows alias in L1) or packed per panel (stride a multiple of 128 and m > 32). Cover
        // each, with row strides wider than n and column tails.
        let mut rng = Rng::new(13);
        for rsb in [128, 384, 512, 1024] {
            for n in [1, 7, 13, 100, 128, 300] {
                if n > rsb {
                    continue;
                }
                for (m, k) in [(3, 5), (33, 37), (40, 300)] {
                    check_gemm_strided(
                        m,
                        n,
                        k,
                        (k, 1, m * k),
                        (rsb, 1, (k - 1) * rsb + n),
                        n,
                        true,
                        &mut rng,
                    );
                }
            }
        }
    }

    #[wasm_bindgen_test]
    fn gemm_network_shapes() {
        // The calls the conv and linear layers make (per image, NCHW + im2col), at the sizes of
        // lenet, cifar-convnetjs and vgg-mini:
        //   forward  out(OC, OHOW) = W(OC, CKK) · cols(CKK, OHOW)
        //   dW       dW(OC, CKK) += dY(OC, OHOW) · colsᵀ      (B transposed, accumulate)
        //   dcols    dcols(CKK, OHOW) = Wᵀ · dY               (A transposed)
        //   linear   Y(N, OUT) = X · Wᵀ, dX = dY · W, dW = dYᵀ · X
        let mut rng = Rng::new(5);
        for (oc, ckk, ohow) in [
            (6, 25, 784),
            (16, 150, 100),
            (16, 75, 1024),
            (20, 400, 256),
            (32, 288, 1024),
            (64, 576, 64),
        ] {
            check_gemm(oc, ohow, ckk, false, false, ohow, false, &mut rng);
            check_gemm(oc, ckk, ohow, false, true, ckk, true, &mut rng);
            check_gemm(ckk, ohow, oc, true, false, ohow, false, &mut rng);
        }
        for (batch, inp, out) in [
            (64, 400, 120),
            (64, 120, 84),
            (64, 84, 10),
            (16, 1280, 10),
            (1, 320, 10),
        ] {
            check_gemm(batch, out, inp, false, true, out, false, &mut rng);
            check_gemm(batch, inp, out, false, false, inp, false, &mut rng);
            check_gemm(out, inp, batch, true, false, inp, true, &mut rng);
        }
    }

    #[wasm_bindgen_test]
    fn gemm_element_independent_of_the_rows_and_columns_in_the_call() {
        // A parallel caller splits C by rows (or columns) and runs one gemm per part: every
        // element must come out bit for bit as in the whole call, in every build. Splits at 1, at
        // the tile edges and at an odd place, over k-blocks and every layout.
        let mut rng = Rng::new(16);
        for (m, n, k) in [
            (6, 25, 784),
            (16, 100, 150),
            (25, 784, 6),
            (13, 17, 300),
            (64, 120, 400),
        ] {
            for (a_t, b_t, accumulate) in [
                (false, false, true),
                (false, true, true),
                (true, false, false),
                (false, true, false),
            ] {
                let (rsa, csa) = if a_t { (1, m) } else { (k, 1) };
                let (rsb, csb) = if b_t { (1, k) } else { (n, 1) };
                let a = random(m * k, &mut rng);
                let b = random(k * n, &mut rng);
                let c0 = random(m * n, &mut rng);
                let mut whole = c0.clone();
                simd128::gemm(m, n, k, &a, rsa, csa, &b, rsb, csb, &mut whole, n, accumulate);
                for split in [1, 3, 4, 5, 8, m / 2] {
                    if split == 0 || split >= m {
                        continue;
                    }
                    let mut parts = c0.clone();
                    let (top, bottom) = parts.split_at_mut(split * n);
                    simd128::gemm(split, n, k, &a, rsa, csa, &b, rsb, csb, top, n, accumulate);
                    let a_rest = &a[split * rsa..];
                    simd128::gemm(
                        m - split,
                        n,
                        k,
                        a_rest,
                        rsa,
                        csa,
                        &b,
                        rsb,
                        csb,
                        bottom,
                        n,
                        accumulate,
                    );
                    assert_bits_eq(&parts, &whole, &format!("gemm {m}×{n}×{k} rows split at {split}"));
                }
                for split in [1, 4, 8, 9, n / 2] {
                    if split == 0 || split >= n {
                        continue;
                    }
                    let mut parts = c0.clone();
                    let b_rest = &b[split * csb..];
                    simd128::gemm(m, split, k, &a, rsa, csa, &b, rsb, csb, &mut parts, n, accumulate);
                    simd128::gemm(
                        m,
                        n - split,
                        k,
                        &a,
                        rsa,
                        csa,
                        b_rest,
                        rsb,
                        csb,
                        &mut parts[split..],
                        n,
                        accumulate,
                    );
                    assert_bits_eq(
                        &parts,
                        &whole,
                        &format!("gemm {m}×{n}×{k} columns split at {split}"),
                    );
                }
            }
        }
    }

    #[wasm_bindgen_test]
    fn gemm_propagates_nonfinite_b() {
        // A 1×1 product with a NaN in B: both must give NaN (a nonzero A times NaN).
        let (a, b) = ([2.0f32], [f32::NAN]);
        let (mut got, mut want) = ([0.0f32], [0.0f32]);
        simd128::gemm(1, 1, 1, &a, 1, 1, &b, 1, 1, &mut got, 1, false);
        scalar::gemm(1, 1, 1, &a, 1, 1, &b, 1, 1, &mut want, 1, false);
        assert!(got[0].is_nan() && want[0].is_nan());
    }

    // ------------------------------------------------------------------------- im2col / col2im

    fn geometries() -> Vec<ConvGeom> {
        let mut out = Vec::new();
        for (c, h, w) in [
            (1, 1, 1),
            (1, 5, 7),
            (2, 7, 5),
            (3, 8, 8),
            (2, 13, 9),
            (3, 32, 32),
            (1, 28, 28),
        ] {
            for k in [1, 3, 5] {
                for stride in [1, 2] {
                    for pad in [0, 1, 2] {
                        if let Some(g) = ConvGeom::new(c, h, w, k, k, stride, pad) {
                            out.push(g);
                        }
                    }
                }
            }
        }
        // Non-square kernel, stride 3 and pad ≥ kernel (whole rows of padding).
        out.extend(ConvGeom::new(2, 9, 11, 3, 5, 1, 2));
        out.extend(ConvGeom::new(2, 10, 7, 3, 2, 3, 1));
        out.extend(ConvGeom::new(1, 4, 4, 2, 2, 1, 3));
        out
    }

    #[wasm_bindgen_test]
    fn im2col_matches_scalar() {
        let mut rng = Rng::new(6);
        let geoms = geometries();
        assert!(geoms.len() > 80, "geometry list shrank: {}", geoms.len());
        for g in geoms {
            let x = random(g.c * g.h * g.w, &mut rng);
            // Pre-fill with garbage: every entry, padding included, must be written.
            let mut got = vec![f32::NAN; g.col_rows() * g.col_cols()];
            let mut want = vec![0.0; g.col_rows() * g.col_cols()];
            simd128::im2col_rows(&x, &g, 0..g.col_rows(), &mut got);
            scalar::im2col(&x, &g, &mut want);
            assert_bits_eq(&got, &want, &format!("im2col {g:?}"));
            // A block of rows (what one thread of the filter gradient builds) is those rows' slice.
            let (k, p) = (g.col_rows(), g.col_cols());
            for rows in [k / 3..k, 0..k.div_ceil(2), k - 1..k] {
                let mut part = vec![f32::NAN; rows.len() * p];
                simd128::im2col_rows(&x, &g, rows.clone(), &mut part);
                assert_bits_eq(
                    &part,
                    &want[rows.start * p..rows.end * p],
                    &format!("im2col rows {rows:?} {g:?}"),
                );
            }
        }
    }

    #[wasm_bindgen_test]
    fn col2im_matches_scalar() {
        let mut rng = Rng::new(7);
        for g in geometries() {
            let cols = random(g.col_rows() * g.col_cols(), &mut rng);
            let mut got = vec![f32::NAN; g.c * g.h * g.w];
            let mut want = vec![0.0; g.c * g.h * g.w];
            simd128::col2im(&cols, &g, &mut got);
            scalar::col2im(&cols, &g, &mut want);
            assert_bits_eq(&got, &want, &format!("col2im {g:?}"));
        }
    }

    // ------------------------------------------------------------------------------- max pool

    fn pool_geometries() -> Vec<ConvGeom> {
        let mut out = Vec::new();
        // 2×2 / stride 2 (the v128 path): output widths with and without a tail of 1..3, odd
        // heights and widths (a last row/column outside every window), LeNet and CIFAR sizes.
        for (c, h, w) in [
            (1, 2, 2),
            (1, 3, 3),
            (2, 4, 4),
            (3, 8, 8),
            (2, 9, 11),
            (1, 2, 18),
            (3, 7, 30),
            (6, 28, 28),
            (16, 10, 10),
            (16, 32, 32),
            (2, 17, 16),
        ] {
            out.extend(ConvGeom::new(c, h, w, 2, 2, 2, 0));
        }
        // Other windows fall back to the scalar kernel.
        for (k, s) in [(3, 2), (2, 1), (3, 3), (1, 1)] {
            out.extend(ConvGeom::new(2, 9, 10, k, k, s, 0));
        }
        out
    }

    /// Few distinct values (ties everywhere) plus ±0, ±∞ and NaN.
    fn tie_heavy(n: usize, rng: &mut Rng) -> Vec<f32> {
        let specials = [0.0, -0.0, f32::INFINITY, f32::NEG_INFINITY, f32::NAN];
        (0..n)
            .map(|i| {
                if rng.below(6) == 0 {
                    specials[i % specials.len()]
                } else {
                    rng.below(4) as f32 - 1.5
                }
            })
            .collect()
    }

    #[wasm_bindgen_test]
    fn maxpool_forward_matches_scalar() {
        let mut rng = Rng::new(14);
        for g in pool_geometries() {
            for x in [
                random(g.c * g.h * g.w, &mut rng),
                tie_heavy(g.c * g.h * g.w, &mut rng),
            ] {
                let outputs = g.c * g.oh * g.ow;
                let (mut y1, mut a1) = (vec![f32::NAN; outputs], vec![u32::MAX; outputs]);
                let (mut y2, mut a2) = (vec![0.0; outputs], vec![0; outputs]);
                simd128::maxpool_forward(&x, &g, &mut y1, &mut a1);
                scalar::maxpool_forward(&x, &g, &mut y2, &mut a2);
                assert_bits_eq(&y1, &y2, &format!("maxpool y {g:?}"));
                assert_eq!(a1, a2, "maxpool argmax {g:?}");
            }
        }
    }

    #[wasm_bindgen_test]
    fn maxpool_backward_matches_scalar() {
        let mut rng = Rng::new(15);
        for g in pool_geometries() {
            let x = tie_heavy(g.c * g.h * g.w, &mut rng);
            let outputs = g.c * g.oh * g.ow;
            let (mut y, mut argmax) = (vec![0.0; outputs], vec![0; outputs]);
            scalar::maxpool_forward(&x, &g, &mut y, &mut argmax);
            // Gradients with −0 among them: both must turn it into +0 (0 + −0).
            let dy: Vec<f32> = random(outputs, &mut rng)
                .into_iter()
                .map(|v| if v == 0.0 { -0.0 } else { v })
                .collect();
            let mut got = vec![f32::NAN; g.c * g.h * g.w];
            let mut want = vec![0.0; g.c * g.h * g.w];
            simd128::maxpool_backward(&dy, &argmax, &g, &mut got);
            scalar::maxpool_backward(&dy, &argmax, &g, &mut want);
            assert_bits_eq(&got, &want, &format!("maxpool backward {g:?}"));
        }
    }

    // ---------------------------------------------------------------------------- elementwise

    /// Random values plus the ones that separate correct from almost-correct: ±0, ±∞, NaN, tiny.
    fn with_specials(n: usize, rng: &mut Rng) -> Vec<f32> {
        let specials = [
            0.0,
            -0.0,
            f32::INFINITY,
            f32::NEG_INFINITY,
            f32::NAN,
            1e-40,
            -1e-40,
        ];
        let mut v = random(n, rng);
        for (i, x) in v.iter_mut().enumerate() {
            if rng.below(4) == 0 {
                *x = specials[i % specials.len()];
            }
        }
        v
    }

    #[wasm_bindgen_test]
    fn axpy_matches_scalar() {
        let mut rng = Rng::new(8);
        for n in LENGTHS {
            for a in [0.0, 1.0, -0.37, 3.5e3] {
                let x = random(n, &mut rng);
                let y0 = random(n, &mut rng);
                let (mut got, mut want) = (y0.clone(), y0.clone());
                simd128::axpy(a, &x, &mut got);
                scalar::axpy(a, &x, &mut want);
                assert_bits_eq(&got, &want, &format!("axpy n={n} a={a}"));
            }
        }
    }

    #[wasm_bindgen_test]
    fn relu_forward_matches_scalar() {
        let mut rng = Rng::new(9);
        for n in LENGTHS {
            let x = with_specials(n, &mut rng);
            let (mut got, mut want) = (vec![7.0; n], vec![7.0; n]);
            simd128::relu_forward(&x, &mut got);
            scalar::relu_forward(&x, &mut want);
            assert_bits_eq(&got, &want, &format!("relu_forward n={n}"));
        }
    }

    #[wasm_bindgen_test]
    fn relu_backward_matches_scalar() {
        let mut rng = Rng::new(10);
        for n in LENGTHS {
            let x = with_specials(n, &mut rng);
            let dy = with_specials(n, &mut rng);
            let (mut got, mut want) = (vec![7.0; n], vec![7.0; n]);
            simd128::relu_backward(&x, &dy, &mut got);
            scalar::relu_backward(&x, &dy, &mut want);
            assert_bits_eq(&got, &want, &format!("relu_backward n={n}"));
        }
    }

    #[wasm_bindgen_test]
    fn sgd_momentum_matches_scalar() {
        let mut rng = Rng::new(11);
        for n in LENGTHS {
            for (lr, mu, wd) in [(0.02, 0.9, 0.0), (0.1, 0.0, 5e-4), (1e-3, 0.99, 1e-2)] {
                let g = random(n, &mut rng);
                let w0 = random(n, &mut rng);
                let v0 = random(n, &mut rng);
                let (mut w1, mut v1) = (w0.clone(), v0.clone());
                let (mut w2, mut v2) = (w0.clone(), v0.clone());
                // Several steps, so the velocity carries over as in training.
                for _ in 0..3 {
                    simd128::sgd_momentum(&mut w1, &g, &mut v1, lr, mu, wd);
                    scalar::sgd_momentum(&mut w2, &g, &mut v2, lr, mu, wd);
                }
                assert_bits_eq(&w1, &w2, &format!("sgd w n={n}"));
                assert_bits_eq(&v1, &v2, &format!("sgd v n={n}"));
            }
        }
    }

    #[wasm_bindgen_test]
    fn sum_matches_scalar() {
        let mut rng = Rng::new(12);
        for n in LENGTHS.into_iter().chain([15, 31, 100_003]) {
            let x = random(n, &mut rng);
            let got = simd128::sum(&x);
            let want = scalar::sum(&x);
            let scale: f32 = x.iter().map(|v| v.abs()).sum();
            // Recursive summation error grows like n·ε·Σ|x|; 1e-5 covers n up to ~100.
            let tol = (1e-5f32).max(n as f32 * f32::EPSILON) * scale;
            assert!(
                (got - want).abs() <= tol,
                "sum n={n}: simd {got} vs scalar {want}"
            );
            // Its order is the one native page order reproduces (scalar::sum_in_16_lanes).
            let lanes = scalar::sum_in_16_lanes(&x);
            assert_eq!(
                got.to_bits(),
                lanes.to_bits(),
                "sum n={n}: simd {got} vs the 16-partial order {lanes}"
            );
        }
        assert_eq!(simd128::sum(&[]), 0.0);
        assert_eq!(simd128::sum(&[2.5]), 2.5);
    }

    #[wasm_bindgen_test]
    fn sum_propagates_nonfinite() {
        assert!(simd128::sum(&[1.0, f32::NAN, 2.0, 3.0, 4.0]).is_nan());
        assert_eq!(
            simd128::sum(&[1.0, 2.0, f32::INFINITY, 3.0, 4.0, 5.0]),
            f32::INFINITY
        );
    }

    #[wasm_bindgen_test]
    fn elementwise_use_shortest_length() {
        // Like the scalar twins' zip: mismatched lengths process the common prefix only.
        let x = [1.0f32; 9];
        let mut y = [0.0f32; 6];
        simd128::axpy(2.0, &x, &mut y);
        assert_eq!(y, [2.0; 6]);
        let mut y = [5.0f32; 11];
        simd128::relu_forward(&x, &mut y);
        assert_eq!(&y[..9], &[1.0; 9]);
        assert_eq!(&y[9..], &[5.0; 2]);
    }
}
