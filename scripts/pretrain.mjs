#!/usr/bin/env node
// Trains the network transfer.html starts from and writes it as a weights file (safetensors, PyTorch
// names and layouts, config and format version in __metadata__; src/transfer/weights.rs):
//
//   assets/pretrained/lenet-fashion-mnist.safetensors
//
// Usage: node scripts/pretrain.mjs [--steps N] [--out FILE]   (needs pkg/ built: make pkg)
//
// LeNet-5 on all of Fashion-MNIST's training split (60,000 images, the built-in set of
// scripts/build-datasets.mjs), SGD with momentum, seed 1, a fixed number of steps, in node with the
// same wasm core the page runs. Deterministic: the same pkg/ and data give the same bytes.
// Fashion-MNIST as the source and MNIST as the usual target: the slide's "dataset very different
// from ImageNet" corner in miniature — clothes, then digits — with Fashion as the similar target.

import { readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";
import { buildDatasets, DEFAULT_OUT } from "./build-datasets.mjs";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const SOURCE = "fashion-mnist";
export const CONFIG = {
  preset: "lenet", dataset: SOURCE, seed: 1, learningRate: 0.01, momentum: 0.9, batchSize: 32,
  trainSize: 60000, valSize: 10000,
};
export const STEPS = 4000;      // ~2.1 epochs of 32 images

function arg(name, fallback) {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : fallback;
}

async function main() {
  const steps = Number(arg("--steps", STEPS));
  const out = resolve(arg("--out", join(ROOT, "assets", "pretrained", `lenet-${SOURCE}.safetensors`)));
  if (!(Number.isInteger(steps) && steps > 0)) throw new Error(`--steps must be a positive whole number, got ${arg("--steps")}`);
  await buildDatasets();
  const dir = join(DEFAULT_OUT, "data");
  const index = JSON.parse(readFileSync(join(dir, "datasets.json"), "utf8"));
  const set = index.datasets.find((d) => d.id === SOURCE);
  const file = (key) => gunzipSync(readFileSync(join(dir, set.files[key].path)));
  const core = await import(join(ROOT, "pkg", "trainlab.js"));
  core.initSync({ module: readFileSync(join(ROOT, "pkg", "trainlab_bg.wasm")) });
  const data = core.Data.fromIdx(SOURCE, file("trainImages"), file("trainLabels"), file("valImages"),
    file("valLabels"), set.classNames, 0.1, 1);
  const trainer = new core.Trainer(CONFIG, data);
  const t0 = Date.now();
  for (let done = 0; done < steps; done += 500) {
    const r = trainer.step(Math.min(500, steps - done));
    console.log(`step ${r.step}: loss ${r.loss.toFixed(3)} (${((Date.now() - t0) / 1000).toFixed(0)} s)`);
  }
  const ev = trainer.evaluate();
  const valAccuracy = ev.valAccuracy ?? ev.get?.("valAccuracy");
  const bytes = trainer.exportWeights(valAccuracy);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, bytes);
  console.log(`${out}: ${bytes.length} bytes, ${steps} steps, validation accuracy ${(valAccuracy * 100).toFixed(1)}%`);
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
