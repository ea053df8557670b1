//! Data-parallel loops with a fixed reduction order (the `threads` feature).
//!
//! A layer splits its work into parts that write disjoint slices: whole images of a batch, or
//! blocks of output rows. With the feature, [`run`] hands the parts to rayon (a native thread pool,
//! or Web Workers over shared memory in the wasm threads build); without it, or when
//! [`parts`] says the work is too small to be worth waking a thread, the very same closure runs
//! the parts in order on the calling thread. No part ever adds into another's output, and a
//! part sums each of its outputs in the order the single-thread loop does, so the results are
//! bit-identical for every thread count: splitting changes who computes an element, never how.

use std::ops::Range;

/// Below this many multiply-adds (or element operations) a layer's loop stays on one thread. A
/// rayon round trip between Web Workers costs far more than natively: measured in Chromium on two
/// idle cores (bench/run.sh), at 1 M LeNet's batch-64 step ran at 0.78× one thread's speed and at
/// 4 M still lost; at 16 M LeNet stays on one thread (1.0×) while cifar-convnetjs and vgg-mini
/// still split every conv (vgg-mini 1.7–1.8× on two threads). Only speed depends on it, never the
/// arithmetic.
pub const MIN_PARALLEL_WORK: usize = 1 << 24;

/// The threshold in force: [`MIN_PARALLEL_WORK`] unless [`split_from`] lowered it (tests/threads.rs
/// does, so that every loop of its small networks is split and checked).
static SPLIT_FROM: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(MIN_PARALLEL_WORK);

/// Split loops from `work` multiply-adds on, for every thread of this process (at least 1).
pub fn split_from(work: usize) {
    SPLIT_FROM.store(work.max(1), std::sync::atomic::Ordering::Relaxed);
}

#[cfg(feature = "threads")]
thread_local! {
    /// Set by [`sequential`] on the thread that runs a session's step.
    static FORCE_SEQUENTIAL: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Threads a parallel loop may use here: the current rayon pool's size, 1 without the feature or
/// inside [`sequential`].
pub fn threads() -> usize {
    #[cfg(feature = "threads")]
    {
        if FORCE_SEQUENTIAL.with(|f| f.get()) {
            1
        } else {
            rayon::current_num_threads()
        }
    }
    #[cfg(not(feature = "threads"))]
    {
        1
    }
}

/// Runs `f` with every parallel loop started from this thread taking its one-part path: the code
/// a build without the feature runs. Tests compare the threaded results against it.
pub fn sequential<R>(f: impl FnOnce() -> R) -> R {
    #[cfg(feature = "threads")]
    {
        struct Restore(bool);
        impl Drop for Restore {
            fn drop(&mut self) {
                FORCE_SEQUENTIAL.with(|flag| flag.set(self.0));
            }
        }
        let _restore = Restore(FORCE_SEQUENTIAL.with(|flag| flag.replace(true)));
        f()
    }
    #[cfg(not(feature = "threads"))]
    {
        f()
    }
}

/// How many parts to split `items` independent items into, given the `work` of all of them
/// together: one when small, else one per thread (at most one per item).
pub fn parts(items: usize, work: usize) -> usize {
    if items < 2 || work < SPLIT_FROM.load(std::sync::atomic::Ordering::Relaxed) {
        1
    } else {
        threads().min(items)
    }
}

/// `items` split into `parts` contiguous ranges whose lengths differ by at most one (the first
/// `items % parts` get the extra item). `parts` is at least 1.
pub fn ranges(items: usize, parts: usize) -> Vec<Range<usize>> {
    let parts = parts.max(1);
    let (base, extra) = (items / parts, items % parts);
    let mut start = 0;
    (0..parts)
        .map(|i| {
            let len = base + usize::from(i < extra);
            start += len;
            start - len..start
        })
        .collect()
}

/// `data` cut into one slice per range, range `r` covering items `r` of `item_len` elements each.
/// The ranges must be contiguous from item 0 (as [`ranges`] makes them).
pub fn split_mut<'a, T>(data: &'a mut [T], item_len: usize, ranges: &[Range<usize>]) -> Vec<&'a mut [T]> {
    let mut rest = data;
    ranges
        .iter()
        .map(|r| {
            let (head, tail) = std::mem::take(&mut rest).split_at_mut(r.len() * item_len);
            rest = tail;
            head
        })
        .collect()
}

/// Calls `f` once for each part: in parallel with the feature (when there is more than one part),
/// else in order on this thread.
pub fn run<W: Send>(work: Vec<W>, f: impl Fn(W) + Send + Sync) {
    #[cfg(feature = "threads")]
    if work.len() > 1 {
        use rayon::prelude::*;
        work.into_par_iter().for_each(f);
        return;
    }
    work.into_iter().for_each(f);
}

/// `f(range, part)` over `y` split into runs of whole elements, for elementwise kernels: `range` is
/// where `part` lies in `y`, so `f` reads its inputs at the same range. `cost` is the work per
/// element (1 for a copy-like kernel).
pub fn elementwise<U: Send>(y: &mut [U], cost: usize, f: impl Fn(Range<usize>, &mut [U]) + Send + Sync) {
    let r = ranges(y.len(), parts(y.len(), y.len().saturating_mul(cost)));
    let parts = split_mut(y, 1, &r);
    run(r.into_iter().zip(parts).collect(), |(range, part)| f(range, part));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_cover_every_item_once_in_balanced_runs() {
        for items in 0..20 {
            for parts in 1..6 {
                let r = ranges(items, parts);
                assert_eq!(r.len(), parts);
                assert_eq!(r.first().unwrap().start, 0);
                assert_eq!(r.last().unwrap().end, items);
                assert!(r.windows(2).all(|w| w[0].end == w[1].start));
                let (min, max) = (
                    r.iter().map(|x| x.len()).min().unwrap(),
                    r.iter().map(|x| x.len()).max().unwrap(),
                );
                assert!(max - min <= 1, "{items} items in {parts} parts: {r:?}");
            }
        }
    }

    #[test]
    fn split_mut_gives_each_range_its_items() {
        let mut data: Vec<usize> = (0..10 * 3).collect();
        let r = ranges(10, 4);
        let parts = split_mut(&mut data, 3, &r);
        for (range, part) in r.iter().zip(&parts) {
            assert_eq!(part.len(), range.len() * 3);
            assert_eq!(part[0], range.start * 3);
        }
    }

    #[test]
    fn small_work_stays_on_one_part() {
        assert_eq!(parts(64, MIN_PARALLEL_WORK - 1), 1);
        assert_eq!(parts(1, usize::MAX), 1);
        assert_eq!(sequential(|| parts(64, usize::MAX)), 1);
        assert_eq!(parts(64, usize::MAX), threads().min(64));
    }

    #[test]
    fn run_calls_every_part_once() {
        use std::sync::atomic::{AtomicUsize, Ordering};
        let seen = AtomicUsize::new(0);
        run((0..5).collect(), |i: usize| {
            seen.fetch_add(1 << i, Ordering::Relaxed);
        });
        assert_eq!(seen.into_inner(), 0b11111);
    }
}
