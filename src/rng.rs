//! The one random number generator of a run.
//!
//! Every random draw in trainlab takes `&mut Rng` explicitly; nothing reads a global RNG or the
//! clock, so a run is fully defined by its config and seed. PCG64 (MCG variant) is used because its
//! output is the same on every platform — native tests and the wasm page draw identical numbers —
//! unlike `rand`'s `SmallRng`, whose algorithm depends on the pointer width.

//!
//! A stream is saved (with a run's training state) as its seed and the number of 64-bit words drawn
//! so far: PCG can jump ahead by any count, so the pair is all it takes to resume it exactly.

use rand::{Rng as _, RngCore, SeedableRng};
use rand_distr::{Distribution, StandardNormal};
use rand_pcg::Pcg64Mcg;

pub struct Rng(Counted);

/// Where a stream stands: `Rng::resume(pos)` continues it with the same draws.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RngPosition {
    pub seed: u64,
    /// 64-bit words drawn since seeding.
    pub draws: u64,
}

/// PCG64 that counts its steps. Every output goes through `next_u64` (as PCG's own `next_u32` and
/// `fill_bytes` do), so the count is exactly how far the state has advanced, and the numbers are
/// the plain generator's.
pub struct Counted {
    pcg: Pcg64Mcg,
    seed: u64,
    draws: u64,
}

impl RngCore for Counted {
    fn next_u32(&mut self) -> u32 {
        self.next_u64() as u32
    }

    fn next_u64(&mut self) -> u64 {
        self.draws += 1;
        self.pcg.next_u64()
    }

    fn fill_bytes(&mut self, dest: &mut [u8]) {
        rand_core::impls::fill_bytes_via_next(self, dest)
    }
}

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(Counted {
            pcg: Pcg64Mcg::seed_from_u64(seed),
            seed,
            draws: 0,
        })
    }

    /// An independent stream derived from this one (for example one per data set split), so that
    /// changing how many draws one consumer makes does not shift the others.
    pub fn fork(&mut self) -> Rng {
        Rng::new(self.0.next_u64())
    }

    /// Where this stream stands, to `resume` it later.
    pub fn position(&self) -> RngPosition {
        RngPosition {
            seed: self.0.seed,
            draws: self.0.draws,
        }
    }

    /// The stream at `pos`: its next draws are those the saved stream would have made.
    pub fn resume(pos: RngPosition) -> Self {
        let mut rng = Rng::new(pos.seed);
        rng.0.pcg.advance(pos.draws as u128);
        rng.0.draws = pos.draws;
        rng
    }

    /// Uniform in [0, 1).
    pub fn uniform(&mut self) -> f64 {
        self.0.random::<f64>()
    }

    /// Uniform in [lo, hi).
    pub fn range(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.uniform()
    }

    /// Uniform integer in [0, n). `n` must be positive.
    pub fn below(&mut self, n: usize) -> usize {
        self.0.random_range(0..n)
    }

    /// Standard normal N(0, 1).
    pub fn normal(&mut self) -> f64 {
        StandardNormal.sample(&mut self.0)
    }

    /// True with probability `p`.
    pub fn bernoulli(&mut self, p: f64) -> bool {
        self.uniform() < p
    }

    /// Fisher–Yates shuffle in place.
    pub fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = self.below(i + 1);
            items.swap(i, j);
        }
    }

    /// Access for samplers from `rand_distr` (Beta for Mixup, ...).
    pub fn inner(&mut self) -> &mut Counted {
        &mut self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_stream_and_different_seed_differs() {
        let (mut a, mut b, mut c) = (Rng::new(7), Rng::new(7), Rng::new(8));
        let xs: Vec<f64> = (0..5).map(|_| a.uniform()).collect();
        let ys: Vec<f64> = (0..5).map(|_| b.uniform()).collect();
        let zs: Vec<f64> = (0..5).map(|_| c.uniform()).collect();
        assert_eq!(xs, ys);
        assert_ne!(xs, zs);
    }

    #[test]
    fn a_resumed_stream_continues_with_the_same_draws() {
        let mut a = Rng::new(3);
        // Mixed draw kinds: 32-bit, 64-bit and rejection-sampled ones all advance the count.
        let _ = (a.uniform(), a.below(7), a.normal(), a.inner().next_u32());
        let mut b = Rng::resume(a.position());
        assert_eq!(b.position(), a.position());
        let xs: Vec<f64> = (0..5).map(|_| a.normal()).collect();
        let ys: Vec<f64> = (0..5).map(|_| b.normal()).collect();
        assert_eq!(xs, ys);
    }

    #[test]
    fn normal_has_unit_moments() {
        let mut r = Rng::new(1);
        let n = 200_000;
        let xs: Vec<f64> = (0..n).map(|_| r.normal()).collect();
        let mean = xs.iter().sum::<f64>() / n as f64;
        let var = xs.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / n as f64;
        assert!(mean.abs() < 0.01, "mean {mean}");
        assert!((var - 1.0).abs() < 0.02, "var {var}");
    }
}
