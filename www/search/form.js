// The search form of search.html: the two hyperparameters (key, range, scale), K, the steps per
// trial, the seed and the data set, read into a search spec for the core (src/search/) — or the
// name of the field that is wrong. The ranges themselves are checked by the core, which names them.

import { fieldNumber } from "./scales.js";

/** What a search can vary (the core's SEARCHABLE), with its label and a starting range. */
export const PARAMS = {
  learningRate: { label: "learning rate", min: 1e-4, max: 1e-1, scale: "log" },
  weightDecay: { label: "weight decay", min: 1e-4, max: 1e-1, scale: "log" },
  dropRate: { label: "dropout p", min: 0, max: 0.9, scale: "linear" },
  momentum: { label: "momentum", min: 0, max: 0.99, scale: "linear" },
  labelSmoothing: { label: "label smoothing", min: 0, max: 0.5, scale: "linear" },
};
export const LABELS = Object.fromEntries(Object.entries(PARAMS).map(([k, p]) => [k, p.label]));

export const STEPS = { min: 10, max: 5000 };
const MAX_SEED = 4294967295;

const $ = (id) => document.getElementById(id);

/** The form's axis fields: axis 0 is x (the first parameter), axis 1 is y. */
function fields(axisIndex) {
  const p = `s-p${axisIndex}`;
  return { key: $(`${p}-key`), min: $(`${p}-min`), max: $(`${p}-max`), scale: $(`${p}-scale`) };
}

/** Fill the key menus and the starting ranges; a key change loads that parameter's own range. */
export function setUpForm() {
  ["learningRate", "weightDecay"].forEach((key, i) => {
    const f = fields(i);
    for (const [k, p] of Object.entries(PARAMS)) f.key.append(new Option(p.label, k));
    f.key.value = key;
    setRange(i, PARAMS[key]);
    f.key.addEventListener("change", () => setRange(i, PARAMS[f.key.value]));
  });
}

function setRange(axisIndex, { min, max, scale }) {
  const f = fields(axisIndex);
  f.min.value = fieldNumber(min);
  f.max.value = fieldNumber(max);
  f.scale.value = scale;
}

/**
 * Put a selected region's ranges into the fields (coarse to fine), with the hyperparameters and
 * scales of the search it was selected on (`params`, the spec's two).
 */
export function setRanges(x, y, params) {
  [x, y].forEach(([lo, hi], i) => {
    const f = fields(i);
    f.key.value = params[i].key;
    f.scale.value = params[i].scale;
    f.min.value = fieldNumber(lo);
    f.max.value = fieldNumber(hi);
  });
}

function number(input, what) {
  const raw = input.value.trim();
  const v = Number(raw);
  if (raw === "" || !Number.isFinite(v)) throw new Error(`${what} "${input.value}" is not a number.`);
  return v;
}

function whole(input, what, lo, hi) {
  const v = number(input, what);
  if (!Number.isInteger(v) || v < lo || v > hi) throw new Error(`${what} must be a whole number from ${lo} to ${hi} (got "${input.value}").`);
  return v;
}

/**
 * The form as { spec (without method), steps, data }, or throws an Error naming the field. K's own
 * limits (1…64) are the core's: it is passed on as it is, so the core's message names them.
 */
export function readForm() {
  const params = [0, 1].map((i) => {
    const f = fields(i);
    const name = `${i === 0 ? "x" : "y"} axis (${PARAMS[f.key.value].label})`;
    return { key: f.key.value, min: number(f.min, `The ${name} min`), max: number(f.max, `The ${name} max`), scale: f.scale.value };
  });
  const k = number($("s-trials"), "Trials K");
  if (!Number.isInteger(k) || k < 0) throw new Error(`Trials K must be a whole number (got "${$("s-trials").value}").`);
  const steps = whole($("s-steps"), "Steps per trial", STEPS.min, STEPS.max);
  const seed = whole($("s-seed"), "Seed", 0, MAX_SEED);
  return { spec: { trials: k, seed, params }, steps, data: $("s-data").value };
}

const DATA = ["shapes", "mnist", "fashion-mnist"];

/**
 * A link's settings into the form (search.html#k=16&steps=150&seed=2&data=mnist&x=learningRate:1e-4:1e-1:log&
 * y=dropRate:0:0.9:linear): each good entry is applied, each bad one returned as a sentence naming it
 * (the field keeps its default). The ranges' values are checked when a search starts, by the core.
 */
export function applyLink(params) {
  const bad = [];
  const text = { k: "s-trials", steps: "s-steps", seed: "s-seed" };
  for (const [key, id] of Object.entries(text)) {
    const raw = params.get(key);
    if (raw === null) continue;
    if (/^\d+$/.test(raw)) $(id).value = raw;
    else bad.push(`Link setting "${key}" has a bad value "${raw}": it must be a whole number.`);
  }
  const data = params.get("data");
  if (data !== null) {
    if (DATA.includes(data)) $("s-data").value = data;
    else bad.push(`Link setting "data" has a bad value "${data}": it must be one of ${DATA.join(", ")}.`);
  }
  ["x", "y"].forEach((name, i) => {
    const raw = params.get(name);
    if (raw === null) return;
    const [key, min, max, scale] = raw.split(":");
    if (!PARAMS[key] || !(scale === "log" || scale === "linear") || min === undefined || max === undefined) {
      bad.push(`Link setting "${name}" has a bad value "${raw}": it must be key:min:max:scale, key one of ` +
        `${Object.keys(PARAMS).join(", ")} and scale log or linear (e.g. learningRate:1e-4:1e-1:log).`);
      return;
    }
    const f = fields(i);
    f.key.value = key;
    f.min.value = min;
    f.max.value = max;
    f.scale.value = scale;
  });
  return bad;
}
