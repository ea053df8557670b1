// Model ensembles (issue 10, item 3) in the production build: "Ensemble ×3" makes three members of
// the edited run, they train in lock step, and at common steps the page shows each member's
// validation accuracy and the ensemble's (table row and card); a link of members reproduces the
// numbers; an ensemble larger than the page allows is refused by name, nothing trained lost.

import { test } from "node:test";
import assert from "node:assert/strict";
import { messageTexts, openPage, screenshot, sleep, startSuite, waitForMessage, waitReady } from "./helpers.mjs";

let server, browser;
startSuite((s, b) => { server = s; browser = b; });

const runs = (page) => page.evaluate(() => window.trainlab.runs);
const history = (page) => page.evaluate(() => window.trainlab.sandbox.ensemble.history);

/** Wait until the ensemble has been combined at `points` common steps. */
async function waitPoints(page, points, timeout = 150000) {
  await page.waitForFunction((n) => window.trainlab.sandbox.ensemble.history.length >= n, points, { timeout });
}

/** Each member's evaluation at `step`: its validation accuracy, or undefined when it has none there. */
function memberAccuraciesAt(page, step) {
  return page.evaluate((s) => window.trainlab.sandbox.entries.map((e) =>
    e.run.series.evals.filter((ev) => ev.step === s && !ev.restored).at(-1)?.valAccuracy), step);
}

test("Ensemble ×3: three members train in lock step; members' and the ensemble's accuracy at common steps", async () => {
  const { context, page, problems } = await openPage(browser, server.url + "#seed=3&train=500", { width: 1366, height: 768 });
  try {
    await waitReady(page, 60000);
    assert.equal(await page.isVisible("#ensemble-card"), false, "no ensemble card for one run");
    await page.selectOption("#ensemble-n", "3");
    assert.equal((await page.textContent(".ensemble-control")).replace(/\s+/g, ""), "Ensemble×2×3×4");
    await page.click("#ensemble");
    await waitForMessage(page, "Ensemble of 3");
    const r0 = await runs(page);
    assert.deepEqual(r0.map((r) => r.values.member), [0, 1, 2]);
    assert.ok(r0.every((r) => r.values.trainSize === 500 && r.values.seed === 3), "copies of the edited run");
    assert.match(new URL(page.url()).hash, /\|member=1\|member=2$/, "the link carries the members");
    await waitReady(page, 60000);
    await page.click("#playpause");
    await waitPoints(page, 2);
    await page.click("#playpause");
    await waitReady(page);
    await sleep(300);   // the next drawn frame
    const points = await history(page);
    console.log(JSON.stringify(points.map((p) => ({ step: p.step, ensemble: p.accuracy, members: p.memberAccuracies }))));
    for (const p of points) {
      // Combined at one step only: each member's own evaluation at that step gave its accuracy.
      const own = await memberAccuraciesAt(page, p.step);
      assert.deepEqual(own.map((a) => a?.toFixed(6)), p.memberAccuracies.map((a) => a.toFixed(6)), `members at step ${p.step}`);
      assert.equal(p.best, Math.max(...p.memberAccuracies));
      assert.ok(p.accuracy >= 0 && p.accuracy <= 1);
    }
    assert.ok(points[1].step > points[0].step, "later common steps");
    // The table: three member rows with their accuracy, and the ensemble's row.
    const rows = await page.$$eval("#runs-table tbody tr", (trs) => trs.map((tr) => tr.querySelector('td[data-col="valAccuracy"]').textContent));
    assert.equal(rows.length, 3);
    assert.ok(rows.every((t) => /%$/.test(t)), `each member's validation accuracy (${rows})`);
    const last = points.at(-1);
    const foot = await page.$eval("#runs-table tfoot tr", (tr) => ({
      name: tr.querySelector("th").textContent,
      val: Number(tr.querySelector('td[data-col="valAccuracy"]').dataset.value),
      step: Number(tr.querySelector('td[data-col="step"]').dataset.value),
    }));
    assert.deepEqual(foot, { name: "ensemble of 3", val: last.accuracy, step: last.step });
    // The card: the sentence, each member's and the ensemble's figure, the chart drawn.
    assert.ok(await page.isVisible("#ensemble-card"));
    const card = await page.textContent("#ensemble-card");
    assert.match(card, /averaging their predicted probabilities/);
    assert.match(card, new RegExp(`Step ${last.step} — member 0: [\\d.]+% · member 1: [\\d.]+% · member 2: [\\d.]+% · ensemble of 3: [\\d.]+%`));
    assert.ok(await page.$eval("#ensemble-card canvas", (c) => c.width > 100 && c.height > 50));
    await screenshot(page, "ensemble-1366x768");
    await page.setViewportSize({ width: 1024, height: 768 });
    await sleep(500);
    await screenshot(page, "ensemble-1024x768");
    await page.$eval("#ensemble-card", (el) => el.scrollIntoView({ block: "center" }));
    await sleep(300);
    await screenshot(page, "ensemble-card-1024x768");
    await page.evaluate(() => window.scrollTo(0, 0));
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(overflow <= 0, `no horizontal scroll at 1024 px (${overflow} px)`);
    // Reset starts the members again from step 0: their ensemble's history starts again too.
    await page.click("#reset");
    await page.waitForFunction(() => window.trainlab.sandbox.ensemble.history.length === 0 &&
      !document.querySelector("#runs-table tfoot tr"), null, { timeout: 30000 });
    assert.match(await page.textContent("#ensemble-card"), /Waiting for the members' first common evaluation/);
    assert.deepEqual(problems.pageErrors, []);
    assert.deepEqual(problems.consoleErrors, []);
  } finally {
    await context.close();
  }
});

test("a link of two members is an ensemble, and opening it again reproduces the ensemble's numbers", async () => {
  // 400 images in batches of 32: 13 steps an epoch, so the members are held at every 25 steps
  // (www/sandbox/ensemble.js, MIN_EVERY); step 25 is their first checkpoint on every page load.
  const link = "#seed=4&train=400&member=0|member=1";
  const AT = 25;
  const atCheckpoint = async () => {
    const { context, page, problems } = await openPage(browser, server.url + link);
    try {
      await waitReady(page, 60000);
      assert.equal(await page.isVisible("#ensemble-card"), true, "two runs differing only in member are an ensemble");
      assert.deepEqual((await runs(page)).map((r) => r.values.member), [0, 1]);
      await page.click("#playpause");
      await page.waitForFunction((s) => window.trainlab.sandbox.ensemble.history.some((p) => p.step >= s), AT, { timeout: 150000 });
      await page.click("#playpause");
      const p = (await history(page)).find((x) => x.step === AT);
      assert.ok(p, `combined at the checkpoint, step ${AT}`);
      assert.equal(p.memberAccuracies.length, 2);
      assert.deepEqual(problems.pageErrors, []);
      return p;
    } finally {
      await context.close();
    }
  };
  const a = await atCheckpoint();
  const b = await atCheckpoint();
  console.log(`link ${link}: step ${a.step} ensemble ${a.accuracy} members ${a.memberAccuracies}; again ${b.accuracy} ${b.memberAccuracies}`);
  assert.deepEqual(b, a, "the same members at the same step give the same ensemble");
});

test("an ensemble larger than the page trains is refused by name; nothing trained is lost", async () => {
  const { context, page } = await openPage(browser, server.url + "#seed=5&train=300|member=1");
  try {
    await waitReady(page, 60000);
    await page.click("#step");
    await page.waitForFunction(() => window.trainlab.runs.every((r) => r.step >= 1));
    const before = await runs(page);
    const made = await page.evaluate(() => window.trainlab.sandbox.makeEnsemble(5));
    assert.equal(made, false);
    const text = (await messageTexts(page)).join(" ");
    assert.match(text, /2 to 4 members/);
    assert.match(text, /×5 was not made/);
    const after = await runs(page);
    assert.deepEqual(after.map((r) => [r.id, r.step, r.values.member]), before.map((r) => [r.id, r.step, r.values.member]));
  } finally {
    await context.close();
  }
});

test("a trained run that is not a member is never removed for an ensemble; it is named instead", async () => {
  const { context, page } = await openPage(browser, server.url + "#seed=5&train=300|mixup=0.8");
  try {
    await waitReady(page, 60000);
    await page.click("#step");
    await page.waitForFunction(() => window.trainlab.runs.every((r) => r.step >= 1));
    const before = await runs(page);
    await page.selectOption("#ensemble-n", "3");
    await page.click("#ensemble");
    await waitForMessage(page, "An ensemble is all the runs");
    const text = (await messageTexts(page)).join(" ");
    assert.match(text, /Run 2 \(Mixup α 0\.8\) \(step 1\) is not a member: remove it first/);
    assert.match(text, /The runs are unchanged/);
    const after = await runs(page);
    assert.deepEqual(after.map((r) => [r.id, r.step, r.values.member, r.values.mixupAlpha]),
      before.map((r) => [r.id, r.step, r.values.member, r.values.mixupAlpha]));
  } finally {
    await context.close();
  }
});
