// Smoke suite in WebKit (Safari's engine): the production build boots, names its kernel backend,
// trains when Play is pressed, shows no message, and a seed reproduces the first loss.
// Run under a display: `xvfb-run -a node --test tests/webkit/` (scripts/test.sh e2e-webkit).
// Classic WebDriver gives no console log for WebKitGTK, so "no errors" is what the page itself
// shows: its message list (where the page and its boot script report every failure) stays empty.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { RESULTS, startServer } from "../e2e/helpers.mjs";
import { launchWebKit, waitInPage } from "./webkit.mjs";

let server, wk;
before(async () => {
  server = await startServer();
  wk = await launchWebKit({ width: 1280, height: 800 });
});
after(async () => {
  await wk?.quit();
  await server?.stop();
});

const READY = "return document.body.dataset.runState === 'paused'";
const MESSAGES = "return [...document.querySelectorAll('#messages .message p')].map((p) => p.textContent)";
const STEP = "return Number(document.getElementById('stat-step')?.dataset.value) || 0";

async function open(hash) {
  await wk.driver.get(server.url + hash);
  // The first visit compiles the wasm module and builds the data set; a slow machine needs a while.
  try {
    await waitInPage(wk.driver, READY, 90000, "the page to be ready (paused with a run)");
  } catch (e) {
    const shown = await wk.driver.executeScript(MESSAGES).catch(() => []);
    const text = await wk.driver.executeScript("return document.body.innerText.slice(0, 300)").catch(() => "");
    throw new Error(`${e.message}; messages ${JSON.stringify(shown)}; page text ${JSON.stringify(text)}`);
  }
}

test("WebKit: boots, shows its backend, trains on Play, no message, screenshot", async () => {
  await open("#seed=1");
  const backend = await wk.driver.executeScript("return document.getElementById('backend')?.textContent");
  console.log(`WebKit ${(await wk.driver.getCapabilities()).get("browserVersion")}: kernel backend shown: ${backend}`);
  assert.ok(backend && backend !== "loading…", `backend in the header: ${JSON.stringify(backend)}`);
  assert.deepEqual(await wk.driver.executeScript(MESSAGES), [], "no message after boot");

  const before = await wk.driver.executeScript(STEP);
  // Pressed as soon as the page says paused, once: a press at that moment must be taken (it was lost
  // while the toolbar enabled its buttons only at the next drawn frame; tests/e2e/first-press.test.mjs).
  await wk.driver.executeScript("document.getElementById('playpause').click()");
  await waitInPage(wk.driver, "return document.body.dataset.runState === 'running'", 10000, "running after one Play");
  const t0 = Date.now();
  // Generous: the first chunk starts a few seconds after Play on a loaded 2-core machine.
  const reached = await waitInPage(wk.driver, `return (${STEP.slice(7)}) > ${before + 10} && (${STEP.slice(7)})`,
    120000, "steps to rise by 10 after Play");
  const loss = await wk.driver.executeScript("return Number(document.getElementById('stat-loss')?.dataset.value)");
  console.log(`steps ${before} → ${reached} in ${((Date.now() - t0) / 1000).toFixed(1)} s; loss ${loss}`);
  await wk.driver.executeScript("document.getElementById('playpause').click()");
  await waitInPage(wk.driver, READY, 30000, "pause after a second press");
  assert.deepEqual(await wk.driver.executeScript(MESSAGES), [], "no message after training");

  mkdirSync(RESULTS, { recursive: true });
  const path = join(RESULTS, "webkit-smoke-1280x800.png");
  writeFileSync(path, Buffer.from(await wk.driver.takeScreenshot(), "base64"));
  console.log(`screenshot: ${path}`);
});

test("WebKit: a seed in the link reproduces the first loss", async () => {
  const firstLoss = async () => {
    await open("#seed=3&lr=0.02&preset=shapes-cnn");
    const FIRST = "const v = document.getElementById('stat-firstloss')?.dataset.value; " +
      "return v === undefined ? null : Number(v)";
    // One press, as soon as the page says paused (as Play above).
    await wk.driver.executeScript("document.getElementById('step').click()");
    return waitInPage(wk.driver, FIRST, 30000, "the first loss after one Step");
  };
  const a = await firstLoss();
  // A new document (about:blank between) so the second boot starts from nothing.
  await wk.driver.get("about:blank");
  const b = await firstLoss();
  console.log(`first loss with seed 3: ${a} and ${b}`);
  assert.ok(Number.isFinite(a) && a > 0, `first loss ${a}`);
  assert.equal(b, a, "the same seed gives the same first loss");
});

test("WebKit: a page left for another one loads again when opened again (its store is not left locked)", async () => {
  // WebKit keeps a page it leaves in its back/forward cache, frozen; a save the page started as it
  // left (pagehide, visibilitychange) froze with it and locked the saved runs, so every later visit
  // waited for ever at "loading…" (www/store/workspace.js). Twice, each time from a new document.
  for (let visit = 1; visit <= 3; visit++) {
    const t0 = Date.now();
    if (visit > 1) await wk.driver.get("about:blank");
    await open("#seed=4");
    console.log(`visit ${visit}: ready in ${Date.now() - t0} ms`);
  }
  const state = await wk.driver.executeScript("return document.body.dataset.runState");
  assert.equal(state, "paused");
});
