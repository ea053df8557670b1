// Scaling of separate runs over cores (issue 7, item 9): 1, 2 and 4 trainlab workers training at
// once in one page, each its own Web Worker with its own Trainer, as the page's "Compare" runs are.
// Used by bench/run.mjs (a section of the full run, or alone with --scaling); see bench/README.md.
//
// Method: all N workers get the same wall-clock window (lib/window.js): they start together,
// warm up together for `warmSeconds` (so the window opens under the full contention of N runs,
// with V8's code already tiered up), then count the steps each finishes in `windowSeconds`.
//   run img/s       = its steps × batch ÷ its own span (first counted step's start → last one's end)
//   aggregate img/s = Σ of the N runs' img/s. Every run's span covers the whole window, so this is
//                     what the machine turned out; "Σ images ÷ (latest end − earliest start)" would
//                     charge every run for the slowest run's last step past the window's end
//                     (one step of ~10 in a 4 s window at 4 runs), a bias against N > 1.
//   scaling ×       = aggregate(N) ÷ aggregate(1)
// The sequence 1, 2, 4 is repeated `reps` times, alternately ascending and descending so a slow
// drift of the machine's load does not favour one N; each N keeps its best repetition (other
// processes only ever take throughput away, so the highest aggregate is the least disturbed).
// Over each counted window Node also reads /proc (lib/cpu.mjs): the cores the browser used and
// the cores other processes used meanwhile, so a shared machine's interference is visible.
import os from "node:os";
import { performance } from "node:perf_hooks";
import { coresBetween, cpuSnapshot } from "./lib/cpu.mjs";

export const SCALING_DEFAULTS = {
  workloads: ["shapes-cnn", "lenet"],
  runs: [1, 2, 4],
  batch: 32,
  warmSeconds: 1.5,
  windowSeconds: 4,
  reps: 2,
  // steps each worker takes right after setup, all workers at once: compiles and tiers up the wasm
  // code in every worker before any window (the per-window warm-up then only settles contention)
  firstWarmSteps: 20,
};

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  return n === 0 ? NaN : n % 2 ? s[n >> 1] : (s[n / 2 - 1] + s[n / 2]) / 2;
};

/** The page's default config (www/state.js defaults = the core's Config::default) for a preset. */
export function pageConfig(preset, batch) {
  return { preset, batchSize: batch };
}

/**
 * Runs the measurement. `page`: the harness page (playwright); `call(name, cmd, args)`: a request
 * to a named worker (bench/run.mjs's); `log`: progress lines. Returns everything measured (JSON).
 */
export async function measureScaling({ page, call, log, opts = {} }) {
  const o = { ...SCALING_DEFAULTS, ...opts };
  const maxRuns = Math.max(...o.runs);
  const names = Array.from({ length: maxRuns }, (_, i) => `scale-${i}`);
  const out = {
    method: "fixed wall-clock window shared by all N runs; run img/s = steps × batch ÷ own span; aggregate = Σ run img/s",
    options: o,
    hardwareConcurrency: await page.evaluate(() => navigator.hardwareConcurrency),
    nodeCpus: os.cpus().length,
    availableParallelism: os.availableParallelism?.() ?? null,
    loadavgAtStart: os.loadavg(),
    workloads: [],
  };
  log(`\n== scaling: ${o.runs.join(", ")} runs at once; navigator.hardwareConcurrency ${out.hardwareConcurrency}, os.cpus() ${out.nodeCpus} ==`);
  for (const n of names) {
    await page.evaluate(([name]) => window.benchSpawn(name, "/bench/workers/trainlab.js", "module"), [n]);
    await call(n, "init", {});
  }
  try {
    for (const w of o.workloads) {
      const config = pageConfig(w, o.batch);
      const setups = await Promise.all(names.map((n) => call(n, "setup", { config })));
      const first = setups[0];
      log(`  ${w} b${first.batch}: ${first.params.toLocaleString("en-US")} params, ${maxRuns} workers set up; warming up`);
      await Promise.all(names.map((n) => call(n, "steps", { n: o.firstWarmSteps })));
      const wl = { workload: w, batch: first.batch, params: first.params, config, trials: [] };
      for (let rep = 0; rep < o.reps; rep++) {
        const order = rep % 2 ? [...o.runs].reverse() : o.runs;
        for (const k of order) {
          const trial = await windowOf(page, call, names.slice(0, k), o);
          trial.rep = rep;
          wl.trials.push(trial);
          log(`  ${w} × ${k}: ${trial.runs.map((r) => r.imgPerSec.toFixed(0)).join(" / ")} img/s -> aggregate ${trial.aggregate.toFixed(0)} img/s`);
        }
      }
      wl.best = {};
      for (const k of o.runs) {
        const ts = wl.trials.filter((t) => t.runs.length === k);
        wl.best[k] = ts.reduce((a, b) => (b.aggregate > a.aggregate ? b : a));
      }
      const one = wl.best[Math.min(...o.runs)].aggregate;
      for (const k of o.runs) wl.best[k].scaling = wl.best[k].aggregate / one;
      out.workloads.push(wl);
    }
  } finally {
    for (const n of names) await page.evaluate(([name]) => window.benchKill(name), [n]);
  }
  out.loadavgAtEnd = os.loadavg();
  return out;
}

// Resolves with a /proc snapshot at absolute time `at` (epoch ms, the clock the workers use).
const snapshotAt = (at) =>
  new Promise((resolve) => setTimeout(() => resolve(cpuSnapshot()), Math.max(0, at - (performance.timeOrigin + performance.now()))));

// One window for the given workers: a common start a little ahead (so every message arrives
// before it), the warm-up, the counted window.
async function windowOf(page, call, names, o) {
  const now = await page.evaluate(() => performance.timeOrigin + performance.now());
  const startAt = now + 300;
  const warmUntil = startAt + o.warmSeconds * 1000;
  const until = warmUntil + o.windowSeconds * 1000;
  const loadavg = os.loadavg();
  const cpuFrom = snapshotAt(warmUntil);
  const cpuTo = snapshotAt(until);
  const res = await Promise.all(names.map((n) => call(n, "window", { startAt, warmUntil, until })));
  const cores = coresBetween(await cpuFrom, await cpuTo);
  const batch = o.batch;
  const runs = res.map((r) => ({
    steps: r.steps,
    spanMs: r.t1 - r.t0,
    imgPerSec: (r.steps * batch * 1000) / (r.t1 - r.t0),
    medianStepMs: median(r.stepMs),
    warmSteps: r.warmSteps,
    lateMs: r.lateMs,
    loss: r.loss,
    t0: r.t0,
    t1: r.t1,
  }));
  // the common span, for the JSON: how far the runs' ends straggle past the window
  const spanMs = Math.max(...runs.map((r) => r.t1)) - Math.min(...runs.map((r) => r.t0));
  const tooFew = runs.filter((r) => r.warmSteps < 3 || r.steps < 10).length;
  const aggregate = runs.reduce((s, r) => s + r.imgPerSec, 0);
  return { runs, spanMs, aggregate, perCore: cores ? aggregate / cores.bench : null, cores, loadavg, tooFewSteps: tooFew };
}

// ---------------------------------------------------------------------------------------------
// table
// ---------------------------------------------------------------------------------------------
const fmt = (x, d = 1) => (x == null || !Number.isFinite(x) ? "—" : x >= 1000 ? Math.round(x).toLocaleString("en-US") : x.toFixed(d));
const pad = (s, n, right = false) => (right ? String(s).padEnd(n) : String(s).padStart(n));

/** The scaling section of the report, as lines. */
export function scalingTable(s) {
  if (s.error) return ["", `scaling of separate runs: FAILED — ${s.error}`];
  const o = s.options;
  const cores = s.hardwareConcurrency;
  const out = [];
  out.push("");
  out.push(`scaling of separate runs — navigator.hardwareConcurrency ${cores}, Node os.cpus() ${s.nodeCpus}; ` +
    `load average ${s.loadavgAtStart.map((x) => x.toFixed(2)).join(" ")} at start, ${s.loadavgAtEnd.map((x) => x.toFixed(2)).join(" ")} at end`);
  out.push(`  each run its own Web Worker and Trainer in one page; all N start together, warm up ${o.warmSeconds} s, then count steps for ${o.windowSeconds} s;`);
  out.push(`  aggregate = Σ of the runs' img/s; × one run = aggregate(N) ÷ aggregate(1); ideal = min(N, ${cores} cores); best of ${o.reps} repetitions;`);
  out.push("  cores: used by the benchmark's browser / by other processes during the counted window (/proc); per core = aggregate ÷ the browser's cores");
  for (const wl of s.workloads) {
    out.push("");
    out.push(`${wl.workload} · batch ${wl.batch} · the page's default config · ${wl.params.toLocaleString("en-US")} params`);
    out.push(`  ${pad("runs", 4)}  ${pad("each run img/s", 26, true)}${pad("aggregate", 10)}${pad("× one run", 10)}${pad("ideal", 6)}${pad("effic.", 7)}` +
      `${pad("ms/step", 9)}${pad("cores", 12)}${pad("per core", 10)}  all repetitions (aggregate)`);
    for (const k of o.runs) {
      const b = wl.best[k];
      const ideal = Math.min(k, cores);
      const reps = wl.trials.filter((t) => t.runs.length === k).map((t) => fmt(t.aggregate, 0)).join(" / ");
      const note = b.tooFewSteps ? `  ! ${b.tooFewSteps} run(s) with < 3 warm-up or < 10 counted steps` : "";
      const c = b.cores ? `${b.cores.bench.toFixed(2)}/${b.cores.others.toFixed(2)}` : "—";
      out.push(`  ${pad(k, 4)}  ${pad(b.runs.map((r) => fmt(r.imgPerSec, 0)).join(" / "), 26, true)}${pad(fmt(b.aggregate, 0), 10)}${pad(fmt(b.scaling, 2), 10)}` +
        `${pad(ideal, 6)}${pad(fmt((100 * b.scaling) / ideal, 0) + "%", 7)}${pad(fmt(median(b.runs.map((r) => r.medianStepMs)), 1), 9)}` +
        `${pad(c, 12)}${pad(fmt(b.perCore, 0), 10)}  ${reps}${note}`);
    }
    const one = wl.best[Math.min(...o.runs)];
    const perCoreKept = (b) => (b.perCore && one.perCore ? `; per core used it keeps ${fmt((100 * b.perCore) / one.perCore, 0)}% of one run's img/s` : "");
    const two = wl.best[2];
    if (two && cores >= 2) {
      out.push(`  check: 2 runs on ${cores} cores give ${fmt(two.scaling, 2)}× one run (need ≥ 1.8×): ${two.scaling >= 1.8 ? "PASS" : "FAIL"}${perCoreKept(two)}`);
    }
    const four = wl.best[4];
    if (four && cores < 4) {
      out.push(`  4 runs on ${cores} cores time-share: ${fmt(four.scaling, 2)}× one run (expect ≈ ${cores}×, not 4×); ` +
        `slowest/fastest run ${fmt(Math.min(...four.runs.map((r) => r.imgPerSec)) / Math.max(...four.runs.map((r) => r.imgPerSec)), 2)}${perCoreKept(four)}`);
    }
    const others = Math.max(...o.runs.map((k) => wl.best[k].cores?.others ?? 0));
    if (others > 0.25) {
      out.push(`  ! other processes kept up to ${others.toFixed(2)} cores busy during these windows: "× one run" measures the shared machine, ` +
        "not trainlab; re-run on a quiet machine (the per-core figure is the less disturbed one)");
    }
  }
  return out;
}
