// The host API in the browser (issue 8): the example page examples/host.html drives an embedded
// sandbox by postMessage (play, set a setting, read state, pause) and logs its events; a page on
// another origin is ignored unless the embed link's origin= key allows it.
// Two origins from one server: vite preview answers on 127.0.0.1 and on localhost, and the browser
// treats http://127.0.0.1:<port> and http://localhost:<port> as different origins.

import { test } from "node:test";
import assert from "node:assert/strict";
import { openPage, sleep, startSuite } from "./helpers.mjs";
import { STEP_INTERVAL_MS } from "../../www/embed/hostApi.js";

let server, browser;
startSuite((s, b) => { server = s; browser = b; });

/** The same server under its other name, a different origin. */
const otherOrigin = (url) => url.replace("://127.0.0.1:", "://localhost:");
const originOf = (url) => new URL(url).origin;

/** The example page's log: [{ kind, detail }], oldest first. */
const logOf = (page) => page.$$eval("#log li", (lis) => lis.reverse()
  .map((li) => ({ kind: li.dataset.kind, detail: li.dataset.detail ? JSON.parse(li.dataset.detail) : null })));
const logKinds = async (page, kind) => (await logOf(page)).filter((e) => e.kind === kind);

/** Wait until the example page has logged `count` entries of `kind` (matching `where`, if given). */
async function waitLog(page, kind, { count = 1, where = null, timeout = 60000 } = {}) {
  await page.waitForFunction(([k, n, w]) => [...document.querySelectorAll("#log li")]
    .filter((li) => li.dataset.kind === k)
    .filter((li) => !w || Object.entries(w).every(([key, v]) => JSON.parse(li.dataset.detail)[key] === v))
    .length >= n, [kind, count, where], { timeout });
}

/** Click a command button of the example page and wait for its reply; returns the reply. */
async function command(page, buttonId) {
  const before = (await logKinds(page, "reply")).length;
  await page.click(`#${buttonId}`);
  await waitLog(page, "reply", { count: before + 1, timeout: 30000 });
  return (await logKinds(page, "reply")).at(-1).detail;
}

/** Press "Get state" and read the state the page printed. */
async function stateOf(page) {
  await page.$eval("#state", (el) => { el.textContent = ""; });
  await page.click("#get-state");
  await page.waitForFunction(() => document.getElementById("state").textContent !== "", null, { timeout: 30000 });
  const text = await page.$eval("#state", (el) => el.textContent);
  assert.ok(text.startsWith("{"), `the state is printed as JSON: ${text}`);
  return JSON.parse(text);
}

/** Press "Get state" until `pred(state)` holds (a change reaches the run a moment after the reply). */
async function waitState(page, pred, timeout = 30000) {
  const until = Date.now() + timeout;
  let state = await stateOf(page);
  while (!pred(state)) {
    assert.ok(Date.now() < until, `state not reached within ${timeout} ms: ${JSON.stringify(state)}`);
    await sleep(200);
    state = await stateOf(page);
  }
  return state;
}

/** Post `message` from the host page to its frame and resolve with the reply carrying its id. */
const ask = (page, message) => page.evaluate((m) => new Promise((resolve) => {
  const frame = document.getElementById("sandbox");
  window.addEventListener("message", (e) => { if (e.source === frame.contentWindow && e.data?.id === m.id) resolve(e.data); });
  frame.contentWindow.postMessage(m, new URL(frame.src).origin);
}), message);

const frameOf = (page) => page.frames().find((f) => /\/embed\.html/.test(f.url()));

test("host page: Play, lr=0.05, Get state and Pause drive the sandbox; ready, step and evaluation events arrive", async () => {
  const { context, page, problems } = await openPage(browser, `${server.url}examples/host.html`);
  try {
    await waitLog(page, "ready");
    const s0 = await stateOf(page);
    assert.equal(s0.playing, false, "the sandbox waits for Play");
    assert.equal(s0.runs.length, 1);
    assert.equal(s0.runs[0].settings.lr, "0.02", "the embed link's learning rate");

    assert.equal((await command(page, "play")).ok, true);
    await waitLog(page, "step");
    const steps0 = (await logKinds(page, "step")).length;
    await sleep(3000);
    const steps1 = (await logKinds(page, "step")).length;
    console.log(`step events in 3 s: ${steps1 - steps0}`);
    assert.ok(steps1 > steps0, "step reports keep coming while it trains");
    assert.ok(steps1 - steps0 <= 3000 / STEP_INTERVAL_MS + 1, `at most 2 step events per second (${steps1 - steps0} in 3 s)`);

    // The learning rate is a live setting: on a paused run it applies at the run's step (while
    // training, the sandbox's policy starts a second run beside it instead).
    assert.equal((await command(page, "pause")).ok, true);
    const paused = await stateOf(page);
    assert.equal(paused.playing, false);
    assert.ok(paused.runs[0].step > 0, `it trained (step ${paused.runs[0].step})`);
    const set = await command(page, "set-lr");
    assert.equal(set.ok, true, `set lr: ${set.error}`);
    const s1 = await waitState(page, (s) => s.runs[0].settings.lr === "0.05");
    assert.equal(s1.runs.length, 1, "the same run, retuned");
    assert.equal(s1.runs[0].step, paused.runs[0].step, "it keeps its step");
    await sleep(1000);
    assert.equal((await stateOf(page)).runs[0].step, paused.runs[0].step, "paused: the step stays");

    assert.equal((await command(page, "play")).ok, true);
    await waitLog(page, "evaluation", { timeout: 120000 });
    const ev = (await logKinds(page, "evaluation"))[0].detail;
    assert.ok(ev.valAccuracy >= 0 && ev.valAccuracy <= 1, `evaluation carries an accuracy: ${JSON.stringify(ev)}`);
    assert.ok(ev.step > 0 && Number.isFinite(ev.valLoss));
    const s2 = await stateOf(page);
    assert.equal(s2.playing, true);
    assert.ok(s2.runs[0].step > paused.runs[0].step, "it trains on at the new rate");
    assert.equal(s2.runs[0].settings.lr, "0.05");
    assert.equal((await command(page, "pause")).ok, true);
    await waitState(page, (s) => !s.playing);

    // Bad input from the allowed host: an error reply naming what was wrong, shown in the frame too.
    const wrongVersion = await ask(page, { trainlab: 2, id: "v2", command: "play" });
    assert.equal(wrongVersion.ok, false);
    assert.match(wrongVersion.error, /version 2.*version 1/);
    await frameOf(page).waitForFunction(() => /version 2/.test(document.body.innerText), null, { timeout: 10000 });
    const unknown = await ask(page, { trainlab: 1, id: "sc", command: "scenario", args: { id: "nope" } });
    assert.equal(unknown.ok, false);
    assert.match(unknown.error, /unknown scenario "nope" — known: .*mixup/);
    await frameOf(page).waitForFunction(() => /unknown scenario "nope"/.test(document.body.innerText), null, { timeout: 10000 });
    assert.equal((await stateOf(page)).playing, false, "the bad commands did nothing");

    assert.deepEqual(problems.pageErrors, []);
    assert.deepEqual(problems.consoleErrors, [], "events go only to the parent's origin (no mismatched targetOrigin)");
    assert.deepEqual(problems.failedRequests, []);
  } finally {
    await context.close();
  }
});

/**
 * A page on the other origin (localhost) embedding the sandbox from 127.0.0.1, recording every
 * message it receives in window.received.
 */
async function foreignHost(embedHash) {
  // Any file the server has, opened under the other name, gives a document of that origin; its
  // content is then replaced. A data file, because it is served without the pages' Content-Security-
  // Policy (sw.js carries it, and it would block this page's inline script and frame). (A page made up with page.route would have no address, and Chromium's
  // local-network-access check would block its frame from loading 127.0.0.1.)
  const { context, page, problems } = await openPage(browser, `${otherOrigin(server.url)}data/datasets.json`);
  const src = `${server.url}embed.html${embedHash}`;
  await page.setContent(`<!doctype html><title>foreign host</title>
    <script>window.received = []; addEventListener("message", (e) => received.push({ origin: e.origin, data: e.data }));</script>
    <iframe id="f" src="${src}" width="960" height="540"></iframe>`);
  const frame = await (await page.$("#f")).contentFrame();
  // The sandbox's own state attribute: "paused" once its run is built.
  await frame.waitForFunction(() => document.body.dataset.runState === "paused", null, { timeout: 60000 });
  const post = (data) => page.evaluate((d) => document.getElementById("f").contentWindow.postMessage(d, "*"), data);
  return { context, page, problems, frame, post };
}

test("host API: a page on a foreign origin is ignored — no reply, no training — and the frame names it once", async () => {
  const { context, page, problems, frame, post } = await foreignHost("#seed=1&show=lr");
  try {
    const foreign = originOf(otherOrigin(server.url));
    await post({ trainlab: 1, id: 1, command: "play" });
    await post({ trainlab: 1, id: 2, command: "state" });
    await post("slide:start");   // not a host-API message at all
    await sleep(2000);
    const received = await page.evaluate(() => window.received);
    assert.deepEqual(received.filter((m) => m.data?.trainlab !== undefined), [], "nothing posted back to the foreign page");
    assert.equal(await frame.evaluate(() => document.body.dataset.runState), "paused", "it did not start training");
    const text = await frame.evaluate(() => document.body.innerText);
    const mentions = text.split(foreign).length - 1;
    assert.equal(mentions, 1, `the frame names ${foreign} once:\n${text}`);
    assert.deepEqual(problems.pageErrors, []);
  } finally {
    await context.close();
  }
});

test("host API: origin= in the embed link lets that origin drive the sandbox", async () => {
  const foreign = originOf(otherOrigin(server.url));
  const { context, page, problems, frame, post } = await foreignHost(`#seed=1&show=lr&origin=${foreign}`);
  try {
    const replyTo = (id) => page.waitForFunction((i) => window.received.find((m) => m.data?.id === i), id, { timeout: 30000 })
      .then((h) => h.jsonValue());
    await page.waitForFunction(() => window.received.some((m) => m.data?.event === "ready"), null, { timeout: 30000 });
    await post({ trainlab: 1, id: "p", command: "play" });
    const played = await replyTo("p");
    assert.equal(played.origin, originOf(server.url), "the reply comes from the frame's origin");
    assert.equal(played.data.ok, true, played.data.error);
    await frame.waitForFunction(() => document.body.dataset.runState === "running", null, { timeout: 30000 });
    await post({ trainlab: 1, id: "s", command: "state" });
    const state = (await replyTo("s")).data.result;
    assert.equal(state.playing, true);
    await post({ trainlab: 1, id: "x", command: "pause" });
    assert.equal((await replyTo("x")).data.ok, true);
    assert.deepEqual(problems.pageErrors, []);
  } finally {
    await context.close();
  }
});
