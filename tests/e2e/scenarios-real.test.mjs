// The scenarios on MNIST and Fashion-MNIST (www/scenarios.js), checked in the browser: tests/scenarios.rs
// trains the scenarios natively on the generated sets only (it has no data files), so each scenario on
// a real set is opened here by its link, trained to its step `at` by the page itself (lock-step stops
// every run there), evaluated, and its claims checked on the same figures tests/scenarios.rs computes
// (tests/e2e/scenarioFigures.mjs).

import { test } from "node:test";
import assert from "node:assert/strict";
import { openPage, startSuite } from "./helpers.mjs";
import { claimFailure, describeRuns, figuresAt } from "./scenarioFigures.mjs";
import { SCENARIOS, scenarioData } from "../../www/scenarios.js";
import { isGenerated } from "../../www/state.js";

let server, browser;
startSuite((s, b) => { server = s; browser = b; });

const real = SCENARIOS.filter((s) => !isGenerated(scenarioData(s)));

test("there are scenarios on the real data sets", () => {
  assert.ok(real.length >= 2, `${real.length} scenarios on MNIST or Fashion-MNIST`);
});

for (const sc of real) {
  test(`scenario ${sc.id} on ${scenarioData(sc)}: its claims hold at step ${sc.at}`, async () => {
    const { context, page, problems } = await openPage(browser, `${server.url}#scenario=${sc.id}`, { width: 1366, height: 768 });
    try {
      // The scenario plays by itself up to `at`, where every run waits.
      const runs = await figuresAt(page, sc.at);
      console.log(`${sc.id}:`, describeRuns(runs));
      for (const r of runs) {
        assert.equal(r.data, scenarioData(sc), "every run trains on the scenario's set");
        assert.equal(r.step, sc.at, "stopped at the scenario's step");
      }
      const failures = sc.claims.map((c) => claimFailure(c, runs)).filter(Boolean);
      assert.deepEqual(failures, []);
      assert.deepEqual(problems.pageErrors, []);
    } finally {
      await context.close();
    }
  });
}
