#!/usr/bin/env node
// Measures transfer.html's comparison outside the browser, with the page's own settings
// (www/transfer/ways.js → www/state.js toConfig) and the same wasm core: for each target set, the
// three ways on the same per-class subset for the same budget, validation accuracy on the target's whole
// validation split; and the nearest-neighbour panel's same-class rate (k = 8, 100 training images per
// class) by features and by pixels, over many query images. Targets: the page's (ways.js TARGETS),
// Fashion-MNIST's five classes the network never saw and MNIST. Prints markdown tables.
//
// Usage: node scripts/transfer-table.mjs [--per-class 5,20,100] [--budget 300] [--queries 500]
//        (needs pkg/ built and assets/pretrained/lenet-fashion-even.safetensors: node scripts/pretrain.mjs)

import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";
import { buildDatasets, DEFAULT_OUT } from "./build-datasets.mjs";
import { toConfig } from "../www/state.js";
import { TARGETS, WAYS, wayValues } from "../www/transfer/ways.js";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const num = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const arg = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const perClasses = arg("--per-class", "5,20,100").split(",").map(Number), budget = num("--budget", 300), queries = num("--queries", 500);

await buildDatasets();
const core = await import(join(ROOT, "pkg", "trainlab.js"));
core.initSync({ module: readFileSync(join(ROOT, "pkg", "trainlab_bg.wasm")) });
const weights = new Uint8Array(readFileSync(join(ROOT, "assets", "pretrained", "lenet-fashion-even.safetensors")));
const dir = join(DEFAULT_OUT, "data");
const index = JSON.parse(readFileSync(join(dir, "datasets.json"), "utf8"));

function load(target) {
  const set = index.datasets.find((d) => d.id === target.dataset);
  const file = (key) => gunzipSync(readFileSync(join(dir, set.files[key].path)));
  const whole = core.Data.fromIdx(target.dataset, file("trainImages"), file("trainLabels"), file("valImages"), file("valLabels"), set.classNames, 0.1, 1);
  if (!target.classes) return whole;
  const kept = whole.keepClasses(target.classes);
  whole.free();
  return kept;
}

const pct = (v) => `${(v * 100).toFixed(1)}%`;
console.log("Validation accuracy on the whole validation split, after the same budget on the same images:\n");
console.log(`| target | ${WAYS.map((w) => w.title).join(" | ")} |`);
console.log(`|---|${WAYS.map(() => "---|").join("")}`);
const nnRows = [];
for (const target of TARGETS) {
  const data = load(target);
  const valSize = data.summary().val;
  for (const perClass of perClasses) {
    const cells = [];
    for (const way of WAYS) {
      const values = wayValues(way, { target: target.id, perClass, budget, weights });
      // The page's options but the classes: `data` is already the target's class subset.
      const t = core.Trainer.forTransfer(toConfig(values), data, values.transfer.weights,
        { ...values.transfer.options, classes: undefined, valSize });
      t.step(budget);
      cells.push(pct(t.evaluate().valAccuracy));
      t.free();
    }
    console.log(`| ${target.id}, ${perClass}/class, ${budget} steps | ${cells.join(" | ")} |`);
  }
  const nn = core.Trainer.forTransfer({ preset: "lenet", dataset: target.dataset, valSize }, data, weights,
    { mode: "features", perClass: 100, seed: 1 });
  let byFeatures = 0, byPixels = 0;
  for (let q = 0; q < queries; q++) {
    const r = nn.nearestNeighbours((q * 997) % valSize, 8);
    byFeatures += r.features.filter((n) => n.label === r.query.label).length;
    byPixels += r.pixels.filter((n) => n.label === r.query.label).length;
  }
  nnRows.push(`| ${target.id} (${nn.nearestNeighbours(0, 1).pool} searched) | ${pct(byFeatures / (8 * queries))} | ${pct(byPixels / (8 * queries))} |`);
  nn.free();
  data.free();
}
console.log(`\nNearest neighbours: ${queries} validation images as queries, 100 training images per class searched\n`);
console.log(`| target | same class among 8 nearest: features | pixels |\n|---|---|---|`);
for (const r of nnRows) console.log(r);
