//! Nearest neighbours by Euclidean distance, in whatever space the vectors live in: pixels, or a
//! network's penultimate-layer features (the lecture's "Image Retrieval: Nearest-Neighbor").

/// One neighbour: its index in the pool and its Euclidean distance to the query.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Neighbour {
    pub index: usize,
    pub distance: f32,
}

/// The `k` vectors of `pool` (rows of `dim` values) nearest to `query`, nearest first (ties by
/// index), `exclude` left out (the query itself when it is in the pool). Fewer when the pool is
/// smaller.
pub fn nearest(query: &[f32], pool: &[f32], dim: usize, k: usize, exclude: Option<usize>) -> Vec<Neighbour> {
    assert!(
        dim > 0 && query.len() == dim,
        "nearest: the query has {} values, not dim {dim}",
        query.len()
    );
    assert_eq!(
        pool.len() % dim,
        0,
        "nearest: the pool is not whole rows of {dim}"
    );
    let mut all: Vec<Neighbour> = pool
        .chunks_exact(dim)
        .enumerate()
        .filter(|(i, _)| Some(*i) != exclude)
        .map(|(index, row)| {
            // Summed in f64: features of a few hundred values differ in the low bits otherwise.
            let d2: f64 = row
                .iter()
                .zip(query)
                .map(|(&a, &b)| ((a - b) as f64).powi(2))
                .sum();
            Neighbour {
                index,
                distance: d2.sqrt() as f32,
            }
        })
        .collect();
    all.sort_by(|a, b| a.distance.total_cmp(&b.distance).then(a.index.cmp(&b.index)));
    all.truncate(k);
    all
}
