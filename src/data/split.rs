//! The seeded train/validation split of a set that comes without a validation part (the page's
//! own images, a single IDX pair, CIFAR-10 batches without `test_batch.bin`).
//!
//! Stratified: each class gives `round(fraction · count)` of its images to validation, but never
//! its last one (every class keeps a training image), so a small folder of photos still has every
//! class on both sides when it can. Both parts are then shuffled, because a run trains on the
//! first `trainSize` images of its split and a page's folders arrive sorted by class.

use crate::Rng;

/// Image indices of the training part and of the validation part: disjoint, together every index
/// of `labels` once, and the same for the same `seed`.
pub fn stratified_split(labels: &[u8], classes: usize, fraction: f64, seed: u64) -> (Vec<usize>, Vec<usize>) {
    let mut rng = Rng::new(seed);
    let mut by_class: Vec<Vec<usize>> = vec![Vec::new(); classes];
    for (i, &l) in labels.iter().enumerate() {
        by_class[l as usize].push(i);
    }
    let mut train = Vec::with_capacity(labels.len());
    let mut val = Vec::new();
    for members in &mut by_class {
        rng.shuffle(members);
        let count = members.len();
        let to_val = ((fraction * count as f64).round() as usize).min(count.saturating_sub(1));
        val.extend_from_slice(&members[..to_val]);
        train.extend_from_slice(&members[to_val..]);
    }
    rng.shuffle(&mut train);
    rng.shuffle(&mut val);
    (train, val)
}
