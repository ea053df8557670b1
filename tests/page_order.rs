//! `kernels::sum_in_page_order`: natively the f32 kernels then add in the wasm simd128 build's
//! order. Its own test binary, because the switch is process-wide and tests/kernels.rs checks the
//! native default in parallel. (The whole-run check, native page order against the simd128 build
//! bit for bit, is tests/e2e/page-order.test.mjs.)

#![cfg(not(target_arch = "wasm32"))]

use trainlab::kernels::{self, scalar, Real};

#[test]
fn page_order_switches_sum_and_gemm_to_the_page_order_and_back() {
    // Order-dependent inputs (see tests/kernels.rs): 1 and two 2⁻²⁴ in one partial of simd128's sum.
    let tiny = f32::EPSILON / 2.0;
    let mut x = vec![0.0f32; 40];
    (x[0], x[1], x[17]) = (1.0, tiny, tiny);
    // A GEMM row whose sum matrixmultiply may order differently: the oracle's order is checked
    // bit for bit against scalar::gemm only in page order.
    let k = 300;
    let a: Vec<f32> = (0..k).map(|i| ((i * 37 % 101) as f32 - 50.0) / 7.0).collect();
    let b: Vec<f32> = (0..k).map(|i| ((i * 53 % 97) as f32 - 48.0) / 3.0).collect();
    let gemm = |c: &mut [f32; 1]| <f32 as Real>::gemm(1, 1, k, &a, k, 1, &b, 1, 1, c, 1, false);
    let mut want = [0.0f32; 1];
    scalar::gemm(1, 1, k, &a, k, 1, &b, 1, 1, &mut want, 1, false);

    kernels::sum_in_page_order(true);
    assert_eq!(kernels::backend(), "native scalar (the page's summation order)");
    assert_eq!(
        <f32 as Real>::sum(&x),
        1.0 + f32::EPSILON,
        "simd128's 16 partial sums"
    );
    let mut c = [0.0f32; 1];
    gemm(&mut c);
    assert_eq!(c[0].to_bits(), want[0].to_bits(), "the oracle's GEMM order");
    // f64 (gradient checks) always takes the oracle.
    let x64: Vec<f64> = x.iter().map(|&v| v as f64).collect();
    assert_eq!(<f64 as Real>::sum(&x64), scalar::sum(&x64));

    kernels::sum_in_page_order(false);
    assert!(kernels::backend().ends_with("(matrixmultiply)"));
    assert_eq!(<f32 as Real>::sum(&x), 1.0, "the oracle's left-to-right sum");
}
