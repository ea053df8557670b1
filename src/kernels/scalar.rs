//! Plain-loop kernels: always compiled, the oracle every SIMD kernel is tested against, and the
//! path f64 gradient checks and non-SIMD builds take. Written for clarity first.

use super::ConvGeom;
use num_traits::Float;
use std::ops::Range;

/// See [`super::Real::gemm`]. Loop order i-p-j keeps the innermost loop on a contiguous C row.
#[allow(clippy::too_many_arguments)]
pub fn gemm<T: Float>(
    m: usize,
    n: usize,
    k: usize,
    a: &[T],
    rsa: usize,
    csa: usize,
    b: &[T],
    rsb: usize,
    csb: usize,
    c: &mut [T],
    ldc: usize,
    accumulate: bool,
) {
    // The innermost loop must run over contiguous slices of B's rows so that the compiler can
    // vectorize it (a strided `b[p * rsb + j * csb]` with bounds checks ran native training at ~5
    // steps/s). A B with strided rows (a transposed operand) is first packed into (K, N) rows. Each
    // c[i][j] still sums a[i][p]·b[p][j] in the order p = 0..k, so the results are bit for bit
    // those of the plain triple loop.
    let packed: Vec<T>;
    let (b, rsb) = if csb == 1 {
        (b, rsb)
    } else {
        let mut rows = vec![T::zero(); k * n];
        for (p, row) in rows.chunks_exact_mut(n.max(1)).enumerate().take(k) {
            for (j, v) in row.iter_mut().enumerate() {
                *v = b[p * rsb + j * csb];
            }
        }
        packed = rows;
        (&packed[..], n)
    };
    for i in 0..m {
        let row = &mut c[i * ldc..i * ldc + n];
        if !accumulate {
            row.iter_mut().for_each(|x| *x = T::zero());
        }
        for p in 0..k {
            let aip = a[i * rsa + p * csa];
            if aip == T::zero() {
                continue;
            }
            let b_row = &b[p * rsb..p * rsb + n];
            for (cij, &bpj) in row.iter_mut().zip(b_row) {
                *cij = *cij + aip * bpj;
            }
        }
    }
}

/// cols: (C*KH*KW, OH*OW); row r = (ci, ky, kx) holds x[ci, oy*s + ky - pad, ox*s + kx - pad].
pub fn im2col<T: Float>(x: &[T], g: &ConvGeom, cols: &mut [T]) {
    im2col_rows(x, g, 0..g.col_rows(), cols)
}

/// Rows `rows` of [`im2col`]'s matrix: cols (rows.len(), OH*OW), its row r − rows.start being row r.
pub fn im2col_rows<T: Float>(x: &[T], g: &ConvGeom, rows: Range<usize>, cols: &mut [T]) {
    let (ohw, pad) = (g.oh * g.ow, g.pad as isize);
    for r in rows.clone() {
        let (ci, ky, kx) = (r / (g.kh * g.kw), r / g.kw % g.kh, r % g.kw);
        let out = &mut cols[(r - rows.start) * ohw..(r - rows.start + 1) * ohw];
        for oy in 0..g.oh {
            let iy = (oy * g.stride + ky) as isize - pad;
            for ox in 0..g.ow {
                let ix = (ox * g.stride + kx) as isize - pad;
                out[oy * g.ow + ox] = if iy < 0 || ix < 0 || iy >= g.h as isize || ix >= g.w as isize {
                    T::zero()
                } else {
                    x[(ci * g.h + iy as usize) * g.w + ix as usize]
                };
            }
        }
    }
}

/// Adjoint of [`im2col`]: dx (C, H, W) = Σ over every column entry that read a pixel.
pub fn col2im<T: Float>(cols: &[T], g: &ConvGeom, dx: &mut [T]) {
    dx[..g.c * g.h * g.w].iter_mut().for_each(|v| *v = T::zero());
    let (ohw, pad) = (g.oh * g.ow, g.pad as isize);
    for ci in 0..g.c {
        for ky in 0..g.kh {
            for kx in 0..g.kw {
                let r = (ci * g.kh + ky) * g.kw + kx;
                let src = &cols[r * ohw..(r + 1) * ohw];
                for oy in 0..g.oh {
                    let iy = (oy * g.stride + ky) as isize - pad;
                    if iy < 0 || iy >= g.h as isize {
                        continue;
                    }
                    for ox in 0..g.ow {
                        let ix = (ox * g.stride + kx) as isize - pad;
                        if ix < 0 || ix >= g.w as isize {
                            continue;
                        }
                        let d = &mut dx[(ci * g.h + iy as usize) * g.w + ix as usize];
                        *d = *d + src[oy * g.ow + ox];
                    }
                }
            }
        }
    }
}

pub fn axpy<T: Float>(a: T, x: &[T], y: &mut [T]) {
    for (yi, &xi) in y.iter_mut().zip(x) {
        *yi = *yi + a * xi;
    }
}

pub fn relu_forward<T: Float>(x: &[T], y: &mut [T]) {
    for (yi, &xi) in y.iter_mut().zip(x) {
        *yi = if xi > T::zero() { xi } else { T::zero() };
    }
}

pub fn relu_backward<T: Float>(x: &[T], dy: &[T], dx: &mut [T]) {
    for ((d, &xi), &g) in dx.iter_mut().zip(x).zip(dy) {
        *d = if xi > T::zero() { g } else { T::zero() };
    }
}

pub fn sgd_momentum<T: Float>(w: &mut [T], g: &[T], v: &mut [T], lr: T, momentum: T, weight_decay: T) {
    for ((wi, &gi), vi) in w.iter_mut().zip(g).zip(v.iter_mut()) {
        let gd = gi + weight_decay * *wi;
        *vi = momentum * *vi + gd;
        *wi = *wi - lr * *vi;
    }
}

pub fn sum<T: Float>(x: &[T]) -> T {
    x.iter().fold(T::zero(), |acc, &v| acc + v)
}

/// Σ x in the order of the wasm build's `simd128::sum`, bit for bit: 16 partial sums, partial j
/// adding x[16·i + j] for every whole block of 16; the remaining whole groups of 4 go to partials
/// 0..4; the partials fold as lane l = (p[l] + p[4+l]) + (p[8+l] + p[12+l]), then
/// (l0 + l1) + (l2 + l3); the last n mod 4 values are added to that one by one. Native runs in the
/// page's order ([`super::sum_in_page_order`]) use it for f32.
pub fn sum_in_16_lanes<T: Float>(x: &[T]) -> T {
    let (n16, n4) = (x.len() & !15, x.len() & !3);
    let mut p = [T::zero(); 16];
    for block in x[..n16].chunks_exact(16) {
        for (pj, &v) in p.iter_mut().zip(block) {
            *pj = *pj + v;
        }
    }
    for group in x[n16..n4].chunks_exact(4) {
        for (pj, &v) in p.iter_mut().zip(group) {
            *pj = *pj + v;
        }
    }
    let lane = |l: usize| (p[l] + p[4 + l]) + (p[8 + l] + p[12 + l]);
    let folded = (lane(0) + lane(1)) + (lane(2) + lane(3));
    x[n4..].iter().fold(folded, |acc, &v| acc + v)
}

/// Max pooling of one image, no padding: y (C, OH, OW) = max of each KH×KW window of x (C, H, W)
/// at the stride; argmax[o] = flat index into x of the window's first maximum, in window order
/// (ky, then kx). Strict `>` keeps the earlier element on ties, and a NaN never replaces the
/// current best (a NaN at the window's first position stays).
pub fn maxpool_forward<T: Float>(x: &[T], g: &ConvGeom, y: &mut [T], argmax: &mut [u32]) {
    assert_eq!(g.pad, 0, "max pooling has no padding");
    for c in 0..g.c {
        for oy in 0..g.oh {
            for ox in 0..g.ow {
                let mut best = (c * g.h + oy * g.stride) * g.w + ox * g.stride;
                for ky in 0..g.kh {
                    let row = (c * g.h + oy * g.stride + ky) * g.w + ox * g.stride;
                    for idx in row..row + g.kw {
                        if x[idx] > x[best] {
                            best = idx;
                        }
                    }
                }
                let o = (c * g.oh + oy) * g.ow + ox;
                y[o] = x[best];
                argmax[o] = best as u32;
            }
        }
    }
}

/// Adjoint of [`maxpool_forward`] given its argmax: dx (C, H, W) = 0, then dx[argmax[o]] += dy[o]
/// for every output o (overwrites dx).
pub fn maxpool_backward<T: Float>(dy: &[T], argmax: &[u32], g: &ConvGeom, dx: &mut [T]) {
    let dx = &mut dx[..g.c * g.h * g.w];
    dx.iter_mut().for_each(|v| *v = T::zero());
    let outputs = g.c * g.oh * g.ow;
    for (&d, &idx) in dy[..outputs].iter().zip(&argmax[..outputs]) {
        dx[idx as usize] = dx[idx as usize] + d;
    }
}
