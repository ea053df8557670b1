// End-to-end tests of the search page (search.html, issue 10): a small grid and random search run to
// the end on the pool of workers, the figure shows every trial with its validation accuracy and the
// marginals, dragging a region on a plane fills the range fields (coarse to fine), and bad input is
// named without losing the finished search. Screenshots: test-results/search-1024x768.png and
// search-1366x768.png.

import { test } from "node:test";
import assert from "node:assert/strict";
import { openPage, screenshot, startSuite } from "./helpers.mjs";
import { axis, bestPerBin, fieldNumber, shortNumber } from "../../www/search/scales.js";

let server, browser;
startSuite((s, b) => { server = s; browser = b; });

const K = 4, STEPS = 30;

async function messages(page) {
  return page.$$eval("#messages .message", (ms) => ms.map((m) => m.textContent));
}

/** The trials drawn on a method's plane: [{ state, acc, x, y }]. */
function trialsOn(page, method) {
  return page.$$eval(`#plane-${method} circle.trial`, (cs) => cs.map((c) => ({
    state: c.dataset.state, acc: Number(c.dataset.acc), x: Number(c.dataset.x), y: Number(c.dataset.y),
  })));
}

const fieldValues = (page) => page.$$eval(["#s-p0-min", "#s-p0-max", "#s-p1-min", "#s-p1-max"].join(","),
  (els) => els.map((e) => Number(e.value)));

/** The page fits the window: no horizontal scrolling, both planes side by side inside it. */
async function assertLayout(page, width) {
  const box = await page.evaluate(() => {
    const r = (id) => document.querySelector(`#plane-${id} svg`).getBoundingClientRect();
    return { scroll: document.scrollingElement.scrollWidth, grid: r("grid").toJSON(), random: r("random").toJSON() };
  });
  assert.ok(box.scroll <= width, `page scrolls sideways at ${width}px (${box.scroll})`);
  assert.ok(box.grid.right <= box.random.left, "grid left of random");
  assert.ok(box.random.right <= width, "random plane inside the window");
  assert.ok(box.grid.width >= 300, `planes large enough to read (${box.grid.width}px)`);
  assert.ok(box.grid.bottom <= 768, `the figure is above the fold (${box.grid.bottom})`);
}

test("a small grid and random search run to the end; the plane shows every trial with its accuracy; a drag fills the ranges", async () => {
  const { context, page, problems } = await openPage(browser, `${server.url}search.html`, { width: 1024, height: 768 });
  try {
    await page.waitForFunction(() => document.body.dataset.state === "ready", null, { timeout: 30000 });
    const cores = await page.evaluate(() => navigator.hardwareConcurrency);
    assert.match(await page.textContent("#pool-status"), new RegExp(`^${cores} workers?`));
    assert.equal(await page.getAttribute("#plane-grid svg", "data-points"), "0");

    await page.fill("#s-trials", String(K));
    await page.fill("#s-steps", String(STEPS));
    await page.click("#run-both");
    // Both planes show the K trials at once (queued), before any has trained.
    await page.waitForFunction(() => document.body.dataset.state === "searching");
    for (const m of ["grid", "random"]) assert.equal((await trialsOn(page, m)).length, K);
    await page.waitForFunction(() => ["grid", "random"].every((m) => document.getElementById(`panel-${m}`).dataset.state === "done"),
      null, { timeout: 600000 });

    const grid = await trialsOn(page, "grid"), random = await trialsOn(page, "random");
    for (const [m, trials] of [["grid", grid], ["random", random]]) {
      assert.equal(trials.length, K, `${m}: K points`);
      for (const t of trials) {
        assert.ok(["done", "diverged"].includes(t.state), `${m}: trial finished (${t.state})`);
        assert.ok(t.acc >= 0 && t.acc <= 1, `${m}: accuracy ${t.acc}`);
        assert.ok(t.x >= 1e-4 && t.x <= 1e-1 && t.y >= 1e-4 && t.y <= 1e-1, `${m}: inside the ranges`);
      }
      // The marginals: best-per-bin bars along each axis, as high as the best trial in them.
      const bars = await page.$$eval(`#plane-${m} rect.bin-best`, (rs) => rs.map((r) => ({ axis: r.dataset.axis, best: Number(r.dataset.best) })));
      const best = Math.max(...trials.map((t) => t.acc));
      for (const axis of ["x", "y"]) {
        const mine = bars.filter((b) => b.axis === axis);
        assert.ok(mine.length >= 1, `${m}: a marginal along ${axis}`);
        assert.equal(Math.max(...mine.map((b) => b.best)), best, `${m}: the ${axis} marginal's best bar is the best trial`);
      }
      assert.match(await page.textContent(`#status-${m}`), new RegExp(`${K}/${K} done.*best \\d+\\.\\d%`));
    }
    // The grid is the 2×2 lattice of the ranges' ends; random trials are all different learning rates.
    assert.deepEqual([...new Set(grid.map((t) => t.x))].sort(), [1e-4, 1e-1].sort());
    assert.equal(new Set(random.map((t) => t.x)).size, K);
    assert.equal(await page.getAttribute("#progress", "value"), String(2 * K));
    // Every trial was trained once: Run both started the two searches once (not once per listener).
    assert.equal(await page.getAttribute("#pool-status", "data-started"), String(2 * K));
    await screenshot(page, "search-1024x768");
    await assertLayout(page, 1024);

    // Coarse to fine: drag a rectangle on the random plane; the range fields take it.
    const before = await fieldValues(page);
    const hit = await page.locator("#plane-random rect.plane-hit").boundingBox();
    await page.mouse.move(hit.x + hit.width * 0.25, hit.y + hit.height * 0.7);
    await page.mouse.down();
    await page.mouse.move(hit.x + hit.width * 0.5, hit.y + hit.height * 0.5, { steps: 5 });
    await page.mouse.move(hit.x + hit.width * 0.75, hit.y + hit.height * 0.3, { steps: 5 });
    await page.mouse.up();
    const [x0, x1, y0, y1] = await fieldValues(page);
    assert.notDeepEqual([x0, x1, y0, y1], before);
    // A quarter to three quarters of each log axis (inside its padding): about 10^-3.3 … 10^-1.7.
    assert.ok(x0 > 1e-4 && x0 < x1 && x1 < 1e-1, `x range ${x0}…${x1}`);
    assert.ok(y0 > 1e-4 && y0 < y1 && y1 < 1e-1, `y range ${y0}…${y1}`);
    assert.ok(Math.log10(x1 / x0) > 1 && Math.log10(x1 / x0) < 2, `x spans about half the decades (${x0}…${x1})`);
    assert.ok((await messages(page)).some((t) => t.startsWith("Ranges set from your selection")));

    // Bad input is named, and the finished searches stay on the planes.
    const bad = [
      [["#s-trials", "65"], /65 trials is more than the 64 allowed/],
      [["#s-p1-min", "0"], /weightDecay is on a log scale, so its range must be above 0/],
      [["#s-p0-min", "0.5"], /the range of learningRate is empty/],
      [["#s-steps", "5"], /Steps per trial must be a whole number from 10 to 5000 \(got "5"\)/],
      [["#s-p0-max", "abc"], /The x axis \(learning rate\) max "abc" is not a number/],
    ];
    for (const [[field, value], want] of bad) {
      const keep = await page.inputValue(field);
      await page.fill(field, value);
      await page.click("#run-grid");
      const text = (await messages(page)).find((t) => t.startsWith("Search not started"));
      assert.match(text ?? "", want);
      assert.equal((await trialsOn(page, "grid")).filter((t) => t.state === "done" || t.state === "diverged").length, K,
        "the finished grid search is kept");
      await page.fill(field, keep);
    }

    await page.setViewportSize({ width: 1366, height: 768 });
    await page.waitForTimeout(200);
    await screenshot(page, "search-1366x768");
    await assertLayout(page, 1366);
    assert.deepEqual(problems.pageErrors, [], "uncaught errors");
    assert.deepEqual(problems.consoleErrors, [], "console errors");
    assert.deepEqual(problems.failedRequests, [], "failed requests");
    assert.deepEqual(problems.foreignRequests, [], "requests leaving localhost");
  } finally {
    await context.close();
  }
});

test("Stop ends the trials in training at once: the pool is free for the next search", async () => {
  const { context, page, problems } = await openPage(browser, `${server.url}search.html`, { width: 1024, height: 768 });
  try {
    await page.waitForFunction(() => document.body.dataset.state === "ready", null, { timeout: 30000 });
    // Long trials (5000 steps: minutes each on this machine) ...
    await page.fill("#s-trials", "4");
    await page.fill("#s-steps", "5000");
    await page.click("#run-random");
    await page.waitForFunction(() => document.querySelectorAll("#plane-random circle.trial-running").length > 0);
    await page.waitForTimeout(1500);
    await page.click("#stop");
    assert.equal(await page.getAttribute("#panel-random", "data-state"), "stopped");
    assert.deepEqual([...new Set((await trialsOn(page, "random")).map((t) => t.state))], ["stopped"]);
    // ... and a short search right after finishes without waiting for them.
    await page.fill("#s-trials", "1");
    await page.fill("#s-steps", "10");
    await page.click("#run-grid");
    await page.waitForFunction(() => document.getElementById("panel-grid").dataset.state === "done", null, { timeout: 60000 });
    const [trial] = await trialsOn(page, "grid");
    assert.ok(trial.acc >= 0 && trial.acc <= 1, `the new trial's accuracy ${trial.acc}`);
    // The stopped search stays on its plane.
    assert.equal((await trialsOn(page, "random")).length, 4);
    assert.deepEqual(problems.pageErrors, [], "uncaught errors");
    assert.deepEqual(problems.consoleErrors, [], "console errors");
  } finally {
    await context.close();
  }
});

test("the figure's axis math: log axes place decades evenly, ticks, best per bin, field numbers", () => {
  const lr = axis({ min: 1e-4, max: 1e-1, scale: "log" });
  assert.equal(lr.pos(1e-4), 0);
  assert.ok(Math.abs(lr.pos(1e-3) - 1 / 3) < 1e-12 && Math.abs(lr.pos(1e-2) - 2 / 3) < 1e-12);
  assert.ok(Math.abs(lr.value(lr.pos(3e-3)) - 3e-3) < 1e-15, "value() inverts pos()");
  assert.deepEqual(lr.ticks(), [1e-4, 1e-3, 1e-2, 1e-1]);
  // Less than a decade: 1-2-5 steps.
  assert.deepEqual(axis({ min: 1.5e-3, max: 8e-3, scale: "log" }).ticks(), [2e-3, 5e-3]);
  const dr = axis({ min: 0, max: 0.9, scale: "linear" });
  assert.equal(dr.pos(0.45), 0.5);
  assert.deepEqual(dr.ticks(), [0, 0.2, 0.4, 0.6, 0.8]);
  // Best per bin: the highest finished accuracy in each bin, null where none fell.
  const bins = bestPerBin([{ u: 0.1, acc: 0.5 }, { u: 0.2, acc: 0.7 }, { u: 1, acc: 0.3 }, { u: 0.6, acc: NaN }], 4);
  assert.deepEqual(bins.map((b) => b.best), [0.7, null, null, 0.3]);
  assert.equal(shortNumber(0.001), "1e-3");
  assert.equal(shortNumber(0.25), "0.25");
  assert.equal(fieldNumber(4.8449e-4), "4.84e-4");
  assert.equal(Number(fieldNumber(4.8449e-4)), 4.84e-4);
  assert.equal(fieldNumber(0.123456), "0.123");
});

test("a link sets up and starts a search; its bad entries are named", async () => {
  const hash = "#k=1&steps=10&x=dropRate:0:0.5:linear&y=learningRate:1e-3:1e-1:log&run=grid&data=cifar&seed=x&workers=1";
  const { context, page, problems } = await openPage(browser, `${server.url}search.html${hash}`, { width: 1024, height: 768 });
  try {
    await page.waitForFunction(() => document.getElementById("panel-grid").dataset.state === "done", null, { timeout: 120000 });
    assert.deepEqual(await page.$$eval(["#s-p0-key", "#s-p0-min", "#s-p0-max", "#s-p0-scale", "#s-p1-key", "#s-p1-scale"].join(","),
      (els) => els.map((e) => e.value)), ["dropRate", "0", "0.5", "linear", "learningRate", "log"]);
    // K = 1: one trial, in the middle of each range in its scale.
    const [trial] = await trialsOn(page, "grid");
    assert.equal(trial.x, 0.25);
    assert.ok(Math.abs(trial.y - 1e-2) < 1e-12, `${trial.y}`);
    assert.match(await page.textContent("#pool-status"), /^1 worker /);
    const texts = (await messages(page)).join("\n");
    assert.match(texts, /Link setting "data" has a bad value "cifar"/);
    assert.match(texts, /Link setting "seed" has a bad value "x"/);
    assert.deepEqual(problems.pageErrors, [], "uncaught errors");
  } finally {
    await context.close();
  }
});
