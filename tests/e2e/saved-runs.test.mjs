// Saved runs (issue 11) in the production build: a reload resumes a run bit for bit, the run history
// (Open, Compare, Rename, Delete), another link starting fresh with the old run kept, and bad input —
// no IndexedDB, a full storage, a database of a newer version, damaged records — each named while the
// page trains on.

import { test } from "node:test";
import assert from "node:assert/strict";
import { fromHarness, messageTexts, openPage, openSavedRuns, screenshot, startSuite, waitForMessage, waitReady } from "./helpers.mjs";
import { RECORD_VERSION, bestValidation, keptSeries, runProblem, stateProblem } from "../../www/store/records.js";
import { RUN_COLORS } from "../../www/views/palette.js";

let server, browser;
startSuite((s, b) => { server = s; browser = b; });

// A small run keeps the suite fast; the seed makes two pages train the same run.
const LINK = "#train=500&seed=7";

const run0 = (page) => page.evaluate(() => {
  const r = window.trainlab.sandbox.entries[0].run;
  return { step: r.series.step, state: r.state, losses: r.series.losses.slice(), evals: r.series.evals.map((e) => e.valAccuracy) };
});

/** Play until every run has trained to `step`, then pause and wait for the save that pause makes. */
async function trainTo(page, step) {
  await page.click("#playpause");
  await page.waitForFunction((s) => window.trainlab.sandbox.entries.every((e) => e.run.series.step >= s), step, { timeout: 60000 });
  await page.click("#playpause");
  await page.waitForFunction(() => window.trainlab.sandbox.entries.every((e) => e.run.state === "paused"));
  // The evaluation a pause starts finishes after the pause and is saved with the run: wait for it
  // (a second pause's answer comes after the worker's word that it evaluates), or a reload brings
  // back one evaluation more than was read here (CI, under load).
  await page.evaluate(() => Promise.all(window.trainlab.sandbox.entries.map((e) => e.run.pause())));
  await page.waitForFunction(() => window.trainlab.sandbox.entries.every((e) => !e.run.series.evaluating), null, { timeout: 60000 });
  // A save that starts after the pause's: the store holds the paused runs.
  await page.evaluate(() => window.trainlab.keepRuns.saveNow());
}

/** Pixels of the first run's colour drawn in the loss and accuracy charts: [loss, accuracy]. */
function curvePixels(page) {
  return page.evaluate((color) => ["#loss-chart", "#acc-chart"].map((sel) => {
    const [r, g, b] = [1, 3, 5].map((i) => parseInt(color.slice(i, i + 2), 16));
    let n = 0;
    for (const canvas of document.querySelectorAll(`${sel} canvas`)) {
      const { data } = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height);
      for (let p = 0; p < data.length; p += 4) if (Math.abs(data[p] - r) + Math.abs(data[p + 1] - g) + Math.abs(data[p + 2] - b) < 30) n++;
    }
    return n;
  }), RUN_COLORS[0]);
}
/** Wait until the restored curves are drawn (not only held) in the loss and accuracy charts. */
async function curvesDrawn(page) {
  for (let i = 0; i < 20; i++) {
    const [loss, acc] = await curvePixels(page);
    if (loss > 50 && acc > 20) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.fail(`the restored curves are not drawn: ${(await curvePixels(page)).join(" / ")} pixels in the loss / accuracy charts`);
}

/** The rows of the saved-runs list: { id, name, step, current, damaged }. */
async function openHistory(page) {
  await openSavedRuns(page);
  return historyRows(page);
}
const historyRows = (page) => page.$$eval("#saved-runs tbody tr", (trs) => trs.map((tr) => ({
  id: tr.dataset.id, name: tr.cells[0].textContent, step: Number(tr.cells[3]?.textContent),
  current: tr.classList.contains("current"), damaged: tr.classList.contains("damaged"),
  deletable: !tr.querySelector("button.danger")?.disabled,
})));
const clickIn = (page, id, label) => page.click(`#saved-runs tr[data-id="${id}"] button:text-is("${label}")`);

test("records: the curves are cut at the state's step, and a bad record is named, not read", () => {
  const series = {
    step: 6, epoch: 0, lr: 0.1, firstLoss: 2.3, imagesPerSecond: 10, losses: [6, 5, 4, 3, 2, 1],
    lrUsed: [[2, 0.1], [4, 0.1], [6, 0.1]], ratios: [[2, [1]], [4, [2]], [6, [3]]],
    evals: [{ step: 3, valAccuracy: 0.4 }, { step: 5, valAccuracy: 0.3 }], lastEval: { step: 5, valAccuracy: 0.3 }, findings: ["x"],
  };
  const kept = keptSeries(series, 4);
  assert.deepEqual(kept.losses, [6, 5, 4, 3]);
  assert.deepEqual(kept.lrUsed, [[2, 0.1], [4, 0.1]]);
  assert.deepEqual(kept.ratios.map(([s]) => s), [2, 4]);
  assert.deepEqual(kept.evals, [{ step: 3, valAccuracy: 0.4 }]);
  assert.equal(kept.lastEval.step, 3);
  assert.equal(series.losses.length, 6, "the run's own series is not touched");
  assert.equal(bestValidation(series.evals), 0.4);
  assert.ok(Number.isNaN(bestValidation([])));

  const good = { v: RECORD_VERSION, id: "a", name: "n", values: {}, step: 4, series: kept };
  assert.equal(runProblem(good, "a"), null);
  assert.match(runProblem({ ...good, v: RECORD_VERSION + 1 }, "a"), /newer version of the page \(record version 2; this page reads 1\)/);
  assert.match(runProblem({ ...good, v: undefined }, "a"), /unknown record version \(none/);
  assert.match(runProblem({ ...good, series: { losses: [] } }, "a"), /"n" is damaged: its curves is missing or wrong/);
  assert.match(runProblem("junk", "k"), /saved run "k" is not a record \(found string\)/);
  assert.match(stateProblem({ v: 1, version: 2, step: 4, data: [1, 2] }, "n"), /training state of "n" is damaged/);
  assert.equal(stateProblem({ v: 1, version: 2, step: 4, data: new Uint8Array(2) }, "n"), null);
});

test("a reload resumes the run where it was, and Play continues with bit-identical losses", async () => {
  const { context, page, problems } = await openPage(browser, server.url + LINK);
  await waitReady(page);
  await trainTo(page, 40);
  const before = await run0(page);
  await page.reload();
  await page.waitForFunction((s) => window.trainlab.sandbox.entries[0]?.run.series.step === s &&
    window.trainlab.sandbox.entries[0].run.state === "paused", before.step, { timeout: 30000 });
  const back = await run0(page);
  assert.deepEqual(back.losses, before.losses, "the curve is back");
  assert.deepEqual(back.evals, before.evals, "the evaluations are back");
  await curvesDrawn(page);
  assert.match((await messageTexts(page)).join("\n"), /Your run is back where it stopped \(step \d+\)/);
  await trainTo(page, before.step + 40);
  const resumed = await run0(page);

  // The same link, trained as far without a reload.
  const fresh = await openPage(browser, server.url + LINK);
  await waitReady(fresh.page);
  await trainTo(fresh.page, resumed.step);
  const straight = await run0(fresh.page);
  const n = Math.min(resumed.losses.length, straight.losses.length);
  assert.ok(n >= before.step + 40, `compared ${n} steps`);
  const differ = resumed.losses.slice(0, n).findIndex((l, i) => !Object.is(l, straight.losses[i]));
  assert.equal(differ, -1, `losses equal bit for bit (first difference at step ${differ + 1})`);
  console.log(`resumed at step ${before.step}, compared ${n} losses bit for bit`);
  assert.deepEqual(problems.pageErrors, []);
  assert.deepEqual(problems.consoleErrors, []);
  await fresh.context.close();
  await context.close();
});

test("another link starts fresh, the old run in the history: Rename, Compare, Open, Delete", async () => {
  const { context, page, problems } = await openPage(browser, server.url + LINK);
  await waitReady(page);
  await trainTo(page, 30);
  const first = await run0(page);
  // Another link: a fresh run, the old one in the list.
  await page.goto(server.url + "#train=500&seed=7&lr=0.02");
  await page.reload();
  await waitReady(page);
  assert.equal((await run0(page)).step, 0, "another link starts from step 0");
  let rows = await openHistory(page);
  assert.equal(rows.length, 1);
  assert.equal(rows[0].step, first.step);
  const old = rows[0].id;

  await clickIn(page, old, "Rename");
  await page.fill("#saved-runs input.saved-runs-rename", "first try");
  await page.press("#saved-runs input.saved-runs-rename", "Enter");
  await page.waitForFunction(() => document.querySelector("#saved-runs tbody tr td")?.textContent === "first try");

  await clickIn(page, old, "Compare");
  await page.waitForFunction((s) => window.trainlab.sandbox.entries.length === 2 &&
    window.trainlab.sandbox.entries[1].run.series.step === s, first.step, { timeout: 30000 });
  assert.deepEqual((await page.evaluate(() => window.trainlab.sandbox.entries[1].run.series.losses.slice())), first.losses);
  await page.click("#runs-close");
  await trainTo(page, first.step + 10);
  rows = await openHistory(page);
  assert.equal(rows.length, 2, "the lr=0.02 run is saved once it trained");
  assert.ok(rows.every((r) => r.current && !r.deletable), "runs on the page cannot be deleted");
  assert.equal(rows.find((r) => r.id === old).name, "first try", "the name survives the saves");

  await clickIn(page, old, "Open");
  await page.waitForFunction(() => window.trainlab.sandbox.entries.length === 1 &&
    window.trainlab.sandbox.entries[0].run.series.step > 0 && window.trainlab.sandbox.entries[0].run.state === "paused", null, { timeout: 30000 });
  assert.doesNotMatch(await page.evaluate(() => location.hash), /lr=0\.02/, "the link is the opened run's");
  await curvesDrawn(page);
  rows = await historyRows(page);
  for (const [w, h] of [[1024, 768], [1920, 1080]]) {
    await page.setViewportSize({ width: w, height: h });
    await screenshot(page, `saved-runs-${w}x${h}`);
  }
  const other = rows.find((r) => r.id !== old);
  assert.ok(other.deletable && !other.current, "the run that left the page can be deleted");
  await clickIn(page, other.id, "Delete");
  await page.waitForFunction(() => document.querySelectorAll("#saved-runs tbody tr").length === 1);
  assert.equal((await historyRows(page))[0].id, old);
  assert.deepEqual(problems.pageErrors, []);
  assert.deepEqual(problems.consoleErrors, []);
  await context.close();
});

/** A page whose init script breaks something first; resolves once it trains past a few steps. */
async function brokenPage(init, arg) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  if (init) await context.addInitScript(init, arg);
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (e) => { if (!fromHarness(String(e))) errors.push(String(e)); });
  await page.goto(server.url + LINK);
  await waitReady(page);
  return { context, page, errors };
}
async function trainsOn(page) {
  const at = (await run0(page)).step;
  await page.click("#playpause");
  await page.waitForFunction((s) => window.trainlab.sandbox.entries[0].run.series.step > s + 5, at, { timeout: 30000 });
}

test("bad input: no IndexedDB is said once and the page trains", async () => {
  const { context, page, errors } = await brokenPage(() => Object.defineProperty(window, "indexedDB", { value: undefined }));
  const t = await waitForMessage(page, "Your runs are not kept on this computer");
  assert.match(t, /no IndexedDB/);
  await page.click("#runs-open");
  assert.match(await page.textContent("#saved-runs"), /No saved runs: this browser gives the page no IndexedDB/);
  await page.click("#runs-close");
  await trainsOn(page);
  assert.deepEqual(errors, []);
  await context.close();
});

test("bad input: a full storage is said with an offer to delete the oldest runs; the run trains on", async () => {
  const { context, page, errors } = await brokenPage(() => {
    const put = IDBObjectStore.prototype.put;
    IDBObjectStore.prototype.put = function (...args) {
      if (window.__full) throw new DOMException("quota", "QuotaExceededError");
      return put.apply(this, args);
    };
  });
  await trainTo(page, 20);
  const kept = (await openHistory(page))[0];
  await page.click("#runs-close");
  await page.evaluate(() => { window.__full = true; });
  await trainsOn(page);
  await page.click("#playpause");
  const t = await waitForMessage(page, "Your runs are not being saved");
  assert.match(t, /storage for this site is full/);
  assert.ok(await page.isVisible("#messages button.saved-runs-free"), "an offer to delete old runs");
  // The only saved run is the one on the page: the offer deletes nothing and says so.
  await page.click("#messages button.saved-runs-free");
  await waitForMessage(page, "There is no saved run to delete besides the runs on the page");
  await trainsOn(page);
  // The save that failed replaced nothing: the last good one is still there.
  await page.click("#playpause");
  await page.waitForFunction(() => window.trainlab.sandbox.entries[0].run.state === "paused");
  assert.equal((await openHistory(page))[0].step, kept.step);
  // Opening a run would replace the page's run, which cannot be saved now: refused, the run stays.
  const at = (await run0(page)).step;
  await clickIn(page, kept.id, "Open");
  await page.waitForFunction(() => document.querySelector("#saved-runs .saved-runs-note")?.dataset.kind === "error");
  assert.match(await page.textContent("#saved-runs .saved-runs-note"), /could not be saved first, and opening another run would lose them/);
  assert.equal((await run0(page)).step, at, "the page's run is untouched");
  assert.deepEqual(errors, []);
  await context.close();
});

test("bad input: a database of a newer version is named and left alone; the page trains", async () => {
  const { context, page } = await brokenPage();
  await page.evaluate(() => new Promise((resolve, reject) => {
    const q = indexedDB.open("trainlab", 7);
    q.onsuccess = () => { q.result.close(); resolve(); };
    q.onerror = () => reject(q.error);
  }));
  await page.reload();
  const t = await waitForMessage(page, "Your runs are not kept on this computer");
  assert.match(t, /newer version of this page \(database "trainlab" version 7; this page reads version 2\)/);
  await trainsOn(page);
  await context.close();
});

test("bad input: damaged and newer records are named, the rest opens and the page trains", async () => {
  const { context, page, errors } = await brokenPage();
  await trainTo(page, 20);
  const id = await page.evaluate(() => window.trainlab.keepRuns.store && new Promise((resolve) => {
    const q = indexedDB.open("trainlab");
    q.onsuccess = () => {
      const tx = q.result.transaction("runs", "readwrite");
      tx.objectStore("runs").put({ v: 1, id: "bad-1", name: "chewed" }, "bad-1");
      tx.objectStore("runs").put({ v: 9, id: "new-1", name: "from the future" }, "new-1");
      // The run the page will restore loses its curves.
      const get = tx.objectStore("runs").getAllKeys();
      get.onsuccess = () => {
        const real = get.result.find((k) => k.startsWith("run-"));
        const g = tx.objectStore("runs").get(real);
        g.onsuccess = () => tx.objectStore("runs").put({ ...g.result, series: null }, real);
        tx.oncomplete = () => { q.result.close(); resolve(real); };
      };
    };
  }));
  await page.reload();
  const t = (await waitForMessage(page, "Part of the runs kept from last time could not be read"));
  assert.ok(t);
  const all = (await messageTexts(page)).join("\n");
  assert.match(all, /is damaged: its curves is missing or wrong/);
  await waitReady(page);
  assert.equal((await run0(page)).step, 0, "the damaged run starts again from its link");
  const rows = await openHistory(page);
  const text = await page.$eval("#saved-runs", (s) => s.textContent);
  assert.match(text, /"chewed" is damaged: its settings, its step, its curves are missing or wrong/);
  assert.match(text, /"from the future" was written by a newer version of the page \(record version 9; this page reads 1\)/);
  assert.equal(rows.filter((r) => r.damaged).length, 3, `${id} and the two others are listed as damaged`);
  await page.click("#runs-close");
  await trainsOn(page);
  assert.deepEqual(errors, []);
  await context.close();
});

test("a frame's run kept by the old page (database trainlab-embeds) is moved into the shared store and resumes", async () => {
  const context = await browser.newContext({ viewport: { width: 1000, height: 600 } });
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (e) => { if (!fromHarness(String(e))) errors.push(String(e)); });
  await page.goto(`${server.url}embed.html#charts=loss&train=500&id=mig&autoplay`);
  await page.waitForFunction(() => window.trainlab.runs[0]?.step >= 20, null, { timeout: 60000 });
  await page.click("#playpause");
  await page.waitForFunction(() => window.trainlab.runs[0].state === "paused");
  await page.evaluate(() => window.trainlab.keeper.saveNow());
  const before = await page.evaluate(() => window.trainlab.runs[0]);
  // What the old page kept: the same run, in the old database's format; the shared store removed.
  await page.evaluate(() => new Promise((resolve, reject) => {
    const req = (r) => new Promise((ok, bad) => { r.onsuccess = () => ok(r.result); r.onerror = () => bad(r.error); });
    const q = indexedDB.open("trainlab");
    q.onsuccess = async () => {
      const db = q.result;
      const tx = db.transaction(["runs", "states", "workspaces"]);
      const ws = await req(tx.objectStore("workspaces").get("embed:mig"));
      const run = await req(tx.objectStore("runs").get(ws.runIds[0]));
      const st = await req(tx.objectStore("states").get(ws.runIds[0]));
      db.close();
      const old = {
        version: 1, embedLink: ws.embedLink, link: ws.link, playing: false, savedAt: Date.now(),
        runs: [{ values: run.values, series: run.series, state: { version: st.version, step: st.step, epoch: st.epoch, data: st.data } }],
      };
      const o = indexedDB.open("trainlab-embeds", 1);
      o.onupgradeneeded = () => o.result.createObjectStore("runs");
      o.onsuccess = async () => {
        const t2 = o.result.transaction("runs", "readwrite");
        t2.objectStore("runs").put(old, "embed:mig");
        t2.oncomplete = async () => {
          o.result.close();
          await req(indexedDB.deleteDatabase("trainlab"));
          resolve();
        };
      };
    };
    q.onerror = () => reject(q.error);
  }));
  await page.reload();
  await page.waitForFunction((s) => window.trainlab.runs[0]?.step === s, before.step, { timeout: 60000 });
  const back = await page.evaluate(() => window.trainlab.runs[0]);
  assert.deepEqual(back.losses, before.losses, "the curve came through the move");
  const names = await page.evaluate(async () => (await indexedDB.databases()).map((d) => d.name));
  assert.ok(names.includes("trainlab") && !names.includes("trainlab-embeds"), `databases now: ${names.join(", ")}`);
  await page.click("#playpause");
  await page.waitForFunction((s) => window.trainlab.runs[0].step > s + 5, before.step, { timeout: 30000 });
  assert.deepEqual(errors, []);
  await context.close();
});
