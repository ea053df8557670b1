// End-to-end tests of transfer.html (issue 10, item 5): the shipped pretrained network, the three
// ways trained in parallel on the same small target set for the same budget, the table and curves,
// the nearest-neighbour panel; screenshots at 1024×768 and 1366×768 (test-results/transfer-*.png);
// offline once loaded. Against the production build (helpers.mjs).

import { test } from "node:test";
import assert from "node:assert/strict";
import { openPage, screenshot, startSuite } from "./helpers.mjs";

let server, browser;
startSuite((s, b) => { server = s; browser = b; });

const url = () => `${server.url}transfer.html`;

async function waitState(page, state, timeout) {
  await page.waitForFunction((s) => document.body.dataset.state === s, state, { timeout });
}

/** The table as the student reads it: [{ mode, final, best, steps }], accuracies as fractions. */
async function table(page) {
  const rows = await page.$$eval("#transfer-table tbody tr", (trs) => trs.map((tr) => ({
    mode: tr.dataset.mode, status: tr.dataset.status, cells: [...tr.children].map((c) => c.textContent.trim()),
  })));
  const pct = (t) => (t === "–" ? null : Number(t.replace("%", "")) / 100);
  return rows.map((r) => ({ mode: r.mode, status: r.status, final: pct(r.cells[2]), best: pct(r.cells[3]), steps: r.cells[4] }));
}

async function neighbourCounts(page) {
  await page.waitForFunction(() => document.getElementById("nn-summary").dataset.features !== undefined, null, { timeout: 60000 });
  return page.evaluate(() => {
    const s = document.getElementById("nn-summary");
    return { text: s.textContent, features: Number(s.dataset.features), pixels: Number(s.dataset.pixels),
      tiles: [document.querySelectorAll("#nn-features .nn-tile").length, document.querySelectorAll("#nn-pixels .nn-tile").length] };
  });
}

test("transfer page: the three ways train on the same 20 images per class for the same budget and fill the table", async (t) => {
  const { context, page, problems } = await openPage(browser, url(), { width: 1024, height: 768 });
  try {
    await waitState(page, "ready", 60000);
    const source = await page.textContent("#source-info");
    assert.match(source, /^\d+ steps, \d+\.\d% validation accuracy, \d+ KB$/);
    const nn = await neighbourCounts(page);
    assert.deepEqual(nn.tiles, [8, 8], "8 neighbours by features and 8 by pixels");
    assert.match(nn.text, /same class among the 8 nearest — features \d\/8, pixels \d\/8 \(of 500 training images\)/, "100 of each of the 5 new classes");
    assert.match(nn.text, /^“(Trouser|Dress|Sandal|Sneaker|Ankle boot)”/, "the default target is Fashion-MNIST's new classes");
    assert.deepEqual(await page.$$eval("#target option", (os) => os.map((o) => o.textContent)),
      ["Fashion-MNIST, the 5 classes the network never saw — similar data", "MNIST digits — very different data"]);
    const before = nn.text;
    await page.click("#nn-next");
    await page.waitForFunction((b) => document.getElementById("nn-summary").textContent !== b, before, { timeout: 30000 });
    const after = await neighbourCounts(page);
    assert.notEqual(after.text, before, "another query image");

    // Loading another target into the neighbour panel happens in its worker: no task on the page's
    // main thread takes over 50 ms (the Long Tasks API reports exactly those).
    await page.evaluate(() => {
      window.longTasks = [];
      new PerformanceObserver((list) => window.longTasks.push(...list.getEntries().map((e) => Math.round(e.duration))))
        .observe({ type: "longtask" });
    });
    await page.selectOption("#target", "mnist");
    await page.waitForFunction(() => /of 1000 training images/.test(document.getElementById("nn-summary").textContent), null, { timeout: 60000 });
    await page.click("#nn-next");
    await page.waitForFunction(() => !document.getElementById("nn-next").disabled, null, { timeout: 60000 });
    assert.deepEqual(await page.evaluate(() => window.longTasks), [], "main-thread tasks over 50 ms while the panel loads MNIST");
    await page.fill("#per-class", "20");
    await page.fill("#budget", "150");
    const t0 = Date.now();
    await page.click("#train");
    await waitState(page, "training", 30000);
    await waitState(page, "done", 300000);
    const rows = await table(page);
    t.diagnostic(`three ways, 150 steps, 20 per class of MNIST: ${JSON.stringify(rows)} in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
    assert.deepEqual(await page.$$eval("#messages .message", (ms) => ms.map((m) => m.textContent)), [], "no messages");
    assert.deepEqual(rows.map((r) => r.mode), ["scratch", "features", "finetune"]);
    for (const r of rows) {
      assert.equal(r.status, "done", `${r.mode} finished`);
      assert.equal(r.steps, "150 / 150", `${r.mode} trained the whole budget and no further`);
      assert.ok(r.final > 0.2 && r.final <= 1, `${r.mode}: validation accuracy ${r.final} beats chance (10%)`);
      assert.ok(r.best >= r.final - 1e-9, `${r.mode}: best ${r.best} ≥ final ${r.final}`);
    }
    // Curves: one line per way with points.
    const points = await page.evaluate(() => document.querySelector("#transfer-chart canvas") !== null);
    assert.ok(points, "the chart is drawn");
    assert.match(await page.textContent("#cell"), /"very different dataset, very little data" cell \(200 training images: 20 of each of 10 classes\)/);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(overflow <= 0, `no horizontal scrolling at 1024 px (overflow ${overflow})`);
    await screenshot(page, "transfer-1024x768");
    await page.setViewportSize({ width: 1366, height: 768 });
    await page.waitForTimeout(300);
    await screenshot(page, "transfer-1366x768");
    assert.deepEqual(problems.pageErrors, [], "uncaught errors");
    assert.deepEqual(problems.consoleErrors, [], "console errors");
    assert.deepEqual(problems.foreignRequests, [], "nothing leaves the machine");
  } finally {
    await context.close();
  }
});

test("transfer page: Stop pauses the three runs; training again on Fashion-MNIST's new classes finishes", async () => {
  const { context, page, problems } = await openPage(browser, `${url()}#target=mnist&steps=5000`, { width: 1366, height: 768 });
  try {
    await waitState(page, "ready", 60000);
    assert.equal(await page.inputValue("#budget"), "5000", "the link's budget");
    await page.click("#train");
    await waitState(page, "training", 30000);
    await page.waitForFunction(() => [...document.querySelectorAll("#transfer-table tbody tr")]
      .every((tr) => Number(tr.children[4].textContent.split(" / ")[0]) > 0), null, { timeout: 60000 });
    await page.click("#stop");
    await waitState(page, "done", 30000);
    assert.equal(await page.textContent("#status"), "Stopped.");
    const stopped = await table(page);
    assert.deepEqual(stopped.map((r) => r.status), ["stopped", "stopped", "stopped"]);
    for (const r of stopped) assert.ok(Number(r.steps.split(" / ")[0]) < 5000, `${r.mode} stopped early: ${r.steps}`);

    await page.selectOption("#target", "fashion-new");
    await page.fill("#per-class", "10");
    await page.fill("#budget", "60");
    await page.click("#train");
    await waitState(page, "training", 30000);
    await waitState(page, "done", 300000);
    const rows = await table(page);
    assert.deepEqual(rows.map((r) => [r.status, r.steps]), Array(3).fill(["done", "60 / 60"]));
    assert.equal(await page.textContent("#status"), "Done: every way trained for the same budget on the same images.");
    assert.match(await page.textContent("#cell"), /"similar dataset, very little data" cell \(50 training images: 10 of each of 5 classes\)/);
    assert.equal(new URL(page.url()).hash, "#per=10&steps=60", "the link follows the form");
    // The neighbour panel moved to the new target: its images are of the five classes the network
    // never saw, and none of the five it was trained on.
    await page.waitForFunction(() => /Trouser|Dress|Sandal|Sneaker|Ankle boot/
      .test(document.getElementById("nn-summary").textContent), null, { timeout: 60000 });
    const captions = await page.$$eval(".nn-tile figcaption", (cs) => cs.map((c) => c.textContent));
    assert.ok(captions.length >= 16 && captions.every((c) => ["Trouser", "Dress", "Sandal", "Sneaker", "Ankle boot"].includes(c)),
      `only new classes: ${captions}`);
    assert.deepEqual(problems.pageErrors, [], "uncaught errors");
    assert.deepEqual(problems.consoleErrors, [], "console errors");
  } finally {
    await context.close();
  }
});

test("transfer page: link settings are applied; bad ones are named and the rest applied", async () => {
  const { context, page } = await openPage(browser, `${url()}#target=mnist&per=5&steps=40`, { width: 1024, height: 768 });
  try {
    await waitState(page, "ready", 60000);
    assert.deepEqual([await page.inputValue("#target"), await page.inputValue("#per-class"), await page.inputValue("#budget")],
      ["mnist", "5", "40"]);
    assert.equal(await page.$$eval("#messages .message", (ms) => ms.length), 0, "no message for a good link");
    await page.goto(`${url()}#target=cifar&per=7&steps=abc&speed=2`);
    await waitState(page, "ready", 60000);
    assert.deepEqual([await page.inputValue("#target"), await page.inputValue("#per-class"), await page.inputValue("#budget")],
      ["fashion-new", "7", "300"], "the good setting applied, the bad ones at their defaults");
    const text = await page.textContent("#messages .message-warn");
    assert.match(text, /Link setting "target" has a bad value "cifar": it must be fashion-new or mnist/);
    assert.match(text, /Link setting "steps" has a bad value "abc": it must be a whole number from 10 to 5000/);
    assert.match(text, /Unknown link setting "speed"/);
    assert.doesNotMatch(text, /"per"/);
  } finally {
    await context.close();
  }
});

test("transfer page: a bad budget is named and nothing starts", async () => {
  const { context, page } = await openPage(browser, url(), { width: 1024, height: 768 });
  try {
    await waitState(page, "ready", 60000);
    await page.fill("#budget", "3");
    // The form's own validation would stop the submit; the page's check is what a script or an old
    // browser meets, so submit without it.
    await page.evaluate(() => { document.getElementById("transfer-form").noValidate = true; });
    await page.click("#train");
    await page.waitForSelector("#messages .message-error");
    const text = await page.textContent("#messages .message-error");
    assert.match(text, /the budget must be a whole number of steps from 10 to 5000, got 3/);
    assert.equal(await page.evaluate(() => document.body.dataset.state), "ready");
  } finally {
    await context.close();
  }
});

test("transfer page: works offline once loaded (page, pretrained file and the target set from the cache)", async () => {
  const { context, page } = await openPage(browser, url(), { width: 1024, height: 768 });
  try {
    await page.evaluate(() => navigator.serviceWorker.ready.then(() => true));
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: 30000 });
    // The first visit fetched MNIST before the service worker took over; a second visit online is the
    // one it caches MNIST from (the page and the pretrained file are precached when it installs).
    await page.reload();
    await waitState(page, "ready", 60000);
    await neighbourCounts(page);
    const cached = await page.evaluate(async () => {
      const keys = (await Promise.all((await caches.keys()).map(async (k) => (await caches.open(k)).keys()))).flat();
      return keys.map((r) => new URL(r.url).pathname);
    });
    assert.ok(cached.some((p) => /\/assets\/lenet-fashion-even-[\w-]+\.safetensors$/.test(p)), "the pretrained file is cached");
    await context.setOffline(true);
    await page.reload();
    await waitState(page, "ready", 60000);
    const nn = await neighbourCounts(page);
    assert.deepEqual(nn.tiles, [8, 8]);
  } finally {
    await context.close();
  }
});
