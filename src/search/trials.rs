//! Where the trials go: grid search on an n × n lattice, random search uniform in each axis' scale.

use super::spec::{Method, SearchError, SearchSpec};
use crate::Rng;
use serde::Serialize;
use std::collections::BTreeMap;

/// One trial: its place in the search's order and the value of each searched hyperparameter.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Trial {
    pub index: usize,
    pub values: BTreeMap<String, f64>,
}

/// The side n of the grid for K trials: the largest n with n² ≤ K. A K that is not a square is
/// rounded down (K = 10 → a 3 × 3 grid of 9 trials) so that both axes get the same number of values,
/// as on the lecture's grid layout; the page says how many of the K a grid runs.
pub fn grid_side(trials: usize) -> usize {
    let mut n = (trials as f64).sqrt() as usize;
    // Float rounding can land one off for large K: settle it with integers.
    while n * n > trials {
        n -= 1;
    }
    while (n + 1) * (n + 1) <= trials {
        n += 1;
    }
    n
}

/// The trials of a spec (validated here too).
///
/// Grid: n = `grid_side(K)` values per axis, evenly spaced in the axis' scale with both ends included
/// (n = 1: the middle); trial i·n + j has the first parameter's i-th value and the second's j-th.
/// Random: K trials, each coordinate an independent uniform draw in its axis' scale (log-uniform on a
/// log axis) from the seeded stream, the first parameter's before the second's; the same seed gives
/// the same trials.
pub fn search_trials(spec: &SearchSpec) -> Result<Vec<Trial>, SearchError> {
    spec.validate()?;
    let [a, b] = [&spec.params[0], &spec.params[1]];
    let point = |index: usize, ua: f64, ub: f64| Trial {
        index,
        values: BTreeMap::from([(a.key.clone(), a.at(ua)), (b.key.clone(), b.at(ub))]),
    };
    Ok(match spec.method {
        Method::Grid => {
            let n = grid_side(spec.trials);
            let u = |i: usize| if n == 1 { 0.5 } else { i as f64 / (n - 1) as f64 };
            (0..n * n).map(|k| point(k, u(k / n), u(k % n))).collect()
        }
        Method::Random => {
            let mut rng = Rng::new(spec.seed);
            (0..spec.trials)
                .map(|k| {
                    let ua = rng.uniform();
                    point(k, ua, rng.uniform())
                })
                .collect()
        }
    })
}
