//! Fractional max pooling (Graham 2014) against its definition: the pseudo-random boundary
//! sequences, the regions they define, the max over each region, gradients, and the randomness of
//! the regions across forwards.

#![cfg(not(target_arch = "wasm32"))]

use std::collections::HashSet;
use std::f64::consts::SQRT_2;
use trainlab::nn::fractional_pool::fmp_output_size;
use trainlab::nn::{fmp_boundaries, FractionalMaxPool2d, FractionalMaxPoolConfig, Layer, Mode};
use trainlab::{Rng, Tensor};

/// (N_in, N_out) pairs: from a ratio (⌊N/α⌋) and requested sizes, non-integer and integer ratios.
const CASES: [(usize, usize); 11] = [
    (32, 22), // √2
    (25, 17), // √2
    (25, 18), // requested
    (10, 6),  // α = 1.5
    (10, 7),  // requested
    (7, 4),
    (3, 2),
    (2, 1),
    (64, 45), // √2
    (16, 8),  // α = 2: plain 2×2 pooling, every increment 2
    (9, 8),
];

/// u values: an even grid of [0, 1] plus random draws.
fn us() -> Vec<f64> {
    let mut rng = Rng::new(2014);
    (0..=400)
        .map(|k| k as f64 / 400.0)
        .chain((0..400).map(|_| rng.uniform()))
        .collect()
}

#[test]
fn output_size_from_a_ratio_is_the_floor() {
    assert_eq!(fmp_output_size(32, SQRT_2), 22); // 32/√2 = 22.63
    assert_eq!(fmp_output_size(25, SQRT_2), 17); // 17.68
    assert_eq!(fmp_output_size(10, 1.5), 6); // 6.67
    assert_eq!(fmp_output_size(64, SQRT_2), 45); // 45.25
    let layer = FractionalMaxPool2d::new([3, 32, 25], FractionalMaxPoolConfig::default()).unwrap();
    assert_eq!(Layer::<f32>::output_shape(&layer), [3, 22, 17]);
    let layer = FractionalMaxPool2d::with_output_size([2, 25, 10], [18, 7], true).unwrap();
    assert_eq!(Layer::<f32>::output_shape(&layer), [2, 18, 7]);
}

#[test]
fn disjoint_boundaries_tile_the_input_with_increments_floor_and_ceil_alpha() {
    for (n_in, n_out) in CASES {
        // α = N_in/N_out, so ⌊α⌋ and ⌈α⌉ in integers
        let (lo, hi) = (n_in / n_out, n_in.div_ceil(n_out));
        let mut seen = HashSet::new();
        for u in us() {
            let a = fmp_boundaries(n_in, n_out, u, false);
            assert_eq!(a.len(), n_out + 1, "{n_in}→{n_out} u={u}: one region per output");
            assert_eq!((a[0], a[n_out]), (0, n_in), "{n_in}→{n_out} u={u}: {a:?}");
            for d in a.windows(2).map(|p| p[1] - p[0]) {
                assert!(
                    d == lo || d == hi,
                    "{n_in}→{n_out} u={u}: increment {d} not in {{{lo}, {hi}}}: {a:?}"
                );
            }
            // Regions [a_i, a_{i+1}) cover every input row exactly once.
            let mut cover = vec![0; n_in];
            for i in 0..n_out {
                (a[i]..a[i + 1]).for_each(|r| cover[r] += 1);
            }
            assert!(
                cover.iter().all(|&k| k == 1),
                "{n_in}→{n_out} u={u}: coverage {cover:?}"
            );
            seen.insert(a);
        }
        // The sequence really depends on u when the ratio is not an integer.
        if lo != hi {
            assert!(seen.len() > 1, "{n_in}→{n_out}: one sequence for every u");
        }
    }
}

/// The integer implementation equals the formula as written, a_i = ⌈α(i + u)⌉ − ⌈αu⌉, wherever
/// floating point evaluates it unambiguously (α(i + u) not within 1e-9 of an integer).
#[test]
fn boundaries_follow_graham_formula() {
    let mut rng = Rng::new(7);
    for (n_in, n_out) in CASES {
        let alpha = n_in as f64 / n_out as f64;
        for _ in 0..200 {
            let u = rng.uniform();
            let xs: Vec<f64> = (0..=n_out).map(|i| alpha * (i as f64 + u)).collect();
            if xs.iter().any(|x| (x - x.round()).abs() < 1e-9) {
                continue;
            }
            let want: Vec<usize> = xs
                .iter()
                .map(|x| (x.ceil() - (alpha * u).ceil()) as usize)
                .collect();
            assert_eq!(
                fmp_boundaries(n_in, n_out, u, false),
                want,
                "{n_in}→{n_out} u={u}"
            );
        }
    }
    // 10 → 7 at u = 0.5: c = ⌈10·0.5⌉ = 5, a_i = ⌈(10i + 5)/7⌉ − ⌈5/7⌉. (At i = 3 the float form
    // α(i + u) = 10/7·3.5 is exactly 5 in the reals, the case the integer form exists for.)
    assert_eq!(fmp_boundaries(10, 7, 0.5, false), [0, 2, 3, 4, 6, 7, 9, 10]);
    // Overlapping spans N_in − 1 = 9: c = ⌈4.5⌉ = 5, a_i = ⌈(9i + 5)/7⌉ − 1.
    assert_eq!(fmp_boundaries(10, 7, 0.5, true), [0, 1, 3, 4, 5, 7, 8, 9]);
}

#[test]
fn overlapping_regions_share_exactly_one_row_with_the_next() {
    for (n_in, n_out) in CASES {
        if n_out >= n_in {
            continue;
        }
        // α' = (N_in − 1)/N_out: the sequence ends on the last row so the last region stays inside.
        let span = n_in - 1;
        let (lo, hi) = (span / n_out, span.div_ceil(n_out));
        for u in us() {
            let a = fmp_boundaries(n_in, n_out, u, true);
            assert_eq!(
                (a.len(), a[0], a[n_out]),
                (n_out + 1, 0, n_in - 1),
                "{n_in}→{n_out} u={u}: {a:?}"
            );
            let regions: Vec<Vec<usize>> = (0..n_out).map(|i| (a[i]..=a[i + 1]).collect()).collect();
            for (i, r) in regions.iter().enumerate() {
                assert!(
                    r.len() == lo + 1 || r.len() == hi + 1,
                    "{n_in}→{n_out} u={u}: region {i} = {r:?}"
                );
                assert!(
                    *r.last().unwrap() < n_in,
                    "{n_in}→{n_out} u={u}: region {i} leaves the input"
                );
                if let Some(next) = regions.get(i + 1) {
                    let shared: Vec<_> = r.iter().filter(|x| next.contains(x)).collect();
                    assert_eq!(
                        shared,
                        [&a[i + 1]],
                        "{n_in}→{n_out} u={u}: regions {i} and {}",
                        i + 1
                    );
                }
                if let Some(after) = regions.get(i + 2) {
                    assert!(
                        r.iter().all(|x| !after.contains(x)),
                        "{n_in}→{n_out} u={u}: regions {i}, {} overlap",
                        i + 2
                    );
                }
            }
            let covered: HashSet<usize> = regions.iter().flatten().copied().collect();
            assert_eq!(
                covered.len(),
                n_in,
                "{n_in}→{n_out} u={u}: every row in some region"
            );
        }
    }
}

fn random_input(shape: [usize; 4], rng: &mut Rng) -> Tensor<f64> {
    Tensor::from_vec(shape, (0..shape.iter().product()).map(|_| rng.normal()).collect())
}

fn layers() -> Vec<(&'static str, FractionalMaxPool2d)> {
    let shape = [3, 11, 13];
    vec![
        (
            "disjoint √2",
            FractionalMaxPool2d::with_ratio(shape, SQRT_2, false).unwrap(),
        ),
        (
            "overlapping √2",
            FractionalMaxPool2d::with_ratio(shape, SQRT_2, true).unwrap(),
        ),
        (
            "disjoint 8×7",
            FractionalMaxPool2d::with_output_size(shape, [8, 7], false).unwrap(),
        ),
        (
            "overlapping 6×10",
            FractionalMaxPool2d::with_output_size(shape, [6, 10], true).unwrap(),
        ),
    ]
}

#[test]
fn forward_is_the_max_over_each_region() {
    let mut rng = Rng::new(1);
    for (what, mut layer) in layers() {
        let x = random_input([2, 3, 11, 13], &mut rng);
        for mode in [Mode::Train, Mode::Eval] {
            let mut y = Tensor::default();
            layer.forward(&x, &mut y, mode, &mut rng);
            let [c, oh, ow] = Layer::<f64>::output_shape(&layer);
            assert_eq!(y.shape, [2, c, oh, ow]);
            let (rows, cols) = layer.boundaries();
            let last = |b: &[usize], i: usize| {
                if layer.overlapping() {
                    b[i + 1]
                } else {
                    b[i + 1] - 1
                }
            };
            for n in 0..2 {
                for ch in 0..c {
                    for i in 0..oh {
                        for j in 0..ow {
                            // Brute force over [a_i, last] × [b_j, last] straight from the boundaries.
                            let mut best = f64::NEG_INFINITY;
                            for r in rows[i]..=last(rows, i) {
                                for s in cols[j]..=last(cols, j) {
                                    best = best.max(x.view()[[n, ch, r, s]]);
                                }
                            }
                            assert_eq!(
                                y.view()[[n, ch, i, j]],
                                best,
                                "{what} {mode:?} ({n},{ch},{i},{j})"
                            );
                        }
                    }
                }
            }
        }
    }
}

/// L = Σ y ⊙ R with every forward drawing from Rng::new(seed), so the regions stay fixed.
fn loss(layer: &mut FractionalMaxPool2d, x: &Tensor<f64>, r: &[f64], mode: Mode, seed: u64) -> f64 {
    let mut y = Tensor::default();
    layer.forward(x, &mut y, mode, &mut Rng::new(seed));
    y.data.iter().zip(r).map(|(a, b)| a * b).sum()
}

#[test]
fn gradients_match_central_differences() {
    const H: f64 = 1e-6;
    let mut rng = Rng::new(3);
    for (what, mut layer) in layers() {
        for (mode, seed) in [(Mode::Train, 11), (Mode::Eval, 12)] {
            let mut x = random_input([2, 3, 11, 13], &mut rng);
            let mut y = Tensor::default();
            layer.forward(&x, &mut y, mode, &mut Rng::new(seed));
            let dy = random_input(y.shape, &mut rng);
            let mut dx = Tensor::default();
            layer.backward(&x, &y, &dy, Some(&mut dx));
            assert_eq!(dx.shape, x.shape);
            // Each output sends its gradient to exactly one input (overlaps accumulate).
            let (sum_dx, sum_dy): (f64, f64) = (dx.data.iter().sum(), dy.data.iter().sum());
            assert!(
                (sum_dx - sum_dy).abs() < 1e-9,
                "{what}: Σdx {sum_dx} Σdy {sum_dy}"
            );
            for i in 0..x.len() {
                let v = x.data[i];
                x.data[i] = v + H;
                let up = loss(&mut layer, &x, &dy.data, mode, seed);
                x.data[i] = v - H;
                let down = loss(&mut layer, &x, &dy.data, mode, seed);
                x.data[i] = v;
                let num = (up - down) / (2.0 * H);
                assert!(
                    (dx.data[i] - num).abs() <= 1e-6 * 1f64.max(num.abs()),
                    "{what} {mode:?}: dx[{i}] {} numeric {num}",
                    dx.data[i]
                );
            }
        }
    }
}

fn regions_of(layer: &FractionalMaxPool2d) -> (Vec<usize>, Vec<usize>) {
    let (r, c) = layer.boundaries();
    (r.to_vec(), c.to_vec())
}

#[test]
fn every_forward_draws_fresh_regions_and_the_seed_fixes_them() {
    let x = random_input([1, 1, 32, 32], &mut Rng::new(5));
    for mode in [Mode::Train, Mode::Eval] {
        let mut layer = FractionalMaxPool2d::new([1, 32, 32], FractionalMaxPoolConfig::default()).unwrap();
        let mut y = Tensor::default();
        let mut rng = Rng::new(9);
        let mut draws = Vec::new();
        for _ in 0..20 {
            layer.forward(&x, &mut y, mode, &mut rng);
            draws.push((regions_of(&layer), y.data.clone()));
        }
        let distinct: HashSet<_> = draws.iter().map(|(b, _)| b.clone()).collect();
        assert!(
            distinct.len() >= 10,
            "{mode:?}: only {} distinct region sets in 20 forwards",
            distinct.len()
        );
        let row_sets: HashSet<_> = draws.iter().map(|((r, _), _)| r.clone()).collect();
        assert!(
            row_sets.len() >= 5,
            "{mode:?}: rows drawn {} ways",
            row_sets.len()
        );
        // Same seed, same regions and outputs, forward for forward.
        let mut again = FractionalMaxPool2d::new([1, 32, 32], FractionalMaxPoolConfig::default()).unwrap();
        let mut rng = Rng::new(9);
        for (bounds, out) in &draws {
            again.forward(&x, &mut y, mode, &mut rng);
            assert_eq!(&regions_of(&again), bounds);
            assert_eq!(&y.data, out);
        }
    }
}

#[test]
fn constructor_rejects_bad_ratios_and_sizes() {
    let cfg = |alpha| FractionalMaxPoolConfig {
        alpha,
        ..Default::default()
    };
    for alpha in [1.0, 2.0, 2.5, 0.5, f64::NAN] {
        let err = FractionalMaxPool2d::new([1, 32, 32], cfg(alpha))
            .err()
            .expect("rejected");
        assert!(err.starts_with("alpha:"), "{err}");
    }
    for size in [[0, 5], [10, 5], [11, 5], [4, 5], [5, 4]] {
        let err = FractionalMaxPool2d::with_output_size([1, 10, 10], size, false)
            .err()
            .expect("rejected");
        assert!(err.starts_with("outputSize:"), "{size:?}: {err}");
    }
    // 1 pixel cannot shrink; ratios from 1×1 inputs give 0.
    assert!(FractionalMaxPool2d::with_ratio([1, 1, 8], SQRT_2, false).is_err());
    assert!(FractionalMaxPool2d::with_output_size([1, 10, 10], [5, 9], true).is_ok());
}
