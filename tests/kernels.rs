//! Native tests of the scalar kernels, the oracle the wasm SIMD kernels are checked against
//! (tests/web_kernels.rs). Here the oracle itself is checked: gemm against its definition summed
//! in f64, im2col/col2im against hand-worked literals and against each other (they must be
//! adjoint, or conv backward would compute the gradient of some other function), ConvGeom's
//! output sizes, and the elementwise kernels' conventions. Last, the native f32 GEMM
//! (matrixmultiply's sgemm) against the oracle.
#![cfg(not(target_arch = "wasm32"))]

use trainlab::kernels::{scalar, ConvGeom, Real};
use trainlab::Rng;

fn random(n: usize, rng: &mut Rng) -> Vec<f64> {
    // About one in eight exactly zero: the scalar gemm skips zero A entries.
    (0..n)
        .map(|_| {
            if rng.below(8) == 0 {
                0.0
            } else {
                rng.range(-1.0, 1.0)
            }
        })
        .collect()
}

fn to_f32(v: &[f64]) -> Vec<f32> {
    v.iter().map(|&x| x as f32).collect()
}

// ------------------------------------------------------------------------------------------ gemm

/// C(i, j) = Σ_p A(i, p)·B(p, j) (+ C0), straight from the definition, in f64. Also returns
/// Σ_p |A(i,p)·B(p,j)| (+ |C0|), the scale rounding errors are measured against.
#[allow(clippy::too_many_arguments)]
fn gemm_definition(
    m: usize,
    n: usize,
    k: usize,
    a: &[f64],
    (rsa, csa): (usize, usize),
    b: &[f64],
    (rsb, csb): (usize, usize),
    c0: &[f64],
    ldc: usize,
    accumulate: bool,
) -> (Vec<f64>, Vec<f64>) {
    let mut c = vec![0.0; m * n];
    let mut scale = vec![0.0; m * n];
    for i in 0..m {
        for j in 0..n {
            let terms = (0..k).map(|p| a[i * rsa + p * csa] * b[p * rsb + j * csb]);
            let (mut sum, mut abs) = (0.0, 0.0);
            for t in terms {
                sum += t;
                abs += t.abs();
            }
            if accumulate {
                sum += c0[i * ldc + j];
                abs += c0[i * ldc + j].abs();
            }
            c[i * n + j] = sum;
            scale[i * n + j] = abs;
        }
    }
    (c, scale)
}

/// Checks f32 and f64 scalar gemm for one shape and layout against the definition.
/// f32 bound: recursive summation of k products and C0 errs by at most about (k+1)·u·Σ|terms|
/// with u = ε/2; ε·(k+1) leaves a factor of two. The f64 run must agree to f64 rounding.
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
    let sa = if a_t { (1, m) } else { (k, 1) };
    let sb = if b_t { (1, k) } else { (n, 1) };
    let a = random(m * k, rng);
    let b = random(k * n, rng);
    let c0 = random(m * ldc, rng);
    // The definition sees the f32-rounded inputs, so only the f32 arithmetic is being judged.
    let (a32, b32, c32) = (to_f32(&a), to_f32(&b), to_f32(&c0));
    let a_in: Vec<f64> = a32.iter().map(|&x| x as f64).collect();
    let b_in: Vec<f64> = b32.iter().map(|&x| x as f64).collect();
    let c_in: Vec<f64> = c32.iter().map(|&x| x as f64).collect();
    let (want, scale) = gemm_definition(m, n, k, &a_in, sa, &b_in, sb, &c_in, ldc, accumulate);

    let mut got32 = c32.clone();
    scalar::gemm(
        m, n, k, &a32, sa.0, sa.1, &b32, sb.0, sb.1, &mut got32, ldc, accumulate,
    );
    let mut got64 = c_in.clone();
    scalar::gemm(
        m, n, k, &a_in, sa.0, sa.1, &b_in, sb.0, sb.1, &mut got64, ldc, accumulate,
    );

    let what = format!("m={m} n={n} k={k} a_t={a_t} b_t={b_t} ldc={ldc} acc={accumulate}");
    for i in 0..m {
        for j in 0..ldc {
            if j >= n {
                // Columns n..ldc belong to someone else.
                assert_eq!(
                    got32[i * ldc + j],
                    c32[i * ldc + j],
                    "{what}: f32 wrote padding ({i},{j})"
                );
                assert_eq!(
                    got64[i * ldc + j],
                    c_in[i * ldc + j],
                    "{what}: f64 wrote padding ({i},{j})"
                );
                continue;
            }
            let (w, s) = (want[i * n + j], scale[i * n + j]);
            let tol32 = (k + 1) as f64 * f32::EPSILON as f64 * s;
            let tol64 = (k + 1) as f64 * f64::EPSILON * s;
            let (g32, g64) = (got32[i * ldc + j] as f64, got64[i * ldc + j]);
            assert!(
                (g32 - w).abs() <= tol32,
                "{what}: f32 C({i},{j}) = {g32}, definition {w}"
            );
            assert!(
                (g64 - w).abs() <= tol64,
                "{what}: f64 C({i},{j}) = {g64}, definition {w}"
            );
        }
    }
}

#[test]
fn gemm_matches_definition_every_layout() {
    let mut rng = Rng::new(1);
    for &(m, n, k) in &[
        (0, 3, 4),
        (3, 0, 4),
        (3, 4, 0),
        (1, 1, 1),
        (2, 3, 5),
        (7, 5, 3),
        (6, 25, 784),
        (16, 100, 150),
        (13, 17, 300),
    ] {
        for a_t in [false, true] {
            for b_t in [false, true] {
                for accumulate in [false, true] {
                    check_gemm(m, n, k, a_t, b_t, n, accumulate, &mut rng);
                    check_gemm(m, n, k, a_t, b_t, n + 3, accumulate, &mut rng);
                }
            }
        }
    }
}

#[test]
fn gemm_small_literal() {
    // [1 2 3; 4 5 6] · [7 8; 9 10; 11 12] = [58 64; 139 154]
    let a = [1.0f32, 2.0, 3.0, 4.0, 5.0, 6.0];
    let b = [7.0f32, 8.0, 9.0, 10.0, 11.0, 12.0];
    let mut c = [100.0f32; 4];
    scalar::gemm(2, 2, 3, &a, 3, 1, &b, 2, 1, &mut c, 2, false);
    assert_eq!(c, [58.0, 64.0, 139.0, 154.0]);
    // Accumulating adds to what is there.
    scalar::gemm(2, 2, 3, &a, 3, 1, &b, 2, 1, &mut c, 2, true);
    assert_eq!(c, [116.0, 128.0, 278.0, 308.0]);
    // Aᵀ by strides: A stored (3×2) as [1 4; 2 5; 3 6] read with (rsa, csa) = (1, 2).
    let at = [1.0f32, 4.0, 2.0, 5.0, 3.0, 6.0];
    let mut c = [0.0f32; 4];
    scalar::gemm(2, 2, 3, &at, 1, 2, &b, 2, 1, &mut c, 2, false);
    assert_eq!(c, [58.0, 64.0, 139.0, 154.0]);
    // k = 0 is an empty sum: C = 0 (or unchanged when accumulating).
    let mut c = [5.0f32; 4];
    scalar::gemm(2, 2, 0, &[], 0, 0, &[], 0, 0, &mut c, 2, true);
    assert_eq!(c, [5.0; 4]);
    scalar::gemm(2, 2, 0, &[], 0, 0, &[], 0, 0, &mut c, 2, false);
    assert_eq!(c, [0.0; 4]);
}

// ------------------------------------------------------------------------------- conv geometry

#[test]
fn conv_geom_output_sizes() {
    // out = (in + 2·pad − k) / stride + 1
    let g = ConvGeom::new(3, 32, 32, 5, 5, 1, 2).unwrap(); // (32 + 4 − 5)/1 + 1 = 32 ("same")
    assert_eq!((g.oh, g.ow), (32, 32));
    assert_eq!((g.col_rows(), g.col_cols()), (3 * 25, 32 * 32));
    let g = ConvGeom::new(1, 28, 28, 5, 5, 1, 0).unwrap(); // (28 − 5) + 1 = 24 ("valid")
    assert_eq!((g.oh, g.ow), (24, 24));
    let g = ConvGeom::new(1, 7, 7, 3, 3, 2, 1).unwrap(); // (7 + 2 − 3)/2 + 1 = 4
    assert_eq!((g.oh, g.ow), (4, 4));
    let g = ConvGeom::new(1, 8, 8, 3, 3, 2, 1).unwrap(); // (8 + 2 − 3)/2 + 1 = 4 (floor)
    assert_eq!((g.oh, g.ow), (4, 4));
    let g = ConvGeom::new(2, 10, 6, 3, 2, 1, 0).unwrap(); // non-square: 8 × 5
    assert_eq!((g.oh, g.ow), (8, 5));
    let g = ConvGeom::new(1, 28, 28, 2, 2, 2, 0).unwrap(); // a 2×2/2 pooling window: 14
    assert_eq!((g.oh, g.ow), (14, 14));
    let g = ConvGeom::new(1, 3, 3, 5, 5, 1, 1).unwrap(); // kernel > input, but fits the padding: 1
    assert_eq!((g.oh, g.ow), (1, 1));
    // Kernel larger than the (padded) input, zero stride, zero kernel: no geometry.
    assert_eq!(ConvGeom::new(1, 4, 4, 5, 5, 1, 0), None);
    assert_eq!(ConvGeom::new(1, 4, 8, 5, 5, 1, 0), None);
    assert_eq!(ConvGeom::new(1, 4, 4, 3, 3, 0, 0), None);
    assert_eq!(ConvGeom::new(1, 4, 4, 0, 3, 1, 0), None);
}

// ------------------------------------------------------------------------------ im2col / col2im

#[test]
fn im2col_literal_valid() {
    // x (1, 3, 3) = 1..9, 2×2 kernel, stride 1, no padding: 4 rows (ky, kx), 2×2 = 4 columns.
    // Row (ky, kx), column (oy, ox) = x[oy + ky, ox + kx].
    let x: Vec<f64> = (1..=9).map(f64::from).collect();
    let g = ConvGeom::new(1, 3, 3, 2, 2, 1, 0).unwrap();
    let mut cols = vec![0.0; 16];
    scalar::im2col(&x, &g, &mut cols);
    #[rustfmt::skip]
    let want = [
        1.0, 2.0, 4.0, 5.0, // (0, 0)
        2.0, 3.0, 5.0, 6.0, // (0, 1)
        4.0, 5.0, 7.0, 8.0, // (1, 0)
        5.0, 6.0, 8.0, 9.0, // (1, 1)
    ];
    assert_eq!(cols, want);
}

#[test]
fn im2col_literal_padded_strided() {
    // x (2, 2, 2): channel 0 = [1 2; 3 4], channel 1 = [5 6; 7 8]; 3×3 kernel, stride 2, pad 1:
    // output 1×1 (= (2 + 2 − 3)/2 + 1), centred on x[0, 0]. Row (ci, ky, kx) = x[ci, ky−1, kx−1].
    let x = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0];
    let g = ConvGeom::new(2, 2, 2, 3, 3, 2, 1).unwrap();
    assert_eq!((g.oh, g.ow), (1, 1));
    let mut cols = vec![f64::NAN; 18];
    scalar::im2col(&x, &g, &mut cols);
    #[rustfmt::skip]
    let want = [
        0.0, 0.0, 0.0,   0.0, 1.0, 2.0,   0.0, 3.0, 4.0, // channel 0
        0.0, 0.0, 0.0,   0.0, 5.0, 6.0,   0.0, 7.0, 8.0, // channel 1
    ];
    assert_eq!(cols, want);
}

#[test]
fn col2im_literal_sums_overlaps() {
    // All-ones columns for a 2×2 kernel over 3×3: each pixel receives one 1 per window covering
    // it, so col2im(1) counts windows: corners 1, edges 2, centre 4.
    let g = ConvGeom::new(1, 3, 3, 2, 2, 1, 0).unwrap();
    let cols = vec![1.0; 16];
    let mut dx = vec![f64::NAN; 9];
    scalar::col2im(&cols, &g, &mut dx);
    assert_eq!(dx, [1.0, 2.0, 1.0, 2.0, 4.0, 2.0, 1.0, 2.0, 1.0]);
}

#[test]
fn im2col_col2im_are_adjoint() {
    // ⟨col2im(c), x⟩ = ⟨c, im2col(x)⟩ for all x, c: col2im is im2col's transpose, which is what
    // conv backward (dx = col2im(Wᵀ·dY)) relies on. In f64 the two sides agree to rounding.
    let mut rng = Rng::new(2);
    let mut checked = 0;
    for (c, h, w) in [
        (1, 1, 1),
        (1, 5, 7),
        (2, 7, 5),
        (3, 8, 8),
        (2, 13, 9),
        (3, 32, 32),
    ] {
        for (kh, kw) in [(1, 1), (3, 3), (5, 5), (3, 2)] {
            for stride in [1, 2, 3] {
                for pad in [0, 1, 2] {
                    let Some(g) = ConvGeom::new(c, h, w, kh, kw, stride, pad) else {
                        continue;
                    };
                    let x = random(c * h * w, &mut rng);
                    let cl = random(g.col_rows() * g.col_cols(), &mut rng);
                    let mut im_x = vec![0.0; cl.len()];
                    scalar::im2col(&x, &g, &mut im_x);
                    let mut back = vec![0.0; x.len()];
                    scalar::col2im(&cl, &g, &mut back);
                    let lhs: f64 = back.iter().zip(&x).map(|(a, b)| a * b).sum();
                    let rhs: f64 = cl.iter().zip(&im_x).map(|(a, b)| a * b).sum();
                    let scale: f64 = cl.iter().zip(&im_x).map(|(a, b)| (a * b).abs()).sum::<f64>() + 1e-300;
                    assert!(
                        (lhs - rhs).abs() <= 1e-12 * scale,
                        "{g:?}: ⟨col2im c, x⟩ = {lhs}, ⟨c, im2col x⟩ = {rhs}"
                    );
                    checked += 1;
                }
            }
        }
    }
    assert!(checked > 150, "only {checked} geometries checked");
}

#[test]
fn col2im_overwrites_dx() {
    // col2im writes dx, it does not add to it (the caller accumulates across images itself).
    let g = ConvGeom::new(1, 4, 4, 3, 3, 1, 1).unwrap();
    let cols = vec![0.0f32; g.col_rows() * g.col_cols()];
    let mut dx = vec![7.0f32; 16];
    scalar::col2im(&cols, &g, &mut dx);
    assert_eq!(dx, vec![0.0; 16]);
}

// -------------------------------------------------------------------------------- max pooling

#[test]
fn maxpool_literal_ties_and_nan() {
    // x (1, 4, 4), 2×2 / stride 2 → 2×2 outputs. Windows, in (ky, kx) order:
    //   [1 5 | 2 2]    top-left  (1, 5, 3, 4): max 5 at index 1
    //   [3 4 | 2 2]    top-right (2, 2, 2, 2): all tied, first wins: index 2
    //   [NaN 0 | 7 8]  bottom-left (NaN, 0, 9, 1): NaN first never loses (x > NaN is false): index 8
    //   [9   1 | 8 7]  bottom-right (7, 8, 8, 7): first 8 wins the tie: index 11
    let x = [
        1.0,
        5.0,
        2.0,
        2.0,
        3.0,
        4.0,
        2.0,
        2.0,
        f32::NAN,
        0.0,
        7.0,
        8.0,
        9.0,
        1.0,
        8.0,
        7.0,
    ];
    let g = ConvGeom::new(1, 4, 4, 2, 2, 2, 0).unwrap();
    let (mut y, mut argmax) = ([0.0f32; 4], [0u32; 4]);
    scalar::maxpool_forward(&x, &g, &mut y, &mut argmax);
    assert_eq!(argmax, [1, 2, 8, 11]);
    assert!(y[0] == 5.0 && y[1] == 2.0 && y[2].is_nan() && y[3] == 8.0);
    // Backward routes each gradient to its argmax and zeroes the rest.
    let mut dx = [f32::NAN; 16];
    scalar::maxpool_backward(&[10.0, 20.0, 30.0, 40.0], &argmax, &g, &mut dx);
    let mut want = [0.0f32; 16];
    (want[1], want[2], want[8], want[11]) = (10.0, 20.0, 30.0, 40.0);
    assert_eq!(dx, want);
}

#[test]
fn maxpool_backward_is_adjoint_of_selection() {
    // For a fixed argmax the forward is y = S·x with (S·v)[o] = v[argmax[o]]; backward must be
    // Sᵀ: ⟨backward(dy), v⟩ = ⟨dy, S·v⟩ — including overlapping windows (3×3 / stride 2), where
    // one pixel can be the maximum of two windows and receives both gradients.
    let mut rng = Rng::new(3);
    for (c, h, w, k, s) in [
        (2, 8, 8, 2, 2),
        (3, 9, 7, 2, 2),
        (2, 9, 9, 3, 2),
        (1, 6, 10, 2, 1),
    ] {
        let g = ConvGeom::new(c, h, w, k, k, s, 0).unwrap();
        let x = random(c * h * w, &mut rng);
        let outputs = c * g.oh * g.ow;
        let (mut y, mut argmax) = (vec![0.0; outputs], vec![0u32; outputs]);
        scalar::maxpool_forward(&x, &g, &mut y, &mut argmax);
        for (o, &i) in argmax.iter().enumerate() {
            assert_eq!(y[o], x[i as usize]);
        }
        let dy = random(outputs, &mut rng);
        let v = random(c * h * w, &mut rng);
        let mut dx = vec![0.0; c * h * w];
        scalar::maxpool_backward(&dy, &argmax, &g, &mut dx);
        let lhs: f64 = dx.iter().zip(&v).map(|(a, b)| a * b).sum();
        let rhs: f64 = dy.iter().zip(&argmax).map(|(d, &i)| d * v[i as usize]).sum();
        assert!((lhs - rhs).abs() < 1e-12, "{g:?}: {lhs} vs {rhs}");
    }
}

// -------------------------------------------------------------------------------- elementwise

#[test]
fn relu_conventions() {
    // max(x, 0) with the derivative at 0 taken as 0 (PyTorch's choice); NaN inputs give 0.
    let x = [-2.0f32, -0.0, 0.0, 1e-40, 3.0, f32::NAN, f32::INFINITY];
    let mut y = [9.0f32; 7];
    scalar::relu_forward(&x, &mut y);
    assert_eq!(
        y.map(f32::to_bits),
        [0.0, 0.0, 0.0, 1e-40, 3.0, 0.0, f32::INFINITY].map(f32::to_bits)
    );
    let dy = [10.0f32, 20.0, 30.0, 40.0, 50.0, 60.0, 70.0];
    let mut dx = [9.0f32; 7];
    scalar::relu_backward(&x, &dy, &mut dx);
    assert_eq!(dx, [0.0, 0.0, 0.0, 40.0, 50.0, 0.0, 70.0]);
}

#[test]
fn sgd_momentum_follows_pytorch() {
    // torch.optim.SGD(lr=0.1, momentum=0.9, weight_decay=0.01), two steps from v = 0:
    //   g' = g + wd·w ; v = μ·v + g' ; w = w − lr·v
    //   w = 1, g = 0.5:  g' = 0.51,  v = 0.51,             w = 1 − 0.051 = 0.949
    //   g = 0.5 again:   g' = 0.50949, v = 0.9·0.51 + 0.50949 = 0.96849, w = 0.949 − 0.096849 = 0.852151
    let (mut w, mut v) = ([1.0f64], [0.0f64]);
    scalar::sgd_momentum(&mut w, &[0.5], &mut v, 0.1, 0.9, 0.01);
    assert!((w[0] - 0.949).abs() < 1e-15 && (v[0] - 0.51).abs() < 1e-15);
    scalar::sgd_momentum(&mut w, &[0.5], &mut v, 0.1, 0.9, 0.01);
    assert!((w[0] - 0.852151).abs() < 1e-15, "w = {}", w[0]);
    assert!((v[0] - 0.96849).abs() < 1e-15, "v = {}", v[0]);
}

#[test]
fn axpy_and_sum() {
    let mut y = [1.0f32, 2.0, 3.0];
    scalar::axpy(2.0, &[10.0, 20.0, 30.0], &mut y);
    assert_eq!(y, [21.0, 42.0, 63.0]);
    assert_eq!(scalar::sum::<f32>(&[]), 0.0);
    assert_eq!(scalar::sum(&[1.0f64, 2.0, 3.5]), 6.5);
}

/// The wasm build's 16-partial order (simd128::sum, reproduced natively in page order), on inputs
/// whose sum depends on the order: 1 + 2⁻²⁴ rounds back to 1 (a tie, to even), so adding two
/// 2⁻²⁴ to 1 one at a time gives 1, but adding them to each other first gives 1 + 2⁻²³.
#[test]
fn sum_in_16_lanes_adds_in_the_simd128_order() {
    let tiny = f32::EPSILON / 2.0; // 2⁻²⁴
    let one_up = 1.0 + f32::EPSILON; // 1 + 2⁻²³, the next f32 after 1
                                     // x[1] and x[17] share partial 1; left to right each is lost against the 1 at x[0].
    let mut x = vec![0.0f32; 32];
    (x[0], x[1], x[17]) = (1.0, tiny, tiny);
    assert_eq!(scalar::sum(&x), 1.0);
    assert_eq!(scalar::sum_in_16_lanes(&x), one_up);
    // Partials 0 and 4 meet first: (p0 + p4) + (p8 + p12), and lane 0 before lane 1.
    let mut x = vec![0.0f32; 16];
    (x[0], x[4], x[1]) = (tiny, tiny, 1.0);
    assert_eq!(scalar::sum(&x), 1.0);
    assert_eq!(scalar::sum_in_16_lanes(&x), one_up);
    // A whole group of 4 after the last block of 16 goes to partials 0..4: x[16] joins x[0].
    let mut x = vec![0.0f32; 20];
    (x[3], x[0], x[16]) = (1.0, tiny, tiny);
    assert_eq!(scalar::sum_in_16_lanes(&x), one_up);
    // The last n mod 4 values are added one by one onto the folded partials: each tiny is lost.
    let mut x = vec![0.0f32; 23];
    (x[0], x[21], x[22]) = (1.0, tiny, tiny);
    assert_eq!(scalar::sum_in_16_lanes(&x), 1.0);
    // Short inputs are all tail; any input sums exactly when every partial is exact.
    assert_eq!(scalar::sum_in_16_lanes::<f32>(&[]), 0.0);
    assert_eq!(scalar::sum_in_16_lanes(&[2.5f32, 1.0, 0.5]), 4.0);
    let ints: Vec<f64> = (1..=1000).map(f64::from).collect();
    assert_eq!(scalar::sum_in_16_lanes(&ints), 500_500.0);
}

#[test]
fn real_trait_dispatches_natively() {
    // Natively f32's GEMM is matrixmultiply's sgemm, every other kernel (and all of f64) the
    // scalar oracle; the layers call them through the trait.
    let backend = trainlab::kernels::backend();
    assert!(
        backend.starts_with("native") && backend.ends_with("(matrixmultiply)"),
        "backend {backend}"
    );
    #[cfg(target_arch = "x86_64")]
    if is_x86_feature_detected!("avx2")
        && is_x86_feature_detected!("fma")
        && !is_x86_feature_detected!("avx512f")
    {
        assert_eq!(backend, "native avx2+fma (matrixmultiply)");
    }
    let mut c = [0.0f32; 1];
    <f32 as Real>::gemm(1, 1, 2, &[1.0, 2.0], 2, 1, &[3.0, 4.0], 1, 1, &mut c, 1, false);
    assert_eq!(c, [11.0]);
    assert_eq!(<f64 as Real>::sum(&[0.25, 0.5]), 0.75);
}

// ------------------------------------------------------------------ native sgemm vs the oracle

/// f32 GEMM through the trait (natively: matrixmultiply's sgemm, blocked k-sums and fused
/// multiply-adds) against the scalar oracle on the same inputs, every layout. Both are sums of the
/// same k products and C0 in different orders, each within (k+1)·u·Σ|terms| of the exact sum
/// (u = ε/2, the bound `check_gemm` uses), so they differ by at most (k+1)·ε·Σ|terms|.
/// The padding columns n..ldc of C must be left alone, and a non-accumulating call must not read C
/// (C starts as NaN there).
#[allow(clippy::too_many_arguments)]
fn check_native_gemm(
    m: usize,
    n: usize,
    k: usize,
    a_t: bool,
    b_t: bool,
    ldc: usize,
    accumulate: bool,
    rng: &mut Rng,
) {
    let sa = if a_t { (1, m) } else { (k, 1) };
    let sb = if b_t { (1, k) } else { (n, 1) };
    let a = to_f32(&random(m * k, rng));
    let b = to_f32(&random(k * n, rng));
    let c0: Vec<f32> = if accumulate {
        to_f32(&random(m * ldc, rng))
    } else {
        vec![f32::NAN; m * ldc]
    };
    let mut oracle = c0.clone();
    scalar::gemm(
        m,
        n,
        k,
        &a,
        sa.0,
        sa.1,
        &b,
        sb.0,
        sb.1,
        &mut oracle,
        ldc,
        accumulate,
    );
    let mut got = c0.clone();
    <f32 as Real>::gemm(m, n, k, &a, sa.0, sa.1, &b, sb.0, sb.1, &mut got, ldc, accumulate);

    let what = format!("m={m} n={n} k={k} a_t={a_t} b_t={b_t} ldc={ldc} acc={accumulate}");
    for i in 0..m {
        for j in 0..ldc {
            let at = i * ldc + j;
            if j >= n {
                assert!(
                    got[at].to_bits() == c0[at].to_bits(),
                    "{what}: wrote padding ({i},{j}): {} was {}",
                    got[at],
                    c0[at]
                );
                continue;
            }
            let mut scale: f64 = (0..k)
                .map(|p| (a[i * sa.0 + p * sa.1] as f64 * b[p * sb.0 + j * sb.1] as f64).abs())
                .sum();
            if accumulate {
                scale += (c0[at] as f64).abs();
            }
            let tol = (k + 1) as f64 * f32::EPSILON as f64 * scale;
            let (g, o) = (got[at] as f64, oracle[at] as f64);
            assert!(
                g.is_finite(),
                "{what}: C({i},{j}) = {g} (read the uninitialised C?)"
            );
            assert!(
                (g - o).abs() <= tol,
                "{what}: C({i},{j}) = {g}, oracle {o}, tolerance {tol:e}"
            );
        }
    }
}

#[test]
fn native_gemm_matches_the_oracle_every_layout() {
    let mut rng = Rng::new(2);
    // Shapes around sgemm's 8×8 (AVX2) / 16×… micro-tiles and its k blocking, so every edge path
    // (m, n not multiples of the tile, k past one block) runs, plus the network shapes.
    for &(m, n, k) in &[
        (0, 3, 4),
        (3, 0, 4),
        (3, 4, 0),
        (1, 1, 1),
        (2, 3, 5),
        (7, 5, 3),
        (8, 8, 8),
        (9, 17, 33),
        (6, 25, 784),
        (16, 100, 150),
        (13, 17, 300),
        (33, 65, 260),
        (64, 784, 25),
    ] {
        for a_t in [false, true] {
            for b_t in [false, true] {
                for accumulate in [false, true] {
                    check_native_gemm(m, n, k, a_t, b_t, n, accumulate, &mut rng);
                    check_native_gemm(m, n, k, a_t, b_t, n + 3, accumulate, &mut rng);
                }
            }
        }
    }
}

#[test]
fn native_gemm_k_zero_and_literals() {
    let a = [1.0f32, 2.0, 3.0, 4.0, 5.0, 6.0];
    let b = [7.0f32, 8.0, 9.0, 10.0, 11.0, 12.0];
    // Small integers are exact in any summation order.
    let mut c = [f32::NAN; 4];
    <f32 as Real>::gemm(2, 2, 3, &a, 3, 1, &b, 2, 1, &mut c, 2, false);
    assert_eq!(c, [58.0, 64.0, 139.0, 154.0]);
    <f32 as Real>::gemm(2, 2, 3, &a, 3, 1, &b, 2, 1, &mut c, 2, true);
    assert_eq!(c, [116.0, 128.0, 278.0, 308.0]);
    // k = 0: an empty sum. C = 0 without accumulating (even where C held NaN), unchanged with.
    let mut c = [5.0f32; 4];
    <f32 as Real>::gemm(2, 2, 0, &[], 0, 0, &[], 0, 0, &mut c, 2, true);
    assert_eq!(c, [5.0; 4]);
    let mut c = [f32::NAN; 4];
    <f32 as Real>::gemm(2, 2, 0, &[], 0, 0, &[], 0, 0, &mut c, 2, false);
    assert_eq!(c, [0.0; 4]);
}

#[test]
#[should_panic(expected = "gemm: B")]
fn native_gemm_refuses_a_short_operand() {
    // B as 3×2 needs 6 elements; 5 must be refused before sgemm reads past the slice.
    let mut c = [0.0f32; 4];
    <f32 as Real>::gemm(2, 2, 3, &[1.0; 6], 3, 1, &[1.0; 5], 2, 1, &mut c, 2, false);
}

#[test]
fn native_im2col_col2im_are_the_oracles_bit_for_bit() {
    // The native im2col/col2im only hoist the padding test: every geometry must give the oracle's
    // values exactly, including padding wider than the kernel (whole rows of zeros), strides that
    // skip pixels, and non-square inputs. Inputs include NaN and -0.0, which copies must keep.
    let mut rng = Rng::new(3);
    let mut checked = 0;
    for &(c, h, w, kh, kw, stride, pad) in &[
        (1, 28, 28, 5, 5, 1, 2),
        (6, 14, 14, 5, 5, 1, 0),
        (3, 32, 32, 3, 3, 1, 1),
        (2, 7, 5, 3, 2, 2, 1),
        (2, 9, 11, 4, 3, 3, 2),
        (1, 4, 4, 2, 2, 1, 3),
        (3, 6, 6, 1, 1, 2, 0),
        (1, 1, 1, 1, 1, 1, 0),
        (2, 5, 8, 5, 8, 1, 0),
    ] {
        let g = ConvGeom::new(c, h, w, kh, kw, stride, pad).expect("geometry fits");
        let mut x = to_f32(&random(c * h * w, &mut rng));
        x[0] = f32::NAN;
        if x.len() > 1 {
            x[1] = -0.0;
        }
        let n = g.col_rows() * g.col_cols();
        let (mut want, mut got) = (vec![7.0f32; n], vec![-7.0f32; n]);
        scalar::im2col(&x, &g, &mut want);
        <f32 as Real>::im2col(&x, &g, &mut got);
        let bits = |v: &[f32]| v.iter().map(|f| f.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(&got), bits(&want), "im2col {g:?}");
        // A block of rows, from the oracle and natively, is the same rows of the whole matrix.
        let (k, p) = (g.col_rows(), g.col_cols());
        for rows in [k / 3..k, 0..k.div_ceil(2), k - 1..k] {
            let whole = &want[rows.start * p..rows.end * p];
            let (mut oracle, mut native) = (vec![7.0f32; rows.len() * p], vec![-7.0f32; rows.len() * p]);
            scalar::im2col_rows(&x, &g, rows.clone(), &mut oracle);
            <f32 as Real>::im2col_rows(&x, &g, rows.clone(), &mut native);
            assert_eq!(bits(&oracle), bits(whole), "scalar im2col rows {rows:?} {g:?}");
            assert_eq!(bits(&native), bits(whole), "native im2col rows {rows:?} {g:?}");
        }

        let cols = to_f32(&random(n, &mut rng));
        let (mut want, mut got) = (vec![f32::NAN; c * h * w], vec![f32::NAN; c * h * w]);
        scalar::col2im(&cols, &g, &mut want);
        <f32 as Real>::col2im(&cols, &g, &mut got);
        assert_eq!(bits(&got), bits(&want), "col2im {g:?}");
        checked += 1;
    }
    assert_eq!(checked, 9);
}

#[test]
fn native_maxpool_forward_is_the_oracles_bit_for_bit() {
    // The native 2×2 stride-2 loop must pick the same element as the oracle: the first maximum in
    // window order, ties to the earlier one, a NaN never replacing the best (but kept when first).
    // Inputs from a few values so ties are common; odd sizes drop the last row and column; a 3×3
    // window takes the oracle's path and must agree too.
    let mut rng = Rng::new(4);
    for &(c, h, w, k, stride) in &[
        (6, 28, 28, 2, 2),
        (3, 7, 9, 2, 2),
        (2, 2, 2, 2, 2),
        (2, 9, 9, 3, 2),
    ] {
        let g = ConvGeom::new(c, h, w, k, k, stride, 0).expect("geometry fits");
        let mut x: Vec<f32> = (0..c * h * w).map(|_| rng.below(4) as f32 - 1.0).collect();
        for i in (0..x.len()).step_by(7) {
            x[i] = f32::NAN;
        }
        let n = g.c * g.oh * g.ow;
        let (mut y_want, mut a_want) = (vec![0.0f32; n], vec![0u32; n]);
        let (mut y_got, mut a_got) = (vec![5.0f32; n], vec![9u32; n]);
        scalar::maxpool_forward(&x, &g, &mut y_want, &mut a_want);
        <f32 as Real>::maxpool_forward(&x, &g, &mut y_got, &mut a_got);
        assert_eq!(a_got, a_want, "argmax {g:?}");
        let bits = |v: &[f32]| v.iter().map(|f| f.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(&y_got), bits(&y_want), "y {g:?}");
        assert!(
            y_got.iter().any(|v| v.is_nan()),
            "the NaN-first windows were exercised"
        );
    }
}
