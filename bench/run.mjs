// trainlab benchmark driver (see bench/README.md). Started by bench/run.sh after dependencies and
// builds are in place:
//   node bench/run.mjs [--quick] [--no-native] [--no-trainlab] [--workloads=a,b] [--batches=1,16,64]
//                      [--contenders=trainlab,tfjs-wasm,...] [--port=N] [--out=path]
//                      [--scaling | --no-scaling] [--scaling-workloads=shapes-cnn,lenet]
//                      [--scaling-runs=1,2,4] [--scaling-seconds=4] [--scaling-reps=2]
//                      [--browser=chromium|firefox] [--no-pytorch]
//
// 1. serves the repository read-only on 127.0.0.1 (node:http, correct MIME for .wasm/.js);
// 2. drives ONE headless Chromium (playwright-core, /usr/bin/chromium; or with --browser=firefox
//    Debian's Firefox ESR over WebDriver BiDi, playwright-core pinned to 1.64.1 for it) on bench/harness.html,
//    which runs every contender in its own Web Worker (single thread);
// 3. for each workload x batch: sets every contender up, warms each up, then measures in
//    interleaved rounds (A B C D A B C D ...) so machine noise hits every contender alike;
// 4. runs the native build of the same core (bench_native, built by run.sh) and PyTorch on the CPU
//    (bench/pytorch_bench.py, one thread) after the browser has closed, so they never compete with
//    it for the CPU;
// 5. prints one table per workload x batch plus a summary, and writes bench/results/latest.json.
// Then (or alone, with --scaling) the scaling of separate runs over cores: bench/scaling.mjs.
import http from "node:http";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import vm from "node:vm";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { chromium, firefox } from "playwright-core";
import { SCALING_DEFAULTS, measureScaling, scalingTable } from "./scaling.mjs";

const BENCH = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(BENCH, "..");

// ---------------------------------------------------------------------------------------------
// options
// ---------------------------------------------------------------------------------------------
const argv = process.argv.slice(2);
const flag = (name) => argv.includes(`--${name}`);
const opt = (name, dflt) => {
  const a = argv.find((x) => x.startsWith(`--${name}=`));
  return a ? a.slice(name.length + 3) : dflt;
};
const QUICK = flag("quick");
const BROWSER = opt("browser", "chromium");
if (!["chromium", "firefox"].includes(BROWSER)) throw new Error(`--browser=${BROWSER}: expected chromium or firefox`);
const SCALING_ONLY = flag("scaling");
const list = (name, dflt, f = String) => opt(name, dflt.join(",")).split(",").map(f);
const CFG = {
  quick: QUICK,
  workloads: opt("workloads", "lenet,cifar-convnetjs,vgg-mini").split(","),
  batches: opt("batches", QUICK ? "64" : "1,16,64").split(",").map(Number),
  // warm-up: at least `warmSteps` steps unless a contender's steps are so slow that `warmSeconds`
  // pass first (then at least `minWarm`); measure: `measSteps` steps, capped by `measSeconds`
  // (then at least `minMeas`), interleaved round robin. The caps differ by class:
  // the headline pair (trainlab and patched TF.js wasm) gets the full step counts except in
  // pathological cases; the slow floor contenders (TF.js cpu, ConvNetJS) are capped tightly.
  warmSteps: QUICK ? 5 : 10,
  measSteps: QUICK ? 10 : 20,
  minWarm: 2,
  minMeas: 3,
  warmMinSeconds: QUICK ? 0.5 : 1,
  // a timing sample covers enough consecutive steps to last ~sampleMs (the worker clock is 100 µs)
  sampleMs: 10,
  caps: {
    // seconds; a contender whose predicted step time exceeds maxStepSeconds is not run for the
    // cell (its row shows the estimate from the previous batch size)
    primary: QUICK ? { warmSeconds: 5, measSeconds: 20, maxStepSeconds: 10 } : { warmSeconds: 30, measSeconds: 90, maxStepSeconds: 20 },
    floor: QUICK ? { warmSeconds: 2, measSeconds: 5, maxStepSeconds: 4 } : { warmSeconds: 5, measSeconds: 15, maxStepSeconds: 10 },
  },
  peakSeconds: QUICK ? 0.3 : 0.6,
  native: !flag("no-native"),
  pytorch: !flag("no-pytorch"),
  trainlab: !flag("no-trainlab"),
  out: opt("out", path.join(BENCH, "results", SCALING_ONLY ? "scaling.json" : "latest.json")),
  port: Number(opt("port", "0")),
  lr: 0.01,
  seed: 1,
  tfFused: opt("tf-fused", "auto"), // "auto" (try both, keep the faster), "true", "false"
  profileTf: flag("profile-tf"), // print TF.js's per-kernel time at the largest batch
  // several trainlab runs at once (bench/scaling.mjs): alone with --scaling, skipped with --no-scaling
  scaling: flag("no-scaling") || flag("no-trainlab") ? null : {
    workloads: list("scaling-workloads", SCALING_DEFAULTS.workloads),
    runs: list("scaling-runs", SCALING_DEFAULTS.runs, Number),
    windowSeconds: Number(opt("scaling-seconds", SCALING_DEFAULTS.windowSeconds)),
    // --quick: one pass of 1, 2, 4 runs (~45 s) instead of two
    reps: Number(opt("scaling-reps", QUICK ? 1 : SCALING_DEFAULTS.reps)),
  },
};
if (SCALING_ONLY && !CFG.scaling) throw new Error("--scaling measures trainlab runs; it cannot be combined with --no-scaling or --no-trainlab");
const capsOf = (c) => (c === "tfjs-cpu" || c === "convnetjs" ? CFG.caps.floor : CFG.caps.primary);
// trainlab's wasm builds (docs/CONTRACT.md, issue 13): the package directory each loads and the
// thread-pool size it asks for (0: a build without threads). "trainlab" is the simd128 build, the
// reference every ratio column divides by.
const BUILDS = {
  trainlab: { pkg: "pkg", threads: 0 },
  "trainlab-relaxed": { pkg: "pkg-relaxed", threads: 0 },
  "trainlab-threads-1": { pkg: "pkg-threads", threads: 1 },
  "trainlab-threads-2": { pkg: "pkg-threads", threads: 2 },
};
const isTrainlab = (c) => c in BUILDS;
const ALL_CONTENDERS = [...Object.keys(BUILDS), "tfjs-wasm", "tfjs-wasm-patched", "tfjs-cpu", "convnetjs"];
CFG.contenders = opt("contenders", ALL_CONTENDERS.join(",")).split(",");
for (const c of CFG.contenders) if (!ALL_CONTENDERS.includes(c)) throw new Error(`--contenders: unknown contender ${c} (known: ${ALL_CONTENDERS.join(", ")})`);
if (!CFG.trainlab) CFG.contenders = CFG.contenders.filter((c) => !isTrainlab(c));

const LABEL = {
  trainlab: "trainlab (wasm simd128)",
  "trainlab-relaxed": "trainlab (wasm relaxed-simd)",
  "trainlab-threads-1": "trainlab (wasm threads)",
  "trainlab-threads-2": "trainlab (wasm threads)",
  "tfjs-wasm": "TF.js 4.22 wasm (stock)",
  "tfjs-wasm-patched": "TF.js 4.22 wasm + dW kernel",
  "tfjs-cpu": "TF.js 4.22 cpu",
  convnetjs: "ConvNetJS 0.3.0",
  native: "trainlab native",
  pytorch: "PyTorch CPU",
};
const WORKER = {
  ...Object.fromEntries(Object.entries(BUILDS).map(([c, b]) => [c, [`/bench/workers/trainlab.js?pkg=${b.pkg}&threads=${b.threads}`, "module"]])),
  "tfjs-wasm": ["/bench/workers/tfjs.js?variant=wasm", "classic"],
  "tfjs-wasm-patched": ["/bench/workers/tfjs.js?variant=wasm-patched", "classic"],
  "tfjs-cpu": ["/bench/workers/tfjs.js?variant=cpu", "classic"],
  convnetjs: ["/bench/workers/convnetjs.js", "classic"],
};

vm.runInThisContext(fs.readFileSync(path.join(BENCH, "lib", "nets.js"), "utf8"));
const NETS = globalThis.BENCH_NETS;

const log = (...a) => console.error(...a); // progress on stderr, tables on stdout
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  return n === 0 ? NaN : n % 2 ? s[n >> 1] : (s[n / 2 - 1] + s[n / 2]) / 2;
};

// ---------------------------------------------------------------------------------------------
// static server: the repository, read-only, GET/HEAD only, no directory listings
// ---------------------------------------------------------------------------------------------
const MIME = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".wasm": "application/wasm",
  ".json": "application/json",
  ".map": "application/json",
  ".css": "text/css",
  ".wat": "text/plain",
};
// Cross-origin isolation, so the threaded build gets SharedArrayBuffer. Every response carries
// both: COEP must hold for the workers' scripts too. The single-threaded contenders are unaffected
// (TF.js's wasm backend is told not to use threads).
const ISOLATION = {
  "cross-origin-opener-policy": "same-origin",
  "cross-origin-embedder-policy": "require-corp",
};
function serve(port) {
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, "http://x");
    const file = path.resolve(ROOT, "." + decodeURIComponent(url.pathname));
    if ((req.method !== "GET" && req.method !== "HEAD") || !file.startsWith(ROOT + path.sep)) {
      res.writeHead(403).end();
      return;
    }
    fs.stat(file, (err, st) => {
      // A package directory answers with its entry module: the threaded build's pool workers
      // import their package as `import('../../..')` (wasm-bindgen-rayon's workerHelpers.js), which
      // a bundler resolves through package.json and a plain server must too.
      if (!err && st.isDirectory() && url.pathname.endsWith("/")) {
        try {
          const pkg = JSON.parse(fs.readFileSync(path.join(file, "package.json"), "utf8"));
          const entry = path.resolve(file, pkg.module || pkg.main || "");
          if (entry.startsWith(file + path.sep) && fs.statSync(entry).isFile()) {
            res.writeHead(200, { "content-type": MIME[".js"], "cache-control": "no-store", ...ISOLATION });
            if (req.method === "HEAD") res.end();
            else fs.createReadStream(entry).pipe(res);
            return;
          }
        } catch {
          /* not a package: 404 below */
        }
      }
      if (err || !st.isFile()) {
        res.writeHead(404, { "content-type": "text/plain" }).end("not found");
        return;
      }
      res.writeHead(200, {
        "content-type": MIME[path.extname(file)] || "application/octet-stream",
        "content-length": st.size,
        "cache-control": "no-store",
        ...ISOLATION,
      });
      if (req.method === "HEAD") res.end();
      else fs.createReadStream(file).pipe(res);
    });
  });
  return new Promise((resolve) => server.listen(port, "127.0.0.1", () => resolve(server)));
}

// ---------------------------------------------------------------------------------------------
// measurement
// ---------------------------------------------------------------------------------------------
async function main() {
  const t0 = Date.now();
  // A build whose package is missing gets no row; the reason is printed and kept in the JSON.
  const notRun = {};
  for (const c of CFG.contenders.filter(isTrainlab)) {
    const pkg = BUILDS[c].pkg;
    if (fs.existsSync(path.join(ROOT, pkg, "trainlab.js"))) continue;
    notRun[c] = `${pkg}/trainlab.js missing (bench/run.sh builds it${pkg === "pkg" ? " with wasm-pack" : ` with scripts/${pkg}.sh when that exists`})`;
    log(`! ${LABEL[c]}${BUILDS[c].threads ? ` ×${BUILDS[c].threads}` : ""}: skipped: ${notRun[c]}`);
    CFG.contenders = CFG.contenders.filter((x) => x !== c);
    if (c === "trainlab") {
      if (SCALING_ONLY) throw new Error("--scaling needs pkg/trainlab.js: build it with wasm-pack (bench/run.sh does)");
      CFG.scaling = null;
    }
  }
  // when each package was built: builds of different commits are not comparable, so the table says
  const builtAt = {};
  for (const b of Object.values(BUILDS)) {
    const f = path.join(ROOT, b.pkg, "trainlab_bg.wasm");
    if (fs.existsSync(f)) builtAt[b.pkg] = fs.statSync(f).mtime.toISOString().slice(0, 16).replace("T", " ");
  }
  // run.sh builds the example into its own target dir when CARGO_TARGET_DIR is set
  const nativeBin = path.join(process.env.CARGO_TARGET_DIR ? path.resolve(ROOT, process.env.CARGO_TARGET_DIR) : path.join(ROOT, "target"), "release", "examples", "bench_native");
  const server = await serve(CFG.port);
  const base = `http://127.0.0.1:${server.address().port}`;
  log(`serving ${ROOT} at ${base}`);
  const browser = BROWSER === "firefox"
    ? await firefox.launch({ channel: "moz-firefox", executablePath: process.env.FIREFOX || "/usr/bin/firefox-esr", headless: true })
    : await chromium.launch({
      executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
      headless: true,
      args: [
        "--no-sandbox", "--headless=new", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run",
      ],
    });
  const results = {
    meta: {
      date: new Date().toISOString(),
      quick: QUICK,
      config: CFG,
      browser: BROWSER,
      chromium: BROWSER === "chromium" ? browser.version() : undefined,
      firefox: BROWSER === "firefox" ? browser.version() : undefined,
      node: process.version,
      cpu: os.cpus()[0]?.model,
      cpus: os.cpus().length,
      loadavgAtStart: os.loadavg(),
      builtAt,
      gitCommit: spawnSync("git", ["-C", ROOT, "rev-parse", "--short", "HEAD"]).stdout?.toString().trim(),
    },
    workloads: {},
    contenders: {},
    peak: null,
    cells: [],
    notRun,
    native: null,
    pytorch: null,
  };
  for (const w of CFG.workloads) results.workloads[w] = NETS.analyse(w);
  let page;
  try {
    page = await browser.newPage();
    page.on("console", (m) => {
      if (m.type() === "error" || m.type() === "warning") log(`  [page ${m.type()}] ${m.text()}`);
    });
    page.on("pageerror", (e) => log(`  [page error] ${e.message}`));
    await page.goto(`${base}/bench/harness.html`);
    results.meta.crossOriginIsolated = await page.evaluate(() => self.crossOriginIsolated);
    log(`harness page cross-origin isolated: ${results.meta.crossOriginIsolated}`);
    // Errors come back as "page.evaluate: Error: <message>\n    at <page stack>"; keep the message.
    const call = (name, cmd, args) =>
      page.evaluate(([n, c, a]) => window.benchCall(n, c, a), [name, cmd, args]).catch((e) => {
        const m = String(e.message).replace(/^page\.evaluate: (Error: )?/, "").split("\n    at ")[0];
        throw new Error(m);
      });

    if (!SCALING_ONLY) await measureContenders(page, call, results);
    if (CFG.scaling) {
      try {
        results.scaling = await measureScaling({ page, call, log, opts: CFG.scaling });
      } catch (e) {
        // alone, a failure is the run's failure; after the contender cells, keep their tables
        if (SCALING_ONLY) throw e;
        results.scaling = { error: e.message };
        log(`! scaling failed: ${e.message}`);
      }
    }
  } finally {
    await browser.close();
    server.close();
  }

  // -- native and PyTorch, after the browser is gone, one after the other ----------------------
  const cellArgs = [`--workloads=${CFG.workloads.join(",")}`, `--batches=${CFG.batches.join(",")}`];
  if (QUICK) cellArgs.push("--quick");
  if (CFG.native && CFG.trainlab && !SCALING_ONLY) {
    if (fs.existsSync(nativeBin)) {
      log("\nrunning native build ...");
      results.native = runJson(nativeBin, cellArgs, "bench_native");
    } else results.native = { error: `${path.relative(ROOT, nativeBin)} not built` };
    if (results.native.error) log(`! native: ${results.native.error}`);
  }
  if (CFG.pytorch && !SCALING_ONLY) {
    // run.sh sets BENCH_PYTHON to the Python it installed torch into
    const python = process.env.BENCH_PYTHON;
    if (python) {
      log("\nrunning PyTorch (CPU, 1 thread) ...");
      results.pytorch = runJson(python, [path.join(BENCH, "pytorch_bench.py"), ...cellArgs], "pytorch_bench.py");
    } else results.pytorch = { error: "BENCH_PYTHON not set (bench/run.sh sets it after installing torch)" };
    if (results.pytorch.error) log(`! PyTorch: ${results.pytorch.error}`);
  }
  results.meta.seconds = (Date.now() - t0) / 1000;
  fs.mkdirSync(path.dirname(CFG.out), { recursive: true });
  fs.writeFileSync(CFG.out, JSON.stringify(results, null, 1));
  printTables(results);
  console.log(`\nJSON: ${path.relative(process.cwd(), CFG.out)}   (${results.meta.seconds.toFixed(0)} s)`);
}

// A benchmark program that prints one JSON object on stdout (progress on stderr, passed through).
function runJson(cmd, args, name) {
  const p = spawnSync(cmd, args, { encoding: "utf8", maxBuffer: 1 << 24, stdio: ["ignore", "pipe", "inherit"] });
  if (p.error) return { error: `${name} did not start: ${p.error.message}` };
  if (p.status !== 0) return { error: `${name} exited with ${p.status}` };
  try {
    return JSON.parse(p.stdout);
  } catch (e) {
    return { error: `bad JSON from ${name}: ${e.message}` };
  }
}

// The contender cells: the wasm peak, every contender in every workload × batch, the peak again.
async function measureContenders(page, call, results) {
  // -- the wasm peak, before and after everything else; the higher median counts ------------
  // A full sweep of kernel variants at the start and the end, and a short probe of the best
  // variant after every cell: load from other processes only lowers the figure, so the highest
  // of all of them is the peak.
  await page.evaluate(() => window.benchSpawn("peak", "/bench/workers/peak.js", "classic"));
  const runPeak = () => call("peak", "peak", { seconds: CFG.peakSeconds });
  const probes = [];
  log("measuring wasm f32x4 mul+add peak ...");
  const peakBefore = await runPeak();
  log(`  peak ${peakBefore.gflops.toFixed(1)} GFLOP/s (${peakBefore.best.mode}, ${peakBefore.best.chains} chains)`);

  // -- start the contenders ----------------------------------------------------------------
  const live = [];
  for (const c of CFG.contenders) {
    const [url, type] = WORKER[c];
    try {
      await page.evaluate(([n, u, t]) => window.benchSpawn(n, u, t), [c, url, type]);
      const info = await call(c, "init", {});
      results.contenders[c] = { label: LABEL[c], info };
      live.push(c);
      log(`started ${c}: ${JSON.stringify(info).slice(0, 300)}`);
      if (c === "tfjs-wasm-patched") {
        const v = info.verification;
        for (const k of v.cases) {
          log(`  dW check x=${k.x} f=${k.filter} pad=${JSON.stringify(k.pad)} rel.err=${k.relErr.toExponential(2)} ${k.pass ? "ok" : "FAIL"}`);
        }
        for (const t of v.training) {
          log(`  training ${t.workload} b${t.batch} ${t.fused ? "fused" : "unfused"}: cpu losses ${t.cpu.map((x) => x.toFixed(5)).join(" ")} | wasm ${t.wasm.map((x) => x.toFixed(5)).join(" ")} (max rel. diff ${t.maxRelDiff.toExponential(1)}) ${t.pass ? "ok" : "FAIL"}`);
        }
        if (!v.pass) throw new Error("patched Conv2DBackpropFilter disagrees with the cpu backend; not benchmarking it");
      }
    } catch (e) {
      results.contenders[c] = { label: LABEL[c], error: e.message };
      if (e.message.startsWith("skipped: ")) {
        // a build this browser cannot run: no row, the reason printed
        results.notRun[c] = e.message.slice("skipped: ".length);
        log(`! ${LABEL[c]}: ${e.message}`);
      } else log(`! ${c} failed to start: ${e.message}`);
      await page.evaluate((n) => window.benchKill(n), c);
    }
  }

  // TF.js variant choice: fused (tf.fused.conv2d/matMul with bias+relu, what tf.layers does) or
  // separate ops. "auto" measures both on each workload at the largest batch and keeps the faster.
  const tfFused = {};
  for (const w of CFG.workloads) {
    if (CFG.tfFused !== "auto") tfFused[w] = CFG.tfFused === "true";
    else if (!live.includes("tfjs-wasm-patched")) tfFused[w] = false;
    else {
      const b = Math.max(...CFG.batches);
      // Alternate the two variants twice and compare their fastest steps: load from other
      // processes only adds time, so the minimum is the steadier figure for an A/B choice.
      const rate = { false: Infinity, true: Infinity };
      for (let rep = 0; rep < 2; rep++) {
        for (const fused of [false, true]) {
          await call("tfjs-wasm-patched", "setup", { workload: w, batch: b, fused, lr: CFG.lr, seed: CFG.seed });
          await call("tfjs-wasm-patched", "steps", { n: 3 });
          const r = await call("tfjs-wasm-patched", "steps", { n: QUICK ? 3 : 5 });
          rate[fused] = Math.min(rate[fused], ...r.ms);
        }
      }
      await call("tfjs-wasm-patched", "teardown", {});
      tfFused[w] = rate[true] < rate[false];
      log(`TF.js ${w} b${b}: best step unfused ${rate[false].toFixed(1)} ms, fused ${rate[true].toFixed(1)} ms -> ${tfFused[w] ? "fused" : "unfused"}`);
    }
  }
  results.meta.tfFused = tfFused;

  // -- the cells ------------------------------------------------------------------------------
  const lastStep = {}; // contender -> workload -> {batch, ms}: predicts slow cells to skip
  for (const w of CFG.workloads) {
    const net = results.workloads[w];
    for (const b of CFG.batches) {
      log(`\n== ${w} batch ${b} ==`);
      const cell = { workload: w, batch: b, contenders: {}, loadavg: os.loadavg() };
      const active = [];
      for (const c of live) {
        const r = (cell.contenders[c] = { label: LABEL[c], threads: results.contenders[c].info?.threads ?? 1 });
        const cap = capsOf(c);
        const prev = lastStep[c]?.[w];
        if (prev && (prev.ms * b) / prev.batch / 1000 > cap.maxStepSeconds) {
          r.skipped = true;
          r.estImgPerSec = (prev.batch / prev.ms) * 1000;
          r.note = `skipped: predicted step ${((prev.ms * b) / prev.batch / 1000).toFixed(0)} s > ${cap.maxStepSeconds} s; estimate from batch ${prev.batch}`;
          log(`  ${c}: ${r.note}`);
          continue;
        }
        try {
          const info = await call(c, "setup", { workload: w, batch: b, lr: CFG.lr, seed: CFG.seed, fused: tfFused[w] });
          r.setup = info;
          // every contender must be training the same net: compare parameter counts
          if (info.params != null && info.params !== net.params) {
            r.paramMismatch = `${info.params} params, workload has ${net.params}`;
            log(`  ! ${c}: ${r.paramMismatch}`);
          }
          // Warm-up: at least warmSteps steps and warmMinSeconds (so V8 has tiered the code up,
          // even for sub-millisecond steps), unless the class's warm-up cap runs out first.
          // Fast steps are run in groups (see lib/protocol.js), each call ~sampleMs long.
          const warm = [];
          let warmed = 0;
          let g = 1;
          const tw = Date.now();
          for (;;) {
            const elapsed = Date.now() - tw;
            const wantMore = warmed < CFG.warmSteps || elapsed < CFG.warmMinSeconds * 1000;
            const capped = warmed >= CFG.minWarm && elapsed >= cap.warmSeconds * 1000;
            if (!wantMore || capped) break;
            const s = await call(c, "steps", { n: 1, group: g });
            warm.push(s.ms[0]);
            warmed += g;
            r.firstLoss ??= s.loss;
            if (s.ms[0] / 1000 > cap.maxStepSeconds) break;
            g = Math.min(1000, Math.max(1, Math.ceil(CFG.sampleMs / Math.max(s.ms[0], 0.02))));
          }
          r.warmupMs = warm;
          r.warmupSteps = warmed;
          const est = median(warm.slice(-Math.max(1, warm.length >> 1)));
          const group = Math.min(1000, Math.max(1, Math.ceil(CFG.sampleMs / Math.max(est, 0.02))));
          let n = CFG.measSteps;
          if (est * group * n > cap.measSeconds * 1000) n = Math.max(CFG.minMeas, Math.floor((cap.measSeconds * 1000) / (est * group)));
          if (est / 1000 > cap.maxStepSeconds) n = 0; // report the warm-up steps only
          r.group = group;
          r.planned = n;
          r.ms = [];
          active.push(c);
          log(`  ${c}: warm ${warmed} steps, ~${est.toFixed(2)} ms/step -> measure ${n} samples of ${group} step(s)`);
        } catch (e) {
          r.error = e.message;
          log(`  ${c}: ${e.message}`);
        }
      }
      // Interleaved round robin: in each of measSteps rounds every contender takes its share of
      // samples (one, for the full count), so a burst of load hits all contenders alike.
      const R = CFG.measSteps;
      for (let round = 0; round < R; round++) {
        for (const c of active) {
          const r = cell.contenders[c];
          const todo = Math.floor(((round + 1) * r.planned) / R) - Math.floor((round * r.planned) / R);
          if (todo <= 0 || r.error) continue;
          try {
            const s = await call(c, "steps", { n: todo, group: r.group });
            r.ms.push(...s.ms);
            r.lastLoss = s.loss;
            if (s.leakedTensors) r.leakedTensors = (r.leakedTensors || 0) + s.leakedTensors;
          } catch (e) {
            r.error = e.message;
          }
        }
      }
      for (const c of active) {
        const r = cell.contenders[c];
        try {
          await call(c, "teardown", {});
        } catch (e) {
          /* a failed contender may not tear down; it is set up afresh next cell */
        }
        if (r.error) continue;
        const samples = r.ms.length ? r.ms : r.warmupMs;
        r.estimatedFromWarmup = r.ms.length === 0;
        r.steps = samples.length;
        r.reduced = r.ms.length < CFG.measSteps || r.warmupSteps < CFG.warmSteps;
        r.medianMs = median(samples);
        r.minMs = Math.min(...samples);
        r.imgPerSec = (b / r.medianMs) * 1000;
        r.gflops = (r.imgPerSec * net.exactFlops) / 1e9;
        (lastStep[c] ??= {})[w] = { batch: b, ms: r.medianMs };
        log(`  ${c}: ${r.imgPerSec.toFixed(1)} img/s (${r.steps} steps, median ${r.medianMs.toFixed(2)} ms)`);
      }
      results.cells.push(cell);
      const probe = await call("peak", "peak", { seconds: 0.3, only: peakBefore.best });
      probes.push(probe.gflops);
      cell.peakProbe = probe.gflops;
    }
  }

  if (CFG.profileTf && live.includes("tfjs-wasm-patched")) {
    results.tfProfile = {};
    const b = Math.max(...CFG.batches);
    for (const w of CFG.workloads) {
      await call("tfjs-wasm-patched", "setup", { workload: w, batch: b, fused: tfFused[w], lr: CFG.lr, seed: CFG.seed });
      await call("tfjs-wasm-patched", "steps", { n: 3 });
      const p = await call("tfjs-wasm-patched", "profile", { n: 3 });
      await call("tfjs-wasm-patched", "teardown", {});
      results.tfProfile[w] = { batch: b, ...p };
    }
  }

  log("\nmeasuring wasm peak again ...");
  const peakAfter = await runPeak();
  results.peak = {
    gflops: Math.max(peakBefore.gflops, peakAfter.gflops, ...probes),
    before: peakBefore,
    after: peakAfter,
    probes,
  };
  log(`  peak ${peakAfter.gflops.toFixed(1)} GFLOP/s; using ${results.peak.gflops.toFixed(1)}`);
}

// ---------------------------------------------------------------------------------------------
// tables
// ---------------------------------------------------------------------------------------------
const fmt = (x, d = 1) => (x == null || !Number.isFinite(x) ? "—" : x >= 1000 ? Math.round(x).toLocaleString("en-US") : x.toFixed(d));
const pad = (s, n, right = false) => (right ? String(s).padEnd(n) : String(s).padStart(n));

// The row of a program run after the browser (results.native, results.pytorch) for one cell.
function programCell(results, key, w, b) {
  const n = results[key];
  if (!n || n.error || !n.results) return null;
  return n.results.find((r) => r.workload === w && r.batch === b) || null;
}
const nativeCell = (results, w, b) => programCell(results, "native", w, b);
const pytorchCell = (results, w, b) => programCell(results, "pytorch", w, b);
const rateOf = (r) => (r && !r.error && !r.skipped ? r.imgPerSec : null);

function printTables(results) {
  const out = [];
  out.push(`\ntrainlab benchmark — ${results.meta.date}, ${results.meta.chromium ? "Chromium " + results.meta.chromium : ""}${results.meta.firefox ? "Firefox " + results.meta.firefox : ""}, ${results.meta.cpu} (${results.meta.cpus} vCPU), commit ${results.meta.gitCommit}${results.meta.quick ? ", QUICK" : ""}`);
  if (results.peak) contenderTables(results, out);
  if (results.scaling) out.push(...scalingTable(results.scaling));
  console.log(out.join("\n"));
}

// One table per workload × batch, the TF.js profile and the summary.
function contenderTables(results, out) {
  const peak = results.peak?.gflops;
  out.push(`wasm f32x4 mul+add peak: ${fmt(peak)} GFLOP/s (best run of ${results.peak?.before.variants.length} kernel variants; sweep before ${fmt(results.peak?.before.gflops)}, after ${fmt(results.peak?.after.gflops)}, probes between cells ${results.peak?.probes.map((x) => fmt(x, 0)).join("/")})`);
  const v = results.contenders["tfjs-wasm-patched"]?.info?.verification;
  if (v) {
    const worst = Math.max(...v.cases.map((c) => c.relErr));
    const worstTrain = Math.max(...v.training.map((t) => t.maxRelDiff));
    out.push(`patched TF.js Conv2DBackpropFilter vs cpu backend: ${v.pass ? "PASS" : "FAIL"} — ${v.cases.length} kernel cases (worst rel. error ${worst.toExponential(1)}), ${v.training.length} short training runs cpu vs wasm (worst loss rel. diff ${worstTrain.toExponential(1)})`);
  }
  if (results.native?.backend) out.push(`native build: kernels "${results.native.backend}", ${results.native.target || ""}`);
  if (results.pytorch?.torch) out.push(`PyTorch ${results.pytorch.torch} on the CPU, ${results.pytorch.threads} thread(s), kernels ${results.pytorch.capability}`);
  for (const c of Object.keys(BUILDS)) {
    const i = results.contenders[c]?.info;
    if (i) out.push(`${LABEL[c]}${BUILDS[c].threads ? ` ×${BUILDS[c].threads}` : ""}: ${BUILDS[c].pkg}/ built ${results.meta.builtAt?.[BUILDS[c].pkg] ?? "?"}, backend "${i.backend}", buildInfo ${i.build ? JSON.stringify(i.build) : "absent (older package)"}`);
  }
  for (const [c, r] of Object.entries(results.contenders)) {
    if (r.error && !results.notRun?.[c]) out.push(`not measured: ${r.label}${BUILDS[c]?.threads ? ` ×${BUILDS[c].threads}` : ""} — failed to start: ${r.error}`);
  }
  for (const [c, why] of Object.entries(results.notRun || {})) out.push(`not measured: ${LABEL[c]}${BUILDS[c]?.threads ? ` ×${BUILDS[c].threads}` : ""} — ${why}`);
  if (results.meta.crossOriginIsolated === false) out.push("! the harness page was not cross-origin isolated: no SharedArrayBuffer, so no threaded build");
  out.push("GFLOP/s = img/s × exact FLOP per image (forward + weight grad + input grad except the first layer).");
  out.push("ratio = trainlab img/s ÷ contender img/s (> 1: trainlab faster). 'N×g' = N timing samples of g consecutive steps each (fast steps, so the timer's resolution never matters); '~' = fewer than 10 warm-up steps + 20 samples (slow contender, time-capped).");
  for (const cell of results.cells) {
    const net = results.workloads[cell.workload];
    const tl = cell.contenders.trainlab;
    const tlRate = tl && !tl.error && !tl.skipped ? tl.imgPerSec : null;
    out.push("");
    out.push(`${cell.workload} · batch ${cell.batch} · FLOP/img exact ${fmt(net.exactFlops / 1e6, 2)} M (BENCHMARKS.md ${fmt(net.tableFlops / 1e6, 1)} M, 3×fwd ${fmt(net.threeForwardFlops / 1e6, 2)} M) · ${net.params.toLocaleString("en-US")} params`);
    out.push(`  ${pad("contender", 30, true)}${pad("threads", 8)}${pad("img/s", 10)}${pad("GFLOP/s", 9)}${pad("ms/step", 10)}${pad("best ms", 10)}${pad("samples", 9)}${pad("trainlab ×", 12)}  note`);
    const row = (label, r, ratioOf) => {
      const head = `  ${pad(label, 30, true)}${pad(r.threads ?? 1, 8)}`;
      if (r.error) return `${head}${pad("FAILS", 10)}${pad("", 9)}${pad("", 10)}${pad("", 10)}${pad("", 9)}${pad("", 12)}  ${r.error.slice(0, 110)}`;
      if (r.skipped) return `${head}${pad("(" + fmt(r.estImgPerSec) + ")", 10)}${pad("", 9)}${pad("", 10)}${pad("", 10)}${pad("", 9)}${pad(tlRate && r.estImgPerSec ? "(" + fmt(tlRate / r.estImgPerSec, 2) + ")" : "", 12)}  ${r.note}`;
      const ratio = ratioOf && tlRate ? fmt(tlRate / r.imgPerSec, 2) : "";
      const notes = [];
      if (r.estimatedFromWarmup) notes.push("from warm-up steps only");
      if (r.leakedTensors) notes.push(`leaked ${r.leakedTensors} tensors`);
      if (r.paramMismatch) notes.push(`NOT THE SAME NET: ${r.paramMismatch}`);
      if (r.extraNote) notes.push(r.extraNote);
      return `${head}${pad(fmt(r.imgPerSec), 10)}${pad(fmt(r.gflops, 2), 9)}${pad(fmt(r.medianMs, 2), 10)}${pad(fmt(r.minMs, 2), 10)}${pad((r.reduced ? "~" : "") + r.steps + (r.group > 1 ? "×" + r.group : ""), 9)}${pad(ratio, 12)}  ${notes.join("; ")}`;
    };
    for (const [c, r] of Object.entries(cell.contenders)) {
      if (isTrainlab(c)) {
        // the builds are compared with the simd128 build in the note, not in the ratio column
        const notes = [];
        if (c !== "trainlab" && rateOf(r) && tlRate) notes.push(`${fmt(r.imgPerSec / tlRate, 2)}× simd128`);
        if (rateOf(r) && peak) notes.push(`${fmt((100 * r.gflops) / peak, 1)}% of the 1-thread wasm peak`);
        out.push(row(r.label, { ...r, extraNote: notes.join("; ") }, false));
      } else out.push(row(r.label, r, true));
    }
    // programs run after the browser: the ratio is the simd128 build's img/s ÷ theirs
    const program = (label, p, note) => {
      const g = (p.imgPerSec * net.exactFlops) / 1e9;
      return `  ${pad(label, 30, true)}${pad(p.threads ?? 1, 8)}${pad(fmt(p.imgPerSec), 10)}${pad(fmt(g, 2), 9)}${pad(fmt(p.medianMs, 2), 10)}${pad(fmt(p.minMs, 2), 10)}${pad(p.steps, 9)}${pad(tlRate ? fmt(tlRate / p.imgPerSec, 2) : "", 12)}  ${note}`;
    };
    const nat = nativeCell(results, cell.workload, cell.batch);
    if (nat) out.push(program(LABEL.native, nat, "wasm ÷ native"));
    const pt = pytorchCell(results, cell.workload, cell.batch);
    if (pt) {
      const mismatch = pt.params !== net.params ? `; NOT THE SAME NET: ${pt.params} params, workload has ${net.params}` : "";
      out.push(program(`${LABEL.pytorch} ${results.pytorch.torch.split("+")[0]}`, { ...pt, threads: results.pytorch.threads }, `wasm ÷ PyTorch${mismatch}`));
    }
    if (peak) out.push(`  ${pad("wasm f32x4 peak", 30, true)}${pad("", 10)}${pad(fmt(peak, 1), 9)}`);
  }
  if (results.tfProfile) {
    out.push("\nTF.js wasm + dW kernel, per-kernel ms per step (tf.profile):");
    for (const [w, p] of Object.entries(results.tfProfile)) {
      const top = Object.entries(p.kernelMs).sort((a, b) => b[1] - a[1]).slice(0, 7);
      out.push(`  ${w} b${p.batch}: step ${fmt(p.wallMs, 1)} ms — ${top.map(([k, v]) => `${k} ${fmt(v, 1)}`).join(", ")}`);
    }
  }
  // summary: one line per cell
  out.push("\nsummary (img/s; trainlab ratio in brackets)");
  const cols = ["trainlab", "tfjs-wasm-patched", "tfjs-cpu", "convnetjs"];
  out.push(`  ${pad("workload", 16, true)}${pad("batch", 6)}${cols.map((c) => pad(c === "tfjs-wasm-patched" ? "tfjs-wasm+dW" : c, 20)).join("")}${pad("native", 20)}${pad("% peak", 8)}`);
  for (const cell of results.cells) {
    const tl = cell.contenders.trainlab;
    const tlRate = tl && !tl.error && !tl.skipped ? tl.imgPerSec : null;
    const cellStr = (rate, est) => {
      if (rate == null) return pad("—", 20);
      const s = (est ? "(" : "") + fmt(rate) + (est ? ")" : "") + (tlRate && rate !== tlRate ? ` [${fmt(tlRate / rate, 2)}×]` : "");
      return pad(s, 20);
    };
    const parts = cols.map((c) => {
      const r = cell.contenders[c];
      if (!r || r.error) return pad(r?.error ? "fails" : "—", 20);
      return r.skipped ? cellStr(r.estImgPerSec, true) : cellStr(r.imgPerSec);
    });
    const nat = nativeCell(results, cell.workload, cell.batch);
    parts.push(cellStr(nat?.imgPerSec));
    parts.push(pad(tlRate && results.peak ? fmt((100 * tl.gflops) / results.peak.gflops, 1) + "%" : "—", 8));
    out.push(`  ${pad(cell.workload, 16, true)}${pad(cell.batch, 6)}${parts.join("")}`);
  }
  out.push(...buildsSummary(results));
}

// One line per trainlab build (and native) per cell, against the anchors of issue 13: the simd128
// build, PyTorch on one CPU thread and TF.js's wasm backend with the filter-gradient kernel.
function buildsSummary(results) {
  const out = ["\ntrainlab builds (img/s and ratios: × simd128 = this ÷ the simd128 build; ÷ PyTorch = this ÷ PyTorch CPU 1 thread; ÷ TF.js = this ÷ TF.js wasm + dW)"];
  out.push(`  ${pad("workload", 16, true)}${pad("batch", 6)}  ${pad("build", 30, true)}${pad("threads", 8)}${pad("img/s", 10)}${pad("× simd128", 11)}${pad("÷ PyTorch", 11)}${pad("÷ TF.js", 9)}${pad("% peak", 8)}`);
  for (const cell of results.cells) {
    const base = rateOf(cell.contenders.trainlab);
    const pt = pytorchCell(results, cell.workload, cell.batch)?.imgPerSec;
    const tf = rateOf(cell.contenders["tfjs-wasm-patched"]);
    const line = (label, threads, rate, gflops) => `  ${pad(cell.workload, 16, true)}${pad(cell.batch, 6)}  ${pad(label, 30, true)}${pad(threads, 8)}${pad(fmt(rate), 10)}${pad(base ? fmt(rate / base, 2) : "—", 11)}${pad(pt ? fmt(rate / pt, 2) : "—", 11)}${pad(tf ? fmt(rate / tf, 2) : "—", 9)}${pad(gflops != null && results.peak ? fmt((100 * gflops) / results.peak.gflops, 1) + "%" : "", 8)}`;
    for (const c of Object.keys(BUILDS)) {
      const r = cell.contenders[c];
      if (rateOf(r)) out.push(line(r.label, r.threads, r.imgPerSec, r.gflops));
    }
    const nat = nativeCell(results, cell.workload, cell.batch);
    if (nat) out.push(line(LABEL.native, 1, nat.imgPerSec, null));
  }
  return out;
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
