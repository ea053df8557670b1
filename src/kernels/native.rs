//! The native (non-wasm) f32 kernels that differ from the scalar oracle. The GEMM is
//! `matrixmultiply::sgemm`, which picks its AVX-512, AVX2+FMA or AVX micro-kernel at run time, behind
//! the same safe slice API as `scalar::gemm`. im2col/col2im are the oracle's loops with the padding
//! test hoisted out of the inner loop (a quarter of a lenet step natively went to the per-pixel
//! bounds test), and the 2×2 max-pool forward has its own loop; they move, add or compare exactly
//! the same values in the same order, so they are bit for bit the oracle's. The other kernels are
//! the oracle's own (see `super::scalar`).
//!
//! The GEMM's results differ from the scalar oracle by rounding only: sgemm blocks the k-sum and uses fused
//! multiply-adds, so an element is Σ_p a·b summed in another order. tests/kernels.rs bounds the
//! difference. Unlike the oracle it does not skip zero A entries, so 0·∞ or 0·NaN in B gives NaN
//! (the IEEE answer) where the oracle gives 0.

use super::ConvGeom;

/// See [`super::Real::gemm`]. Panics, naming the operand, when a stride reaches past its slice.
#[allow(clippy::too_many_arguments)]
pub fn gemm(
    m: usize,
    n: usize,
    k: usize,
    a: &[f32],
    rsa: usize,
    csa: usize,
    b: &[f32],
    rsb: usize,
    csb: usize,
    c: &mut [f32],
    ldc: usize,
    accumulate: bool,
) {
    if m == 0 || n == 0 {
        return;
    }
    // sgemm takes raw pointers: every element it may touch must lie inside its slice. A and B
    // are read only when k > 0 (for k = 0 sgemm only scales C by beta).
    let last = |rows: usize, rs: usize, cols: usize, cs: usize| (rows - 1) * rs + (cols - 1) * cs;
    if k > 0 {
        let (la, lb) = (last(m, rsa, k, csa), last(k, rsb, n, csb));
        assert!(
            la < a.len(),
            "gemm: A ({m}×{k}, strides {rsa},{csa}) needs index {la}, has {}",
            a.len()
        );
        assert!(
            lb < b.len(),
            "gemm: B ({k}×{n}, strides {rsb},{csb}) needs index {lb}, has {}",
            b.len()
        );
    }
    assert!(ldc >= n, "gemm: C row stride {ldc} < n = {n}: rows would overlap");
    let lc = last(m, ldc, n, 1);
    assert!(
        lc < c.len(),
        "gemm: C ({m}×{n}, row stride {ldc}) needs index {lc}, has {}",
        c.len()
    );
    let s = |x: usize| isize::try_from(x).expect("gemm: stride fits an isize");
    // beta = 0: sgemm overwrites C without reading it (its documented contract, and it writes
    // zero rather than 0·C), so stale NaNs in an output buffer do not leak into the result.
    let beta = if accumulate { 1.0 } else { 0.0 };
    // SAFETY: the asserts above keep every index sgemm forms, (i·rs + p·cs) for i < rows and
    // p < cols, inside the slices; `c` is a unique borrow, so it aliases neither `a` nor `b`, and
    // ldc ≥ n keeps C's elements distinct.
    unsafe {
        matrixmultiply::sgemm(
            m,
            k,
            n,
            1.0,
            a.as_ptr(),
            s(rsa),
            s(csa),
            b.as_ptr(),
            s(rsb),
            s(csb),
            beta,
            c.as_mut_ptr(),
            s(ldc),
            1,
        )
    }
}

/// The output columns ox whose input column ox·stride + kx − pad lies inside 0..w.
fn valid_columns(g: &ConvGeom, kx: usize) -> std::ops::Range<usize> {
    // first ox with ox·s + kx ≥ pad, and one past the last with ox·s + kx − pad < w
    let lo = g.pad.saturating_sub(kx).div_ceil(g.stride).min(g.ow);
    let hi = if g.w + g.pad > kx {
        (g.w + g.pad - kx).div_ceil(g.stride).min(g.ow)
    } else {
        0
    };
    lo..hi.max(lo)
}

/// See [`super::Real::im2col`]; the values of `scalar::im2col`.
pub fn im2col_rows(x: &[f32], g: &ConvGeom, rows: std::ops::Range<usize>, cols: &mut [f32]) {
    let (ohw, s) = (g.oh * g.ow, g.stride);
    let x = &x[..g.c * g.h * g.w];
    let cols = &mut cols[..rows.len() * ohw];
    for (r, out) in rows.zip(cols.chunks_exact_mut(ohw.max(1))) {
        let (ci, ky, kx) = (r / (g.kh * g.kw), r / g.kw % g.kh, r % g.kw);
        let cols_in = valid_columns(g, kx);
        for (oy, row) in out.chunks_exact_mut(g.ow.max(1)).enumerate().take(g.oh) {
            let iy = (oy * s + ky) as isize - g.pad as isize;
            if iy < 0 || iy >= g.h as isize || cols_in.is_empty() {
                row.fill(0.0);
                continue;
            }
            row[..cols_in.start].fill(0.0);
            row[cols_in.end..].fill(0.0);
            let base = (ci * g.h + iy as usize) * g.w + cols_in.start * s + kx - g.pad;
            let dst = &mut row[cols_in.clone()];
            if s == 1 {
                dst.copy_from_slice(&x[base..base + dst.len()]);
            } else {
                for (j, d) in dst.iter_mut().enumerate() {
                    *d = x[base + j * s];
                }
            }
        }
    }
}

/// See [`super::Real::col2im`]; the sums of `scalar::col2im`, added in its order.
pub fn col2im(cols: &[f32], g: &ConvGeom, dx: &mut [f32]) {
    let (ohw, s) = (g.oh * g.ow, g.stride);
    let dx = &mut dx[..g.c * g.h * g.w];
    dx.fill(0.0);
    for (r, src) in cols[..g.col_rows() * ohw]
        .chunks_exact(ohw.max(1))
        .enumerate()
        .take(g.col_rows())
    {
        let (ci, ky, kx) = (r / (g.kh * g.kw), r / g.kw % g.kh, r % g.kw);
        let cols_in = valid_columns(g, kx);
        if cols_in.is_empty() {
            continue;
        }
        for (oy, row) in src.chunks_exact(g.ow.max(1)).enumerate().take(g.oh) {
            let iy = (oy * s + ky) as isize - g.pad as isize;
            if iy < 0 || iy >= g.h as isize {
                continue;
            }
            let base = (ci * g.h + iy as usize) * g.w + cols_in.start * s + kx - g.pad;
            let add = &row[cols_in.clone()];
            if s == 1 {
                for (d, &v) in dx[base..base + add.len()].iter_mut().zip(add) {
                    *d += v;
                }
            } else {
                for (j, &v) in add.iter().enumerate() {
                    dx[base + j * s] += v;
                }
            }
        }
    }
}

/// See [`super::Real::maxpool_forward`]; the outputs and argmax of `scalar::maxpool_forward`. The
/// 2×2 stride-2 window of every network here gets its own loop over row pairs (the generic one
/// spent a sixth of a lenet step on index arithmetic and bounds tests); it compares the same four
/// elements in the same order with the same strict `>`, so ties and NaNs resolve identically.
pub fn maxpool_forward(x: &[f32], g: &ConvGeom, y: &mut [f32], argmax: &mut [u32]) {
    if !(g.kh == 2 && g.kw == 2 && g.stride == 2 && g.pad == 0) {
        return super::scalar::maxpool_forward(x, g, y, argmax);
    }
    let (h, w, ow) = (g.h, g.w, g.ow);
    let x = &x[..g.c * h * w];
    let outputs = g.c * g.oh * ow;
    let (y, argmax) = (&mut y[..outputs], &mut argmax[..outputs]);
    for c in 0..g.c {
        for oy in 0..g.oh {
            let top = (c * h + 2 * oy) * w;
            let (r0, r1) = (&x[top..top + 2 * ow], &x[top + w..top + w + 2 * ow]);
            let o = (c * g.oh + oy) * ow;
            let (yr, ar) = (&mut y[o..o + ow], &mut argmax[o..o + ow]);
            for (ox, (yo, ao)) in yr.iter_mut().zip(ar.iter_mut()).enumerate() {
                let (a, b) = (2 * ox, 2 * ox + 1);
                let (mut best, mut at) = (r0[a], top + a);
                if r0[b] > best {
                    (best, at) = (r0[b], top + b);
                }
                if r1[a] > best {
                    (best, at) = (r1[a], top + w + a);
                }
                if r1[b] > best {
                    (best, at) = (r1[b], top + w + b);
                }
                *yo = best;
                *ao = at as u32;
            }
        }
    }
}

/// Which micro-kernel sgemm dispatches to on this CPU, by the same feature tests it makes.
pub fn backend() -> &'static str {
    #[cfg(any(target_arch = "x86", target_arch = "x86_64"))]
    {
        if is_x86_feature_detected!("avx512f") {
            return "native avx512f (matrixmultiply)";
        }
        if is_x86_feature_detected!("avx2") && is_x86_feature_detected!("fma") {
            return "native avx2+fma (matrixmultiply)";
        }
    }
    "native (matrixmultiply)"
}
