//! Numeric kernels behind a safe slice API.
//!
//! `scalar` is always compiled: it is the test oracle and the fallback. `simd128` holds the wasm
//! `unsafe` lines and is compiled only for wasm32 with `+simd128` (see `.cargo/config.toml`): a
//! module containing v128 ops does not validate on an engine without SIMD, so the choice is made
//! at compile time, never at run time. Off wasm, `native` runs the f32 GEMM through
//! `matrixmultiply` (which picks AVX2/FMA at run time) and im2col/col2im with the padding test
//! hoisted (bit for bit the oracle's); the other native kernels are the scalar loops
//! ([`sum_in_page_order`] makes every native f32 kernel add in the simd128 build's order). Layers
//! are generic over [`Real`] so the gradient checks can run the very same layer code in f64; f64
//! always takes the scalar path.
//!
//! Which builds give the same bits: the wasm simd128 build, the wasm threads build and a native run
//! in page order agree bit for bit (tests/e2e/page-order.test.mjs checks native against simd128):
//! their kernels add in the same order, no kernel fuses a multiply-add, and every exp, ln, tanh, ...
//! comes from the `libm` crate through [`crate::math`] on every target. The relaxed-simd build's
//! GEMM fuses multiply-adds and the native default's (matrixmultiply) blocks and fuses them too:
//! both round differently, so their seeded runs drift apart from the page's within a few hundred
//! steps. Not covered: `rand_distr`'s samplers (the normal initialisation, Mixup's Beta) call std's
//! f64 functions, the system's natively; an f64 draw that differs in its last bit still rounds to
//! the same f32 but for about one in 10⁸ (and the normal sampler's rare exp-based rejection test
//! could flip), so a native run may part from the page there, though none of the tested runs do.

#[cfg(not(target_arch = "wasm32"))]
pub mod native;
pub mod scalar;
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
pub mod simd128;

use num_traits::{Float, FromPrimitive, ToPrimitive};
use std::fmt::Debug;

/// Geometry of one 2-D convolution (or pooling window) over a single image.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ConvGeom {
    /// input channels, height, width
    pub c: usize,
    pub h: usize,
    pub w: usize,
    /// kernel height and width
    pub kh: usize,
    pub kw: usize,
    pub stride: usize,
    pub pad: usize,
    /// output height and width: (h + 2*pad - kh) / stride + 1
    pub oh: usize,
    pub ow: usize,
}

impl ConvGeom {
    /// None when the kernel does not fit in the padded input, the stride is zero, or a size does
    /// not fit a usize (checked: on the 32-bit wasm build a huge padding must not wrap into a small
    /// output).
    pub fn new(
        c: usize,
        h: usize,
        w: usize,
        kh: usize,
        kw: usize,
        stride: usize,
        pad: usize,
    ) -> Option<Self> {
        if stride == 0 || kh == 0 || kw == 0 {
            return None;
        }
        let side = |n: usize, k: usize| -> Option<usize> {
            let padded = pad.checked_mul(2)?.checked_add(n)?;
            Some(padded.checked_sub(k)? / stride + 1)
        };
        let (oh, ow) = (side(h, kh)?, side(w, kw)?);
        // The im2col matrix (C·KH·KW × OH·OW) must be addressable too.
        c.checked_mul(kh)?
            .checked_mul(kw)?
            .checked_mul(oh.checked_mul(ow)?)?;
        Some(ConvGeom {
            c,
            h,
            w,
            kh,
            kw,
            stride,
            pad,
            oh,
            ow,
        })
    }

    /// Rows of the im2col matrix: C*KH*KW.
    pub fn col_rows(&self) -> usize {
        self.c * self.kh * self.kw
    }

    /// Columns of the im2col matrix: OH*OW.
    pub fn col_cols(&self) -> usize {
        self.oh * self.ow
    }
}

/// The float types layers run in: f32 on the page, f64 in gradient checks.
/// Each method is one kernel; f32 dispatches to SIMD where compiled, f64 to the scalar oracle.
/// Transcendental functions come from [`crate::math`] (`math::exp(x)`), not from `Float`: see there.
pub trait Real:
    Float
    + FromPrimitive
    + ToPrimitive
    + Default
    + Debug
    + Send
    + Sync
    + 'static
    + std::iter::Sum
    + crate::math::Transcendental
{
    /// C(m×n, row stride ldc) = op(A)·op(B) (+ C if `accumulate`).
    /// A element (i, p) is `a[i*rsa + p*csa]`, B element (p, j) is `b[p*rsb + j*csb]`, so transposes
    /// are expressed by swapping strides. C rows are contiguous.
    #[allow(clippy::too_many_arguments)]
    fn gemm(
        m: usize,
        n: usize,
        k: usize,
        a: &[Self],
        rsa: usize,
        csa: usize,
        b: &[Self],
        rsb: usize,
        csb: usize,
        c: &mut [Self],
        ldc: usize,
        accumulate: bool,
    );
    /// cols (C*KH*KW, OH*OW) from one image x (C, H, W); padding reads as zero.
    fn im2col(x: &[Self], g: &ConvGeom, cols: &mut [Self]) {
        Self::im2col_rows(x, g, 0..g.col_rows(), cols)
    }
    /// Rows `rows` of im2col's matrix into cols (rows.len(), OH*OW): what a thread computing only
    /// those columns of the filter gradient reads.
    fn im2col_rows(x: &[Self], g: &ConvGeom, rows: std::ops::Range<usize>, cols: &mut [Self]);
    /// dx (C, H, W) = sum of cols scattered back to the pixels they were read from (overwrites dx).
    fn col2im(cols: &[Self], g: &ConvGeom, dx: &mut [Self]);
    /// y += a·x
    fn axpy(a: Self, x: &[Self], y: &mut [Self]);
    /// y = max(x, 0)
    fn relu_forward(x: &[Self], y: &mut [Self]);
    /// dx = dy where x > 0, else 0
    fn relu_backward(x: &[Self], dy: &[Self], dx: &mut [Self]);
    /// PyTorch SGD with momentum: g' = g + wd·w; v = μ·v + g'; w -= lr·v
    fn sgd_momentum(w: &mut [Self], g: &[Self], v: &mut [Self], lr: Self, momentum: Self, weight_decay: Self);
    /// Σ x
    fn sum(x: &[Self]) -> Self;
    /// Max pooling of one image x (C, H, W) over the windows of `g` (pad 0): y (C, OH, OW) and
    /// argmax[o] = flat index into x of window o's first maximum (see `scalar::maxpool_forward`).
    fn maxpool_forward(x: &[Self], g: &ConvGeom, y: &mut [Self], argmax: &mut [u32]);
    /// dx (C, H, W) = 0, then dx[argmax[o]] += dy[o]; `argmax` from `maxpool_forward` with the
    /// same `g` (overwrites dx).
    fn maxpool_backward(dy: &[Self], argmax: &[u32], g: &ConvGeom, dx: &mut [Self]);

    fn of(x: f64) -> Self {
        Self::from_f64(x).expect("representable")
    }
}

/// Name of the kernel family compiled into this build (shown on the page). Natively the GEMM's
/// micro-kernel is chosen at run time, so [`backend`] names it more precisely.
pub const BACKEND: &str = if cfg!(all(
    target_arch = "wasm32",
    target_feature = "simd128",
    target_feature = "relaxed-simd"
)) {
    "wasm relaxed-simd"
} else if cfg!(all(target_arch = "wasm32", target_feature = "simd128")) {
    "wasm simd128"
} else if cfg!(target_arch = "wasm32") {
    "wasm scalar"
} else {
    "native (matrixmultiply)"
};

/// Natively, whether f32 kernels sum in the page's order, the simd128 build's: GEMMs in the scalar
/// oracle's order (which the simd128 and threads GEMMs reproduce bit for bit), `sum` in simd128's
/// 16 partial sums ([`scalar::sum_in_16_lanes`]); the other kernels add in that order already.
/// matrixmultiply's blocked FMA order is faster but rounds differently, and over hundreds of steps
/// a seeded run drifts from the page's; a native run whose figures must be the page's own (the
/// scenario claims, tests/scenarios.rs) asks for the page order.
#[cfg(not(target_arch = "wasm32"))]
static PAGE_ORDER: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Native f32 kernels in the page's summation order (`true`: the simd128 build's, bit for bit) or
/// the native default (`false`: matrixmultiply's GEMM, the oracle's left-to-right `sum`), for every
/// thread of this process. No effect on wasm, which always uses its own order.
pub fn sum_in_page_order(on: bool) {
    #[cfg(not(target_arch = "wasm32"))]
    PAGE_ORDER.store(on, std::sync::atomic::Ordering::Relaxed);
    #[cfg(target_arch = "wasm32")]
    let _ = on;
}

/// The kernels this process runs: [`BACKEND`] on wasm; natively it also names the CPU features
/// the GEMM dispatches on ("native avx2+fma (matrixmultiply)").
pub fn backend() -> &'static str {
    #[cfg(not(target_arch = "wasm32"))]
    {
        if PAGE_ORDER.load(std::sync::atomic::Ordering::Relaxed) {
            return "native scalar (the page's summation order)";
        }
        native::backend()
    }
    #[cfg(target_arch = "wasm32")]
    {
        BACKEND
    }
}

// The elementwise kernels and max-pool backward, from the scalar oracle (native f32 too).
macro_rules! scalar_rest {
    () => {
        fn axpy(a: Self, x: &[Self], y: &mut [Self]) {
            scalar::axpy(a, x, y)
        }
        fn relu_forward(x: &[Self], y: &mut [Self]) {
            scalar::relu_forward(x, y)
        }
        fn relu_backward(x: &[Self], dy: &[Self], dx: &mut [Self]) {
            scalar::relu_backward(x, dy, dx)
        }
        fn sgd_momentum(
            w: &mut [Self],
            g: &[Self],
            v: &mut [Self],
            lr: Self,
            momentum: Self,
            weight_decay: Self,
        ) {
            scalar::sgd_momentum(w, g, v, lr, momentum, weight_decay)
        }
        fn maxpool_backward(dy: &[Self], argmax: &[u32], g: &ConvGeom, dx: &mut [Self]) {
            scalar::maxpool_backward(dy, argmax, g, dx)
        }
    };
}

// Every kernel from the scalar oracle (f64, and f32 on a wasm build without SIMD).
macro_rules! scalar_impl {
    () => {
        fn gemm(
            m: usize,
            n: usize,
            k: usize,
            a: &[Self],
            rsa: usize,
            csa: usize,
            b: &[Self],
            rsb: usize,
            csb: usize,
            c: &mut [Self],
            ldc: usize,
            accumulate: bool,
        ) {
            scalar::gemm(m, n, k, a, rsa, csa, b, rsb, csb, c, ldc, accumulate)
        }
        fn im2col_rows(x: &[Self], g: &ConvGeom, rows: std::ops::Range<usize>, cols: &mut [Self]) {
            scalar::im2col_rows(x, g, rows, cols)
        }
        fn col2im(cols: &[Self], g: &ConvGeom, dx: &mut [Self]) {
            scalar::col2im(cols, g, dx)
        }
        fn maxpool_forward(x: &[Self], g: &ConvGeom, y: &mut [Self], argmax: &mut [u32]) {
            scalar::maxpool_forward(x, g, y, argmax)
        }
        fn sum(x: &[Self]) -> Self {
            scalar::sum(x)
        }
        scalar_rest!();
    };
}

impl Real for f64 {
    scalar_impl!();
}

// A wasm build without SIMD (not shipped; kept compiling so the fallback stays honest).
#[cfg(all(target_arch = "wasm32", not(target_feature = "simd128")))]
impl Real for f32 {
    scalar_impl!();
}

#[cfg(not(target_arch = "wasm32"))]
impl Real for f32 {
    #[allow(clippy::too_many_arguments)]
    fn gemm(
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
        if PAGE_ORDER.load(std::sync::atomic::Ordering::Relaxed) {
            scalar::gemm(m, n, k, a, rsa, csa, b, rsb, csb, c, ldc, accumulate)
        } else {
            native::gemm(m, n, k, a, rsa, csa, b, rsb, csb, c, ldc, accumulate)
        }
    }
    fn im2col_rows(x: &[f32], g: &ConvGeom, rows: std::ops::Range<usize>, cols: &mut [f32]) {
        native::im2col_rows(x, g, rows, cols)
    }
    fn col2im(cols: &[f32], g: &ConvGeom, dx: &mut [f32]) {
        native::col2im(cols, g, dx)
    }
    fn maxpool_forward(x: &[f32], g: &ConvGeom, y: &mut [f32], argmax: &mut [u32]) {
        native::maxpool_forward(x, g, y, argmax)
    }
    fn sum(x: &[f32]) -> f32 {
        // The page's `simd128::sum` reassociates into 16 partial sums (the conv bias gradient).
        if PAGE_ORDER.load(std::sync::atomic::Ordering::Relaxed) {
            scalar::sum_in_16_lanes(x)
        } else {
            scalar::sum(x)
        }
    }
    scalar_rest!();
}

#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
impl Real for f32 {
    fn gemm(
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
        simd128::gemm(m, n, k, a, rsa, csa, b, rsb, csb, c, ldc, accumulate)
    }
    fn im2col_rows(x: &[f32], g: &ConvGeom, rows: std::ops::Range<usize>, cols: &mut [f32]) {
        simd128::im2col_rows(x, g, rows, cols)
    }
    fn col2im(cols: &[f32], g: &ConvGeom, dx: &mut [f32]) {
        simd128::col2im(cols, g, dx)
    }
    fn axpy(a: f32, x: &[f32], y: &mut [f32]) {
        simd128::axpy(a, x, y)
    }
    fn relu_forward(x: &[f32], y: &mut [f32]) {
        simd128::relu_forward(x, y)
    }
    fn relu_backward(x: &[f32], dy: &[f32], dx: &mut [f32]) {
        simd128::relu_backward(x, dy, dx)
    }
    fn sgd_momentum(w: &mut [f32], g: &[f32], v: &mut [f32], lr: f32, momentum: f32, weight_decay: f32) {
        simd128::sgd_momentum(w, g, v, lr, momentum, weight_decay)
    }
    fn sum(x: &[f32]) -> f32 {
        simd128::sum(x)
    }
    fn maxpool_forward(x: &[f32], g: &ConvGeom, y: &mut [f32], argmax: &mut [u32]) {
        simd128::maxpool_forward(x, g, y, argmax)
    }
    fn maxpool_backward(dy: &[f32], argmax: &[u32], g: &ConvGeom, dx: &mut [f32]) {
        simd128::maxpool_backward(dy, argmax, g, dx)
    }
}
