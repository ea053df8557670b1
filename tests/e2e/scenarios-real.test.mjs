// The scenarios on MNIST and Fashion-MNIST (www/scenarios.js), checked in the browser: tests/scenarios.rs
// trains the scenarios natively on the generated sets only (it has no data files), so each scenario on
// a real set is opened here by its link, trained to its step `at` by the page itself (lock-step stops
// every run there), evaluated, and its claims checked on the same figures tests/scenarios.rs computes:
// the evaluation's, the gap, and the training loss as the mean of the last 50 steps' losses.

import { test } from "node:test";
import assert from "node:assert/strict";
import { openPage, startSuite } from "./helpers.mjs";
import { SCENARIOS, scenarioData } from "../../www/scenarios.js";
import { isGenerated } from "../../www/state.js";

let server, browser;
startSuite((s, b) => { server = s; browser = b; });

const WINDOW = 50;   // tests/scenarios.rs: the training loss is the mean of the last 50 steps

/** Does `claim` hold on these runs' figures? Returns null, or why not. */
function failure(claim, runs) {
  const a = runs[claim.run][claim.metric], b = runs[claim.vs][claim.metric];
  const holds = claim.lower ? a <= b - claim.by : a >= b + claim.by;
  return holds ? null : `claim ${JSON.stringify(claim)} fails: ${claim.metric} of run ${claim.run} = ${a}, of run ${claim.vs} = ${b}`;
}

const real = SCENARIOS.filter((s) => !isGenerated(scenarioData(s)));

test("there are scenarios on the real data sets", () => {
  assert.ok(real.length >= 2, `${real.length} scenarios on MNIST or Fashion-MNIST`);
});

for (const sc of real) {
  test(`scenario ${sc.id} on ${scenarioData(sc)}: its claims hold at step ${sc.at}`, async () => {
    const { context, page, problems } = await openPage(browser, `${server.url}#scenario=${sc.id}`, { width: 1366, height: 768 });
    try {
      // The scenario plays by itself up to `at`, where every run waits.
      await page.waitForFunction((at) => {
        const runs = window.trainlab?.runs ?? [];
        return runs.length > 1 && runs.every((r) => r.step >= at && r.state !== "running");
      }, sc.at, { timeout: 240000 });
      const runs = await page.evaluate(async (window50) => {
        const { sandbox } = window.trainlab;
        sandbox.pauseAll();
        const out = [];
        for (const e of sandbox.entries) {
          const ev = await e.run.evaluate();
          const losses = e.run.series.losses.slice(0, e.run.series.step);
          const tail = losses.slice(-window50);
          out.push({
            data: e.values.data, step: e.run.series.step,
            valAccuracy: ev.valAccuracy, trainAccuracy: ev.trainAccuracy, gap: ev.trainAccuracy - ev.valAccuracy,
            valLoss: ev.valLoss, valConfidence: ev.valConfidence, valEce: ev.valEce,
            trainLoss: tail.reduce((a, b) => a + b, 0) / tail.length,
            earlyLossMax: Math.max(...losses.slice(0, window50)),
          });
        }
        return out;
      }, WINDOW);
      console.log(`${sc.id}:`, runs.map((r) => Object.entries(r).map(([k, v]) => `${k} ${typeof v === "number" ? +v.toFixed(4) : v}`).join(", ")));
      for (const r of runs) {
        assert.equal(r.data, scenarioData(sc), "every run trains on the scenario's set");
        assert.equal(r.step, sc.at, "stopped at the scenario's step");
      }
      const failures = sc.claims.map((c) => failure(c, runs)).filter(Boolean);
      assert.deepEqual(failures, []);
      assert.deepEqual(problems.pageErrors, []);
    } finally {
      await context.close();
    }
  });
}
