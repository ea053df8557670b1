//! Random pixels with random labels: a data set with nothing to learn.
//!
//! Used by the benchmarks (speed does not depend on content) and as a sanity check: a network
//! can only memorise it, so validation accuracy must stay at chance (1/classes).

use super::{normalise, Dataset};
use crate::Rng;

/// `n` images of `size`×`size`×`channels` with intensities uniform in [0, 1] (stored normalised,
/// see the module comment of `data`) and labels uniform in [0, classes).
pub fn noise(n: usize, size: usize, channels: usize, classes: usize, rng: &mut Rng) -> Dataset {
    assert!(
        classes > 0 && classes <= 256,
        "noise: classes must be in 1..=256, got {classes}"
    );
    let len = n * channels * size * size;
    let images = (0..len).map(|_| normalise(rng.uniform() as f32)).collect();
    let labels = (0..n).map(|_| rng.below(classes) as u8).collect();
    Dataset::generated(
        images,
        labels,
        [channels, size, size],
        (0..classes).map(|k| format!("noise {k}")).collect(),
    )
}
