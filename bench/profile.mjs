// Where a trainlab training step spends its time, and how fast a build runs it: loads a wasm build
// (pkg/ unless --pkg) in Node (V8, as in Chromium) and either samples it with V8's CPU profiler,
// printing self time per function (the module keeps its name section, so Rust names show up), or
// (--vs) times two builds against each other, alternating, on the same data.
//
//   node bench/profile.mjs [--workload=lenet] [--batch=64] [--seconds=5] [--top=25] [--pkg=DIR]
//                          [--vs=DIR] [--rounds=8] [--peak]
//
// --pkg=DIR  the wasm-pack --target web directory to load (default pkg/). A relaxed-SIMD build needs
//            V8's flag in Node 20: the script re-runs itself with --experimental-wasm-relaxed-simd
//            when a module does not validate without it.
// --vs=DIR   no profiler: time --pkg and DIR in `rounds` alternating windows of seconds/rounds each
//            (so a burst of load from other processes hits both) and print each one's median step
//            and the ratio, and the median and range of the per-round ratios.
// --peak     also measure the f32x4 mul+add peak in this V8 (bench/workers/peak.js, the benchmark's
//            own kernel) and print GFLOP/s as % of it, as bench/run.mjs does.
// A diagnostic for whoever tunes the core; not part of the benchmark table.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import vm from "node:vm";
import inspector from "node:inspector";
import { spawnSync } from "node:child_process";
import { fileURLToPath, pathToFileURL } from "node:url";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const RELAXED_FLAG = "--experimental-wasm-relaxed-simd";
const opt = (name, dflt) => {
  const a = process.argv.slice(2).find((x) => x.startsWith(`--${name}=`));
  return a ? a.slice(name.length + 3) : dflt;
};
const flag = (name) => process.argv.slice(2).includes(`--${name}`);
const workload = opt("workload", "lenet");
const batch = Number(opt("batch", "64"));
const seconds = Number(opt("seconds", "5"));
const top = Number(opt("top", "25"));
const rounds = Number(opt("rounds", "8"));
const dirs = [opt("pkg", path.join(ROOT, "pkg")), opt("vs", null)].filter(Boolean).map((d) => path.resolve(d));

const wasmBytes = (dir) => {
  const file = path.join(dir, "trainlab_bg.wasm");
  if (!fs.existsSync(file)) throw new Error(`${file} not found: build it with wasm-pack --target web`);
  return fs.readFileSync(file);
};
// Node 20's V8 ships relaxed SIMD behind a flag (Chromium 114+ has it on): re-run with the flag.
if (dirs.some((d) => !WebAssembly.validate(wasmBytes(d)))) {
  if (process.execArgv.includes(RELAXED_FLAG)) {
    throw new Error(`${dirs.join(", ")}: a module does not validate in this V8, even with ${RELAXED_FLAG}`);
  }
  const r = spawnSync(process.execPath, [RELAXED_FLAG, ...process.execArgv, ...process.argv.slice(1)], {
    stdio: "inherit",
  });
  process.exit(r.status ?? 1);
}

vm.runInThisContext(fs.readFileSync(path.join(ROOT, "bench", "lib", "nets.js"), "utf8"));
const flopsPerImage = globalThis.BENCH_NETS.analyse(workload).exactFlops;

// One Trainer per build, configured as the benchmark's trainlab worker does.
async function load(dir) {
  const glue = await import(pathToFileURL(path.join(dir, "trainlab.js")).href);
  glue.initSync({ module: wasmBytes(dir) });
  const trainer = new glue.Trainer({
    preset: workload, dataset: "noise", seed: 1, learningRate: 0.01, momentum: 0.9, batchSize: batch,
    trainSize: Math.max(batch * 8, 256), valSize: 16,
  });
  const info = typeof glue.buildInfo === "function" ? glue.buildInfo() : null;
  return { dir, trainer, label: path.relative(process.cwd(), dir) || ".", backend: info ? info.backend : "?" };
}
const builds = [];
for (const d of dirs) builds.push(await load(d));
// Warm up (V8 tiers wasm code up after the first calls), as the benchmark does.
for (const b of builds) for (let t0 = performance.now(); performance.now() - t0 < 1000; ) b.trainer.step(1);

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
// Steps for `ms` milliseconds; returns each step's duration.
const timeSteps = (trainer, ms) => {
  const out = [];
  for (let t0 = performance.now(); performance.now() - t0 < ms; ) {
    const s = performance.now();
    trainer.step(1);
    out.push(performance.now() - s);
  }
  return out;
};

// The mul+add peak of this V8, from the benchmark's own worker script run in a vm context.
async function measurePeak() {
  const ctx = { performance, WebAssembly, console };
  ctx.self = ctx;
  ctx.importScripts = (p) => vm.runInContext(fs.readFileSync(path.join(ROOT, p), "utf8"), ctx);
  let answer;
  const done = new Promise((res) => (answer = res));
  ctx.postMessage = (m) => m.id === 1 && answer(m);
  vm.createContext(ctx);
  vm.runInContext(fs.readFileSync(path.join(ROOT, "bench", "workers", "peak.js"), "utf8"), ctx);
  ctx.onmessage({ data: { id: 1, cmd: "peak", args: { seconds: 0.3 } } });
  const m = await done;
  if (!m.ok) throw new Error(`peak kernel: ${m.error}`);
  return m.result.gflops;
}

const gflops = (ms) => (batch / ms) * flopsPerImage * 1e-6;
const head = `${workload} batch ${batch} (${(flopsPerImage / 1e6).toFixed(2)} MFLOP/img exact), Node ${process.version}, single thread, load average ${os.loadavg().map((x) => x.toFixed(2)).join(" ")}`;

if (builds.length === 2) {
  const samples = builds.map(() => []);
  // Each round's speed ratio (median of its two windows): their spread says how far load from
  // other processes moved the figure, which the pooled medians alone hide.
  const roundRatios = [];
  for (let r = 0; r < rounds; r++) {
    // Alternate which build goes first, so neither always follows the other.
    const order = r % 2 ? [1, 0] : [0, 1];
    const meds = [];
    for (const i of order) {
      const xs = timeSteps(builds[i].trainer, (seconds * 1000) / rounds / 2);
      samples[i].push(...xs);
      meds[i] = median(xs);
    }
    roundRatios.push(meds[0] / meds[1]);
  }
  const peak = flag("peak") ? await measurePeak() : null;
  console.log(head);
  const meds = samples.map(median);
  builds.forEach((b, i) => {
    const pct = peak ? `  ${((100 * gflops(meds[i])) / peak).toFixed(1)}% of peak` : "";
    console.log(`  ${b.label.padEnd(36)} ${meds[i].toFixed(2).padStart(7)} ms/step median (best ${Math.min(...samples[i]).toFixed(2)}, ${samples[i].length} steps)  ${gflops(meds[i]).toFixed(1)} GFLOP/s${pct}  [${b.backend}]`);
  });
  console.log(`  ${builds[1].label} / ${builds[0].label}: ${(meds[0] / meds[1]).toFixed(3)}× the speed`);
  const rs = [...roundRatios].sort((a, b) => a - b);
  console.log(`  per round: median ${median(rs).toFixed(3)}×, range ${rs[0].toFixed(3)}–${rs[rs.length - 1].toFixed(3)}× over ${rs.length} rounds`);
  if (peak) console.log(`  f32x4 mul+add peak in this V8: ${peak.toFixed(1)} GFLOP/s`);
  process.exit(0);
}

const { trainer } = builds[0];
const session = new inspector.Session();
session.connect();
const post = (method, params) =>
  new Promise((res, rej) => session.post(method, params, (e, r) => (e ? rej(e) : res(r))));
await post("Profiler.enable");
await post("Profiler.setSamplingInterval", { interval: 100 });
await post("Profiler.start");
const steps = timeSteps(trainer, seconds * 1000);
const { profile } = await post("Profiler.stop");
session.disconnect();
trainer.free();
const peak = flag("peak") ? await measurePeak() : null;

// self time per function name
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const hits = new Map();
for (const id of profile.samples) hits.set(id, (hits.get(id) || 0) + 1);
const self = new Map();
let total = 0;
for (const [id, h] of hits) {
  const n = byId.get(id);
  const name = n.callFrame.functionName || `(${n.callFrame.url ? path.basename(n.callFrame.url) : "anonymous"})`;
  self.set(name, (self.get(name) || 0) + h);
  total += h;
}
const msPerStep = steps.reduce((a, b) => a + b, 0) / steps.length;
const pct = peak ? `, ${((100 * gflops(msPerStep)) / peak).toFixed(1)}% of the ${peak.toFixed(1)} GFLOP/s peak` : "";
console.log(head);
console.log(`${builds[0].label} [${builds[0].backend}]: ${steps.length} steps, ${msPerStep.toFixed(2)} ms/step (median ${median(steps).toFixed(2)}; under the profiler), ${((batch / msPerStep) * 1000).toFixed(0)} img/s, ${gflops(msPerStep).toFixed(1)} GFLOP/s${pct}`);
console.log(`self time, % of samples (${total}) and ms per step:`);
for (const [name, h] of [...self].sort((a, b) => b[1] - a[1]).slice(0, top)) {
  const demangled = name.replace(/::h[0-9a-f]{16}$/, "");
  console.log(`  ${((100 * h) / total).toFixed(1).padStart(5)}%  ${((msPerStep * h) / total).toFixed(2).padStart(8)} ms  ${demangled.slice(0, 140)}`);
}
