// Measures the built-in data sets through the page, in headless Chromium (not part of `make test`:
// it takes a few minutes and its numbers depend on the machine):
//   - the time from choosing a set (sandbox.useData, what the data card calls) to the first training
//     step on it: the first time (empty caches) and again from the cache;
//   - the training worker's memory with the set loaded (the wasm memory's size; the browser's own
//     measureUserAgentSpecificMemory too where the page may call it);
//   - the headline: the set's default run (lenet, www/state.js DATASETS) trained for 60 s, then its
//     validation accuracy on the whole validation split (goal: MNIST ≥ 98%, Fashion-MNIST ≥ 88%).
//
//   node scripts/measure-data.mjs [mnist] [fashion-mnist] [--seconds 60] [--with "lr=0.1&bn=1"] [--no-load]
//
// Serves dist/ like the e2e tests (TRAINLAB_DIST=dist-x to use another build, TRAINLAB_E2E_URL for a
// running server); prints one line per figure and a JSON summary at the end.

import { launchBrowser, sleep, startServer } from "../tests/e2e/helpers.mjs";

const args = process.argv.slice(2);
/** The value after option `name`, or undefined. */
const option = (name) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const SECONDS = Number(option("--seconds") ?? 60);
// --with "opt=adam&lr=0.001": settings over the set's defaults, to compare candidates for them.
const WITH = option("--with") ?? "";
const LOAD = !args.includes("--no-load");
const sets = args.filter((a, i) => !a.startsWith("--") && !["--seconds", "--with"].includes(args[i - 1]));
const SETS = sets.length ? sets : ["mnist", "fashion-mnist"];

/** Resolves when the sandbox is ready (a paused or running run). */
async function ready(page, timeout = 120000) {
  await page.waitForFunction(() => ["paused", "running"].includes(document.body.dataset.runState), null, { timeout });
}

/**
 * Choose set `id` in a page that trains on shapes and time it up to the first step on the set.
 * Returns { loadMs, firstStepMs, summary }.
 */
function chooseAndTime(page, id) {
  return page.evaluate(async (setId) => {
    const { sandbox } = window.trainlab;
    if (!sandbox.playing) sandbox.playAll();
    const t0 = performance.now();
    let firstStep = null;
    const stop = sandbox.watch((e, ev) => {
      if (firstStep === null && ev.event === "report" && e.values.data === setId && ev.report.step >= 1) firstStep = performance.now() - t0;
    });
    const summary = await sandbox.useData({ kind: "builtin", id: setId });
    const loadMs = performance.now() - t0;
    while (firstStep === null) await new Promise((r) => setTimeout(r, 10));
    stop();
    return { loadMs, firstStepMs: firstStep, summary: { name: summary.name, train: summary.train, val: summary.val, shape: summary.shape } };
  }, id);
}

async function workerMemory(page) {
  return page.evaluate(async () => {
    const run = window.trainlab.sandbox.entries[0].run;
    const { wasmBytes } = await run.memory();
    let uaBytes = null;
    if (typeof performance.measureUserAgentSpecificMemory === "function" && self.crossOriginIsolated) {
      try { uaBytes = (await performance.measureUserAgentSpecificMemory()).bytes; } catch { /* not allowed here */ }
    }
    return { wasmBytes, uaBytes };
  });
}

/** Choosing the set: first time (fresh context), then cached (back to shapes, and the set again). */
async function loadTimes(browser, url, id) {
  const context = await browser.newContext({ viewport: { width: 1366, height: 768 } });
  const page = await context.newPage();
  try {
    await page.goto(url + "#seed=1");
    await ready(page);
    const shapesMemory = await workerMemory(page);
    const first = await chooseAndTime(page, id);
    const memory = await workerMemory(page);
    await page.evaluate(() => window.trainlab.sandbox.useData({ kind: "builtin", id: "shapes" }));
    await sleep(1000);
    const cached = await chooseAndTime(page, id);
    return { first, cached, memory, shapesMemory };
  } finally {
    await context.close();
  }
}

/** The set's default run trained for SECONDS s from its first step; the accuracy on the validation split. */
async function headline(browser, url, id) {
  const context = await browser.newContext({ viewport: { width: 1366, height: 768 } });
  const page = await context.newPage();
  try {
    await page.goto(`${url}#data=${id}${WITH ? `&${WITH}` : ""}`);
    await ready(page);
    const settings = await page.evaluate(() => window.trainlab.settings);
    await page.evaluate(() => window.trainlab.sandbox.playAll());
    await page.waitForFunction(() => window.trainlab.runs[0].step >= 1, null, { timeout: 60000 });
    const t0 = Date.now();
    const trace = [];
    while (Date.now() - t0 < SECONDS * 1000) {
      await sleep(5000);
      const r = await page.evaluate(() => window.trainlab.runs[0]);
      trace.push({ s: Math.round((Date.now() - t0) / 1000), step: r.step, val: r.lastEval?.valAccuracy ?? null });
    }
    const final = await page.evaluate(async () => {
      const { sandbox } = window.trainlab;
      sandbox.pauseAll();
      const run = sandbox.entries[0].run;
      const ev = await run.evaluate();
      return { step: run.series.step, epoch: run.series.epoch, imagesPerSecond: run.series.imagesPerSecond,
        valAccuracy: ev?.valAccuracy, trainAccuracy: ev?.trainAccuracy, valImages: ev?.confusion?.flat().reduce((a, b) => a + b, 0) };
    });
    return { settings: pick(settings, ["preset", "learningRate", "batchSize", "momentum", "optimizer", "schedule", "trainSize"]), trace, ...final };
  } finally {
    await context.close();
  }
}

const pick = (o, keys) => Object.fromEntries(keys.map((k) => [k, o[k]]));
const mb = (b) => (b == null ? "n/a" : `${(b / 2 ** 20).toFixed(1)} MB`);

const server = await startServer();
const browser = await launchBrowser();
const results = {};
try {
  for (const id of SETS) {
    const t = LOAD ? await loadTimes(browser, server.url, id) : null;
    if (t) {
      console.log(`${id}: choose → first step ${t.first.firstStepMs.toFixed(0)} ms first time (loaded in ${t.first.loadMs.toFixed(0)} ms), ` +
        `${t.cached.firstStepMs.toFixed(0)} ms cached (loaded in ${t.cached.loadMs.toFixed(0)} ms)`);
      console.log(`${id}: worker memory: wasm ${mb(t.shapesMemory.wasmBytes)} on shapes, ${mb(t.memory.wasmBytes)} with the set loaded; ` +
        `browser measure ${mb(t.memory.uaBytes)}`);
    }
    const h = await headline(browser, server.url, id);
    console.log(`${id}: ${JSON.stringify(h.settings)} for ${SECONDS} s → step ${h.step} (epoch ${h.epoch?.toFixed(2)}, ` +
      `${Math.round(h.imagesPerSecond)} images/s): validation accuracy ${(h.valAccuracy * 100).toFixed(2)}% on ${h.valImages} images ` +
      `(training ${(h.trainAccuracy * 100).toFixed(2)}%)`);
    console.log(`${id}: trace ${h.trace.map((p) => `${p.s}s:${p.step}:${p.val == null ? "-" : (p.val * 100).toFixed(1)}`).join(" ")}`);
    results[id] = { load: t, headline: h };
  }
  console.log(JSON.stringify(results));
} finally {
  await browser.close();
  await server.stop();
}
