// A run on the learner's own images survives a reload (issue 11): the set is kept in the store's
// `datasets` (www/store/dataSets.js, keyed by content hash), a reload puts the run back at its step on
// the same images and Play continues bit for bit as a run that never reloaded; Open puts such a run
// back from a page on another set and Compare adds it beside runs on the same images; a damaged kept
// set is named and the run starts on the shapes while nothing else is lost; a run saved before the
// images were kept says why it cannot open; the set goes with the last run that uses it; a full
// storage is said and the run trains on; a version-1 database is upgraded with its runs. The records'
// hash and checks run in node; a 4,000-image set's cost is logged. Chromium (the folder is given
// through the folder input).

import { test } from "node:test";
import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { FOLDER_UPLOAD, chromiumOnly, messageTexts, openPage, openSavedRuns, screenshot, startSuite, waitForMessage, waitReady } from "./helpers.mjs";
import { classFolder, tempDir } from "./ownDataFiles.mjs";
import { DATASET_VERSION, contentHash, dataSetProblem, dataSetRecord, hashOf, readDataSet } from "../../www/store/dataSets.js";

let server, browser;
startSuite((s, b) => { server = s; browser = b; });

const DIR = tempDir("own-kept");
process.on("exit", () => rmSync(DIR, { recursive: true, force: true }));
/** 3 classes of 16 PNGs: the run's validation split (20%) and training images both have every class. */
const FOLDER = classFolder(join(DIR, "pets"), ["cat", "dog", "fish"], [16, 16, 16], { sizes: [[24, 24], [40, 30]] });
const LINK = "#seed=5&batch=8";

const run0 = (page) => page.evaluate(() => {
  const e = window.trainlab.sandbox.entries[0];
  return { step: e.run.series.step, state: e.run.state, data: e.run.values?.data, losses: e.run.series.losses.slice(),
    evals: e.run.series.evals.map((v) => v.valAccuracy) };
});

/** Give the data card the folder; resolves once the runs are built on it. */
async function loadFolder(page) {
  await page.click('#data-card button[data-set="own"]');
  await page.setInputFiles("#data-card .dc-folder-input", FOLDER, { timeout: 120000 });
  await page.waitForFunction(() => document.getElementById("data-card").dataset.state === "ready" &&
    window.trainlab.sandbox.entries.every((e) => e.run.values?.data === "own" && e.run.state === "paused"), null, { timeout: 120000 });
}

/** Play until the runs reach `step`, pause, and wait for a save made after the pause. */
async function trainTo(page, step) {
  await page.click("#playpause");
  await page.waitForFunction((s) => window.trainlab.sandbox.entries.every((e) => e.run.series.step >= s), step, { timeout: 90000 });
  await page.click("#playpause");
  await page.waitForFunction(() => window.trainlab.sandbox.entries.every((e) => e.run.state === "paused"), null, { timeout: 30000 });
  assert.ok(await page.evaluate(() => window.trainlab.keepRuns.saveNow()), "the save succeeded");
}

/** The `datasets` store of the page's database: [{ key, bytes, v }]. */
const keptSets = (page) => page.evaluate(() => new Promise((resolve, reject) => {
  const q = indexedDB.open("trainlab");
  q.onerror = () => reject(q.error);
  q.onsuccess = () => {
    const r = q.result.transaction("datasets").objectStore("datasets").getAll();
    r.onsuccess = () => { q.result.close(); resolve(r.result.map((x) => ({ key: x.hash, bytes: x.bytes, v: x.v }))); };
  };
}));

/**
 * Damage the page's database as a disk or a bug could: one byte of kept set `key` flipped; and a copy
 * of the first run as the page saved it before it kept own images (no `dataHash`), id "old-own".
 * (Playwright's evaluate, not new Function: the page's CSP forbids eval.)
 */
const damage = (page, key) => page.evaluate((k) => new Promise((resolve, reject) => {
  const q = indexedDB.open("trainlab");
  q.onerror = () => reject(q.error);
  q.onsuccess = () => {
    const tx = q.result.transaction(["runs", "states", "datasets"], "readwrite");
    tx.oncomplete = () => { q.result.close(); resolve(); };
    tx.onabort = () => { q.result.close(); reject(new Error(`the edit was aborted (${tx.error?.message ?? "an exception in a handler"})`)); };
    const sets = tx.objectStore("datasets");
    sets.get(k).onsuccess = (ev) => {
      const r = ev.target.result;
      // The pixels are kept as a Blob: the same bytes with byte 100 replaced.
      const px = r.source.pixels;
      r.source.pixels = new Blob([px.slice(0, 100), new Uint8Array([7]), px.slice(101)]);
      sets.put(r, k);
    };
    const runs = tx.objectStore("runs");
    runs.getAll().onsuccess = (ev) => {
      const r = ev.target.result[0];
      const old = { ...r, id: "old-own", name: "old run", savedAt: r.savedAt - 1000 };
      delete old.dataHash;
      runs.put(old, "old-own");
      tx.objectStore("states").get(r.id).onsuccess = (e2) => tx.objectStore("states").put(e2.target.result, "old-own");
    };
  };
}), key);

/** A page on LINK with the folder loaded, trained to `step`; `before`: its first run then (run0). */
async function ownRunAt(step) {
  const opened = await openPage(browser, server.url + LINK, { width: 1366, height: 768 });
  await waitReady(opened.page);
  await loadFolder(opened.page);
  await trainTo(opened.page, step);
  return { ...opened, before: await run0(opened.page) };
}

async function openHistory(page) {
  await openSavedRuns(page);
  return page.$$eval("#saved-runs tbody tr[data-id]", (trs) => trs.map((tr) => ({
    id: tr.dataset.id, data: tr.cells[1]?.textContent, dataTitle: tr.cells[1]?.title, step: Number(tr.cells[3]?.textContent),
    openTitle: [...tr.querySelectorAll("button")].find((b) => b.textContent === "Open")?.title,
    openDisabled: [...tr.querySelectorAll("button")].find((b) => b.textContent === "Open")?.disabled,
    current: tr.classList.contains("current"),
  })));
}

test("records: a set's content hash and the checks on a kept set", async () => {
  const pixels = new Uint8Array(2 * 3 * 4 * 4).map((_, i) => (i * 7) % 256);
  const source = { kind: "pixels", name: "own", pixels, labels: new Uint8Array([0, 1]), c: 3, h: 4, w: 4, classNames: ["a", "b"], valFraction: 0.2, seed: 1 };
  const h = await contentHash(source);
  assert.match(h, /^sha256-[0-9a-f]{64}$/);
  // The same set whatever the order of its keys; another seed, one other byte, another class name: another set.
  const reordered = Object.fromEntries(Object.entries(source).reverse());
  assert.equal(await contentHash(reordered), h);
  assert.notEqual(await contentHash({ ...source, seed: 2 }), h);
  const flipped = pixels.slice();
  flipped[5] ^= 1;
  assert.notEqual(await contentHash({ ...source, pixels: flipped }), h);
  assert.notEqual(await contentHash({ ...source, classNames: ["a", "c"] }), h);
  // Bytes moved from one array to the next are another set (each array's length is in the hash).
  assert.notEqual(await contentHash({ ...source, pixels: pixels.subarray(0, 95), labels: new Uint8Array([pixels[95], 0, 1]) }), h);
  assert.equal(await hashOf(source), h);
  assert.equal(hashOf(source), hashOf(source), "hashed once per source object");

  const summary = { name: "own", classNames: ["a", "b"], train: 2, val: 0 };
  const rec = dataSetRecord({ hash: h, source, summary });
  assert.equal(rec.v, DATASET_VERSION);
  assert.equal(rec.bytes, pixels.length + 2);
  assert.ok(rec.source.pixels instanceof Blob && rec.source.labels instanceof Blob, "kept as Blobs");
  const read = await readDataSet(rec, h);
  assert.equal(read.problem, undefined);
  assert.deepEqual(read.record.source, source, "read back as the workers take it");
  assert.match((await readDataSet({ ...rec, source: { ...rec.source, pixels: new Blob([flipped]) } }, h)).problem,
    /are damaged: their bytes are not those that were kept/);
  assert.match(dataSetProblem({ ...read.record, source: { ...source, labels: [0, 1] } }, h), /are damaged: its labels is missing or wrong/);
  assert.match(dataSetProblem({ ...read.record, summary: null, hash: "x" }, h), /the summary of its classes, its key \("x"\) are missing or wrong/);
  assert.match(dataSetProblem({ ...read.record, v: DATASET_VERSION + 1 }, h), /newer version of the page \(record version 2; this page reads 1\)/);
  assert.match(dataSetProblem({ ...read.record, v: "1" }, h), /unknown record version \("1"/);
  assert.match(dataSetProblem(null, h), /are not a record \(found null\)/);
  const idx = { kind: "idx", name: "own", trainImages: new Uint8Array(4), trainLabels: new Uint8Array(2), valImages: null, valLabels: null };
  assert.equal(dataSetProblem({ ...read.record, source: idx }, h), null);
  assert.match(dataSetProblem({ ...read.record, source: { ...idx, valImages: "x" } }, h), /its valImages is missing/);
  assert.match(dataSetProblem({ ...read.record, source: { kind: "cifar", files: [] } }, h), /its files is missing/);
  // The other kinds of own sources come back as they were given, too.
  const cifar = { kind: "cifar", name: "own", files: [{ name: "data_batch_1.bin", bytes: new Uint8Array([1, 2, 3]) }], metaText: "a\nb", valFraction: 0.2, seed: 1 };
  const withNames = { ...idx, valImages: new Uint8Array(3), valLabels: new Uint8Array(1), fileNames: { trainImages: "x.idx" } };
  for (const src of [cifar, withNames]) {
    const key = await contentHash(src);
    const back = await readDataSet(dataSetRecord({ hash: key, source: src, summary }), key);
    assert.deepEqual(back.record?.source, src, back.problem);
  }
});

test("a run on own images: a reload puts it back on them at its step, and Play continues bit for bit", async (t) => {
  if (chromiumOnly(t, FOLDER_UPLOAD)) return;
  const { context, page, problems } = await openPage(browser, server.url + LINK, { width: 1366, height: 768 });
  await waitReady(page);
  await loadFolder(page);
  const summary = await page.evaluate(() => window.trainlab.sandbox.dataSummary());
  assert.deepEqual(summary.classNames, ["cat", "dog", "fish"]);
  await trainTo(page, 30);
  const before = await run0(page);
  const sets = await keptSets(page);
  assert.equal(sets.length, 1, "one kept set");
  console.log(`kept set: ${sets[0].bytes} bytes of images and labels (${summary.train} training, ${summary.val} validation images)`);

  // A second save finds the set: still one copy, the run record names it.
  await page.evaluate(() => window.trainlab.keepRuns.saveNow());
  assert.equal((await keptSets(page)).length, 1);

  await page.reload();
  await page.waitForFunction((s) => window.trainlab.sandbox.entries[0]?.run.series.step === s &&
    window.trainlab.sandbox.entries[0].run.state === "paused", before.step, { timeout: 60000 });
  const back = await run0(page);
  assert.equal(back.data, "own", "back on the own images");
  assert.deepEqual(back.losses, before.losses, "the curve is back");
  assert.deepEqual(back.evals, before.evals);
  const after = await page.evaluate(() => ({
    summary: window.trainlab.sandbox.dataSummary(), card: document.getElementById("data-card").dataset.set,
    timing: window.trainlab.keepRuns.keptSetTiming, hash: location.hash,
  }));
  assert.deepEqual(after.summary.classNames, summary.classNames);
  assert.equal(after.summary.train, summary.train);
  assert.equal(after.card, "own", "the data card shows the own images");
  assert.match(after.hash, /data=own/);
  console.log(`the kept set read back, checked and handed to the runs in ${after.timing.ms.toFixed(1)} ms (${after.timing.bytes} bytes)`);
  const texts = (await messageTexts(page)).join("\n");
  assert.match(texts, /Your run is back where it stopped/);
  assert.doesNotMatch(texts, /Training on the built-in shapes instead/);

  const rows = await openHistory(page);
  assert.equal(rows.length, 1);
  assert.match(rows[0].data, /own images\s*kept/);
  assert.match(await page.textContent("#saved-runs .saved-runs-usage"), /1 run \(with 1 set of your own images\)/);
  await screenshot(page, "saved-runs-own-data");
  await page.click("#runs-close");

  await trainTo(page, before.step + 30);
  const resumed = await run0(page);

  // The same folder and link, trained as far without a reload.
  const fresh = await openPage(browser, server.url + LINK, { width: 1366, height: 768 });
  await waitReady(fresh.page);
  await loadFolder(fresh.page);
  await trainTo(fresh.page, resumed.step);
  const straight = await run0(fresh.page);
  const n = Math.min(resumed.losses.length, straight.losses.length);
  assert.ok(n >= before.step + 30, `compared ${n} steps`);
  const differ = resumed.losses.slice(0, n).findIndex((l, i) => !Object.is(l, straight.losses[i]));
  assert.equal(differ, -1, `losses equal bit for bit (first difference at step ${differ + 1})`);
  console.log(`resumed at step ${before.step} on own images, compared ${n} losses bit for bit`);
  assert.deepEqual(problems.pageErrors, []);
  assert.deepEqual(problems.consoleErrors, []);
  await fresh.context.close();
  await context.close();
});

test("Open puts an own-images run back from a page on the shapes; Compare adds it beside a run on the same images", async (t) => {
  if (chromiumOnly(t, FOLDER_UPLOAD)) return;
  const { context, page, problems, before } = await ownRunAt(12);
  // Another link: the page starts on the shapes, the own run in the history.
  await page.goto(server.url + "#seed=9");
  await page.reload();
  await waitReady(page);
  assert.equal((await run0(page)).data, "shapes");
  let rows = await openHistory(page);
  assert.equal(rows.length, 1);
  const id = rows[0].id;
  assert.match(await page.getAttribute(`#saved-runs tr[data-id="${id}"] button:text-is("Compare")`, "title"),
    /trained on own and the page's runs on shapes/);
  await page.click(`#saved-runs tr[data-id="${id}"] button:text-is("Open")`);
  await page.waitForFunction((s) => window.trainlab.sandbox.entries.length === 1 && window.trainlab.sandbox.entries[0].run.series.step === s &&
    window.trainlab.sandbox.entries[0].run.state === "paused", before.step, { timeout: 60000 });
  const opened = await run0(page);
  assert.equal(opened.data, "own");
  assert.deepEqual(opened.losses, before.losses);
  assert.equal(await page.evaluate(() => document.getElementById("data-card").dataset.set), "own");
  // Now on the same images: Compare adds it once more beside.
  rows = await openHistory(page);
  await page.click(`#saved-runs tr[data-id="${id}"] button:text-is("Compare")`);
  await page.waitForFunction((s) => window.trainlab.sandbox.entries.length === 2 && window.trainlab.sandbox.entries[1].run.series.step === s,
    before.step, { timeout: 60000 });
  assert.equal(await page.evaluate(() => window.trainlab.sandbox.entries[1].run.values.data), "own");
  assert.equal((await keptSets(page)).length, 1, "still one copy of the images");
  assert.deepEqual(problems.pageErrors, []);
  await context.close();
});

test("bad input: a damaged kept set is named, the run starts on the shapes, nothing else is lost; an older run says why it cannot open", async (t) => {
  if (chromiumOnly(t, FOLDER_UPLOAD)) return;
  const { context, page, problems, before } = await ownRunAt(15);
  const [set] = await keptSets(page);
  await damage(page, set.key);
  await page.reload();
  const said = await waitForMessage(page, "Your run on your own images cannot come back");
  assert.match(said, /set sha256-[0-9a-f]{8}…\) are damaged: their bytes are not those that were kept/);
  assert.match(said, /starts again on the shapes; the saved run stays in the history/);
  await waitReady(page, 60000);
  const now = await run0(page);
  assert.equal(now.data, "shapes");
  assert.equal(now.step, 0);

  const rows = await openHistory(page);
  assert.equal(rows.length, 2, "both saved runs are still listed");
  const kept = rows.find((r) => r.id !== "old-own"), old = rows.find((r) => r.id === "old-own");
  assert.equal(kept.step, before.step, "the damaged set's run keeps its record");
  assert.ok(old.openDisabled, "a run saved before the images were kept cannot open");
  assert.match(old.openTitle, /before the page kept them .* cannot be put back/);
  assert.match(old.data, /not kept/);
  assert.match(await page.textContent('#saved-runs tr.saved-runs-why[data-for="old-own"]'),
    /^Cannot be opened: "old run" trained on your own images before the page kept them/);
  await screenshot(page, "saved-runs-own-data-damaged");
  // The set found damaged at the reload: its run's Open is off, the line under it names the damage.
  assert.ok(kept.openDisabled);
  assert.match(kept.data, /damaged/);
  assert.match(await page.textContent(`#saved-runs tr.saved-runs-why[data-for="${kept.id}"]`),
    /are damaged: their bytes are not those that were kept/);

  // The set goes with the last run that uses it (the old run names none).
  await page.click(`#saved-runs tr[data-id="${kept.id}"] button:text-is("Delete")`);
  await page.waitForFunction(() => document.querySelectorAll("#saved-runs tbody tr[data-id]").length === 1);
  assert.deepEqual(await keptSets(page), [], "the set is deleted with its last run");
  await page.click("#runs-close");
  // The page trains on.
  await page.click("#playpause");
  await page.waitForFunction(() => window.trainlab.sandbox.entries[0].run.series.step > 5, null, { timeout: 30000 });
  assert.deepEqual(problems.pageErrors, []);
  await context.close();
});

test("a full storage while keeping a set is said with the offer to delete old runs; the run trains on", async (t) => {
  if (chromiumOnly(t, FOLDER_UPLOAD)) return;
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  await context.addInitScript(() => {
    const put = IDBObjectStore.prototype.put;
    IDBObjectStore.prototype.put = function (...args) {
      if (this.name === "datasets") throw new DOMException("quota", "QuotaExceededError");
      return put.apply(this, args);
    };
  });
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  await page.goto(server.url + LINK);
  await waitReady(page);
  await loadFolder(page);
  await page.click("#playpause");
  await page.waitForFunction(() => window.trainlab.sandbox.entries[0].run.series.step > 10, null, { timeout: 60000 });
  await page.click("#playpause");
  const said = await waitForMessage(page, "Your runs are not being saved");
  assert.match(said, /storage for this site is full \(keeping your own images, [\d.]+ kB, did not fit\)/);
  assert.ok(await page.isVisible("#messages button.saved-runs-free"), "the offer to delete old runs");
  assert.deepEqual(await keptSets(page), []);
  const at = (await run0(page)).step;
  await page.click("#playpause");
  await page.waitForFunction((s) => window.trainlab.sandbox.entries[0].run.series.step > s + 5, at, { timeout: 30000 });
  assert.equal((await run0(page)).data, "own", "the run trains on its own images");
  assert.deepEqual(errors, []);
  await context.close();
});

test("a larger set (4,000 images): kept once, what it costs to keep and to put back", async () => {
  const { context, page, problems } = await openPage(browser, server.url + LINK);
  await waitReady(page);
  const n = 4000;
  const loaded = await page.evaluate((count) => {
    const c = 3, h = 32, w = 32, pixels = new Uint8Array(count * c * h * w), labels = new Uint8Array(count);
    let seed = 11;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
    for (let i = 0; i < count; i++) {
      labels[i] = i % 4;
      for (let p = 0; p < c * h * w; p++) pixels[i * c * h * w + p] = ((p % w) * (labels[i] + 1) * 8 + rnd() * 40) & 255;
    }
    return window.trainlab.sandbox.useData({ kind: "pixels", name: "own", pixels, labels, c, h, w, classNames: ["a", "b", "c", "d"], valFraction: 0.2, seed: 5 })
      .then((s) => s.train);
  }, n);
  assert.ok(loaded > 3000);
  await page.waitForFunction(() => window.trainlab.sandbox.entries.every((e) => e.run.values?.data === "own" && e.run.state === "paused"), null, { timeout: 60000 });
  await page.click("#playpause");
  await page.waitForFunction(() => window.trainlab.sandbox.entries[0].run.series.step >= 10, null, { timeout: 60000 });
  await page.click("#playpause");
  await page.waitForFunction(() => window.trainlab.sandbox.entries[0].run.state === "paused");
  // The pause's save keeps the set; time a save that writes it (the set deleted first) and one that finds it.
  // Three times each; the longest main-thread task while saving (a put clones the set on the main thread).
  const times = await page.evaluate(async () => {
    const k = window.trainlab.keepRuns;
    await k.saveNow();
    const long = [];
    const obs = new PerformanceObserver((l) => long.push(...l.getEntries().map((e) => e.duration)));
    obs.observe({ type: "longtask" });
    const withSet = [], without = [];
    for (let i = 0; i < 3; i++) {
      const db = await new Promise((ok) => { const q = indexedDB.open("trainlab"); q.onsuccess = () => ok(q.result); });
      await new Promise((ok) => { const tx = db.transaction("datasets", "readwrite"); tx.objectStore("datasets").clear(); tx.oncomplete = ok; });
      db.close();
      const t0 = performance.now();
      await k.saveNow();
      const t1 = performance.now();
      await k.saveNow();
      withSet.push(t1 - t0);
      without.push(performance.now() - t1);
    }
    await new Promise((r) => setTimeout(r, 100));
    obs.disconnect();
    const median = (a) => a.sort((x, y) => x - y)[1];
    return { withSet: median(withSet), without: median(without), longest: Math.max(0, ...long) };
  });
  const sets = await keptSets(page);
  assert.equal(sets.length, 1);
  assert.equal(sets[0].bytes, n * 3 * 32 * 32 + n);
  const step = (await run0(page)).step;
  await page.reload();
  await page.waitForFunction((s) => window.trainlab.sandbox.entries[0]?.run.series.step === s &&
    window.trainlab.sandbox.entries[0].run.state === "paused", step, { timeout: 60000 });
  const timing = await page.evaluate(() => window.trainlab.keepRuns.keptSetTiming);
  const usage = await page.evaluate(async () => (await navigator.storage.estimate()).usage);
  console.log(`${n} images (${(sets[0].bytes / 1e6).toFixed(1)} MB): a save that writes the set ${times.withSet.toFixed(0)} ms, ` +
    `one that finds it ${times.without.toFixed(0)} ms (medians of 3), longest main-thread task meanwhile ${times.longest.toFixed(0)} ms; put back after a reload (read, hash checked, given to the sandbox) ` +
    `${timing.ms.toFixed(0)} ms; the site's storage ${(usage / 1e6).toFixed(1)} MB`);
  assert.equal((await run0(page)).data, "own");
  assert.deepEqual(problems.pageErrors, []);
  await context.close();
});

test("a database of version 1 (before the datasets store) is upgraded with its runs kept", async () => {
  const { context, page, problems } = await openPage(browser, server.url + "#train=500&seed=7");
  await waitReady(page);
  await trainTo(page, 20);
  const before = await run0(page);
  // The same records in a version-1 database, as the page before this one left them.
  await page.evaluate(() => new Promise((resolve, reject) => {
    const req = (r) => new Promise((ok, bad) => { r.onsuccess = () => ok(r.result); r.onerror = () => bad(r.error); });
    const q = indexedDB.open("trainlab");
    q.onerror = () => reject(q.error);
    q.onsuccess = async () => {
      const tx = q.result.transaction(["runs", "states", "workspaces"]);
      const dump = {};
      for (const s of ["runs", "states", "workspaces"]) {
        dump[s] = { keys: await req(tx.objectStore(s).getAllKeys()), values: await req(tx.objectStore(s).getAll()) };
      }
      q.result.close();
      // The page's own connection closes on versionchange (www/store/index.js), so the delete goes through.
      await req(indexedDB.deleteDatabase("trainlab"));
      const o = indexedDB.open("trainlab", 1);
      o.onupgradeneeded = () => { for (const s of Object.keys(dump)) o.result.createObjectStore(s); };
      o.onsuccess = () => {
        const t2 = o.result.transaction(Object.keys(dump), "readwrite");
        for (const [s, { keys, values }] of Object.entries(dump)) keys.forEach((k, i) => t2.objectStore(s).put(values[i], k));
        t2.oncomplete = () => { o.result.close(); resolve(); };
      };
    };
  }));
  await page.reload();
  await page.waitForFunction((s) => window.trainlab.sandbox.entries[0]?.run.series.step === s &&
    window.trainlab.sandbox.entries[0].run.state === "paused", before.step, { timeout: 60000 });
  assert.deepEqual((await run0(page)).losses, before.losses, "the run came through the upgrade");
  const db = await page.evaluate(() => new Promise((resolve) => {
    const q = indexedDB.open("trainlab");
    q.onsuccess = () => {
      const d = q.result;
      resolve({ version: d.version, stores: [...d.objectStoreNames], indexes: [...d.transaction("runs").objectStore("runs").indexNames] });
      d.close();
    };
  }));
  assert.deepEqual(db, { version: 2, stores: ["datasets", "runs", "states", "workspaces"], indexes: ["byData"] });
  assert.deepEqual(problems.pageErrors, []);
  await context.close();
});
