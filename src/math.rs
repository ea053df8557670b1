//! The transcendental functions of training and evaluation, computed by the `libm` crate on every
//! target, so that they give the same bits natively and in wasm.
//!
//! Why not std's `f32::exp`, `ln`, `tanh`, ...: natively they call the system C library (glibc on
//! Linux), while on wasm32-unknown-unknown Rust's std calls compiler-builtins' port of musl's libm.
//! Both are accurate to about an ulp but round differently on some inputs (`exp`: ~1 in 120 f32
//! inputs, `ln`: ~1 in 20), and one flipped last bit in a softmax is enough for a native run in the
//! page's summation order (`kernels::sum_in_page_order`) to leave the page's trajectory after its
//! first step. The `libm` crate is that same musl port as plain Rust code, so calling it on both
//! targets makes the native run the page's own, bit for bit (tests/e2e/page-order.test.mjs).
//!
//! Call these as `math::exp(x)` (free functions, generic over f32 and f64 through
//! [`Transcendental`]) wherever a value feeds training or evaluation. `sqrt` is correctly rounded by
//! IEEE 754 on every target and stays std's. [`powi`] is written out (square and multiply) rather
//! than left to `f32::powi`, whose lowering (a runtime call or an unrolled product) is the
//! compiler's choice.

/// The functions [`Transcendental`] routes to `libm`, one method each (f32: `expf`, `logf`, ...;
/// f64: `exp`, `log`, ...). Implemented for f32 and f64; a supertrait of `kernels::Real`.
pub trait Transcendental: Copy {
    fn exp(self) -> Self;
    fn exp_m1(self) -> Self;
    /// Natural logarithm.
    fn ln(self) -> Self;
    /// ln(1 + x), accurate for small x.
    fn ln_1p(self) -> Self;
    fn log10(self) -> Self;
    fn tanh(self) -> Self;
    fn sin(self) -> Self;
    fn cos(self) -> Self;
    fn powf(self, y: Self) -> Self;
}

impl Transcendental for f32 {
    fn exp(self) -> f32 {
        libm::expf(self)
    }
    fn exp_m1(self) -> f32 {
        libm::expm1f(self)
    }
    fn ln(self) -> f32 {
        libm::logf(self)
    }
    fn ln_1p(self) -> f32 {
        libm::log1pf(self)
    }
    fn log10(self) -> f32 {
        libm::log10f(self)
    }
    fn tanh(self) -> f32 {
        libm::tanhf(self)
    }
    fn sin(self) -> f32 {
        libm::sinf(self)
    }
    fn cos(self) -> f32 {
        libm::cosf(self)
    }
    fn powf(self, y: f32) -> f32 {
        libm::powf(self, y)
    }
}

impl Transcendental for f64 {
    fn exp(self) -> f64 {
        libm::exp(self)
    }
    fn exp_m1(self) -> f64 {
        libm::expm1(self)
    }
    fn ln(self) -> f64 {
        libm::log(self)
    }
    fn ln_1p(self) -> f64 {
        libm::log1p(self)
    }
    fn log10(self) -> f64 {
        libm::log10(self)
    }
    fn tanh(self) -> f64 {
        libm::tanh(self)
    }
    fn sin(self) -> f64 {
        libm::sin(self)
    }
    fn cos(self) -> f64 {
        libm::cos(self)
    }
    fn powf(self, y: f64) -> f64 {
        libm::pow(self, y)
    }
}

/// eˣ
pub fn exp<T: Transcendental>(x: T) -> T {
    Transcendental::exp(x)
}

/// eˣ − 1, accurate for small x.
pub fn exp_m1<T: Transcendental>(x: T) -> T {
    Transcendental::exp_m1(x)
}

/// Natural logarithm.
pub fn ln<T: Transcendental>(x: T) -> T {
    Transcendental::ln(x)
}

/// ln(1 + x), accurate for small x.
pub fn ln_1p<T: Transcendental>(x: T) -> T {
    Transcendental::ln_1p(x)
}

pub fn log10<T: Transcendental>(x: T) -> T {
    Transcendental::log10(x)
}

pub fn tanh<T: Transcendental>(x: T) -> T {
    Transcendental::tanh(x)
}

pub fn sin<T: Transcendental>(x: T) -> T {
    Transcendental::sin(x)
}

pub fn cos<T: Transcendental>(x: T) -> T {
    Transcendental::cos(x)
}

/// xʸ
pub fn powf<T: Transcendental>(x: T, y: T) -> T {
    Transcendental::powf(x, y)
}

/// xⁿ by square and multiply: the bit of n set at each doubling multiplies the result by that
/// power of x, lowest first, and a negative n takes the reciprocal at the end. This is the order of
/// compiler-builtins' `__powidf2` (and libgcc's), which `f64::powi` with a run-time exponent
/// calls, so replacing `powi` by it leaves every value as it was.
pub fn powi<T: num_traits::Float>(x: T, n: i32) -> T {
    let mut result = T::one();
    let mut power = x;
    let mut bits = n.unsigned_abs();
    loop {
        if bits & 1 == 1 {
            result = result * power;
        }
        bits >>= 1;
        if bits == 0 {
            break;
        }
        power = power * power;
    }
    if n < 0 {
        T::one() / result
    } else {
        result
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Distance in ulps between two finite floats of one sign.
    fn ulps32(a: f32, b: f32) -> u64 {
        (a.to_bits() as i64 - b.to_bits() as i64).unsigned_abs()
    }

    fn ulps64(a: f64, b: f64) -> u64 {
        (a.to_bits() as i128 - b.to_bits() as i128).unsigned_abs() as u64
    }

    /// Each function of ours at x (p > 0 for the logarithms) against std's, through num-traits'
    /// `Float` (std's own methods), at most 2 ulps apart by `ulps`.
    fn assert_near_std<T>(x: T, p: T, ulps: fn(T, T) -> u64, width: &str)
    where
        T: Transcendental + num_traits::Float + std::fmt::Display,
    {
        use num_traits::Float as Std;
        let third = T::from(3.0).unwrap();
        let cases: [(&str, T, T); 9] = [
            ("exp", exp(x), Std::exp(x)),
            ("exp_m1", exp_m1(x), Std::exp_m1(x)),
            ("ln", ln(p), Std::ln(p)),
            ("ln_1p", ln_1p(p), Std::ln_1p(p)),
            ("log10", log10(p), Std::log10(p)),
            ("tanh", tanh(x), Std::tanh(x)),
            ("sin", sin(x), Std::sin(x)),
            ("cos", cos(x), Std::cos(x)),
            ("powf", powf(p, x / third), Std::powf(p, x / third)),
        ];
        for (name, ours, std) in cases {
            assert!(ulps(ours, std) <= 2, "{width} {name}({x}): {ours} vs std {std}");
        }
    }

    /// Each function is the one its name says: within 2 ulps of std's (the system library's) over
    /// a sweep of its domain (most are within 1; musl's f64 tanh is off by 2 from glibc's at
    /// x = −0.82). A function routed to the wrong libm entry is off by far more.
    #[test]
    fn every_function_is_within_two_ulps_of_std() {
        for i in 1..2000 {
            let x = -10.0 + 20.0 * i as f64 / 2000.0;
            let p = x.abs() + 1e-3;
            assert_near_std(x, p, ulps64, "f64");
            assert_near_std(x as f32, p as f32, ulps32, "f32");
        }
    }

    /// `powi` gives std's `powi` bit for bit (both square and multiply) for every exponent a
    /// schedule can reach, including negative ones; the exponent is opaque to the compiler so that
    /// std's `powi` is the run-time call, not a product unrolled at compile time.
    #[test]
    fn powi_is_std_powi_bit_for_bit() {
        for x in [0.1f64, 0.5, 0.3, 0.9, 1.1, 3.7, -2.3, 1e-3, 7.0 / 3.0] {
            for n in -40..=40 {
                let n = std::hint::black_box(n);
                assert_eq!(powi(x, n).to_bits(), x.powi(n).to_bits(), "{x}^{n}");
                let xf = x as f32;
                assert_eq!(powi(xf, n).to_bits(), xf.powi(n).to_bits(), "{xf}^{n} (f32)");
            }
        }
        assert_eq!(powi(0.0f64, 0), 1.0);
        assert_eq!(powi(2.0f64, -2), 0.25);
    }
}
