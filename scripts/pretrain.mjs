#!/usr/bin/env node
// Trains the network transfer.html starts from and writes it as a weights file (safetensors, PyTorch
// names and layouts, config and format version in __metadata__; src/transfer/weights.rs):
//
//   assets/pretrained/lenet-fashion-even.safetensors
//
// Usage: node scripts/pretrain.mjs [--classes 0,2,4,6,8] [--steps N] [--out FILE]   (needs pkg/: make pkg)
//
// LeNet-5 on the training images of some of Fashion-MNIST's classes (default the even ones:
// T-shirt/top, Pullover, Coat, Shirt, Bag — 30,000 images of the built-in set of
// scripts/build-datasets.mjs), validated on the same classes' validation images; SGD with momentum,
// seed 1, a fixed number of steps, in node with the same wasm core the page runs. Deterministic: the
// same pkg/ and data give the same bytes; the command is written into the file's metadata (madeBy).
// The classic split experiment: the page's "similar data" target is the OTHER classes of
// Fashion-MNIST (images and classes the network never saw), its "very different data" target MNIST.

import { readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";
import { buildDatasets, DEFAULT_OUT } from "./build-datasets.mjs";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const SOURCE = "fashion-mnist";
export const CONFIG = {
  preset: "lenet", dataset: SOURCE, seed: 1, learningRate: 0.01, momentum: 0.9, batchSize: 32,
  trainSize: 30000, valSize: 5000,
};
export const STEPS = 4000;      // ~4.3 epochs of 32 images over 30,000
export const CLASSES = [0, 2, 4, 6, 8];

function arg(name, fallback) {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : fallback;
}

async function main() {
  const steps = Number(arg("--steps", STEPS));
  const classesArg = arg("--classes", CLASSES.join(","));
  const classes = classesArg.split(",").map(Number);
  if (!classes.every((c) => Number.isInteger(c) && c >= 0)) throw new Error(`--classes must be class numbers such as 0,2,4,6,8, got ${classesArg}`);
  const even = classes.join(",") === CLASSES.join(",");
  const out = resolve(arg("--out", join(ROOT, "assets", "pretrained", even ? "lenet-fashion-even.safetensors" : `lenet-fashion-${classes.join("-")}.safetensors`)));
  if (!(Number.isInteger(steps) && steps > 0)) throw new Error(`--steps must be a positive whole number, got ${arg("--steps")}`);
  await buildDatasets();
  const dir = join(DEFAULT_OUT, "data");
  const index = JSON.parse(readFileSync(join(dir, "datasets.json"), "utf8"));
  const set = index.datasets.find((d) => d.id === SOURCE);
  const file = (key) => gunzipSync(readFileSync(join(dir, set.files[key].path)));
  const core = await import(join(ROOT, "pkg", "trainlab.js"));
  core.initSync({ module: readFileSync(join(ROOT, "pkg", "trainlab_bg.wasm")) });
  const all = core.Data.fromIdx(SOURCE, file("trainImages"), file("trainLabels"), file("valImages"),
    file("valLabels"), set.classNames, 0.1, 1);
  const data = all.keepClasses(classes);     // names the problem if a class is unknown or repeated
  const sizes = data.summary();
  const trainer = new core.Trainer({ ...CONFIG, trainSize: sizes.train, valSize: sizes.val }, data);
  console.log(`classes ${classes.map((c) => set.classNames[c]).join(", ")}: ${sizes.train} training, ${sizes.val} validation images`);
  const t0 = Date.now();
  for (let done = 0; done < steps; done += 500) {
    const r = trainer.step(Math.min(500, steps - done));
    console.log(`step ${r.step}: loss ${r.loss.toFixed(3)} (${((Date.now() - t0) / 1000).toFixed(0)} s)`);
  }
  const ev = trainer.evaluate();
  const valAccuracy = ev.valAccuracy ?? ev.get?.("valAccuracy");
  const command = `node scripts/pretrain.mjs --classes ${classes.join(",")} --steps ${steps}`;
  const bytes = trainer.exportWeights(valAccuracy, command);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, bytes);
  console.log(`${out}: ${bytes.length} bytes, ${steps} steps, validation accuracy ${(valAccuracy * 100).toFixed(1)}%`);
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
