// A timing window shared by several workers, for the scaling measurement (bench/scaling.mjs).
// A classic script that only touches `self`, so module workers `import` it for its effect.
//
// BENCH_WINDOW(step, {startAt, warmUntil, until}): wait until `startAt`, call step() until
// `warmUntil` (warm-up, not counted), then call step() until `until` and count the calls that
// finished. Times are absolute milliseconds (performance.timeOrigin + performance.now(), the same
// clock in every worker and the page), so N workers given the same window start together and
// compete for the CPU over the same wall-clock interval.
//
// Why a fixed window and not a fixed step count: with a step count the fastest run finishes
// first, and the rest then run on a less loaded machine; in a window every run is busy from its
// first to its last counted step, so each is measured under the full contention of N runs.
(function () {
  "use strict";
  const now = () => performance.timeOrigin + performance.now();
  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

  self.BENCH_WINDOW = async function runWindow(step, { startAt, warmUntil, until }) {
    if (!(startAt <= warmUntil && warmUntil < until)) {
      throw new Error(`window needs startAt ≤ warmUntil < until, got ${startAt}, ${warmUntil}, ${until}`);
    }
    const late = now() - startAt; // > 0: the message arrived after the start (a busy machine)
    if (late < 0) await sleep(-late);
    let warmSteps = 0;
    while (now() < warmUntil) {
      step();
      warmSteps++;
    }
    // Counted: every step that starts before `until`; the span runs from the first one's start
    // to the last one's end, so the rate is steps / span with no partial step at either edge.
    const t0 = now();
    let t = t0;
    const stepMs = [];
    while (t < until) {
      step();
      const t1 = now();
      stepMs.push(t1 - t);
      t = t1;
    }
    return { lateMs: Math.max(0, late), warmSteps, t0, t1: t, steps: stepMs.length, stepMs };
  };
})();
