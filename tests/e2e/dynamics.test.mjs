// Training dynamics on the page: the learning-rate schedule (drawn before play, used while
// training), the update/weight ratio chart, and a bad schedule in a link. Plus, in Node, the
// optimizer and schedule rows of www/state.js as the Trainer config receives them.

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { launchBrowser, messageTexts, openPage, screenshot, sleep, startServer, stat, waitReady } from "./helpers.mjs";
import { defaults, parseHash, toConfig } from "../../www/state.js";

let server, browser;
before(async () => {
  server = await startServer();
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

test("state: optimizer and schedule rows become the Trainer's optimizer and schedule", () => {
  const d = toConfig(defaults());
  assert.equal(d.optimizer, undefined, "SGD: no optimizer, momentum and weightDecay apply");
  assert.equal(d.schedule, undefined, "constant without warmup: the core's default");
  const c = toConfig(parseHash("#opt=adamw&wd=0.05&sched=cosine&steps=300&warmup=20").values);
  assert.deepEqual(c.optimizer, { type: "adamw", weightDecay: 0.05 });
  assert.deepEqual(c.schedule, { type: "cosine", totalSteps: 300, warmupSteps: 20 });
  assert.deepEqual(toConfig(parseHash("#sched=step&steps=300").values).schedule,
    { type: "step", milestones: [100, 200], gamma: 0.1 });
  assert.deepEqual(toConfig(parseHash("#sched=sgdr&steps=400").values).schedule, { type: "sgdr", T_0: 100, T_mult: 2 });
});

test("dynamics: cosine schedule drawn before play, lr falls while training, ratios finite and > 0", async () => {
  const { context, page, problems } = await openPage(browser, server.url + "#sched=cosine&steps=300&seed=1");
  try {
    await waitReady(page);
    // The curve is there before any step: from α₀ at step 0 down to 0 at step 300.
    await page.waitForFunction(() => window.trainlab.lrCurve[0].length > 100, null, { timeout: 10000 });
    const curve = await page.evaluate(() => window.trainlab.lrCurve);
    assert.equal(curve[0][0], 0);
    assert.equal(curve[0][curve[0].length - 1], 300);
    assert.ok(Math.abs(curve[1][0] - 0.02) < 1e-9, `lr at step 0 is α₀: ${curve[1][0]}`);
    assert.ok(curve[1][curve[1].length - 1] < 1e-6, "cosine reaches 0 at T");
    assert.equal(await stat(page, "step"), 0);

    // Step once, note the rate, then play and watch it fall.
    await page.click("#step");
    await page.waitForFunction(() => Number(document.getElementById("stat-step")?.dataset.value) === 1, null, { timeout: 10000 });
    const lr1 = await stat(page, "lr");
    await page.click("#playpause");
    await page.waitForFunction(() => Number(document.getElementById("stat-step")?.dataset.value) >= 120, null, { timeout: 60000 });
    const later = { step: await stat(page, "step"), lr: await stat(page, "lr") };
    console.log(`cosine T=300: lr ${lr1} at step 1 → ${later.lr} at step ${later.step}`);
    assert.ok(later.lr < lr1, `lr at step ${later.step} (${later.lr}) < lr at step 1 (${lr1})`);

    await page.waitForFunction(() => window.trainlab.ratioPoints >= 3, null, { timeout: 10000 });
    const ratios = await page.evaluate(() => window.trainlab.ratios);
    console.log(`update/weight ratios: ${ratios.map((r) => r.toExponential(2)).join(", ")}`);
    assert.ok(ratios.length >= 2, "one ratio per weight tensor");
    for (const r of ratios) assert.ok(Number.isFinite(r) && r > 0, `ratio ${r}`);
    // Let an evaluation happen so the diagnosis box has something to say, then pause.
    await page.waitForFunction(() => window.trainlab.findings !== null, null, { timeout: 30000 });
    await page.click("#playpause");
    await sleep(600);
    const box = await page.textContent("#diagnosis");
    assert.ok(box.trim().length > 0, "the diagnosis box says something");
    const path = await screenshot(page, "1280x800-dynamics");
    console.log(`screenshot: ${path}; diagnosis: ${box.trim()}`);
    assert.deepEqual(problems.pageErrors, []);
    assert.deepEqual(problems.consoleErrors, []);
  } finally {
    await context.close();
  }
});

test("dynamics: a bad schedule in a link is named and left at its default", async () => {
  const { context, page } = await openPage(browser, server.url + "#sched=exp");
  try {
    await waitReady(page);
    const texts = await messageTexts(page);
    assert.ok(texts.some((t) => t.includes('"sched"') && t.includes('"exp"') && t.includes("constant")),
      `message names the key and the value: ${JSON.stringify(texts)}`);
    assert.equal(await page.evaluate(() => window.trainlab.settings.schedule), "constant");
  } finally {
    await context.close();
  }
});

test("dynamics: changing the learning rate while paused keeps the run", async () => {
  const { context, page, problems } = await openPage(browser, server.url + "#seed=1");
  try {
    await waitReady(page);
    for (let i = 1; i <= 3; i++) {
      await page.click("#step");
      await page.waitForFunction((n) => Number(document.getElementById("stat-step")?.dataset.value) === n, i, { timeout: 10000 });
    }
    assert.ok(Math.abs(await stat(page, "lr") - 0.02) < 1e-12);
    await page.fill("#setting-lr", "0.005");
    await page.dispatchEvent("#setting-lr", "change");
    await page.waitForFunction(() => window.trainlab.settings.learningRate === 0.005, null, { timeout: 10000 });
    assert.match(await page.evaluate(() => location.hash), /lr=0\.005/);
    await page.click("#step");
    await page.waitForFunction(() => Number(document.getElementById("stat-step")?.dataset.value) === 4, null, { timeout: 10000 });
    assert.ok(Math.abs(await stat(page, "lr") - 0.005) < 1e-12, `lr after the change: ${await stat(page, "lr")}`);
    const curve = await page.evaluate(() => window.trainlab.lrCurve);
    assert.ok(Math.abs(curve[1][0] - 0.005) < 1e-12, "the schedule curve is redrawn at the new rate");
    assert.deepEqual(problems.pageErrors, []);
    assert.deepEqual(problems.consoleErrors, []);
  } finally {
    await context.close();
  }
});

test("dynamics: the learning-rate finder plots points and suggests a rate (or says none found)", async () => {
  const { context, page, problems } = await openPage(browser, server.url + "#seed=1");
  try {
    await waitReady(page);
    await page.click("#findlr");
    await page.waitForFunction(() => window.trainlab.lrFind !== null, null, { timeout: 60000 });
    const r = await page.evaluate(() => window.trainlab.lrFind);
    assert.equal(r.error, undefined, `finder error: ${r.error}`);
    assert.ok(r.points.length > 10, `points: ${r.points.length}`);
    const text = await page.textContent("#lrfind-text");
    console.log(`lr finder: ${r.points.length} points, suggested ${r.suggestedLr}; ${text}`);
    if (r.suggestedLr) {
      assert.match(text, /Suggested/);
      await page.click("#lrfind-use");
      await page.waitForFunction((s) => Math.abs(window.trainlab.settings.learningRate - s) < 1e-12,
        +r.suggestedLr.toPrecision(3), { timeout: 10000 });
    } else {
      assert.match(text, /no suggestion/);
    }
    assert.equal(await stat(page, "step"), 0, "the run itself is untouched");
    assert.deepEqual(problems.pageErrors, []);
    assert.deepEqual(problems.consoleErrors, []);
  } finally {
    await context.close();
  }
});
