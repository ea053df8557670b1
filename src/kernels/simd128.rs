//! f32 kernels on wasm `v128` (f32x4). Every `unsafe` line of the crate lives in this file.
//!
//! Compiled only for `wasm32` with `+simd128` (see `mod.rs`). Each kernel is the twin of the one
//! with the same name in `scalar.rs` and is tested against it in `tests/web_kernels.rs`:
//! elementwise kernels and `im2col`/`col2im` give bit-identical results (the same f32 operations
//! in the same order per element, just four lanes at a time); `gemm` and `sum` reassociate the
//! additions and agree within rounding.
//!
//! No `FMA`: plain simd128 has none, and `f32x4_relaxed_madd` may or may not fuse depending on the
//! engine and CPU, which would make a run's losses depend on the machine. A multiply followed by an
//! add rounds the same everywhere.
//!
//! Safety policy: every public function is safe. It checks, once, that every index it will touch
//! is inside the slices it was given (panicking like the scalar twin's indexing would), and only
//! then runs raw-pointer loops whose indices stay inside those checked bounds.

use super::ConvGeom;
use core::arch::wasm32::*;
use std::cell::RefCell;

// ---------------------------------------------------------------------------------------------
// GEMM
//
// C(m×n) = op(A)(m×k) · op(B)(k×n) (+ C), blocked the GotoBLAS way, shrunk to what these nets need
// (m = output channels or batch, 6..64; k up to ~1600; n up to ~1024):
//
//   for each k-block of at most KC (k split evenly, so no tiny last block):
//     pack the A block into row panels of MR rows:      apack[panel][p][0..MR]   (zero padded)
//     for each column panel of NR columns:
//       pack that B panel:                               bpack[p][0..NR]           (zero padded)
//       for each A row panel: MR×NR micro-kernel over the k-block, result added into C
//
// Packing turns whatever strides the caller has (transposed A for dcols = Wᵀ·dY, transposed B for
// dW = dY·colsᵀ and for linear layers) into the one layout the micro-kernel streams: per step p it
// reads MR consecutive A values (each broadcast to a v128) and NR consecutive B values (two v128
// loads). The B panel (KC×NR×4 B = 8 KiB) stays in L1 while every A panel streams past it; the
// packed A block (at most 64×KC×4 B = 64 KiB) sits in L2.
//
// The micro-kernel keeps an MR×NR = 6×8 tile of C in 12 f32x4 accumulators; with the two B
// vectors that is 14 of the 16 v128 registers x64 engines have, and the A broadcasts come straight
// from memory (`v128.load32_splat` → `vbroadcastss`). Per step p: 8 loads, 12 mul, 12 add. 6 rows
// also fits LeNet's 6-channel first conv exactly. Row edges (m not a multiple of 6) run the same
// kernel instantiated for 1..5 rows, so no multiplies are wasted on padding rows; column edges
// compute the full 8 columns on zero-padded B and store only the valid ones.

/// Rows of C per micro-kernel tile.
const MR: usize = 6;
/// Columns of C per micro-kernel tile (two f32x4).
const NR: usize = 8;
/// Largest k-block. 256 keeps the B panel at 8 KiB (L1) and the C tile's reload per block rare.
const KC: usize = 256;

thread_local! {
    /// Packing buffer shared by every gemm call: [apack | bpack]. It only ever grows (to at most
    /// ceil(m/MR)·MR·KC + KC·NR floats), so after the first step a training run allocates nothing
    /// here. wasm without threads has one "thread", so this is one buffer per module instance.
    static PACK: RefCell<Vec<f32>> = const { RefCell::new(Vec::new()) };
}

/// See [`super::Real::gemm`]. Panics (like the scalar twin) if a stride would index outside a slice.
#[allow(clippy::too_many_arguments)]
pub fn gemm(m: usize, n: usize, k: usize, a: &[f32], rsa: usize, csa: usize, b: &[f32], rsb: usize, csb: usize,
            c: &mut [f32], ldc: usize, accumulate: bool) {
    if m == 0 || n == 0 {
        return;
    }
    // Bounds, checked once: the largest index each operand is read or written at.
    let c_end = (m - 1) * ldc + n;
    assert!(c_end <= c.len(), "gemm: C needs {c_end} elements, has {}", c.len());
    if k == 0 {
        // Empty sum: C = 0, or C unchanged when accumulating.
        if !accumulate {
            for i in 0..m {
                c[i * ldc..i * ldc + n].fill(0.0);
            }
        }
        return;
    }
    let a_last = (m - 1) * rsa + (k - 1) * csa;
    let b_last = (k - 1) * rsb + (n - 1) * csb;
    assert!(a_last < a.len(), "gemm: A index {a_last} out of bounds ({})", a.len());
    assert!(b_last < b.len(), "gemm: B index {b_last} out of bounds ({})", b.len());

    let blocks = k.div_ceil(KC);
    let kc_max = k.div_ceil(blocks);
    let panels = m.div_ceil(MR);
    let a_len = panels * MR * kc_max;

    PACK.with(|cell| {
        let mut buf = cell.borrow_mut();
        let need = a_len + kc_max * NR;
        if buf.len() < need {
            buf.resize(need, 0.0);
        }
        let (apack, bpack) = buf.split_at_mut(a_len);
        let bpack = &mut bpack[..kc_max * NR];

        let mut pc = 0;
        while pc < k {
            let kc = kc_max.min(k - pc);
            // First block overwrites C unless the caller accumulates; later blocks add to it.
            let load_c = accumulate || pc > 0;
            pack_a(m, kc, a, rsa, csa, pc, apack);

            let mut j0 = 0;
            while j0 < n {
                let cols = NR.min(n - j0);
                pack_b(kc, cols, b, rsb, csb, pc, j0, bpack);
                for panel in 0..panels {
                    let i0 = panel * MR;
                    let rows = MR.min(m - i0);
                    let ap = &apack[panel * MR * kc..(panel + 1) * MR * kc];
                    // The tile C[i0..i0+rows, j0..j0+cols] ends at (i0+rows-1)*ldc + j0+cols,
                    // which is ≤ c_end because i0+rows ≤ m and j0+cols ≤ n.
                    let cp = &mut c[i0 * ldc + j0..];
                    // SAFETY: `ap` holds kc·MR floats and `bpack` kc·NR, exactly what the kernel
                    // reads; the kernel writes rows < `rows` and columns < `cols` of C at stride
                    // ldc from `cp`, inside `c` by the bound above.
                    unsafe {
                        let (a_ptr, b_ptr, c_ptr) = (ap.as_ptr(), bpack.as_ptr(), cp.as_mut_ptr());
                        match rows {
                            6 => micro::<6>(kc, a_ptr, b_ptr, c_ptr, ldc, cols, load_c),
                            5 => micro::<5>(kc, a_ptr, b_ptr, c_ptr, ldc, cols, load_c),
                            4 => micro::<4>(kc, a_ptr, b_ptr, c_ptr, ldc, cols, load_c),
                            3 => micro::<3>(kc, a_ptr, b_ptr, c_ptr, ldc, cols, load_c),
                            2 => micro::<2>(kc, a_ptr, b_ptr, c_ptr, ldc, cols, load_c),
                            _ => micro::<1>(kc, a_ptr, b_ptr, c_ptr, ldc, cols, load_c),
                        }
                    }
                }
                j0 += NR;
            }
            pc += kc;
        }
    });
}

/// apack[panel][p][r] = A(panel·MR + r, pc + p) for p < kc; rows past m are zero.
/// Cost is m·k copies per call against 2·m·n·k flops, so this stays simple, safe code.
fn pack_a(m: usize, kc: usize, a: &[f32], rsa: usize, csa: usize, pc: usize, apack: &mut [f32]) {
    for (panel, dst) in apack.chunks_exact_mut(MR * kc).take(m.div_ceil(MR)).enumerate() {
        let i0 = panel * MR;
        let rows = MR.min(m - i0);
        for r in 0..MR {
            if r >= rows {
                (0..kc).for_each(|p| dst[p * MR + r] = 0.0);
                continue;
            }
            // Walk one row of A: contiguous when csa = 1 (W in forward conv, X in linear).
            let base = (i0 + r) * rsa + pc * csa;
            for p in 0..kc {
                dst[p * MR + r] = a[base + p * csa];
            }
        }
    }
}

/// bpack[p][j] = B(pc + p, j0 + j) for p < kc, j < NR; columns past `cols` are zero.
/// The caller guarantees every B index read is ≤ the checked `b_last`.
#[allow(clippy::too_many_arguments)]
fn pack_b(kc: usize, cols: usize, b: &[f32], rsb: usize, csb: usize, pc: usize, j0: usize, bpack: &mut [f32]) {
    let bpack = &mut bpack[..kc * NR];
    if csb == 1 && cols == NR {
        // Row-major B (forward conv's cols, dX = dY·W): each step is 8 contiguous floats.
        for (p, dst) in bpack.chunks_exact_mut(NR).enumerate() {
            let start = (pc + p) * rsb + j0;
            dst.copy_from_slice(&b[start..start + NR]);
        }
    } else if rsb == 1 && cols == NR {
        // Transposed B (dW = dY·colsᵀ, Y = X·Wᵀ): each column is contiguous in memory. Read four
        // columns × four steps as four v128 and transpose them in registers.
        let kc4 = kc & !3;
        for jq in (0..NR).step_by(4) {
            let col0 = (j0 + jq) * csb + pc;
            let (s0, s1, s2, s3) = (col0, col0 + csb, col0 + 2 * csb, col0 + 3 * csb);
            // Bound for the v128 reads below: the last column's last read is s3 + kc - 1.
            assert!(s3 + kc <= b.len());
            let mut p = 0;
            while p < kc4 {
                // SAFETY: each load reads 4 floats at s_i + p .. s_i + p + 4 ≤ s3 + kc ≤ b.len();
                // each store writes 4 floats at (p+t)·NR + jq .. + 4 ≤ kc·NR = bpack.len().
                unsafe {
                    let bp = b.as_ptr();
                    let r0 = v128_load(bp.add(s0 + p) as *const v128);
                    let r1 = v128_load(bp.add(s1 + p) as *const v128);
                    let r2 = v128_load(bp.add(s2 + p) as *const v128);
                    let r3 = v128_load(bp.add(s3 + p) as *const v128);
                    // 4×4 transpose: t01 = (r0[0], r1[0], r0[1], r1[1]) etc.
                    let t01lo = i32x4_shuffle::<0, 4, 1, 5>(r0, r1);
                    let t23lo = i32x4_shuffle::<0, 4, 1, 5>(r2, r3);
                    let t01hi = i32x4_shuffle::<2, 6, 3, 7>(r0, r1);
                    let t23hi = i32x4_shuffle::<2, 6, 3, 7>(r2, r3);
                    let q0 = i64x2_shuffle::<0, 2>(t01lo, t23lo);
                    let q1 = i64x2_shuffle::<1, 3>(t01lo, t23lo);
                    let q2 = i64x2_shuffle::<0, 2>(t01hi, t23hi);
                    let q3 = i64x2_shuffle::<1, 3>(t01hi, t23hi);
                    let dp = bpack.as_mut_ptr().add(p * NR + jq);
                    v128_store(dp as *mut v128, q0);
                    v128_store(dp.add(NR) as *mut v128, q1);
                    v128_store(dp.add(2 * NR) as *mut v128, q2);
                    v128_store(dp.add(3 * NR) as *mut v128, q3);
                }
                p += 4;
            }
            for p in kc4..kc {
                for t in 0..4 {
                    bpack[p * NR + jq + t] = b[col0 + t * csb + p];
                }
            }
        }
    } else {
        // Any other stride, and the zero-padded last panel.
        for (p, dst) in bpack.chunks_exact_mut(NR).enumerate() {
            let row = (pc + p) * rsb + j0 * csb;
            for (j, d) in dst.iter_mut().enumerate() {
                *d = if j < cols { b[row + j * csb] } else { 0.0 };
            }
        }
    }
}

/// The R×8 micro-kernel: C[0..R, 0..cols] (+)= Σ_p apack[p][0..R] ⊗ bpack[p][0..8].
///
/// # Safety
/// `a` must be readable for kc·MR floats, `b` for kc·NR floats, and `c` writable at
/// `r·ldc + j` for every r < R, j < cols (cols ≤ NR).
#[inline(always)]
unsafe fn micro<const R: usize>(kc: usize, a: *const f32, b: *const f32, c: *mut f32, ldc: usize, cols: usize,
                                load_c: bool) {
    let zero = f32x4_splat(0.0);
    let mut acc = [[zero; 2]; R];
    let (mut ap, mut bp) = (a, b);
    for _ in 0..kc {
        let b0 = v128_load(bp as *const v128);
        let b1 = v128_load(bp.add(4) as *const v128);
        for (r, acc_r) in acc.iter_mut().enumerate() {
            let ar = v128_load32_splat(ap.add(r) as *const u32);
            acc_r[0] = f32x4_add(acc_r[0], f32x4_mul(ar, b0));
            acc_r[1] = f32x4_add(acc_r[1], f32x4_mul(ar, b1));
        }
        ap = ap.add(MR);
        bp = bp.add(NR);
    }
    if cols == NR {
        for (r, acc_r) in acc.iter().enumerate() {
            let cp = c.add(r * ldc);
            let (mut c0, mut c1) = (acc_r[0], acc_r[1]);
            if load_c {
                c0 = f32x4_add(v128_load(cp as *const v128), c0);
                c1 = f32x4_add(v128_load(cp.add(4) as *const v128), c1);
            }
            v128_store(cp as *mut v128, c0);
            v128_store(cp.add(4) as *mut v128, c1);
        }
    } else {
        // Column edge: spill the tile and store only the valid columns.
        let mut tile = [0.0f32; NR];
        for (r, acc_r) in acc.iter().enumerate() {
            v128_store(tile.as_mut_ptr() as *mut v128, acc_r[0]);
            v128_store(tile.as_mut_ptr().add(4) as *mut v128, acc_r[1]);
            let cp = c.add(r * ldc);
            for (j, &t) in tile.iter().enumerate().take(cols) {
                *cp.add(j) = if load_c { *cp.add(j) + t } else { t };
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// im2col / col2im
//
// Row r = (ci, ky, kx) of cols reads x[ci, oy·s + ky − pad, ox·s + kx − pad]. For a fixed row and
// output row oy, the ox that land inside the image form one range [lo, hi); outside it the entry
// is padding. So each output row is: zeros, a run, zeros — no per-element bounds test. With
// stride 1 the run is a contiguous copy (im2col) or a contiguous add (col2im).

/// The ox range [lo, hi) whose input column ox·s + kx − pad lies in [0, w).
fn valid_ox(g: &ConvGeom, kx: usize) -> (usize, usize) {
    // ox·s + kx ≥ pad  ⇔  ox ≥ ceil((pad − kx) / s)
    let lo = if g.pad > kx { (g.pad - kx).div_ceil(g.stride) } else { 0 };
    // ox·s + kx − pad ≤ w − 1  ⇔  ox ≤ (w + pad − kx − 1) / s
    let hi = if g.w + g.pad > kx { ((g.w + g.pad - kx - 1) / g.stride + 1).min(g.ow) } else { 0 };
    let lo = lo.min(g.ow);
    (lo, hi.max(lo))
}

/// The input row iy = oy·s + ky − pad, or None when it falls in the padding.
fn input_row(g: &ConvGeom, oy: usize, ky: usize) -> Option<usize> {
    (oy * g.stride + ky).checked_sub(g.pad).filter(|&iy| iy < g.h)
}

/// See [`super::scalar::im2col`]; bit-identical (it only moves values).
pub fn im2col(x: &[f32], g: &ConvGeom, cols: &mut [f32]) {
    let (ohw, ow, s) = (g.oh * g.ow, g.ow, g.stride);
    let x = &x[..g.c * g.h * g.w];
    let cols = &mut cols[..g.col_rows() * ohw];
    for ci in 0..g.c {
        let plane = &x[ci * g.h * g.w..(ci + 1) * g.h * g.w];
        for ky in 0..g.kh {
            for kx in 0..g.kw {
                let r = (ci * g.kh + ky) * g.kw + kx;
                let out = &mut cols[r * ohw..(r + 1) * ohw];
                let (lo, hi) = valid_ox(g, kx);
                for oy in 0..g.oh {
                    let row = &mut out[oy * ow..(oy + 1) * ow];
                    let Some(iy) = input_row(g, oy, ky) else {
                        row.fill(0.0);
                        continue;
                    };
                    row[..lo].fill(0.0);
                    row[hi..].fill(0.0);
                    if lo == hi {
                        continue; // this kernel column only ever sees padding
                    }
                    // First input column read: lo·s + kx − pad (≥ 0 by the choice of lo).
                    let src = &plane[iy * g.w..(iy + 1) * g.w];
                    let ix0 = lo * s + kx - g.pad;
                    if s == 1 {
                        copy(&mut row[lo..hi], &src[ix0..ix0 + (hi - lo)]);
                    } else {
                        for (t, d) in row[lo..hi].iter_mut().enumerate() {
                            *d = src[ix0 + t * s];
                        }
                    }
                }
            }
        }
    }
}

/// See [`super::scalar::col2im`]. Bit-identical: every dx element receives the same additions in
/// the same order (rows r, then oy, then ox), just four ox at a time.
pub fn col2im(cols: &[f32], g: &ConvGeom, dx: &mut [f32]) {
    let (ohw, ow, s) = (g.oh * g.ow, g.ow, g.stride);
    let dx = &mut dx[..g.c * g.h * g.w];
    let cols = &cols[..g.col_rows() * ohw];
    dx.fill(0.0);
    for ci in 0..g.c {
        let plane = &mut dx[ci * g.h * g.w..(ci + 1) * g.h * g.w];
        for ky in 0..g.kh {
            for kx in 0..g.kw {
                let r = (ci * g.kh + ky) * g.kw + kx;
                let src = &cols[r * ohw..(r + 1) * ohw];
                let (lo, hi) = valid_ox(g, kx);
                if lo == hi {
                    continue;
                }
                for oy in 0..g.oh {
                    let Some(iy) = input_row(g, oy, ky) else { continue };
                    let row = &src[oy * ow + lo..oy * ow + hi];
                    let dst = &mut plane[iy * g.w..(iy + 1) * g.w];
                    let ix0 = lo * s + kx - g.pad;
                    if s == 1 {
                        add_assign(&mut dst[ix0..ix0 + (hi - lo)], row);
                    } else {
                        for (t, &v) in row.iter().enumerate() {
                            dst[ix0 + t * s] += v;
                        }
                    }
                }
            }
        }
    }
}

/// dst = src. Rows here are 8..32 floats: an inline v128 loop beats a `memory.copy` call.
fn copy(dst: &mut [f32], src: &[f32]) {
    let n = dst.len();
    let src = &src[..n];
    let n4 = n & !3;
    // SAFETY: i + 4 ≤ n4 ≤ n = len of both slices.
    unsafe {
        let (d, s) = (dst.as_mut_ptr(), src.as_ptr());
        let mut i = 0;
        while i < n4 {
            v128_store(d.add(i) as *mut v128, v128_load(s.add(i) as *const v128));
            i += 4;
        }
    }
    dst[n4..].copy_from_slice(&src[n4..]);
}

/// dst += src, lane by lane (same rounding as the scalar loop).
fn add_assign(dst: &mut [f32], src: &[f32]) {
    let n = dst.len();
    let src = &src[..n];
    let n4 = n & !3;
    // SAFETY: i + 4 ≤ n4 ≤ n = len of both slices.
    unsafe {
        let (d, s) = (dst.as_mut_ptr(), src.as_ptr());
        let mut i = 0;
        while i < n4 {
            let v = f32x4_add(v128_load(d.add(i) as *const v128), v128_load(s.add(i) as *const v128));
            v128_store(d.add(i) as *mut v128, v);
            i += 4;
        }
    }
    for (d, &v) in dst[n4..].iter_mut().zip(&src[n4..]) {
        *d += v;
    }
}

// ---------------------------------------------------------------------------------------------
// Elementwise kernels. Like the scalar twins (which zip), each works on the shortest slice's
// length. Four lanes per step, then a scalar tail written exactly like the scalar twin, so the
// results are bit-identical: the same single-rounding mul and add per element, no FMA.

/// y += a·x
pub fn axpy(a: f32, x: &[f32], y: &mut [f32]) {
    let n = x.len().min(y.len());
    let n4 = n & !3;
    let av = f32x4_splat(a);
    // SAFETY: i + 4 ≤ n4 ≤ n ≤ both lengths.
    unsafe {
        let (xp, yp) = (x.as_ptr(), y.as_mut_ptr());
        let mut i = 0;
        while i < n4 {
            let yv = v128_load(yp.add(i) as *const v128);
            let xv = v128_load(xp.add(i) as *const v128);
            v128_store(yp.add(i) as *mut v128, f32x4_add(yv, f32x4_mul(av, xv)));
            i += 4;
        }
    }
    for (yi, &xi) in y[n4..n].iter_mut().zip(&x[n4..n]) {
        *yi += a * xi;
    }
}

/// y = max(x, 0) as `x > 0 ? x : 0`: NaN and −0 map to +0, like the scalar twin. (f32x4_max
/// would propagate NaN, f32x4_pmax would keep −0: neither is bit-identical.)
pub fn relu_forward(x: &[f32], y: &mut [f32]) {
    let n = x.len().min(y.len());
    let n4 = n & !3;
    let zero = f32x4_splat(0.0);
    // SAFETY: i + 4 ≤ n4 ≤ n ≤ both lengths.
    unsafe {
        let (xp, yp) = (x.as_ptr(), y.as_mut_ptr());
        let mut i = 0;
        while i < n4 {
            let xv = v128_load(xp.add(i) as *const v128);
            v128_store(yp.add(i) as *mut v128, v128_and(xv, f32x4_gt(xv, zero)));
            i += 4;
        }
    }
    for (yi, &xi) in y[n4..n].iter_mut().zip(&x[n4..n]) {
        *yi = if xi > 0.0 { xi } else { 0.0 };
    }
}

/// dx = dy where x > 0, else 0.
pub fn relu_backward(x: &[f32], dy: &[f32], dx: &mut [f32]) {
    let n = x.len().min(dy.len()).min(dx.len());
    let n4 = n & !3;
    let zero = f32x4_splat(0.0);
    // SAFETY: i + 4 ≤ n4 ≤ n ≤ all three lengths.
    unsafe {
        let (xp, gp, dp) = (x.as_ptr(), dy.as_ptr(), dx.as_mut_ptr());
        let mut i = 0;
        while i < n4 {
            let mask = f32x4_gt(v128_load(xp.add(i) as *const v128), zero);
            let g = v128_load(gp.add(i) as *const v128);
            v128_store(dp.add(i) as *mut v128, v128_and(g, mask));
            i += 4;
        }
    }
    for ((d, &xi), &g) in dx[n4..n].iter_mut().zip(&x[n4..n]).zip(&dy[n4..n]) {
        *d = if xi > 0.0 { g } else { 0.0 };
    }
}

/// PyTorch SGD with momentum: g' = g + wd·w; v = μ·v + g'; w −= lr·v.
pub fn sgd_momentum(w: &mut [f32], g: &[f32], v: &mut [f32], lr: f32, momentum: f32, weight_decay: f32) {
    let n = w.len().min(g.len()).min(v.len());
    let n4 = n & !3;
    let (lrv, muv, wdv) = (f32x4_splat(lr), f32x4_splat(momentum), f32x4_splat(weight_decay));
    // SAFETY: i + 4 ≤ n4 ≤ n ≤ all three lengths.
    unsafe {
        let (wp, gp, vp) = (w.as_mut_ptr(), g.as_ptr(), v.as_mut_ptr());
        let mut i = 0;
        while i < n4 {
            let wv = v128_load(wp.add(i) as *const v128);
            let gd = f32x4_add(v128_load(gp.add(i) as *const v128), f32x4_mul(wdv, wv));
            let vv = f32x4_add(f32x4_mul(muv, v128_load(vp.add(i) as *const v128)), gd);
            v128_store(vp.add(i) as *mut v128, vv);
            v128_store(wp.add(i) as *mut v128, f32x4_sub(wv, f32x4_mul(lrv, vv)));
            i += 4;
        }
    }
    for ((wi, &gi), vi) in w[n4..n].iter_mut().zip(&g[n4..n]).zip(v[n4..n].iter_mut()) {
        let gd = gi + weight_decay * *wi;
        *vi = momentum * *vi + gd;
        *wi -= lr * *vi;
    }
}

/// Σ x with 16 partial sums (four f32x4, enough independent adds to hide the add latency), folded
/// at the end. Differs from the scalar left-to-right sum only by reassociation.
pub fn sum(x: &[f32]) -> f32 {
    let n = x.len();
    let (n16, n4) = (n & !15, n & !3);
    let mut acc = [f32x4_splat(0.0); 4];
    // SAFETY: every load reads x[i..i+4] with i + 4 ≤ n4 ≤ n.
    unsafe {
        let xp = x.as_ptr();
        let mut i = 0;
        while i < n16 {
            for (t, a) in acc.iter_mut().enumerate() {
                *a = f32x4_add(*a, v128_load(xp.add(i + 4 * t) as *const v128));
            }
            i += 16;
        }
        while i < n4 {
            acc[0] = f32x4_add(acc[0], v128_load(xp.add(i) as *const v128));
            i += 4;
        }
    }
    let v = f32x4_add(f32x4_add(acc[0], acc[1]), f32x4_add(acc[2], acc[3]));
    let lanes = (f32x4_extract_lane::<0>(v) + f32x4_extract_lane::<1>(v))
        + (f32x4_extract_lane::<2>(v) + f32x4_extract_lane::<3>(v));
    x[n4..].iter().fold(lanes, |s, &t| s + t)
}
