// What keeping runs costs (issue 11), in headless Chromium on the production build: for each preset
// the saved state's size, exportState() (worker round trip), an IndexedDB put and get of the state,
// importState(); the main thread's longest task during a save; and training speed with the autosave
// on and off, alternated in one page so that the machine's noise is shared.
//
//   node bench/persistence.mjs [--presets=shapes-cnn,lenet] [--reps=5] [--speed-presets=shapes-cnn,vgg-mini]
//                              [--speed-seconds=10] [--speed-rounds=4]
//
// Run by hand (not part of make test). Builds dist/ (or TRAINLAB_DIST) when missing, like the e2e tests.

import { launchBrowser, startServer, traceMainThread, waitReady } from "../tests/e2e/helpers.mjs";

const opt = (name, dflt) => {
  const a = process.argv.slice(2).find((x) => x.startsWith(`--${name}=`));
  return a ? a.slice(name.length + 3) : dflt;
};
const PRESETS = opt("presets", "shapes-cnn,lenet,cifar-convnetjs,vgg-mini,resnet-mini,mlp").split(",").filter(Boolean);
const REPS = Number(opt("reps", "5"));
const SPEED_PRESETS = opt("speed-presets", "shapes-cnn,vgg-mini").split(",").filter(Boolean);
const SPEED_SECONDS = Number(opt("speed-seconds", "10"));
const SPEED_ROUNDS = Number(opt("speed-rounds", "4"));

/** The page's autosave period while training (SAVE_EVERY_MS in www/sandbox/keepRuns.js). */
const SAVE_EVERY_MS = 5000;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const link = (preset) => `#preset=${preset}&train=1000&seed=1`;

async function openAt(browser, url) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  await page.goto(url);
  await waitReady(page, 60000);
  return { context, page };
}

async function trainSteps(page, steps) {
  await page.click("#playpause");
  await page.waitForFunction((s) => window.trainlab.sandbox.entries[0].run.series.step >= s, steps, { timeout: 120000 });
  await page.click("#playpause");
  await page.waitForFunction(() => window.trainlab.sandbox.entries[0].run.state === "paused");
}

/** Size and times of one preset's state: export, IndexedDB put/get (own database), import. */
async function saveRestore(browser, server, preset) {
  const { context, page } = await openAt(browser, server.url + link(preset));
  await trainSteps(page, 20);
  const times = await page.evaluate(async (reps) => {
    const run = window.trainlab.sandbox.entries[0].run;
    const db = await new Promise((resolve, reject) => {
      const q = indexedDB.open("trainlab-bench", 1);
      q.onupgradeneeded = () => q.result.createObjectStore("states");
      q.onsuccess = () => resolve(q.result);
      q.onerror = () => reject(q.error);
    });
    const req = (r) => new Promise((resolve, reject) => { r.onsuccess = () => resolve(r.result); r.onerror = () => reject(r.error); });
    const out = { bytes: 0, exportMs: [], putMs: [], getMs: [], importMs: [] };
    for (let i = 0; i < reps; i++) {
      let t = performance.now();
      const state = await run.exportState();
      out.exportMs.push(performance.now() - t);
      out.bytes = state.data.byteLength;
      t = performance.now();
      const tx = db.transaction("states", "readwrite");
      tx.objectStore("states").put(state, "s");
      await new Promise((resolve, reject) => { tx.oncomplete = resolve; tx.onerror = () => reject(tx.error); });
      out.putMs.push(performance.now() - t);
      t = performance.now();
      const back = await req(db.transaction("states").objectStore("states").get("s"));
      out.getMs.push(performance.now() - t);
      t = performance.now();
      await run.importState(back);
      out.importMs.push(performance.now() - t);
    }
    db.close();
    return out;
  }, REPS);
  // The page's own save (every run's state and curves in one transaction) under a trace.
  let saveMs = 0;
  const tasks = await traceMainThread(browser, page, async () => {
    saveMs = await page.evaluate(async () => {
      const t = performance.now();
      await window.trainlab.keepRuns.saveNow();
      return performance.now() - t;
    });
  });
  await context.close();
  return { ...times, saveMs, saveLongestCpu: Math.max(0, ...tasks.map((x) => x.cpu)), saveLongestWall: Math.max(0, ...tasks.map((x) => x.wall)) };
}

/**
 * Training speed (steps per second of the worker's training chunks) with the autosave on and off in ONE page (the same worker and network): alternated
 * windows of `seconds`, the page's own saves held in the "off" windows (keepRuns.setAutosave); and
 * the main thread's longest task in each. Pairs of neighbouring windows are compared, so the
 * machine's slow drifts cancel out.
 */
async function speed(browser, server, preset) {
  const { context, page } = await openAt(browser, server.url + link(preset));
  await page.click("#playpause");
  await page.waitForFunction(() => window.trainlab.sandbox.entries[0].run.series.step >= 5, null, { timeout: 120000 });
  // The worker's own timing of its training chunks (report.ms): evaluations, which come every few
  // seconds and take seconds on the larger networks, are not training speed and stay out of it.
  await page.evaluate(() => {
    window.__chunks = { steps: 0, ms: 0 };
    window.trainlab.sandbox.watch((e, ev) => {
      if (ev.event !== "report" || ev.replayed) return;
      window.__chunks.steps += ev.report.losses.length;
      window.__chunks.ms += ev.report.ms;
    });
  });
  const windows = [];
  for (let i = 0; i < 2 * SPEED_ROUNDS; i++) {
    const on = i % 2 === 0;
    await page.evaluate((x) => { window.trainlab.keepRuns.setAutosave(x); window.__chunks = { steps: 0, ms: 0 }; }, on);
    const tasks = await traceMainThread(browser, page, () => new Promise((r) => setTimeout(r, SPEED_SECONDS * 1000)));
    const c = await page.evaluate(() => window.__chunks);
    windows.push({ on, stepsPerSecond: c.steps / (c.ms / 1000),
      longestCpu: Math.max(0, ...tasks.map((x) => x.cpu)), longestWall: Math.max(0, ...tasks.map((x) => x.wall)) });
  }
  await page.evaluate(() => window.trainlab.keepRuns.setAutosave(true));
  await context.close();
  return windows;
}

const server = await startServer();
const browser = await launchBrowser();
const f = (x, d = 1) => x.toFixed(d);
try {
  // The worker trains nothing while it exports: its share of the worker's time, at one save per period,
  // is at most exportState's round trip over the period (the put and the get run off the worker).
  console.log("| preset | state | exportState | IndexedDB put | IndexedDB get | importState | page save (all) | " +
    "longest main-thread task in the save (CPU / wall) | worker time taken by the autosave |");
  console.log("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
  for (const preset of PRESETS) {
    const r = await saveRestore(browser, server, preset);
    console.log(`| ${preset} | ${f(r.bytes / 1e3)} kB | ${f(median(r.exportMs))} ms | ${f(median(r.putMs))} ms | ${f(median(r.getMs))} ms | ` +
      `${f(median(r.importMs))} ms | ${f(r.saveMs)} ms | ${f(r.saveLongestCpu)} / ${f(r.saveLongestWall)} ms | ` +
      `≤ ${f((median(r.exportMs) / SAVE_EVERY_MS) * 100, 2)}% |`);
  }
  if (SPEED_PRESETS.length) {
    console.log(`\nTraining speed in one page, autosave on (every ${SAVE_EVERY_MS / 1000} s) and off alternated, ${SPEED_ROUNDS} pairs of ${SPEED_SECONDS} s windows:`);
    console.log("| preset | steps/s on | steps/s off | on/off (median of pairs) | longest main-thread task on (CPU / wall) | off (CPU / wall) |");
    console.log("|---|---:|---:|---:|---:|---:|");
    for (const preset of SPEED_PRESETS) {
      const w = await speed(browser, server, preset);
      const on = w.filter((x) => x.on), off = w.filter((x) => !x.on);
      const ratio = median(on.map((x, i) => x.stepsPerSecond / off[i].stepsPerSecond));
      const worst = (xs, k) => Math.max(...xs.map((x) => x[k]));
      console.log(`| ${preset} | ${f(median(on.map((x) => x.stepsPerSecond)))} | ${f(median(off.map((x) => x.stepsPerSecond)))} | ` +
        `${f((ratio - 1) * 100)}% | ${f(worst(on, "longestCpu"))} / ${f(worst(on, "longestWall"))} ms | ` +
        `${f(worst(off, "longestCpu"))} / ${f(worst(off, "longestWall"))} ms |`);
      console.log(`  windows (steps/s): ${w.map((x) => `${x.on ? "on" : "off"} ${f(x.stepsPerSecond)}`).join(", ")}`);
    }
  }
} finally {
  await browser.close();
  await server.stop();
}
