// A press at the first moment the page says it is ready is taken (the "lost first press").
//
// The page's state attribute (body[data-run-state]) is what tests, styles and a student's eye follow.
// It turned "paused" at once, but the toolbar enabled Play and Step only at the next drawn frame, so a
// press in between hit a disabled button and was dropped (seen in WebKit, whose frames come late: the
// buttons stayed disabled for 110-180 ms after "paused"). Playwright's own click waits for an enabled
// button and would hide that; here a script in the page presses with element.click() inside the
// mutation observer that sees the attribute change, i.e. before any frame. Several loads, because
// the order of the worker's first messages differs from load to load.

import { test } from "node:test";
import assert from "node:assert/strict";
import { messageTexts, openPage, startSuite } from "./helpers.mjs";

let server, browser;
startSuite((s, b) => { server = s; browser = b; });

const LOADS = 3;

/**
 * Before the page's own scripts: at the first data-run-state "paused", press `#<button>` at once and
 * record what the page looked like then (window.__firstPress).
 */
function pressAtReady(button) {
  const seen = new MutationObserver(() => {
    if (document.body?.dataset.runState !== "paused") return;
    seen.disconnect();
    const b = document.getElementById(button);
    window.__firstPress = { disabled: b.disabled, at: performance.now() };
    b.click();
  });
  seen.observe(document, { attributes: true, subtree: true, attributeFilter: ["data-run-state"] });
}

async function loadAndPress(button, hash) {
  const { context, page, problems } = await openPage(browser, "about:blank");
  await context.addInitScript(pressAtReady, button);
  await page.goto(server.url + hash);
  await page.waitForFunction(() => window.__firstPress, null, { timeout: 60000 });
  return { context, page, problems, pressed: await page.evaluate(() => window.__firstPress) };
}

test("first press: Play pressed the moment the page says paused starts training, load after load", async () => {
  for (let i = 1; i <= LOADS; i++) {
    const { context, page, problems, pressed } = await loadAndPress("playpause", `#seed=${i}`);
    try {
      assert.equal(pressed.disabled, false, `load ${i}: Play is enabled when the page says paused`);
      // Training shows as steps, not only as the state: the worker got the play.
      await page.waitForFunction(() => Number(document.getElementById("stat-step")?.dataset.value) > 0, null, { timeout: 30000 });
      assert.equal(await page.evaluate(() => document.body.dataset.runState), "running", `load ${i}: still running`);
      assert.deepEqual(problems.pageErrors, [], `load ${i}: no page error`);
    } finally {
      await context.close();
    }
  }
});

test("first press: Step pressed the moment the page says paused trains one step, load after load", async () => {
  for (let i = 1; i <= LOADS; i++) {
    const { context, page, problems, pressed } = await loadAndPress("step", `#seed=${i}&lr=0.02`);
    try {
      assert.equal(pressed.disabled, false, `load ${i}: Step is enabled when the page says paused`);
      const first = await page.waitForFunction(() => document.getElementById("stat-firstloss")?.dataset.value, null,
        { timeout: 30000 }).then((h) => h.jsonValue());
      assert.ok(Number(first) > 0, `load ${i}: first loss ${first}`);
      assert.equal(await page.evaluate(() => Number(document.getElementById("stat-step")?.dataset.value)), 1,
        `load ${i}: one step, the run paused again`);
      assert.deepEqual(problems.pageErrors, [], `load ${i}: no page error`);
    } finally {
      await context.close();
    }
  }
});

test("first press: Play pressed the moment a reload says paused keeps the restored run and trains on from it", async () => {
  // The page says "paused" once the trainers are built, while the kept runs are still being put back
  // (www/sandbox/keepRuns.js): a Play at that moment must neither be lost nor drop the restored state.
  const { context, page } = await openPage(browser, `${server.url}#seed=5`);
  try {
    await page.waitForFunction(() => document.body.dataset.runState === "paused", null, { timeout: 60000 });
    for (let n = 1; n <= 3; n++) {
      await page.click("#step");
      await page.waitForFunction((k) => Number(document.getElementById("stat-step")?.dataset.value) === k, n);
    }
    const before = await page.evaluate(() => window.trainlab.runs[0].losses);
    assert.ok(await page.evaluate(() => window.trainlab.keepRuns.saveNow()), "the three steps were saved");
    await context.addInitScript(pressAtReady, "playpause");
    await page.reload();
    await page.waitForFunction(() => window.__firstPress, null, { timeout: 60000 });
    assert.equal((await page.evaluate(() => window.__firstPress)).disabled, false, "Play is enabled when the reload says paused");
    await page.waitForFunction(() => window.trainlab.runs[0].step > 5, null, { timeout: 30000 });
    const texts = await messageTexts(page);
    assert.ok(texts.some((t) => t.startsWith("Your run is back where it stopped (step 3)")), `restored: ${JSON.stringify(texts)}`);
    assert.ok(!texts.some((t) => t.includes("could not be restored")), `no lost restore: ${JSON.stringify(texts)}`);
    assert.equal(await page.evaluate(() => document.body.dataset.runState), "running");
    // Its curves were put back with it: the first losses are the three kept ones.
    assert.deepEqual((await page.evaluate(() => window.trainlab.runs[0].losses)).slice(0, 3), before.slice(0, 3));
  } finally {
    await context.close();
  }
});

test("first press: + Compare pressed the moment the page says paused adds a second run", async () => {
  for (let i = 1; i <= LOADS; i++) {
    const { context, page, problems, pressed } = await loadAndPress("compare", `#seed=${i}`);
    try {
      assert.equal(pressed.disabled, false, `load ${i}: + Compare is enabled when the page says paused`);
      await page.waitForFunction(() => window.trainlab.runs.length === 2, null, { timeout: 30000 });
      assert.deepEqual(problems.pageErrors, [], `load ${i}: no page error`);
    } finally {
      await context.close();
    }
  }
});
