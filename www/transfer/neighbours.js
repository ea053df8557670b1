// The nearest-neighbour panel (the lecture's "Image Retrieval: Nearest-Neighbor"): a target
// validation image, its nearest training images by the pretrained network's features and by raw
// pixels. Computed on the page's own copy of the core (one small network on 1,000 images), not in a
// training worker.

import init, * as core from "../../pkg/trainlab.js";
import { loadBuiltin } from "../data/builtin.js";

const K = 8;
const POOL_PER_CLASS = 100;
// Steps between query images: a prime, so "Another image" walks through every class.
const STRIDE = 997;

let ready = null;

export function createNeighbours({ query, features, pixels, summary, next }) {
  let trainer = null, data = null, classNames = [], index = 0, valCount = 0, token = 0;

  /** `target`: one of ways.js TARGETS (its data set, and the classes kept of it). */
  async function use(target, weights) {
    const mine = ++token;
    next.disabled = true;
    summary.textContent = "loading…";
    ready ??= init();
    await ready;
    const id = target.dataset;
    const set = await loadBuiltin(id, { base: new URL("./", document.baseURI).href });
    if (mine !== token) return;
    trainer?.free();
    data?.free();
    const whole = core.Data.fromIdx(id, set.trainImages, set.trainLabels, set.valImages, set.valLabels, set.classNames, 0.1, 1);
    // Only the target's classes, renumbered in its order: queries and pool are then the same
    // images the three ways train and validate on.
    data = target.classes ? whole.keepClasses(target.classes) : whole;
    if (data !== whole) whole.free();
    classNames = target.classes ? target.classes.map((c) => set.classNames[c]) : set.classNames;
    valCount = data.summary().val;
    trainer = core.Trainer.forTransfer({ preset: "lenet", dataset: id, valSize: valCount }, data, weights,
      { mode: "features", perClass: POOL_PER_CLASS, seed: 1 });
    index = 0;
    show();
    next.disabled = false;
  }

  function show() {
    const r = trainer.nearestNeighbours(index, K);
    const label = r.query.label;
    query.replaceChildren(tile(r.query, null));
    features.replaceChildren(...r.features.map((n) => tile(n, label)));
    pixels.replaceChildren(...r.pixels.map((n) => tile(n, label)));
    const same = (list) => list.filter((n) => n.label === label).length;
    summary.textContent = `“${classNames[label]}” (validation image ${index}): same class among the ${K} nearest — ` +
      `features ${same(r.features)}/${K}, pixels ${same(r.pixels)}/${K} (of ${r.pool} training images)`;
    summary.dataset.features = same(r.features);
    summary.dataset.pixels = same(r.pixels);
  }

  function tile(item, queryLabel) {
    const fig = document.createElement("figure");
    fig.className = "nn-tile";
    const canvas = document.createElement("canvas");
    canvas.width = item.width;
    canvas.height = item.height;
    canvas.getContext("2d").putImageData(new ImageData(new Uint8ClampedArray(item.rgba), item.width, item.height), 0, 0);
    const cap = document.createElement("figcaption");
    cap.textContent = classNames[item.label] ?? String(item.label);
    if (queryLabel !== null) {
      const match = item.label === queryLabel;
      fig.classList.add(match ? "match" : "miss");
      canvas.title = `${classNames[item.label]} (${match ? "same class" : "another class"}), distance ${item.distance.toFixed(2)}`;
    }
    fig.append(canvas, cap);
    return fig;
  }

  next.addEventListener("click", () => {
    if (!trainer) return;
    index = (index + STRIDE) % valCount;
    show();
  });

  return { use };
}
