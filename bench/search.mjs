// Search throughput (issue 10, item 6): aggregate trials per minute of the search page's pool with
// 1, 2 and all workers (navigator.hardwareConcurrency). Not part of any test; see bench/README.md.
//
//   node bench/search.mjs [--workers=1,2,all] [--trials=8] [--steps=100] [--reps=1] [--out=FILE]
//
// What runs: search.html itself, unbundled from the repository (its modules are all relative; it uses
// the shipped pkg/), in one headless Chromium. For each pool size N the page is opened with
// #workers=N; a warm-up random search of N trials × 10 steps lets every worker load and compile the
// wasm module; then a random search of `trials` trials × `steps` steps (the page's default data and
// network: shapes, shapes-cnn, batch 32) is timed from the click to its last evaluation (the page's
// own clock: the random panel's data-elapsed-ms). trials/min = trials × 60000 ÷ elapsed. Each trial's
// time splits into building the trainer (data + network), training and the final evaluation (its
// circle's data-phases). During each timed search Node reads /proc (lib/cpu.mjs): cores used by
// this browser and by every other process — on a shared machine the second says how much the
// numbers were disturbed. The sizes run ascending then descending when --reps=2, and each N keeps
// its best repetition (other processes only take throughput away).

import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { coresBetween, cpuSnapshot } from "./lib/cpu.mjs";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const arg = (name, fallback) => process.argv.find((a) => a.startsWith(`--${name}=`))?.split("=")[1] ?? fallback;
const OPTS = {
  workers: arg("workers", "1,2,all").split(","),
  trials: Number(arg("trials", "8")),
  steps: Number(arg("steps", "100")),
  reps: Number(arg("reps", "1")),
  out: arg("out", path.join(ROOT, "bench", "results", "search.json")),
};
const log = (...m) => console.error(...m);

const MIME = { ".html": "text/html", ".js": "text/javascript", ".mjs": "text/javascript", ".wasm": "application/wasm",
  ".css": "text/css", ".json": "application/json" };

/** The repository, read-only, on a free localhost port. */
function serve() {
  const server = http.createServer((req, res) => {
    const file = path.resolve(ROOT, "." + decodeURIComponent(new URL(req.url, "http://x").pathname));
    if (!file.startsWith(ROOT + path.sep) || !fs.existsSync(file) || !fs.statSync(file).isFile()) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { "content-type": MIME[path.extname(file)] ?? "application/octet-stream", "cache-control": "no-store" });
    fs.createReadStream(file).pipe(res);
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

async function search(page, { trials, steps }) {
  await page.fill("#s-trials", String(trials));
  await page.fill("#s-steps", String(steps));
  await page.click("#run-random");
  await page.waitForFunction(() => document.getElementById("panel-random").dataset.elapsedMs !== undefined,
    null, { timeout: 30 * 60 * 1000 });
  return page.evaluate(() => ({
    elapsedMs: Number(document.getElementById("panel-random").dataset.elapsedMs),
    states: [...document.querySelectorAll("#plane-random circle.trial")].map((c) => c.dataset.state),
    phases: [...document.querySelectorAll("#plane-random circle.trial")].map((c) => JSON.parse(c.dataset.phases ?? "null")),
  }));
}

const median = (xs) => {
  const s = xs.filter(Number.isFinite).sort((a, b) => a - b);
  return s.length ? (s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2) : NaN;
};

async function measure(browser, url, n) {
  const page = await browser.newPage();
  try {
    await page.goto(`${url}search.html#workers=${n}`);
    await page.waitForFunction(() => document.body.dataset.state === "ready", null, { timeout: 60000 });
    await search(page, { trials: n, steps: 10 });
    const before = cpuSnapshot();
    const r = await search(page, OPTS);
    const cores = coresBetween(before, cpuSnapshot());
    const failed = r.states.filter((s) => s !== "done" && s !== "diverged").length;
    const phase = (k) => median(r.phases.map((p) => p?.[k]));
    return {
      workers: n, elapsedMs: r.elapsedMs, trialsPerMinute: (OPTS.trials * 60000) / r.elapsedMs, failed,
      medianMs: { create: phase("create"), train: phase("train"), evaluate: phase("evaluate") }, cores,
      loadavg: os.loadavg(),
    };
  } finally {
    await page.close();
  }
}

async function main() {
  const server = await serve();
  const url = `http://127.0.0.1:${server.address().port}/`;
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    args: ["--no-sandbox", "--headless=new", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
      "--disable-sync", "--no-first-run"],
  });
  try {
    const probe = await browser.newPage();
    const hc = await probe.evaluate(() => navigator.hardwareConcurrency);
    await probe.close();
    const sizes = [...new Set(OPTS.workers.map((w) => (w === "all" ? hc : Number(w))))].sort((a, b) => a - b);
    log(`search throughput: ${OPTS.trials} random trials × ${OPTS.steps} steps (shapes, shapes-cnn, batch 32); ` +
      `navigator.hardwareConcurrency ${hc}; pool sizes ${sizes.join(", ")}; load average ${os.loadavg().map((l) => l.toFixed(2)).join(" ")}`);
    const all = [];
    for (let rep = 0; rep < OPTS.reps; rep++) {
      for (const n of rep % 2 ? [...sizes].reverse() : sizes) {
        const m = await measure(browser, url, n);
        all.push(m);
        log(`  ${n} worker${n > 1 ? "s" : ""}: ${m.trialsPerMinute.toFixed(1)} trials/min (${(m.elapsedMs / 1000).toFixed(1)} s)` +
          (m.cores ? `, cores: browser ${m.cores.bench.toFixed(2)}, others ${m.cores.others.toFixed(2)}` : ""));
      }
    }
    const best = sizes.map((n) => all.filter((m) => m.workers === n).sort((a, b) => b.trialsPerMinute - a.trialsPerMinute)[0]);
    const one = best[0].trialsPerMinute;
    console.log(`\nsearch throughput — ${OPTS.trials} random trials × ${OPTS.steps} steps each, navigator.hardwareConcurrency ${hc}`);
    console.log("  workers  trials/min  × 1 worker  s/search  median ms per trial: build / train / evaluate   cores (browser / others)  per core");
    for (const m of best) {
      // Trials per minute per core the browser got: steady from 1 to N workers = the pool adds no
      // overhead of its own, and the only limit is how many cores it gets.
      const c = m.cores ? `${m.cores.bench.toFixed(2)} / ${m.cores.others.toFixed(2)}`.padEnd(18) +
        `${(m.trialsPerMinute / m.cores.bench).toFixed(1)}` : "n/a";
      console.log(`  ${String(m.workers).padStart(7)}${m.workers === hc ? "*" : " "} ${m.trialsPerMinute.toFixed(1).padStart(10)} ` +
        `${(m.trialsPerMinute / one).toFixed(2).padStart(11)} ${(m.elapsedMs / 1000).toFixed(1).padStart(9)}   ` +
        `${[m.medianMs.create, m.medianMs.train, m.medianMs.evaluate].map((v) => v.toFixed(0)).join(" / ").padStart(22)}` +
        `${" ".repeat(22)}${c}${m.failed ? `  (${m.failed} failed)` : ""}`);
    }
    console.log("  * = all workers (one per core)");
    if (best.some((m) => m.cores && m.cores.others > 0.3)) {
      console.log("  ! other processes kept cores busy during the searches: re-run on a quiet machine before trusting the ratios");
    }
    fs.mkdirSync(path.dirname(OPTS.out), { recursive: true });
    fs.writeFileSync(OPTS.out, JSON.stringify({ options: OPTS, hardwareConcurrency: hc, nodeCpus: os.cpus().length, runs: all }, null, 2));
    log(`written ${path.relative(ROOT, OPTS.out)}`);
  } finally {
    await browser.close();
    server.close();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
