// Small numeric helpers for the charts (pure: the Node tests import them).

/** The q-quantile (0…1) of the finite numbers in `values` (linear interpolation), NaN if none. */
export function quantile(values, q) {
  const v = [];
  for (const x of values) if (Number.isFinite(x)) v.push(x);
  if (!v.length) return NaN;
  v.sort((a, b) => a - b);
  const pos = Math.min(Math.max(q, 0), 1) * (v.length - 1);
  const i = Math.floor(pos), f = pos - i;
  return i + 1 < v.length ? v[i] + f * (v[i + 1] - v[i]) : v[i];
}

/**
 * A loss axis that an early outlier does not hold hostage: the top is the larger of the 95th
 * percentile of the moving averages and the 90th percentile of the single-step losses, plus 10%
 * headroom. A spike to 5.7 at step 2 of a run that settles at 0.3 is then drawn at the top edge
 * instead of squashing the whole run into the bottom 5% of the chart. With `log`, the bottom is the
 * 1st percentile of the losses / 1.5 (a log axis cannot start at 0).
 * Returns [lo, hi]; a default [0, 2.5] (or [0.01, 3] on log) when there is nothing to go by.
 */
export function robustLossRange(averages, losses, { log = false } = {}) {
  const top = Math.max(quantile(averages, 0.95), quantile(losses, 0.9));
  const hi = Number.isFinite(top) && top > 0 ? top * 1.1 : log ? 3 : 2.5;
  if (!log) return [0, hi];
  const bottom = quantile(positive(losses), 0.01);
  const lo = Number.isFinite(bottom) && bottom > 0 ? Math.min(bottom / 1.5, hi / 10) : hi / 300;
  return [lo, hi];
}

function* positive(values) {
  for (const x of values) if (x > 0) yield x;
}

/** Geometric mean of the positive finite numbers (the update/weight ratios of several layers). */
export function geometricMean(values) {
  let sum = 0, n = 0;
  for (const x of values) {
    if (Number.isFinite(x) && x > 0) { sum += Math.log(x); n++; }
  }
  return n ? Math.exp(sum / n) : NaN;
}

/**
 * Ticks for a log axis over [lo, hi] (lo > 0): 1, 2, 5 × 10^k inside the range, or every
 * 1…9 × 10^k when that gives fewer than three (a loss axis often spans less than one decade).
 */
export function logTicks(lo, hi) {
  if (!(lo > 0) || !(hi > lo)) return [];
  const pick = (mantissas) => {
    const out = [];
    for (let e = Math.floor(Math.log10(lo)); e <= Math.ceil(Math.log10(hi)); e++) {
      for (const m of mantissas) {
        const v = +(m * 10 ** e).toPrecision(12);
        if (v >= lo * (1 - 1e-9) && v <= hi * (1 + 1e-9)) out.push(v);
      }
    }
    return out;
  };
  const coarse = pick([1, 2, 5]);
  return coarse.length >= 3 ? coarse : pick([1, 2, 3, 4, 5, 6, 7, 8, 9]);
}

/**
 * An accuracy axis [lo, 1] that zooms in once most evaluations are high: lo is the 10th percentile
 * of the accuracies minus 5 points, rounded down to a multiple of 10%, so runs that end at 92% and
 * 97% are apart by more than a few pixels. Until there are 4 evaluations, [0, 1].
 */
export function accuracyRange(values) {
  let n = 0;
  for (const v of values) if (Number.isFinite(v)) n++;
  if (n < 4) return [0, 1];
  const lo = Math.floor((quantile(values, 0.1) - 0.05) * 10 + 1e-9) / 10;
  return [Math.min(Math.max(lo, 0), 0.9), 1];
}
