// The nearest-neighbour panel's worker: loads the target set, builds a features-mode trainer on 100
// images per class and answers queries, so the page's main thread never holds the set nor blocks on
// the 1,000 feature vectors. Messages (each with the caller's `id`, echoed in the reply):
//   { type: "use", target: { dataset, classes }, weights, base, perClass } → { type: "ready", valCount, classNames }
//   { type: "show", index, k } → { type: "shown", result }   (Trainer.nearestNeighbours)
//   any failure → { type: "error", message }

import { startCore } from "../build.js";
import { loadBuiltin } from "../data/builtin.js";

let ready = null;
let core = null;               // the wasm module of the build www/build.js chose
// A thousand feature vectors need no pool of threads (and the three ways train beside this worker).
const REQUEST = { single: "the nearest-neighbour panel trains nothing" };
let trainer = null, data = null;

async function use({ target, weights, base, perClass }) {
  ready ??= startCore(REQUEST).then((loaded) => { core = loaded.core; });
  await ready;
  const id = target.dataset;
  const set = await loadBuiltin(id, { base });
  trainer?.free();
  data?.free();
  trainer = null;
  const whole = core.Data.fromIdx(id, set.trainImages, set.trainLabels, set.valImages, set.valLabels, set.classNames, 0.1, 1);
  // Only the target's classes, renumbered in its order: the same images the three ways use.
  data = target.classes ? whole.keepClasses(target.classes) : whole;
  if (data !== whole) whole.free();
  const valCount = data.summary().val;
  trainer = core.Trainer.forTransfer({ preset: "lenet", dataset: id, valSize: valCount }, data, weights,
    { mode: "features", perClass, seed: 1 });
  const classNames = target.classes ? target.classes.map((c) => set.classNames[c]) : set.classNames;
  return { type: "ready", valCount, classNames };
}

self.onmessage = async ({ data: msg }) => {
  try {
    if (msg.type === "use") self.postMessage({ id: msg.id, ...(await use(msg)) });
    else if (msg.type === "show") {
      if (!trainer) throw new Error("no target loaded yet");
      const result = trainer.nearestNeighbours(msg.index, msg.k);
      // Pixels as transferred typed arrays: the page then receives them without copying number lists.
      const items = [result.query, ...result.features, ...result.pixels];
      for (const item of items) item.rgba = new Uint8ClampedArray(item.rgba);
      self.postMessage({ id: msg.id, type: "shown", result }, items.map((item) => item.rgba.buffer));
    } else throw new Error(`unknown message type "${msg.type}"`);
  } catch (e) {
    self.postMessage({ id: msg.id, type: "error", message: e instanceof Error ? e.message : String(e) });
  }
};
