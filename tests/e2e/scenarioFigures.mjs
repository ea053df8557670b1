// The figures a scenario's claims name, read from the page where a scenario paused (not a test file
// itself: tests/e2e/scenarios-real.test.mjs and scenario-claims.test.mjs share it). They are computed as
// tests/scenarios.rs computes them natively: an evaluation at the step where the runs stopped, the gap,
// the training loss as the mean of the last 50 step losses and the largest loss of the first 50.

export const WINDOW = 50;

/** Null if `claim` holds on these runs' figures, else why not (with both numbers). */
export function claimFailure(claim, runs) {
  const a = runs[claim.run][claim.metric], b = runs[claim.vs][claim.metric];
  const holds = claim.lower ? a <= b - claim.by : a >= b + claim.by;
  return holds ? null : `claim ${JSON.stringify(claim)} fails: ${claim.metric} of run ${claim.run} = ${a}, of run ${claim.vs} = ${b}`;
}

/**
 * Waits until every run of the page's scenario stopped at `at` (lock-step pauses them there), then
 * evaluates each run where it stands and returns its figures, with its data set, step and build.
 */
export async function figuresAt(page, at, timeout = 600000) {
  await page.waitForFunction((step) => {
    const runs = window.trainlab?.runs ?? [];
    return runs.length > 1 && runs.every((r) => r.step >= step && r.state !== "running");
  }, at, { timeout });
  return page.evaluate(async (window50) => {
    const { sandbox } = window.trainlab;
    sandbox.pauseAll();
    const build = document.querySelector("[data-build]")?.dataset.build ?? null;
    const out = [];
    for (const e of sandbox.entries) {
      const ev = await e.run.evaluate();
      const losses = e.run.series.losses.slice(0, e.run.series.step);
      const tail = losses.slice(-window50);
      out.push({
        build, data: e.values.data, step: e.run.series.step,
        valAccuracy: ev.valAccuracy, trainAccuracy: ev.trainAccuracy, gap: ev.trainAccuracy - ev.valAccuracy,
        valLoss: ev.valLoss, valConfidence: ev.valConfidence, valEce: ev.valEce,
        trainLoss: tail.reduce((a, b) => a + b, 0) / tail.length,
        earlyLossMax: Math.max(...losses.slice(0, window50)),
      });
    }
    return out;
  }, WINDOW);
}

/** One line per run: its figures to 4 digits (for the test's log). */
export function describeRuns(runs) {
  return runs.map((r) => Object.entries(r).map(([k, v]) => `${k} ${typeof v === "number" ? +v.toFixed(4) : v}`).join(", "));
}
