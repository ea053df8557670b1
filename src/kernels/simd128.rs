//! f32 kernels on wasm `v128` (f32x4). Every `unsafe` line of the crate lives in this file.
//!
//! Compiled only for `wasm32` with `+simd128` (see `mod.rs`). Each kernel is the twin of the one
//! with the same name in `scalar.rs` and is tested against it in `tests/web_kernels.rs`:
//! elementwise kernels, `im2col`/`col2im` and (in the simd128 build) `gemm` give bit-identical
//! results: the same f32 operations in the same order per element, just four lanes at a time. (The
//! GEMM adds each element's products in k order onto C, as the scalar loop does; the scalar loop
//! skips a zero A entry, which differs only for an infinite or NaN B, or a −0 in an accumulated
//! C.) `sum` reassociates the additions, in the order of `scalar::sum_in_16_lanes` (bit for bit),
//! and agrees with the scalar `sum` within rounding, as the relaxed-SIMD build's GEMM does with
//! the scalar GEMM.
//!
//! No FMA in the simd128 build: plain simd128 has none, and `f32x4_relaxed_madd` may or may not
//! fuse depending on the engine and CPU, which would make a run's losses depend on the machine. A
//! multiply followed by an add rounds the same everywhere. The relaxed-SIMD build (compiled with
//! `+relaxed-simd`, shipped as a second package and chosen at load) uses `f32x4_relaxed_madd` in the
//! GEMM micro-kernel only (see `madd`); every other kernel is the same code in both builds.
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
// (m = output channels, im2col rows or batch: 6..600; k up to ~1600; n up to ~1024):
//
//   for each k-block of at most KC (k split evenly, so no tiny last block):
//     pack the A block into row panels of ≤ MR rows:     apack[panel][p][0..MR]
//     for each panel of NR columns of B (see `BPanels` for where it comes from):
//       for each A panel: R×NR micro-kernel over the k-block, result added into C
//
// Per step p the micro-kernel reads R consecutive packed A values (each broadcast to a v128) and
// NR = 8 consecutive B values (two v128 loads). Packing A turns any A strides (W in the forward
// conv, Wᵀ in dcols = Wᵀ·dY, X or dYᵀ in linear layers) into that layout; it costs m·k copies
// against 2·m·n·k flops. B is the big operand. A transposed B (dW = dY·colsᵀ, Y = X·Wᵀ) is packed
// panel by panel with 4×4 in-register transposes. A row-major B (forward conv's cols, dcols'
// dY, dX = dY·W) is mostly read in place: packing it costs about as much as the multiply when m
// is small (m = 6: 48 vs 40 GFLOP/s with packing). One B panel (kc×8 floats ≤ 8 KiB) stays in
// L1 while every A panel streams past it.
//
// Tile shape. V8 allocates 15 xmm registers to wasm on x64 (xmm15 is its scratch), and with no
// FMA in simd128 every multiply-add needs a temporary. MR×NR = 4×8 holds the C tile in 8 f32x4
// accumulators + 2 B vectors + 1 broadcast + 1 temporary = 12 registers. A 6×8 tile (12
// accumulators) looked better on paper but needs 16, and V8 spilled accumulators to the stack in
// the inner loop: it measured about half the speed of 4×8 in Node 20 and in Chromium 156. With
// `f32x4.relaxed_madd` (the relaxed-SIMD build) no temporary is needed and 6×8 would fit 15
// registers exactly, but it still measured 1.4× slower than 4×8 in Node 20; relaxed 4×8 is ~15%
// faster than the simd128 4×8 on the network shapes in Chromium 156 and Node 20 (AMD EPYC, FMA3).
//
// Order. Each element of C is summed onto its old value (or onto zero) in k order, k-block after
// k-block, as the scalar loop does: the result does not depend on m, n, the tiling or on which rows
// and columns a call covers, so callers may split a product by rows or columns in parallel.
//
// Edges. Rows are split into ceil(m/4) panels of balanced height (3 or 4 rows for m ≥ 6; e.g.
// m = 6 → 3+3, 25 → 4,4,4,4,3,3,3), each run by the kernel instantiated for exactly that many rows,
// so no multiplies are spent on padding rows and no panel is a slow 1- or 2-row sliver. Column
// edges compute the full 8 columns on zero-padded B and store only the valid ones.

/// Most rows of C per micro-kernel tile.
const MR: usize = 4;
/// Columns of C per micro-kernel tile (two f32x4).
const NR: usize = 8;
/// Largest k-block. 256 keeps a B panel at 8 KiB (L1) and the C tile's reload per block rare.
const KC: usize = 256;
/// Columns per block when a row-major B is packed block-wise: KC×NC×4 B = 256 KiB.
const NC: usize = 256;

thread_local! {
    /// Packing buffer shared by every gemm call: [apack | bpack]. It only ever grows (to at most
    /// ceil(m/MR)·MR·KC + KC·NC floats), so after the first step a training run allocates nothing
    /// here. wasm without threads has one "thread", so this is one buffer per module instance.
    static PACK: RefCell<Vec<f32>> = const { RefCell::new(Vec::new()) };
}

/// The q = ceil(m/MR) row panels of A as (first row, rows): balanced, so heights differ by at
/// most one (the first m % q panels get the extra row). Computed incrementally — a division per
/// panel costs as much as a short micro-kernel call.
fn row_panels(m: usize) -> impl Iterator<Item = (usize, usize)> {
    let q = m.div_ceil(MR);
    let (base, extra) = (m / q.max(1), m % q.max(1));
    (0..q).scan(0, move |i0, i| {
        let rows = base + usize::from(i < extra);
        let start = *i0;
        *i0 += rows;
        Some((start, rows))
    })
}

/// See [`super::Real::gemm`]. Panics (like the scalar twin) if a stride would index outside a slice.
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
    // Bounds, checked once: the largest index each operand is read or written at.
    let c_end = (m - 1) * ldc + n;
    assert!(
        c_end <= c.len(),
        "gemm: C needs {c_end} elements, has {}",
        c.len()
    );
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
    assert!(
        a_last < a.len(),
        "gemm: A index {a_last} out of bounds ({})",
        a.len()
    );
    assert!(
        b_last < b.len(),
        "gemm: B index {b_last} out of bounds ({})",
        b.len()
    );

    let blocks = k.div_ceil(KC);
    let kc_max = k.div_ceil(blocks);
    let a_len = m.div_ceil(MR) * MR * kc_max;
    // Where B panels come from (measured in Node 20 and Chromium 156 on the shapes the layers use):
    // in place is fastest for a row-major B unless its rows alias in L1 — at a row stride of a
    // multiple of 2 KiB the kernel's walk down kc rows hits one or two cache sets, and at 512 B or
    // 1 KiB (4 or 8 sets) it still loses to a packed panel once many A panels re-read it.
    let mode = if csb != 1 {
        BPanels::Packed
    } else if rsb.is_multiple_of(512) {
        BPanels::BlockPacked
    } else if rsb.is_multiple_of(128) && m > 32 {
        BPanels::Packed
    } else {
        BPanels::InPlace
    };
    let b_len = kc_max * if mode == BPanels::BlockPacked { NC } else { NR };

    PACK.with(|cell| {
        let mut buf = cell.borrow_mut();
        if buf.len() < a_len + b_len {
            buf.resize(a_len + b_len, 0.0);
        }
        let (apack, bpack) = buf.split_at_mut(a_len);
        let bpack = &mut bpack[..b_len];

        let mut pc = 0;
        while pc < k {
            let kc = kc_max.min(k - pc);
            // First block overwrites C unless the caller accumulates; later blocks add to it.
            let load_c = accumulate || pc > 0;
            pack_a(m, kc, a, rsa, csa, pc, apack);

            let mut jc = 0;
            while jc < n {
                let nc = NC.min(n - jc);
                if mode == BPanels::BlockPacked {
                    pack_b_rows(kc, nc, b, rsb, pc, jc, bpack);
                }
                for (jp, j0) in (jc..jc + nc).step_by(NR).enumerate() {
                    let cols = NR.min(n - j0);
                    // This panel of B (rows pc..pc+kc, columns j0..j0+NR) as (start, row stride).
                    let (b_panel, ldb) = match mode {
                        // Its last element, (pc+kc-1)·rsb + j0+7, is ≤ b_last (csb = 1, j0+7 < n).
                        BPanels::InPlace if cols == NR => (&b[pc * rsb + j0..], rsb),
                        BPanels::BlockPacked => (&bpack[jp * kc * NR..], NR),
                        _ => {
                            pack_b(kc, cols, b, rsb, csb, pc, j0, bpack);
                            (&bpack[..], NR)
                        }
                    };
                    for (apanel, (i0, rows)) in apack.chunks_exact(kc * MR).zip(row_panels(m)) {
                        // The tile C[i0..i0+rows, j0..j0+cols] ends at (i0+rows-1)·ldc + j0+cols,
                        // which is ≤ c_end because i0+rows ≤ m and j0+cols ≤ n.
                        let cp = &mut c[i0 * ldc + j0..];
                        // SAFETY: `apanel` holds kc·MR floats; `b_panel` is readable at p·ldb + j
                        // for p < kc, j < NR (packed: kc·NR floats; in place: shown above); the
                        // kernel writes rows < `rows` (≤ MR) and columns < `cols` of C at stride
                        // ldc from `cp`, inside `c` by the bound above.
                        unsafe {
                            let (ap, bp, cptr) = (apanel.as_ptr(), b_panel.as_ptr(), cp.as_mut_ptr());
                            let args = (kc, ap, bp, ldb, cptr, ldc, cols, load_c);
                            match (rows, cols > 4) {
                                (4, true) => micro::<4, 2>(args),
                                (3, true) => micro::<3, 2>(args),
                                (2, true) => micro::<2, 2>(args),
                                (_, true) => micro::<1, 2>(args),
                                (4, false) => micro::<4, 1>(args),
                                (3, false) => micro::<3, 1>(args),
                                (2, false) => micro::<2, 1>(args),
                                (_, false) => micro::<1, 1>(args),
                            }
                        }
                    }
                }
                jc += nc;
            }
            pc += kc;
        }
    });
}

/// Where the micro-kernel gets its B panels from.
#[derive(Clone, Copy, PartialEq, Eq)]
enum BPanels {
    /// Row-major B: read each panel in place, at B's own row stride (no copy at all).
    InPlace,
    /// Row-major B whose row stride is a multiple of 512 floats (32×32 and larger conv outputs):
    /// NC columns at a time packed row by row, so B is read along its rows. Packing one 8-column
    /// panel at a time would walk down a column with every row in the same L1 set, and the second
    /// half of each line would be gone before the next panel wanted it.
    BlockPacked,
    /// Any other layout (a transposed B), and a row-major B whose row stride is a multiple of
    /// 128 floats when more than 8 A panels re-read each B panel: each panel packed before use.
    Packed,
}

/// apack[panel][p][r] = A(start(panel) + r, pc + p) for p < kc; entries past a panel's rows hold
/// copies of other entries (the kernel for R rows never reads them). The caller has checked that
/// A index (m−1)·rsa + (k−1)·csa is inside `a`, so every A(i, pc + p) with i < m, p < kc is.
///
/// It only moves values, in v128 where the layout allows: m·k copies against 2·m·n·k flops, but
/// n is small in the filter gradient (n = K = 25..500 against k = P per image), where a scalar
/// scatter here took ~5% of a LeNet step.
fn pack_a(m: usize, kc: usize, a: &[f32], rsa: usize, csa: usize, pc: usize, apack: &mut [f32]) {
    let kc4 = kc & !3;
    for (dst, (i0, rows)) in apack.chunks_exact_mut(MR * kc).zip(row_panels(m)) {
        if csa == 1 {
            // Rows of A contiguous (W in forward conv, dY in the filter gradient, X in linear):
            // four steps of each row as a v128, a 4×4 transpose, four steps of the panel out.
            // A panel of fewer than MR rows repeats its last row into the unused lanes.
            let src = |r: usize| (i0 + r.min(rows - 1)) * rsa + pc;
            let (s0, s1, s2, s3) = (src(0), src(1), src(2), src(3));
            let last = src(MR - 1) + kc;
            assert!(last <= a.len());
            let mut p = 0;
            while p < kc4 {
                // SAFETY: each load reads a[s_r + p .. s_r + p + 4], s_r + p + 4 ≤ s_r + kc ≤
                // `last` ≤ a.len() (s3 is the largest start); the stores write
                // dst[(p + q)·MR .. + MR] for q < 4, p + 3 < kc, inside the kc·MR floats of dst.
                unsafe {
                    let ap = a.as_ptr();
                    let r0 = v128_load(ap.add(s0 + p) as *const v128);
                    let r1 = v128_load(ap.add(s1 + p) as *const v128);
                    let r2 = v128_load(ap.add(s2 + p) as *const v128);
                    let r3 = v128_load(ap.add(s3 + p) as *const v128);
                    transpose_store(r0, r1, r2, r3, dst.as_mut_ptr().add(p * MR), MR);
                }
                p += 4;
            }
            for p in kc4..kc {
                for r in 0..rows {
                    dst[p * MR + r] = a[(i0 + r) * rsa + pc + p];
                }
            }
        } else if rsa == 1 && i0 + MR + (pc + kc - 1) * csa <= a.len() {
            // Columns of A contiguous (Wᵀ in dcols = Wᵀ·dY): a step's MR rows are one v128 (past
            // a short panel's rows it reads the next rows' values, inside `a` by the test above).
            for p in 0..kc {
                let at = i0 + (pc + p) * csa;
                // SAFETY: reads a[at .. at + 4], at + 4 ≤ i0 + MR + (pc + kc − 1)·csa ≤ a.len();
                // writes dst[p·MR .. + MR], p < kc.
                unsafe {
                    let v = v128_load(a.as_ptr().add(at) as *const v128);
                    v128_store(dst.as_mut_ptr().add(p * MR) as *mut v128, v);
                }
            }
        } else {
            for p in 0..kc {
                let base = i0 * rsa + (pc + p) * csa;
                for r in 0..rows {
                    dst[p * MR + r] = a[base + r * rsa];
                }
            }
        }
    }
}

/// Stores the 4×4 transpose of rows r0..r3 as four v128 at `d`, `d + stride`, `d + 2·stride`,
/// `d + 3·stride`: interleave pairs of rows, then pairs of 64-bit halves.
///
/// # Safety
/// `d` must be writable at [q·stride, q·stride + 4) for q < 4.
#[inline(always)]
unsafe fn transpose_store(r0: v128, r1: v128, r2: v128, r3: v128, d: *mut f32, stride: usize) {
    let t01lo = i32x4_shuffle::<0, 4, 1, 5>(r0, r1);
    let t23lo = i32x4_shuffle::<0, 4, 1, 5>(r2, r3);
    let t01hi = i32x4_shuffle::<2, 6, 3, 7>(r0, r1);
    let t23hi = i32x4_shuffle::<2, 6, 3, 7>(r2, r3);
    v128_store(d as *mut v128, i64x2_shuffle::<0, 2>(t01lo, t23lo));
    v128_store(d.add(stride) as *mut v128, i64x2_shuffle::<1, 3>(t01lo, t23lo));
    v128_store(
        d.add(2 * stride) as *mut v128,
        i64x2_shuffle::<0, 2>(t01hi, t23hi),
    );
    v128_store(
        d.add(3 * stride) as *mut v128,
        i64x2_shuffle::<1, 3>(t01hi, t23hi),
    );
}

/// bpack[p][j] = B(pc + p, j0 + j) for p < kc, j < NR; columns past `cols` are zero.
/// The caller has checked every B index read is ≤ `b_last`.
#[allow(clippy::too_many_arguments)]
fn pack_b(
    kc: usize,
    cols: usize,
    b: &[f32],
    rsb: usize,
    csb: usize,
    pc: usize,
    j0: usize,
    bpack: &mut [f32],
) {
    let bpack = &mut bpack[..kc * NR];
    if csb == 1 && cols == NR {
        // Row-major B (forward conv's cols, dcols' dY, dX = dY·W): 8 contiguous floats per step,
        // as two v128 (a copy_from_slice of 8 floats became an out-of-line memory.copy call).
        let last = (pc + kc - 1) * rsb + j0 + NR;
        assert!(last <= b.len());
        for p in 0..kc {
            let start = (pc + p) * rsb + j0;
            // SAFETY: reads b[start .. start + NR], start + NR ≤ `last` ≤ b.len(); writes
            // bpack[p·NR .. + NR], p < kc.
            unsafe {
                let (s, d) = (b.as_ptr().add(start), bpack.as_mut_ptr().add(p * NR));
                v128_store(d as *mut v128, v128_load(s as *const v128));
                v128_store(d.add(4) as *mut v128, v128_load(s.add(4) as *const v128));
            }
        }
    } else if rsb == 1 {
        pack_b_transposed(kc, cols, b, csb, pc, j0, bpack);
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

/// bpack[panel][p][j] = B(pc + p, jc + panel·NR + j) for a row-major B (csb = 1), over nc ≤ NC
/// columns, reading each of the kc rows left to right; columns past nc are zero. The caller has
/// checked that B index (pc+kc-1)·rsb + jc+nc-1 ≤ b_last.
fn pack_b_rows(kc: usize, nc: usize, b: &[f32], rsb: usize, pc: usize, jc: usize, bpack: &mut [f32]) {
    let full = nc / NR;
    let bpack = &mut bpack[..nc.div_ceil(NR) * kc * NR];
    let last = (pc + kc - 1) * rsb + jc + nc;
    assert!(last <= b.len());
    for p in 0..kc {
        let src = (pc + p) * rsb + jc;
        // SAFETY: reads b[src + jp·NR .. + NR] with src + full·NR ≤ (pc+p)·rsb + jc + nc ≤ last;
        // writes bpack[(jp·kc + p)·NR .. + NR], inside the full·kc·NR floats of the full panels.
        unsafe {
            let (sp, dp) = (b.as_ptr().add(src), bpack.as_mut_ptr().add(p * NR));
            for jp in 0..full {
                let s = sp.add(jp * NR);
                let d = dp.add(jp * kc * NR);
                v128_store(d as *mut v128, v128_load(s as *const v128));
                v128_store(d.add(4) as *mut v128, v128_load(s.add(4) as *const v128));
            }
        }
    }
    if full * NR < nc {
        let cols = nc - full * NR;
        let dst = &mut bpack[full * kc * NR..];
        for (p, d) in dst.chunks_exact_mut(NR).enumerate() {
            let src = &b[(pc + p) * rsb + jc + full * NR..][..cols];
            d[..cols].copy_from_slice(src);
            d[cols..].fill(0.0);
        }
    }
}

/// One panel of a transposed B (rsb = 1: dW = dY·colsᵀ, Y = X·Wᵀ), whose columns are contiguous
/// in memory: read four columns × four steps as four v128 and transpose in registers. Columns past
/// `cols` (the last panel of n = 25, 75, 150, 500 …) are zero, as zero vectors in the transpose.
fn pack_b_transposed(kc: usize, cols: usize, b: &[f32], csb: usize, pc: usize, j0: usize, dst: &mut [f32]) {
    let dst = &mut dst[..kc * NR];
    let kc4 = kc & !3;
    let zero = f32x4_splat(0.0);
    for jq in (0..NR).step_by(4) {
        // Valid columns in this group of four.
        let valid = cols.saturating_sub(jq).min(4);
        let col0 = (j0 + jq) * csb + pc;
        let start = |t: usize| col0 + t * csb;
        if valid > 0 {
            // Bound for the v128 reads below: the last valid column's last read.
            assert!(start(valid - 1) + kc <= b.len());
        }
        let mut p = 0;
        while p < kc4 {
            // SAFETY: each load reads 4 floats at start(t) + p .. + 4 ≤ start(valid − 1) + kc ≤
            // b.len() for t < valid; the stores write 4 floats ending at (p+3)·NR + jq + 4 ≤
            // kc·NR = dst.len().
            unsafe {
                let bp = b.as_ptr();
                let load = |t: usize| {
                    if t < valid {
                        v128_load(bp.add(start(t) + p) as *const v128)
                    } else {
                        zero
                    }
                };
                let (r0, r1, r2, r3) = (load(0), load(1), load(2), load(3));
                transpose_store(r0, r1, r2, r3, dst.as_mut_ptr().add(p * NR + jq), NR);
            }
            p += 4;
        }
        for p in kc4..kc {
            for t in 0..4 {
                dst[p * NR + jq + t] = if t < valid { b[start(t) + p] } else { 0.0 };
            }
        }
    }
}

/// acc + a·b for the micro-kernel. The simd128 build multiplies, rounds, adds and rounds: the same
/// two roundings on every engine and CPU, so a seed's losses are the same everywhere.
#[cfg(not(target_feature = "relaxed-simd"))]
#[inline(always)]
fn madd(a: v128, b: v128, acc: v128) -> v128 {
    f32x4_add(acc, f32x4_mul(a, b))
}

/// acc + a·b for the micro-kernel in the relaxed-SIMD build: `f32x4.relaxed_madd`, which the engine
/// compiles to a fused multiply-add (one rounding) where the CPU has one, else to mul + add. The
/// choice is the engine's, made once for the module, so a run is deterministic on one machine and
/// browser, and within the tests' tolerance of the simd128 build everywhere. It saves the
/// temporary register a separate multiply needs.
#[cfg(target_feature = "relaxed-simd")]
#[inline(always)]
fn madd(a: v128, b: v128, acc: v128) -> v128 {
    f32x4_relaxed_madd(a, b, acc)
}

/// Arguments of one micro-kernel call: (kc, a, b, ldb, c, ldc, cols, load_c).
type MicroArgs = (usize, *const f32, *const f32, usize, *mut f32, usize, usize, bool);

/// The R×4V micro-kernel: C[0..R, 0..cols] (+)= Σ_{p<kc} a[p·MR + 0..R] ⊗ b[p·ldb + 0..4V].
/// V = 2 is the main 8-column tile; V = 1 serves a last panel of at most 4 columns (n = 10, 25,
/// 27 in these nets), halving the work spent on zero padding there.
///
/// # Safety
/// `a` must be readable for kc·MR floats, `b` at p·ldb + j for p < kc, j < 4V, and `c` writable
/// at r·ldc + j for every r < R, j < cols (R ≤ MR, cols ≤ 4V).
#[inline(always)]
unsafe fn micro<const R: usize, const V: usize>((kc, a, b, ldb, c, ldc, cols, load_c): MicroArgs) {
    // The accumulators start from C (or from zero when C is overwritten), so each element of C is
    // c + a₀b₀ + a₁b₁ + … added in k order, block after block: the scalar twin's order, whatever
    // m, n or the tiling, and nothing depends on which rows a call covers.
    let mut acc = [[f32x4_splat(0.0); V]; R];
    if load_c {
        for (r, acc_r) in acc.iter_mut().enumerate() {
            let cp = c.add(r * ldc);
            if cols == 4 * V {
                for (v, x) in acc_r.iter_mut().enumerate() {
                    *x = v128_load(cp.add(4 * v) as *const v128);
                }
            } else {
                // Column edge: gather the valid columns into a zero-padded tile.
                let mut tile = [0.0f32; NR];
                for (j, t) in tile.iter_mut().enumerate().take(cols) {
                    *t = *cp.add(j);
                }
                for (v, x) in acc_r.iter_mut().enumerate() {
                    *x = v128_load(tile.as_ptr().add(4 * v) as *const v128);
                }
            }
        }
    }
    // One step p: V B vectors, then per row one broadcast and V multiply-adds. Not unrolled:
    // unrolling by two let LLVM hoist both steps' loads ahead of the arithmetic, and the extra
    // live vectors made V8 spill (256³ fell from ~57 to ~37 GFLOP/s in Node 20).
    let (mut ap, mut bp) = (a, b);
    for _ in 0..kc {
        let mut bv = [f32x4_splat(0.0); V];
        for (v, x) in bv.iter_mut().enumerate() {
            *x = v128_load(bp.add(4 * v) as *const v128);
        }
        for (r, acc_r) in acc.iter_mut().enumerate() {
            let ar = v128_load32_splat(ap.add(r) as *const u32);
            for (x, &bx) in acc_r.iter_mut().zip(&bv) {
                *x = madd(ar, bx, *x);
            }
        }
        ap = ap.add(MR);
        bp = bp.add(ldb);
    }
    for (r, acc_r) in acc.iter().enumerate() {
        let cp = c.add(r * ldc);
        if cols == 4 * V {
            for (v, &x) in acc_r.iter().enumerate() {
                v128_store(cp.add(4 * v) as *mut v128, x);
            }
        } else {
            // Column edge: spill the tile and store only the valid columns.
            let mut tile = [0.0f32; NR];
            for (v, &x) in acc_r.iter().enumerate() {
                v128_store(tile.as_mut_ptr().add(4 * v) as *mut v128, x);
            }
            for (j, &t) in tile.iter().enumerate().take(cols) {
                *cp.add(j) = t;
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
    let lo = if g.pad > kx {
        (g.pad - kx).div_ceil(g.stride)
    } else {
        0
    };
    // ox·s + kx − pad ≤ w − 1  ⇔  ox ≤ (w + pad − kx − 1) / s
    let hi = if g.w + g.pad > kx {
        ((g.w + g.pad - kx - 1) / g.stride + 1).min(g.ow)
    } else {
        0
    };
    let lo = lo.min(g.ow);
    (lo, hi.max(lo))
}

/// The input row iy = oy·s + ky − pad, or None when it falls in the padding.
fn input_row(g: &ConvGeom, oy: usize, ky: usize) -> Option<usize> {
    (oy * g.stride + ky).checked_sub(g.pad).filter(|&iy| iy < g.h)
}

/// See [`super::scalar::im2col_rows`]; bit-identical (it only moves values).
pub fn im2col_rows(x: &[f32], g: &ConvGeom, rows: std::ops::Range<usize>, cols: &mut [f32]) {
    let (ohw, ow, s) = (g.oh * g.ow, g.ow, g.stride);
    let x = &x[..g.c * g.h * g.w];
    let cols = &mut cols[..rows.len() * ohw];
    let z = opaque_zero();
    for (r, out) in rows.zip(cols.chunks_exact_mut(ohw.max(1))) {
        let (ci, ky, kx) = (r / (g.kh * g.kw), r / g.kw % g.kh, r % g.kw);
        let plane = &x[ci * g.h * g.w..(ci + 1) * g.h * g.w];
        let (lo, hi) = valid_ox(g, kx);
        if s == 1 && ow == g.w && lo < hi {
            im2col_row_flat(plane, g, ky, kx, (lo, hi), out, z);
            continue;
        }
        if s == 1 && g.pad == 0 {
            // "valid": no padding anywhere, each output row a copy of OW floats from
            // input row oy + ky (oy + ky < h and kx + ow ≤ w by the geometry).
            for (oy, row) in out.chunks_exact_mut(ow).enumerate() {
                let at = (oy + ky) * g.w + kx;
                copy(row, &plane[at..at + ow], z);
            }
            continue;
        }
        for oy in 0..g.oh {
            let row = &mut out[oy * ow..(oy + 1) * ow];
            let iy = match input_row(g, oy, ky) {
                Some(iy) if lo < hi => iy,
                // A padding row, or a kernel column that only ever sees padding.
                _ => {
                    zero_span(row, 0, ow, z);
                    continue;
                }
            };
            // Padding first: zero_span may overshoot into [lo, hi), which the run below
            // then overwrites.
            zero_span(row, 0, lo, z);
            zero_span(row, hi, ow, z);
            // First input column read: lo·s + kx − pad (≥ 0 by the choice of lo).
            let src = &plane[iy * g.w..(iy + 1) * g.w];
            let ix0 = lo * s + kx - g.pad;
            if s == 1 {
                copy(&mut row[lo..hi], &src[ix0..ix0 + (hi - lo)], z);
            } else {
                for (t, d) in row[lo..hi].iter_mut().enumerate() {
                    *d = src[ix0 + t * s];
                }
            }
        }
    }
}

/// One row r = (ci, ky, kx) of im2col for stride 1 and OW = W ("same" padding along x), where
/// consecutive output rows read consecutive input rows at the same stride: cols entry
/// t = oy·W + ox reads plane[t + (ky − pad)·W + kx − pad]. So the rows whose input row exists are
/// one long copy (a few v128 per call instead of a call per 8..32-float output row), after which
/// the |kx − pad| entries per row that wrapped round to the neighbouring input row (columns outside
/// [lo, hi)) are set to zero, and the output rows in the vertical padding are zeroed. Needs
/// lo < hi. Only moves values, as the per-row path.
fn im2col_row_flat(
    plane: &[f32],
    g: &ConvGeom,
    ky: usize,
    kx: usize,
    (lo, hi): (usize, usize),
    out: &mut [f32],
    z: v128,
) {
    let (w, ow) = (g.w, g.ow);
    // Output rows [oy_lo, oy_hi) read input rows oy + ky − pad in [0, h).
    let oy_lo = g.pad.saturating_sub(ky).min(g.oh);
    let oy_hi = (g.h + g.pad).saturating_sub(ky).min(g.oh).max(oy_lo);
    zero_span(&mut out[..oy_lo * ow], 0, oy_lo * ow, z);
    zero_span(&mut out[oy_hi * ow..], 0, (g.oh - oy_hi) * ow, z);
    if oy_lo == oy_hi {
        return;
    }
    // Source index of entry t is t + ky·W + kx − pad·(W + 1); copy the entries whose source lies
    // in the plane (the first and last rows' out-of-range ones are edge columns, zeroed below).
    let shift = ky * w + kx;
    let back = g.pad * (w + 1);
    let t0 = (oy_lo * ow).max(back.saturating_sub(shift));
    let t1 = (oy_hi * ow).min((plane.len() + back).saturating_sub(shift));
    if t0 < t1 {
        let s0 = t0 + shift - back;
        copy(&mut out[t0..t1], &plane[s0..s0 + (t1 - t0)], z);
    }
    // The opaque zero as a scalar, so LLVM cannot turn these 1..pad-float stores into memset calls.
    let zero = f32x4_extract_lane::<0>(z);
    for row in out[oy_lo * ow..oy_hi * ow].chunks_exact_mut(ow) {
        row[..lo].iter_mut().for_each(|v| *v = zero);
        row[hi..].iter_mut().for_each(|v| *v = zero);
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
                if s == 1 && g.pad == 0 {
                    // "valid": output row oy adds onto input row oy + ky from column kx, no edges.
                    for (oy, row) in src.chunks_exact(ow).enumerate() {
                        let at = (oy + ky) * g.w + kx;
                        add_assign(&mut plane[at..at + ow], row);
                    }
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

/// A zero vector LLVM cannot see through. Its loop-idiom pass turns plain copy and zero-fill loops
/// into memcpy / memset, which become wasm `memory.copy` / `memory.fill`; V8 runs those as
/// out-of-line calls that cost more than moving the 8..32 floats of one conv row (im2col measured
/// no faster than the scalar loop on LeNet's 10-wide rows). Storing, or or-ing with, an opaque
/// zero keeps these loops inline v128 code.
#[inline(always)]
fn opaque_zero() -> v128 {
    core::hint::black_box(f32x4_splat(0.0))
}

/// Zeroes row[a..b] with whole-v128 stores. Rows of 4+ floats get only v128 stores, the last one
/// pulled back to end at the row's end, so it may also zero up to 3 floats of row[..a] or a few
/// past b inside the row: call it before writing the rest of the row.
fn zero_span(row: &mut [f32], a: usize, b: usize, z: v128) {
    let n = row.len();
    assert!(a <= b && b <= n);
    if n < 4 {
        row[a..b].iter_mut().for_each(|v| *v = 0.0);
        return;
    }
    let mut i = a;
    while i < b {
        let at = i.min(n - 4);
        // SAFETY: at + 4 ≤ n.
        unsafe { v128_store(row.as_mut_ptr().add(at) as *mut v128, z) };
        i += 4;
    }
}

/// dst = src (equal lengths), bit for bit: v128 loads or-ed with the opaque zero `z`; for 4+
/// floats the last vector is pulled back to end at the end (overlapping, same values).
fn copy(dst: &mut [f32], src: &[f32], z: v128) {
    let n = dst.len();
    let src = &src[..n];
    if n < 4 {
        // Unrolled rather than a loop, which LLVM would make a memcpy call.
        if n > 0 {
            dst[0] = src[0];
        }
        if n > 1 {
            dst[1] = src[1];
        }
        if n > 2 {
            dst[2] = src[2];
        }
        return;
    }
    // SAFETY: every access is at i..i+4 with i ≤ n − 4, inside both slices of length n.
    unsafe {
        let (d, s) = (dst.as_mut_ptr(), src.as_ptr());
        let mut i = 0;
        while i < n {
            let at = i.min(n - 4);
            v128_store(
                d.add(at) as *mut v128,
                v128_or(v128_load(s.add(at) as *const v128), z),
            );
            i += 4;
        }
    }
}

/// dst += src, lane by lane (same rounding as the scalar loop). Inlined into col2im's loops (two
/// call sites there, and a call per 8..32-float row measured 3% of a cifar-convnetjs step).
#[inline(always)]
fn add_assign(dst: &mut [f32], src: &[f32]) {
    let n = dst.len();
    let src = &src[..n];
    let n4 = n & !3;
    // SAFETY: i + 4 ≤ n4 ≤ n = len of both slices.
    unsafe {
        let (d, s) = (dst.as_mut_ptr(), src.as_ptr());
        let mut i = 0;
        while i < n4 {
            let v = f32x4_add(
                v128_load(d.add(i) as *const v128),
                v128_load(s.add(i) as *const v128),
            );
            v128_store(d.add(i) as *mut v128, v);
            i += 4;
        }
    }
    for (d, &v) in dst[n4..].iter_mut().zip(&src[n4..]) {
        *d += v;
    }
}

// ---------------------------------------------------------------------------------------------
// Max pooling
//
// The 2×2 / stride-2 window (every preset's pooling) gets a v128 path: four outputs at a time
// from two input rows of 8 floats, split into even and odd columns. The four candidates are
// compared in the scalar twin's order ((0,0), (0,1), (1,0), (1,1)) with the same strict `>`, and
// values and indices are selected by mask, so y and argmax are bit-identical to the scalar ones,
// ties and NaN included. Other windows take the scalar path.

fn is_2x2_stride_2(g: &ConvGeom) -> bool {
    g.kh == 2 && g.kw == 2 && g.stride == 2 && g.pad == 0
}

/// See [`super::scalar::maxpool_forward`].
pub fn maxpool_forward(x: &[f32], g: &ConvGeom, y: &mut [f32], argmax: &mut [u32]) {
    if !is_2x2_stride_2(g) {
        return super::scalar::maxpool_forward(x, g, y, argmax);
    }
    let (h, w, oh, ow) = (g.h, g.w, g.oh, g.ow);
    let x = &x[..g.c * h * w];
    let y = &mut y[..g.c * oh * ow];
    let argmax = &mut argmax[..g.c * oh * ow];
    assert!(x.len() <= i32::MAX as usize, "argmax indices are 32-bit");
    let ow4 = ow & !3;
    // Lane l of a group of four outputs starting at column ox reads input column 2·(ox + l).
    let lane = i32x4(0, 2, 4, 6);
    let (one, wv) = (i32x4_splat(1), i32x4_splat(w as i32));
    for c in 0..g.c {
        for oy in 0..oh {
            let r0 = (c * h + 2 * oy) * w; // first of the window's two input rows
            let o0 = (c * oh + oy) * ow;
            let mut ox = 0;
            while ox < ow4 {
                // SAFETY: reads x[r0 + 2·ox .. + 8] and the same one row down; 2·ox + 8 ≤ 2·ow ≤ w,
                // and row 2·oy + 1 < h, so both lie in channel c's plane. Writes y and argmax at
                // o0 + ox .. + 4 ≤ o0 + ow, inside the output row.
                unsafe {
                    let p0 = x.as_ptr().add(r0 + 2 * ox);
                    let p1 = p0.add(w);
                    let (u0, v0) = (v128_load(p0 as *const v128), v128_load(p0.add(4) as *const v128));
                    let (u1, v1) = (v128_load(p1 as *const v128), v128_load(p1.add(4) as *const v128));
                    let i00 = i32x4_add(i32x4_splat((r0 + 2 * ox) as i32), lane);
                    let mut best = i32x4_shuffle::<0, 2, 4, 6>(u0, v0); // (ky, kx) = (0, 0)
                    let mut at = i00;
                    for (cand, idx) in [
                        (i32x4_shuffle::<1, 3, 5, 7>(u0, v0), i32x4_add(i00, one)), // (0, 1)
                        (i32x4_shuffle::<0, 2, 4, 6>(u1, v1), i32x4_add(i00, wv)),  // (1, 0)
                        (
                            i32x4_shuffle::<1, 3, 5, 7>(u1, v1),
                            i32x4_add(i00, i32x4_add(wv, one)),
                        ), // (1, 1)
                    ] {
                        let better = f32x4_gt(cand, best);
                        best = v128_bitselect(cand, best, better);
                        at = v128_bitselect(idx, at, better);
                    }
                    v128_store(y.as_mut_ptr().add(o0 + ox) as *mut v128, best);
                    v128_store(argmax.as_mut_ptr().add(o0 + ox) as *mut v128, at);
                }
                ox += 4;
            }
            for ox in ow4..ow {
                let r = r0 + 2 * ox;
                let mut best = r;
                for idx in [r + 1, r + w, r + w + 1] {
                    if x[idx] > x[best] {
                        best = idx;
                    }
                }
                y[o0 + ox] = x[best];
                argmax[o0 + ox] = best as u32;
            }
        }
    }
}

/// See [`super::scalar::maxpool_backward`]. For 2×2 / stride 2 the windows are disjoint, so each
/// pixel receives at most one gradient: the pixel at argmax gets 0 + dy (as the scalar twin's
/// zero-then-add, which turns −0 into +0), the other three get 0. `argmax` must come from
/// `maxpool_forward` with the same geometry: an index outside its window is not honoured here.
pub fn maxpool_backward(dy: &[f32], argmax: &[u32], g: &ConvGeom, dx: &mut [f32]) {
    if !is_2x2_stride_2(g) {
        return super::scalar::maxpool_backward(dy, argmax, g, dx);
    }
    let (h, w, oh, ow) = (g.h, g.w, g.oh, g.ow);
    let dx = &mut dx[..g.c * h * w];
    let dy = &dy[..g.c * oh * ow];
    let argmax = &argmax[..g.c * oh * ow];
    if h % 2 == 1 || w % 2 == 1 {
        // A last row or column outside every window gets no gradient; zero it all up front.
        dx.fill(0.0);
    }
    let ow4 = ow & !3;
    let lane = i32x4(0, 2, 4, 6);
    let (one, wv, zero) = (i32x4_splat(1), i32x4_splat(w as i32), f32x4_splat(0.0));
    for c in 0..g.c {
        for oy in 0..oh {
            let r0 = (c * h + 2 * oy) * w;
            let o0 = (c * oh + oy) * ow;
            let mut ox = 0;
            while ox < ow4 {
                // SAFETY: reads dy and argmax at o0 + ox .. + 4 ≤ o0 + ow; writes dx at
                // r0 + 2·ox .. + 8 and one row down, inside the plane as in the forward.
                unsafe {
                    let grad = f32x4_add(zero, v128_load(dy.as_ptr().add(o0 + ox) as *const v128));
                    let at = v128_load(argmax.as_ptr().add(o0 + ox) as *const v128);
                    let i00 = i32x4_add(i32x4_splat((r0 + 2 * ox) as i32), lane);
                    let pick = |idx: v128| v128_and(grad, i32x4_eq(at, idx));
                    let (e0, d0) = (pick(i00), pick(i32x4_add(i00, one)));
                    let (e1, d1) = (pick(i32x4_add(i00, wv)), pick(i32x4_add(i00, i32x4_add(wv, one))));
                    // Back to pixel order: even and odd columns interleaved.
                    let p0 = dx.as_mut_ptr().add(r0 + 2 * ox);
                    let p1 = p0.add(w);
                    v128_store(p0 as *mut v128, i32x4_shuffle::<0, 4, 1, 5>(e0, d0));
                    v128_store(p0.add(4) as *mut v128, i32x4_shuffle::<2, 6, 3, 7>(e0, d0));
                    v128_store(p1 as *mut v128, i32x4_shuffle::<0, 4, 1, 5>(e1, d1));
                    v128_store(p1.add(4) as *mut v128, i32x4_shuffle::<2, 6, 3, 7>(e1, d1));
                }
                ox += 4;
            }
            for ox in ow4..ow {
                let r = r0 + 2 * ox;
                let at = argmax[o0 + ox] as usize;
                for idx in [r, r + 1, r + w, r + w + 1] {
                    dx[idx] = if idx == at { 0.0 + dy[o0 + ox] } else { 0.0 };
                }
            }
        }
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
/// at the end. Differs from the scalar left-to-right sum only by reassociation; its order is
/// `scalar::sum_in_16_lanes`'s, which native runs in the page's order use (bit for bit this).
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
