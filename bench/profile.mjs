// Where a trainlab training step spends its time: runs the shipped wasm build (pkg/) in Node (same
// simd128 module; V8 like Chromium) under V8's sampling CPU profiler and prints self time per
// function (the module keeps its name section, so Rust function names show up).
//
//   node bench/profile.mjs [--workload=lenet] [--batch=64] [--seconds=5] [--top=25]
//
// A diagnostic for whoever tunes the core; not part of the benchmark table.
import fs from "node:fs";
import path from "node:path";
import inspector from "node:inspector";
import { fileURLToPath } from "node:url";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const opt = (name, dflt) => {
  const a = process.argv.slice(2).find((x) => x.startsWith(`--${name}=`));
  return a ? a.slice(name.length + 3) : dflt;
};
const workload = opt("workload", "lenet");
const batch = Number(opt("batch", "64"));
const seconds = Number(opt("seconds", "5"));
const top = Number(opt("top", "25"));

const { initSync, Trainer } = await import(path.join(ROOT, "pkg", "trainlab.js"));
initSync({ module: fs.readFileSync(path.join(ROOT, "pkg", "trainlab_bg.wasm")) });
const t = new Trainer({
  preset: workload, dataset: "noise", seed: 1, learningRate: 0.01, momentum: 0.9, batchSize: batch,
  trainSize: Math.max(batch * 8, 256), valSize: 16,
});
// warm up (tier-up), as the benchmark does
for (let t0 = performance.now(); performance.now() - t0 < 1000; ) t.step(1);

const session = new inspector.Session();
session.connect();
const post = (method, params) =>
  new Promise((res, rej) => session.post(method, params, (e, r) => (e ? rej(e) : res(r))));
await post("Profiler.enable");
await post("Profiler.setSamplingInterval", { interval: 100 });
await post("Profiler.start");
let steps = 0;
const t0 = performance.now();
while (performance.now() - t0 < seconds * 1000) {
  t.step(1);
  steps++;
}
const wall = performance.now() - t0;
const { profile } = await post("Profiler.stop");
t.free();

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
const msPerStep = wall / steps;
console.log(`${workload} batch ${batch}: ${steps} steps, ${msPerStep.toFixed(2)} ms/step, ${((batch / msPerStep) * 1000).toFixed(0)} img/s (Node ${process.version}, single thread)`);
console.log(`self time, % of samples (${total}) and ms per step:`);
for (const [name, h] of [...self].sort((a, b) => b[1] - a[1]).slice(0, top)) {
  const demangled = name.replace(/::h[0-9a-f]{16}$/, "");
  console.log(`  ${((100 * h) / total).toFixed(1).padStart(5)}%  ${((msPerStep * h) / total).toFixed(2).padStart(8)} ms  ${demangled.slice(0, 140)}`);
}
