// Soak (issue 12): one run trained for a long time in headless Chromium on the production build, with
// the heaviest regularization the page offers, to show that nothing grows with the step count.
//
//   node bench/soak.mjs [--steps=100000] [--marks=1000,10000,100000] [--link=<hash>] [--sample-seconds=30]
//
// At each mark (and every --sample-seconds in between) it prints:
//   - the worker's wasm memory (it can only grow, so flat after warm-up means no leak in the core),
//   - the main thread's JS heap after a forced garbage collection, and its DOM node count (CDP
//     Performance metrics: what the page's own code keeps),
//   - the history the page holds for the run (points in its curves) and what the page's save of it
//     (runs, states and curves into IndexedDB, as the autosave does every 5 s) takes,
//   - steps per second over the last window (the worker's own timing of its training chunks, so
//     evaluations, which come once an epoch, are not counted as training time).
// Run by hand (not part of make test). Builds dist/ (or TRAINLAB_DIST) when missing, like the e2e tests.

import { launchBrowser, startServer, waitReady } from "../tests/e2e/helpers.mjs";

const opt = (name, dflt) => {
  const a = process.argv.slice(2).find((x) => x.startsWith(`--${name}=`));
  return a ? a.slice(name.length + 3) : dflt;
};
const STEPS = Number(opt("steps", "100000"));
const MARKS = opt("marks", "1000,10000,100000").split(",").map(Number).filter((m) => m <= STEPS);
const SAMPLE_SECONDS = Number(opt("sample-seconds", "30"));
// LeNet (fast enough for 100k steps in well under an hour) with every regularizer at once: dropout,
// DropConnect, fractional pooling, weight decay, Mixup + CutMix, label smoothing, Cutout, flips, crops
// and scales, colour jitter, PCA colour, RandAugment, test-time augmentation, EMA and snapshots under
// a cyclic schedule (so the snapshot list is exercised too).
const HEAVY = "#preset=lenet&train=4000&batch=32&seed=1&dropout=0.3&dropconnect=0.2&fmp=1&wd=0.0005" +
  "&mixup=0.4&cutmix=1&mixswitch=0.5&ls=0.1&cutout=0.5&flip=0.5&crop=1,1.3&bright=0.2&contrast=0.2&sat=0.2" +
  "&pca=0.1&ra=2&ram=9&tta=1&ema=0.999&snapshots=1&sched=cyclic&steps=2000&cycles=4";
const LINK = opt("link", HEAVY);

const server = await startServer();
const browser = await launchBrowser();
const mb = (b) => (b / 2 ** 20).toFixed(1);

try {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send("Performance.enable");
  await page.goto(server.url + LINK);
  await waitReady(page, 60000);
  const problems = [];
  page.on("pageerror", (e) => problems.push(String(e)));
  await page.evaluate(() => {
    window.__chunks = { steps: 0, ms: 0 };
    window.trainlab.sandbox.watch((e, ev) => {
      if (ev.event !== "report" || ev.replayed) return;
      window.__chunks.steps += ev.report.losses.length;
      window.__chunks.ms += ev.report.ms;
    });
  });

  /** One row of figures; the window's speed is taken and reset. */
  async function sample() {
    await cdp.send("HeapProfiler.collectGarbage");
    const { metrics } = await cdp.send("Performance.getMetrics");
    const metric = (name) => metrics.find((m) => m.name === name)?.value ?? NaN;
    const page_ = await page.evaluate(async () => {
      const run = window.trainlab.sandbox.entries[0].run;
      const { wasmBytes } = await run.memory();
      const c = window.__chunks;
      window.__chunks = { steps: 0, ms: 0 };
      const points = Object.values(run.series).reduce((n, v) => n + (Array.isArray(v) ? v.length : 0), 0);
      const t = performance.now();
      await window.trainlab.keepRuns.saveNow();
      const saveMs = performance.now() - t;
      return { step: run.series.step, state: run.state, wasmBytes, points, evals: run.series.evals.length, saveMs, stepsPerSecond: c.steps / (c.ms / 1000) };
    });
    return { ...page_, heap: metric("JSHeapUsedSize"), nodes: metric("Nodes") };
  }

  const started = Date.now();
  console.log(`soak: ${STEPS} steps of ${LINK}`);
  console.log("| step | minutes | worker wasm memory | main-thread JS heap (after GC) | DOM nodes | points in the run's curves (evaluations) | page save | steps/s (last window) |");
  console.log("|---:|---:|---:|---:|---:|---:|---:|---:|");
  const row = (s, mark) => console.log(`| ${s.step}${mark ? " ◀" : ""} | ${((Date.now() - started) / 60000).toFixed(1)} | ` +
    `${mb(s.wasmBytes)} MiB | ${mb(s.heap)} MiB | ${s.nodes} | ${s.points} (${s.evals}) | ${s.saveMs.toFixed(0)} ms | ${s.stepsPerSecond.toFixed(1)} |`);
  await page.click("#playpause");
  const pending = [...MARKS];
  while (pending.length) {
    const next = pending[0];
    const reached = await page.waitForFunction((m) => window.trainlab.sandbox.entries[0].run.series.step >= m, next,
      { timeout: SAMPLE_SECONDS * 1000, polling: 250 }).then(() => true, () => false);
    const s = await sample();
    if (!["running", "waiting"].includes(s.state) && s.step < next) throw new Error(`the run stopped at step ${s.step} (${s.state})`);
    row(s, reached);
    if (reached) pending.shift();
  }
  await page.click("#playpause");
  console.log(problems.length ? `page errors: ${problems.join("; ")}` : "no page errors");
  await context.close();
} finally {
  await browser.close();
  await server.stop();
}
