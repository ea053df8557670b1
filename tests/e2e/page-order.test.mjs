// Native page order reproduces the page bit for bit: a run of the simd128 wasm build (pkg/, in Node)
// and the same config run natively with `kernels::sum_in_page_order(true)`
// (examples/page_order_losses.rs) give the same loss, learning rate and batch accuracy at every step
// and the same evaluation figures after the last one, compared as f64 bits. tests/scenarios.rs checks
// the page's scenario claims natively on that promise. The configs cover the transcendental paths
// (softmax exp/ln, every activation with an exp, tanh, sin or cos, Adam's powf, the cosine and SGDR
// schedules, label smoothing, Mixup/CutMix's Beta draw, RandAugment's rotation, evaluation and
// snapshot-ensemble log-losses) and the summation orders (the conv bias gradient's sum, batch norm).
//
// TRAINLAB_PAGE_ORDER_SCENARIOS=1 also compares every distinct run of tests/scenarios.json to its
// scenario's step (the runs whose figures tests/scenarios.rs checks natively; ~3 min).
//
// Node-only (no browser). Needs the wasm package: pkg/ (scripts/pkg.sh), or the folder that
// TRAINLAB_PKG names (relative to the repository). The native side is built and run by cargo
// (`cargo run --release --example page_order_losses`, in CARGO_TARGET_DIR if set).

import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const PKG = new URL(`${process.env.TRAINLAB_PKG ?? "pkg"}/`, new URL("../../", import.meta.url));
const WASM = new URL("trainlab_bg.wasm", PKG);
const STEPS = 40;

// Small data: the generated set is rendered on both sides, so its size is paid twice.
const SMALL = { trainSize: 512, valSize: 128 };
const CONFIGS = {
  // What a student gets on opening the page.
  default: { ...SMALL },
  // Activations whose formulas call exp, exp_m1, ln_1p, tanh, sin and cos; dropout; Adam
  // (powf bias corrections); a cosine schedule; label smoothing with Mixup and CutMix (Beta draws);
  // RandAugment (rotations: sin and cos of the angle).
  transcendental: {
    ...SMALL,
    seed: 3,
    layers: [
      { type: "conv2d", outChannels: 8, kernelSize: 3, padding: 1 }, { type: "tanh" },
      { type: "maxpool2d", kernelSize: 2 },
      { type: "conv2d", outChannels: 12, kernelSize: 3, padding: 1 }, { type: "mish" },
      { type: "maxpool2d", kernelSize: 2 },
      { type: "flatten" },
      { type: "linear", outFeatures: 48 }, { type: "swish" },
      { type: "dropout", p: 0.2 },
      { type: "linear", outFeatures: 32 }, { type: "elu" },
      { type: "linear", outFeatures: 32 }, { type: "sinc" },
      { type: "linear", outFeatures: 24 }, { type: "logsigmoid" },
      { type: "linear", outFeatures: 10 },
    ],
    optimizer: { type: "adam" },
    learningRate: 0.003,
    schedule: { type: "cosine", totalSteps: STEPS, etaMin: 0.0003 },
    augment: { labelSmoothing: 0.1, mixupAlpha: 0.4, cutmixAlpha: 1, hflip: 0.5, randaugmentN: 2, randaugmentM: 9 },
  },
  // Softplus, batch norm after every conv, dropout before the classifier, AdamW, SGDR restarts
  // with a snapshot ensemble and a weight average (both evaluated), test-time augmentation.
  batchnorm: {
    ...SMALL,
    seed: 5,
    activation: "softplus",
    batchNorm: true,
    dropRate: 0.3,
    optimizer: { type: "adamw" },
    learningRate: 0.002,
    schedule: { type: "sgdr", T_0: 10, T_mult: 2, etaMin: 0.0001 },
    snapshotEnsemble: true,
    modelEmaDecay: 0.9,
    tta: true,
  },
};

/** The f64's bits as 16 hex digits (NaN and -0 included). */
function bits(x) {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x ?? NaN);   // serde_json writes a NaN as null
  return view.getBigUint64(0).toString(16).padStart(16, "0");
}

const show = (x) => `${x} (0x${bits(x)})`;

/** The evaluation's numbers, and those one object down as "ema.valLoss" (what the native example prints). */
function figures(report) {
  const out = {};
  for (const [k, v] of Object.entries(report)) {
    if (typeof v === "number") out[k] = v;
    else if (v != null && typeof v === "object" && !Array.isArray(v)) {
      for (const [k2, v2] of Object.entries(v)) if (typeof v2 === "number") out[`${k}.${k2}`] = v2;
    }
  }
  return out;
}

/** `steps` steps of `config` in the simd128 wasm build: per step {loss, lr, accuracy}, then the evaluation. */
function wasmRun(wasm, config, steps) {
  const t = new wasm.Trainer(config);
  try {
    const backend = t.backend();
    const out = [];
    for (let i = 0; i < steps; i++) {
      const r = t.step(1);
      out.push({ loss: r.loss, lr: r.lr, accuracy: r.accuracy });
    }
    return { backend, steps: out, evaluation: figures(t.evaluate()) };
  } finally {
    t.free();
  }
}

/** The same natively, in the page's summation order (examples/page_order_losses.rs). */
function nativeRun(config, steps) {
  const out = execFileSync("cargo", ["run", "--release", "--quiet", "--example", "page_order_losses", "--", String(steps), "-"],
    { cwd: ROOT, input: JSON.stringify(config), encoding: "utf8", maxBuffer: 64 << 20, stdio: ["pipe", "pipe", "inherit"] });
  return JSON.parse(out);
}

/** Where two runs part: the first step (1-based) with a differing field, or an evaluation figure; null if none. */
function firstDifference(native, web) {
  assert.equal(web.steps.length, native.steps.length, "both sides took the same number of steps");
  for (const [i, n] of native.steps.entries()) {
    for (const field of ["loss", "lr", "accuracy"]) {
      if (bits(n[field]) !== bits(web.steps[i][field])) {
        return `step ${i + 1}: ${field} natively ${show(n[field])}, in wasm ${show(web.steps[i][field])}` +
          ` (step losses until then: ${native.steps.slice(0, i).map((s) => s.loss).join(", ")})`;
      }
    }
  }
  const keys = Object.keys(native.evaluation).sort();
  assert.deepEqual(Object.keys(web.evaluation).sort(), keys, "the evaluations report the same figures");
  for (const k of keys) {
    if (bits(native.evaluation[k]) !== bits(web.evaluation[k])) {
      return `evaluation after step ${native.steps.length}: ${k} natively ${show(native.evaluation[k])}, in wasm ${show(web.evaluation[k])}`;
    }
  }
  return null;
}

let wasm = null;
function loadWasm() {
  assert.ok(existsSync(WASM),
    `${fileURLToPath(WASM)} is missing: build the wasm package first with \`bash scripts/pkg.sh\` (or point TRAINLAB_PKG at one)`);
  return import(new URL("trainlab.js", PKG).href).then((m) => {
    m.initSync({ module: readFileSync(WASM) });
    return m;
  });
}

/** Runs `config` for `steps` steps on both sides and asserts they agree to the bit. */
async function comparePageOrder(name, config, steps) {
  wasm ??= await loadWasm();
  const started = performance.now();
  const web = wasmRun(wasm, config, steps);
  const wasmMs = performance.now() - started;
  assert.equal(web.backend, "wasm simd128", `${fileURLToPath(PKG)} must be the simd128 build (scripts/pkg.sh)`);
  const native = nativeRun(config, steps);
  const nativeMs = performance.now() - started - wasmMs;
  assert.match(native.backend, /page's summation order/, "the native side runs in page order");
  // Guard against comparing two degenerate runs: the losses move and stay finite.
  const losses = native.steps.map((s) => s.loss);
  assert.ok(losses.every(Number.isFinite), `finite losses: ${losses}`);
  assert.ok(new Set(losses).size > steps / 2, `the losses change from step to step: ${losses}`);
  const where = firstDifference(native, web);
  assert.equal(where, null, `native page order departs from the simd128 build at ${where}`);
  console.log(`${name}: ${steps} steps and the evaluation equal to the bit ` +
    `(wasm ${(wasmMs / 1000).toFixed(1)} s, native incl. cargo ${(nativeMs / 1000).toFixed(1)} s); ` +
    `last loss ${losses.at(-1)}, valLoss ${native.evaluation.valLoss}`);
}

for (const [name, config] of Object.entries(CONFIGS)) {
  test(`page order: ${name} run, ${STEPS} steps, natively bit for bit the simd128 build's`,
    () => comparePageOrder(name, config, STEPS));
}

if (process.env.TRAINLAB_PAGE_ORDER_SCENARIOS) {
  const scenarios = JSON.parse(readFileSync(new URL("../scenarios.json", import.meta.url), "utf8"));
  const seen = new Set();
  for (const sc of scenarios) {
    for (const [r, config] of sc.runs.entries()) {
      const key = `${JSON.stringify(config)} @${sc.at}`;
      if (seen.has(key)) continue;   // the shared base run of several scenarios: once
      seen.add(key);
      test(`page order: scenario ${sc.id} run ${r}, ${sc.at} steps, natively bit for bit the simd128 build's`,
        () => comparePageOrder(`${sc.id} run ${r}`, config, sc.at));
    }
  }
}
