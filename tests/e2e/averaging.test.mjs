// End-to-end tests of the lecture's "after training" averaging on the page: Polyak averaging (an EMA
// of the weights, its own dotted validation curve and "EMA val acc" stat) and the snapshot ensemble
// (with the cyclic schedule, the models at the ends of cycles averaged: a dash-dot curve that appears
// after the first cycle). Both from a link and from the settings panel (a change starts a run
// beside). Screenshots at 1024×768 and 1366×768 in test-results/.

import { test } from "node:test";
import assert from "node:assert/strict";
import { openPage, screenshot, sleep, startSuite, stat, waitReady } from "./helpers.mjs";

let server, browser;
startSuite((s, b) => { server = s; browser = b; });

const runs = (page) => page.evaluate(() => window.trainlab.runs);

/**
 * Play until every run has `evals` evaluations and its last one satisfies `until`: "trained" (after
 * step 0), "ema" (with an EMA report), "three members" (a snapshot ensemble of at least 3, drawn
 * from two evaluations or more); then pause.
 */
async function trainUntil(page, evals, until, timeout = 120000) {
  await page.click("#playpause");
  await page.waitForFunction(([n, cond]) => {
    const ok = {
      trained: (ev) => ev.step > 0,
      ema: (ev) => ev.step > 0 && ev.ema != null,
      // ... and its curve on the chart has two evaluations or more.
      "three members": (ev) => ev.snapshotEnsemble != null && ev.snapshotEnsemble.members >= 3 &&
        Number(document.querySelector("#acc-card .avg-key[data-curve=snapshots]")?.dataset.points) >= 2,
    }[cond];
    const r = window.trainlab.runs;
    return r.length && r.every((x) => x.evals >= n && x.lastEval && ok(x.lastEval));
  }, [evals, until], { timeout });
  await page.click("#playpause");
  await page.waitForFunction(() => document.body.dataset.runState === "paused");
  await sleep(400);   // the charts and stats are written at the next drawn frame
}

/** The averaged curves' key: [{ curve, run, points, text }]. */
function averagedKey(page) {
  return page.$$eval("#acc-card .avg-key", (ks) => ks.map((k) => ({
    curve: k.dataset.curve, run: Number(k.dataset.run), points: Number(k.dataset.points), text: k.textContent,
  })));
}

/** Pixels of the accuracy chart's canvases close to `hex` (the run's colour). */
function colorPixels(page, hex) {
  return page.evaluate((c) => {
    const [r, g, b] = [1, 3, 5].map((i) => parseInt(c.slice(i, i + 2), 16));
    let n = 0;
    for (const canvas of document.querySelectorAll("#acc-chart canvas")) {
      const { data } = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height);
      for (let p = 0; p < data.length; p += 4) {
        if (Math.abs(data[p] - r) + Math.abs(data[p + 1] - g) + Math.abs(data[p + 2] - b) < 30) n++;
      }
    }
    return n;
  }, hex);
}

test("EMA link: the accuracy chart has the EMA's validation curve and the stats line its accuracy", async () => {
  const { context, page, problems } = await openPage(browser, server.url + "#ema=0.995&seed=3&lr=0.05",
    { width: 1366, height: 768 });
  try {
    await waitReady(page, 60000);
    assert.equal(await page.isChecked("#setting-ema-on"), true, "the toggle is on");
    assert.deepEqual(await averagedKey(page), [], "no key before an evaluation of the average");
    assert.equal(await page.isHidden("#stat-emaacc"), true);
    await trainUntil(page, 3, "ema");
    const [run] = await runs(page);
    const ev = run.lastEval;
    console.log(`step ${ev.step}: EMA val ${ev.ema.valAccuracy}, raw val ${ev.valAccuracy}`);
    assert.ok(ev.ema.valAccuracy >= 0 && ev.ema.valAccuracy <= 1);
    assert.ok(Number.isFinite(ev.ema.valLoss));
    assert.equal(ev.snapshotEnsemble ?? null, null, "no snapshot ensemble without the setting");
    const key = await averagedKey(page);
    assert.equal(key.length, 1);
    assert.equal(key[0].curve, "ema");
    assert.equal(key[0].text, "val (EMA)");
    assert.ok(key[0].points >= 2, `the EMA curve has ${key[0].points} points`);
    assert.equal(await stat(page, "emaacc"), ev.ema.valAccuracy);
    assert.match(await page.$eval("#stat-emaacc", (e) => e.parentElement.title), /EMA \d+\.\d% · raw \d+\.\d%/);
    assert.ok(await colorPixels(page, run.color) > 100, "the run's curves are drawn");
    await screenshot(page, "averaging-ema-1366x768");
    assert.deepEqual(problems.pageErrors, []);
    assert.deepEqual(problems.consoleErrors, []);
  } finally {
    await context.close();
  }
});

test("snapshot ensemble link: the ensemble's curve appears after the first cycle, then counts members", async () => {
  // T = 120 steps in M = 4 cycles: a snapshot every 30 steps; 960 training images: an evaluation
  // every epoch of 30 steps too.
  const { context, page, problems } = await openPage(browser,
    server.url + "#sched=cyclic&steps=120&cycles=4&snapshots=1&ema=0.9&seed=4&lr=0.02&train=960",
    { width: 1024, height: 768 });
  try {
    await waitReady(page, 60000);
    // Five single steps and an evaluation there, before the first cycle ends at step 30 (the worker's
    // own evaluations come by the clock and the epoch, which can be step 30 itself on a fast machine).
    let ev = await page.evaluate(async () => {
      const run = window.trainlab.sandbox.entries[0].run;
      for (let i = 0; i < 5; i++) await run.step();
      return run.evaluate();
    });
    await sleep(400);
    assert.equal(ev.step, 5);
    assert.equal(ev.snapshotEnsemble ?? null, null, `no member before the first cycle ends (step ${ev.step})`);
    assert.deepEqual((await averagedKey(page)).map((k) => k.curve), ["ema"]);
    await trainUntil(page, 1, "three members");
    ev = (await runs(page))[0].lastEval;
    const snap = ev.snapshotEnsemble;
    console.log(`step ${ev.step}: snapshot ensemble of ${snap.members} (steps ${snap.memberSteps}) ` +
      `${snap.valAccuracy}, members ${snap.memberAccuracies}, last model ${ev.valAccuracy}`);
    // The core keeps the newest MAX_SNAPSHOTS (8) members: a slower browser (Firefox under load) can
    // be past the 8th cycle before the waited-for evaluation, and then the oldest have been dropped.
    const first = snap.members < 8 ? 30 : snap.memberSteps[0];
    assert.ok(snap.members <= 8, `at most 8 members, not ${snap.members}`);
    assert.deepEqual(snap.memberSteps, Array.from({ length: snap.members }, (_, i) => first + 30 * i),
      "members exactly at the ends of consecutive cycles, from the first while fewer than 8");
    assert.equal(snap.memberAccuracies.length, snap.members);
    const key = await averagedKey(page);
    assert.deepEqual(key.map((k) => k.curve), ["ema", "snapshots"]);
    assert.equal(key[1].text, `val (snapshot ens. ${snap.members})`);
    assert.ok(key[1].points >= 2, `the ensemble's curve has ${key[1].points} points`);
    assert.equal(await stat(page, "snapacc"), snap.valAccuracy);
    assert.equal(await page.isVisible("#stat-snapacc"), true);
    await screenshot(page, "averaging-snapshots-1024x768");
    await page.setViewportSize({ width: 1366, height: 768 });
    await sleep(500);
    await screenshot(page, "averaging-snapshots-1366x768");
    assert.deepEqual(problems.pageErrors, []);
    assert.deepEqual(problems.consoleErrors, []);
  } finally {
    await context.close();
  }
});

test("settings panel: turning EMA on for a trained run starts a run beside it that has the EMA curve", async () => {
  const { context, page, problems } = await openPage(browser, server.url + "#seed=5", { width: 1366, height: 768 });
  try {
    await waitReady(page, 60000);
    await page.click("#step");
    await page.click("#step");
    await page.waitForFunction(() => window.trainlab.runs[0].step >= 2);
    await page.$eval("details.group[data-group=averaging]", (d) => { d.open = true; });
    await page.check("#setting-ema-on");
    await page.waitForFunction(() => window.trainlab.runs.length === 2);
    let r = await runs(page);
    assert.equal(r[0].step, 2, "the trained run is kept");
    assert.equal(r[1].values.modelEmaDecay, 0.995);
    await trainUntil(page, 2, "trained");
    r = await runs(page);
    assert.equal(r[0].lastEval.ema ?? null, null, "the first run has no average");
    assert.ok(Number.isFinite(r[1].lastEval.ema?.valAccuracy), "the new run has one");
    const key = await averagedKey(page);
    assert.deepEqual(key.map((k) => [k.curve, k.run]), [["ema", r[1].id]]);
    assert.match(key[0].text, /: val \(EMA\)$/, "named by its run when several are drawn");
    assert.deepEqual(problems.pageErrors, []);
  } finally {
    await context.close();
  }
});
