//! The native (non-wasm) f32 GEMM: `matrixmultiply::sgemm`, which picks its AVX-512, AVX2+FMA or AVX
//! micro-kernel at run time, behind the same safe slice API as `scalar::gemm`. Only the GEMM is
//! here: it is the bulk of a training step, and the other kernels are plain loops the compiler
//! vectorises well enough natively (see `super::scalar`).
//!
//! Results differ from the scalar oracle by rounding only: sgemm blocks the k-sum and uses fused
//! multiply-adds, so an element is Σ_p a·b summed in another order. tests/kernels.rs bounds the
//! difference. Unlike the oracle it does not skip zero A entries, so 0·∞ or 0·NaN in B gives NaN
//! (the IEEE answer) where the oracle gives 0.

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
