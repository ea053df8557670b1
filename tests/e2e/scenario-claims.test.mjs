// The generated-set scenarios' claims on the builds a student may get. tests/scenarios.rs checks them
// natively in the page's summation order, but a seed's trajectory depends on rounding: the
// relaxed-simd build (fused multiply-adds; Firefox, and Chromium on a host without COOP/COEP) rounds
// differently, and after a few hundred steps its runs are as different as another seed's. So each
// scenario is opened here as a student opens it (`#scenario=<id>&build=<build>`), trained by the page
// to its step `at`, evaluated there, and every claim checked on the figures tests/scenarios.rs uses.
//
// Builds: TRAINLAB_CLAIM_BUILDS (comma-separated; default relaxed-simd, the build the native test
// does not stand for). TRAINLAB_CLAIM_SCENARIOS=<id>,<id> checks only those scenarios (while tuning one).
// Two scenarios train at a time (two pages), the rest wait.

import { test } from "node:test";
import assert from "node:assert/strict";
import { openPage, startSuite } from "./helpers.mjs";
import { claimFailure, describeRuns, figuresAt } from "./scenarioFigures.mjs";
import { SCENARIOS, scenarioData } from "../../www/scenarios.js";
import { isGenerated } from "../../www/state.js";

let server, browser;
startSuite((s, b) => { server = s; browser = b; });

const BUILDS = (process.env.TRAINLAB_CLAIM_BUILDS ?? "relaxed-simd").split(",").map((b) => b.trim()).filter(Boolean);
const PAGES = 2;
const ONLY = process.env.TRAINLAB_CLAIM_SCENARIOS?.split(",").map((id) => id.trim());
const generated = SCENARIOS.filter((s) => isGenerated(scenarioData(s)) && (!ONLY || ONLY.includes(s.id)));

/** `f` over `items`, at most `n` at a time; the results in the items' order. */
async function inParallel(items, n, f) {
  const out = new Array(items.length);
  let next = 0;
  await Promise.all(Array.from({ length: n }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await f(items[i]);
    }
  }));
  return out;
}

/** The scenario trained on `build` in its own page: its runs' figures at `at`, or why the build did not run. */
async function measure(sc, build) {
  const { context, page, problems } = await openPage(browser, `${server.url}#scenario=${sc.id}&build=${build}`,
    { width: 1366, height: 768 });
  try {
    const runs = await figuresAt(page, sc.at);
    const why = await page.evaluate(() => document.querySelector("[data-build]")?.dataset.why ?? "");
    return { sc, runs, why, pageErrors: problems.pageErrors };
  } finally {
    await context.close();
  }
}

test("there are generated-set scenarios with claims", () => {
  if (ONLY) assert.equal(generated.length, ONLY.length, `TRAINLAB_CLAIM_SCENARIOS names ${ONLY.join(", ")}; found ${generated.map((s) => s.id)}`);
  else assert.ok(generated.length >= 5, `${generated.length} scenarios on the generated sets`);
  for (const sc of generated) assert.ok(sc.claims.length > 0, `scenario ${sc.id} claims nothing`);
});

for (const build of BUILDS) {
  test(`every generated-set scenario's claims hold on the ${build} build`, async (t) => {
    const started = Date.now();
    const results = await inParallel(generated, PAGES, (sc) => measure(sc, build));
    const ran = results[0].runs[0].build;
    if (ran !== build) {
      // An engine without the build's feature (relaxed SIMD) falls back; the page says why.
      t.skip(`the page ran ${ran}, not ${build}: ${results[0].why}`);
      return;
    }
    const failures = [];
    for (const { sc, runs, pageErrors } of results) {
      console.log(`${build} ${sc.id} at ${sc.at}:`, describeRuns(runs));
      for (const r of runs) {
        assert.equal(r.build, build, `scenario ${sc.id} ran on the ${build} build`);
        assert.equal(r.step, sc.at, `scenario ${sc.id} stopped at its step`);
      }
      assert.deepEqual(pageErrors, [], `scenario ${sc.id}: page errors`);
      for (const c of sc.claims) {
        const why = claimFailure(c, runs);
        if (why) failures.push(`scenario ${sc.id} at step ${sc.at} (${build}): ${why}`);
      }
    }
    console.log(`${build}: ${generated.length} scenarios in ${((Date.now() - started) / 1000).toFixed(0)} s`);
    assert.deepEqual(failures, []);
  });
}
