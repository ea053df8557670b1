// What a checkpoint costs (issue 11), in headless Chromium on the production build: for each preset
// (with batch norm on, so the running statistics and PyTorch's counters are in the file) the
// checkpoint's size, exportCheckpoint() and loadCheckpoint() through the run's worker (round trip
// included, as the page does them), and opening the file as a new run through the "Runs…" dialog
// (read, check, build the run, load, first evaluation).
//
//   node bench/checkpoint.mjs [--presets=shapes-cnn,lenet] [--reps=5]
//
// Run by hand (not part of make test). Builds dist/ (or TRAINLAB_DIST) when missing, like the e2e tests.

import { launchBrowser, startServer, waitReady } from "../tests/e2e/helpers.mjs";

const opt = (name, dflt) => {
  const a = process.argv.slice(2).find((x) => x.startsWith(`--${name}=`));
  return a ? a.slice(name.length + 3) : dflt;
};
const PRESETS = opt("presets", "shapes-cnn,lenet,cifar-convnetjs,vgg-mini,resnet-mini").split(",").filter(Boolean);
const REPS = Number(opt("reps", "5"));
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const server = await startServer();
const browser = await launchBrowser();
const rows = [];
try {
  for (const preset of PRESETS) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    await page.goto(`${server.url}#preset=${preset}&train=1000&seed=1&bn=1`);
    await waitReady(page, 60000);
    await page.click("#step");
    await page.waitForFunction(() => window.trainlab.sandbox.entries[0].run.series.step >= 1);
    const r = await page.evaluate(async (reps) => {
      const run = window.trainlab.sandbox.entries[0].run;
      const save = [], load = [];
      let bytes = null;
      for (let i = 0; i < reps; i++) {
        let t = performance.now();
        bytes = await run.exportCheckpoint(null, "bench/checkpoint.mjs");
        save.push(performance.now() - t);
        t = performance.now();
        await run.loadCheckpoint(bytes);
        load.push(performance.now() - t);
      }
      return { bytes: bytes.length, save, load, file: Array.from(bytes) };
    }, REPS);
    // Opening it as a new run, as a student does (file input → new run evaluated).
    await page.click("#runs-open");
    const t0 = Date.now();
    await page.setInputFiles("#portable-file", { name: "bench.safetensors", mimeType: "application/octet-stream", buffer: Buffer.from(r.file) });
    await page.waitForFunction(() => window.trainlab.sandbox.entries.length === 2 &&
      window.trainlab.sandbox.entries[1].run.series.lastEval, null, { timeout: 300000 });
    const openMs = Date.now() - t0;
    rows.push({ preset, kb: (r.bytes / 1024).toFixed(1), save: median(r.save).toFixed(1), load: median(r.load).toFixed(1), open: openMs });
    console.log(JSON.stringify(rows[rows.length - 1]));
    await context.close();
  }
} finally {
  await browser.close();
  await server.stop();
}
console.log("\n| preset | checkpoint | exportCheckpoint | loadCheckpoint | open as a new run (incl. first evaluation) |");
console.log("|---|---:|---:|---:|---:|");
for (const r of rows) console.log(`| ${r.preset} | ${r.kb} KB | ${r.save} ms | ${r.load} ms | ${r.open} ms |`);
