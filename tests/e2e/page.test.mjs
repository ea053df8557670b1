// End-to-end tests of the page as a student uses it: loading, links (URL hash), bad input, NaN.
// Server: `vite preview` serving the production build in dist/ on a free localhost port, started
// here and stopped at the end (see helpers.mjs; dist/ is built first if it is missing).

import { test } from "node:test";
import assert from "node:assert/strict";
import { messageTexts, openPage, sleep, startSuite, stat, waitReady } from "./helpers.mjs";
import { settingByKey } from "../../www/state.js";

/** The page's default learning rate as its control shows it. */
const DEFAULT_LR = String(settingByKey("learningRate").default);

let server, browser;
startSuite((s, b) => { server = s; browser = b; });

/** Press step once and return the first loss shown by the page. */
async function firstLossAfterOneStep(page) {
  await page.click("#step");
  await page.waitForFunction(() => document.getElementById("stat-firstloss")?.dataset.value !== undefined,
    null, { timeout: 30000 });
  return stat(page, "firstloss");
}

async function stepsRise(page, ms = 3000) {
  const before = (await stat(page, "step")) || 0;
  await page.click("#playpause");
  await page.waitForFunction((b) => Number(document.getElementById("stat-step")?.dataset.value) > b + 5,
    before, { timeout: ms + 20000 });
  await page.click("#playpause");
  await page.waitForFunction(() => document.body.dataset.runState === "paused");
  return (await stat(page, "step")) - before;
}

test("1. loads with no console errors, no failed requests, nothing leaves localhost", async () => {
  const { context, page, problems } = await openPage(browser, server.url);
  try {
    await waitReady(page);
    const backend = await page.textContent("#backend");
    console.log(`kernel backend shown: ${backend}`);
    assert.ok(backend && backend !== "loading…");
    // Train a little, so the worker's and the wasm's requests are included.
    await stepsRise(page);
    await sleep(500);
    assert.deepEqual(problems.pageErrors, [], "uncaught errors");
    assert.deepEqual(problems.consoleErrors, [], "console errors");
    assert.deepEqual(problems.failedRequests, [], "failed requests");
    assert.deepEqual(problems.foreignRequests, [], "requests to non-localhost hosts");
    assert.deepEqual(await messageTexts(page), [], "no message on a clean load");
    // The hash is rewritten with every setting, so the address bar is a reproducible link.
    const hash = new URL(page.url()).hash;
    for (const k of ["preset=shapes-cnn", "seed=1", `lr=${DEFAULT_LR}`]) assert.ok(hash.includes(k), `${k} in ${hash}`);
  } finally {
    await context.close();
  }
});

test("3. a seed in the URL hash reproduces the first loss; another seed changes it", async () => {
  const losses = [];
  for (const hash of ["#seed=3&lr=0.02&preset=shapes-cnn", "#seed=3&lr=0.02&preset=shapes-cnn", "#seed=4&lr=0.02&preset=shapes-cnn"]) {
    const { context, page } = await openPage(browser, server.url + hash);
    try {
      await waitReady(page);
      assert.equal(await page.inputValue("#setting-seed"), hash.includes("seed=3") ? "3" : "4");
      losses.push(await firstLossAfterOneStep(page));
    } finally {
      await context.close();
    }
  }
  console.log(`first loss: seed 3 → ${losses[0]}, again → ${losses[1]}, seed 4 → ${losses[2]}`);
  assert.ok(Number.isFinite(losses[0]));
  assert.equal(losses[0], losses[1], "same seed, same first loss");
  assert.notEqual(losses[0], losses[2], "different seed, different first loss");
});

test("4. a malformed hash names key and value in a dismissable message; the page still trains", async () => {
  const { context, page, problems } = await openPage(browser, server.url + "#lr=abc&preset=nope&batch=-1&unknown=1&seed=2");
  try {
    await waitReady(page);
    const text = (await messageTexts(page)).join("\n");
    console.log(text);
    for (const s of ['"lr"', '"abc"', '"preset"', '"nope"', '"batch"', '"-1"', '"unknown"']) {
      assert.ok(text.includes(s), `message names ${s}`);
    }
    // Bad keys fall back to defaults, good keys are kept.
    assert.equal(await page.inputValue("#setting-lr"), DEFAULT_LR);
    assert.equal(await page.inputValue("#setting-preset"), "shapes-cnn");
    assert.equal(await page.inputValue("#setting-seed"), "2");
    assert.ok(await stepsRise(page) > 5, "trains");
    await page.click("#messages .message-close");
    assert.deepEqual(await messageTexts(page), [], "message dismissed");
    assert.deepEqual(problems.pageErrors, []);

    // A bad value typed into a control is refused the same way and the control reverts.
    await page.fill("#setting-lr", "-1");
    await page.dispatchEvent("#setting-lr", "change");
    const t2 = (await messageTexts(page)).join("\n");
    assert.match(t2, /Learning rate: "-1" is not valid/);
    assert.equal(await page.inputValue("#setting-lr"), DEFAULT_LR);
  } finally {
    await context.close();
  }
});

test("5. learning rate 50: divergence (NaN, Inf or an exploded loss) detected, run paused, message shown, page still responsive", async () => {
  const { context, page, problems } = await openPage(browser, server.url + "#lr=50");
  try {
    await waitReady(page);
    await page.click("#playpause");
    await page.waitForFunction(() => [...document.querySelectorAll("#messages .message p")]
      .some((p) => /^Loss (became|exploded)/.test(p.textContent)), null, { timeout: 60000 });
    const text = (await messageTexts(page)).find((t) => /^Loss (became|exploded)/.test(t));
    console.log(text);
    assert.match(text, /^Loss (became NaN|became infinite|exploded to \d\.\de[+-]?\d+) at step \d+ — learning rate too high or bad initialization \(lecture, step 2\)\. Lower the learning rate and press reset\.$/);
    await page.waitForFunction(() => document.body.dataset.runState === "paused", null, { timeout: 5000 });
    await sleep(300);   // stats are written at the next drawn frame (≤ 100 ms)
    const stepAtNaN = await stat(page, "step");
    await sleep(700);
    assert.equal(await stat(page, "step"), stepAtNaN, "training stopped");

    // Responsive: lower the learning rate (a new run starts), and it trains.
    const t0 = Date.now();
    await page.fill("#setting-lr", "0.02");
    await page.dispatchEvent("#setting-lr", "change");
    await waitReady(page);
    console.log(`new run ready ${Date.now() - t0} ms after lowering the learning rate`);
    assert.ok(new URL(page.url()).hash.includes("lr=0.02"));
    assert.ok(await stepsRise(page) > 5, "trains again");
    assert.equal((await messageTexts(page)).filter((t) => /^Loss (became|exploded)/.test(t)).length, 0, "NaN message cleared");
    assert.deepEqual(problems.pageErrors, []);
  } finally {
    await context.close();
  }
});

test("a config the core rejects is shown, and the last good run is kept", async () => {
  const { context, page, problems } = await openPage(browser, server.url + "#seed=6");
  try {
    await waitReady(page);
    const steps = await stepsRise(page);
    await sleep(300);
    const stepBefore = await stat(page, "step");
    // The page's own checks would refuse -1; tryConfig hands it straight to the Trainer constructor.
    assert.equal(await page.evaluate(() => window.trainlab.tryConfig({ learningRate: -1 })), true);
    await page.waitForFunction(() => [...document.querySelectorAll("#messages .message p")]
      .some((p) => /the trainer rejected/i.test(p.textContent)), null, { timeout: 30000 });
    const text = (await messageTexts(page)).find((t) => /the trainer rejected/i.test(t));
    console.log(text);
    assert.match(text, /learningRate/);
    assert.match(text, /-1/);
    await waitReady(page);
    assert.equal(await stat(page, "step"), stepBefore, "the last good run is kept, not reset");
    assert.equal(await page.inputValue("#setting-lr"), DEFAULT_LR);
    assert.ok(new URL(page.url()).hash.includes(`lr=${DEFAULT_LR}`));
    assert.ok(steps > 0 && await stepsRise(page) > 5, "and it still trains");
    assert.deepEqual(problems.pageErrors, []);
  } finally {
    await context.close();
  }
});

test("hide=… hides controls for an embedded slide", async () => {
  const { context, page } = await openPage(browser, server.url + "#hide=preset,init&seed=5");
  try {
    await waitReady(page);
    assert.equal(await page.isVisible("[data-key=preset]"), false);
    assert.equal(await page.isVisible("[data-key=init]"), false);
    assert.equal(await page.isVisible("[data-key=lr]"), true);
    assert.ok(new URL(page.url()).hash.includes("hide=preset,init"), "hide survives the hash rewrite");
  } finally {
    await context.close();
  }
  const all = await openPage(browser, server.url + "#hide=all");
  try {
    await waitReady(all.page);
    assert.equal(await all.page.isVisible("#settings"), false);
    assert.equal(await all.page.isVisible("#playpause"), true);
  } finally {
    await all.context.close();
  }
});

test("works offline once loaded (service worker)", async () => {
  const { context, page } = await openPage(browser, server.url + "#seed=7");
  try {
    await waitReady(page);
    // ready resolves once the service worker is active, i.e. after its install cached every file.
    await page.evaluate(() => navigator.serviceWorker.ready.then(() => true));
    assert.ok(await page.evaluate(async () => (await caches.keys()).some((k) => k.startsWith("trainlab-"))));
    await context.setOffline(true);
    await page.reload();
    await waitReady(page);
    assert.ok(await stepsRise(page) > 5, "trains offline");
  } finally {
    await context.close();
  }
});
