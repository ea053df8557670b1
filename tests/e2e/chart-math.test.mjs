// Pure helpers of the charts (www/views/seriesMath.js) and the table's cell formatting. Node only.

import { test } from "node:test";
import assert from "node:assert/strict";
import { accuracyRange, geometricMean, logTicks, quantile, robustLossRange } from "../../www/views/seriesMath.js";
import { cellText, imagesPerSecond } from "../../www/views/compareTable.js";

test("quantile interpolates and ignores non-finite values", () => {
  assert.equal(quantile([3, 1, 2], 0.5), 2);
  assert.equal(quantile([0, 10], 0.25), 2.5);
  assert.equal(quantile([NaN, 5, Infinity, null], 1), 5);
  assert.ok(Number.isNaN(quantile([], 0.5)));
});

/** A run like the default: a spike to 5.73 at step 2, then settling to ~0.3 with noise. */
function spikyRun(steps = 600) {
  const losses = [], avgs = [];
  let sum = 0;
  const ring = [];
  for (let s = 1; s <= steps; s++) {
    const base = s === 2 ? 5.73 : 0.3 + 2 * Math.exp(-s / 40);
    const l = base * (1 + 0.3 * Math.sin(s * 12.9898));
    losses.push(l);
    ring.push(l);
    sum += l;
    if (ring.length > 50) sum -= ring.shift();
    avgs.push(sum / ring.length);
  }
  return { losses, avgs };
}

test("an early spike does not hold the loss axis hostage", () => {
  const { losses, avgs } = spikyRun();
  const [lo, hi] = robustLossRange(avgs, losses);
  assert.equal(lo, 0);
  assert.ok(hi < 5.73 / 2, `top ${hi} still set by the spike`);
  // ...but the body of the run fits: at least 85% of all per-step losses are inside the axis.
  const inside = losses.filter((l) => l <= hi).length / losses.length;
  assert.ok(inside >= 0.85, `only ${(inside * 100).toFixed(0)}% of the losses inside [0, ${hi}]`);
  // Early in the run (only the first 30 steps) the high losses are the run itself: the axis shows them.
  const early = robustLossRange(avgs.slice(0, 30), losses.slice(0, 30));
  assert.ok(early[1] > 2, `early top ${early[1]} hides the first steps`);
});

test("the log axis starts above 0 and below almost every loss", () => {
  const { losses, avgs } = spikyRun();
  const [lo, hi] = robustLossRange(avgs, losses, { log: true });
  assert.ok(lo > 0 && lo < hi / 5, `log range [${lo}, ${hi}]`);
  assert.ok(losses.filter((l) => l < lo).length <= losses.length * 0.01);
});

test("no data: a default range, never NaN", () => {
  assert.deepEqual(robustLossRange([], []), [0, 2.5]);
  const [lo, hi] = robustLossRange([NaN], [NaN, null], { log: true });
  assert.ok(lo > 0 && hi > lo);
});

test("geometric mean of update ratios: decades average in log space, bad values skipped", () => {
  assert.ok(Math.abs(geometricMean([1e-2, 1e-4]) - 1e-3) < 1e-15);
  assert.equal(geometricMean([4, 0, -1, NaN, 1]), 2);
  assert.ok(Number.isNaN(geometricMean([0, NaN])));
});

test("comparison table cells: percent, points, '–' for missing", () => {
  assert.equal(cellText("valAccuracy", 0.9234), "92.3%");
  assert.equal(cellText("gap", 0.152), "15.2");
  assert.equal(cellText("imagesPerSecond", 1234.6), "1,235");
  assert.equal(cellText("valEce", undefined), "–");
  assert.equal(cellText("step", NaN), "–");
  assert.throws(() => cellText("nope", 1), /no column "nope"/);
});

test("log ticks: 1-2-5 per decade, finer inside a single decade", () => {
  assert.deepEqual(logTicks(0.05, 3), [0.05, 0.1, 0.2, 0.5, 1, 2]);
  assert.deepEqual(logTicks(1.4, 4.6), [2, 3, 4]);
  assert.deepEqual(logTicks(0, 1), []);
});

test("accuracy axis: from 0 early, zoomed in once most evaluations are high", () => {
  assert.deepEqual(accuracyRange([0.1, 0.5, 0.8]), [0, 1]);
  // A run from 10% to the high 90s: the first evaluation alone does not hold the axis at 0.
  const late = [0.1, 0.9, 0.93, 0.95, 0.96, 0.97, 0.97, 0.98, 0.98, 0.98, 0.99];
  const [lo, hi] = accuracyRange(late);
  assert.equal(hi, 1);
  assert.ok(lo >= 0.7 && lo <= 0.9, `lower bound ${lo}`);
  assert.ok(late.filter((v) => v < lo).length <= 1, "only the first evaluation falls below the axis");
  assert.equal(accuracyRange([0.1, 0.1, 0.12, 0.15, 0.2])[0], 0);
});

test("compare table: img/s stays within five characters on a fast machine", () => {
  assert.equal(imagesPerSecond(720.4), "720");
  assert.equal(imagesPerSecond(9999.4), "9,999");
  assert.equal(imagesPerSecond(12864), "12.9k");
  assert.equal(imagesPerSecond(123456), "123k");
  for (const v of [0, 1, 999, 9999, 9999.7, 10000, 54321, 99949, 99999, 999499]) assert.ok(imagesPerSecond(v).length <= 5, `${v}: ${imagesPerSecond(v)}`);
});
