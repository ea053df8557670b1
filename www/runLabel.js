// A run's name in the legend and the table: what differs from run 1, in words ("Mixup α 0.8",
// "label smoothing 0.1", "cosine, T 2000", "Adam", "batch norm", "train 500 images") — a student
// comparing curves wants to read the technique, not "run 3". Pure functions (node tests).

import { SETTINGS, inactiveReason, sameValue, settingByKey } from "./state.js";

/** Run 1's name when nothing else names it. */
export const BASELINE = "baseline";

const OPTIMIZER_NAMES = { sgd: "SGD", adam: "Adam", adamw: "AdamW", rmsprop: "RMSProp", adagrad: "Adagrad" };
const SCHEDULE_KEYS = ["schedule", "totalSteps", "cycles", "etaMin"];
const JITTER_KEYS = ["brightness", "contrast", "saturation"];
/** More phrases than this and the label names the number of further changes instead. */
const MAX_PHRASES = 3;

const num = (v) => String(+Number(v).toPrecision(4));

/** Words for one setting at value `v` (the run differs from the base there). */
function phrase(s, v) {
  switch (s.key) {
    case "preset": return v;
    case "learningRate": return `lr ${num(v)}`;
    case "batchSize": return `batch ${v}`;
    case "trainSize": return `train ${v} images`;
    case "activation": return v;
    case "init": return `${v === "xavier" ? "Xavier" : v === "kaiming" ? "Kaiming" : v} init`;
    case "optimizer": return OPTIMIZER_NAMES[v] ?? v;
    case "momentum": return v > 0 ? `momentum ${num(v)}` : "no momentum";
    case "warmupSteps": return v > 0 ? `warmup ${v}` : "no warmup";
    case "mixupAlpha": return v > 0 ? `Mixup α ${num(v)}` : "no Mixup";
    case "cutmixAlpha": return v > 0 ? `CutMix α ${num(v)}` : "no CutMix";
    case "labelSmoothing": return v > 0 ? `label smoothing ${num(v)}` : "no label smoothing";
    case "weightDecay": return v > 0 ? `weight decay ${num(v)}` : "no weight decay";
    case "dropRate": return v > 0 ? `dropout ${num(v)}` : "no dropout";
    case "hflip": return v > 0 ? `flip ${num(v)}` : "no flip";
    case "cropScale": return v[0] === 1 && v[1] === 1 ? "no crops" : `crop ${num(v[0])}–${num(v[1])}`;
    case "reprob": return v > 0 ? `Cutout ${num(v)}` : "no Cutout";
    default: break;
  }
  const label = s.label.replace(/^([A-Z])(?=[a-z ])/, (c) => c.toLowerCase());
  if (s.kind === "bool") return v ? label : `no ${label}`;
  if (s.kind === "number") return `${label} ${num(v)}`;
  if (s.kind === "boxsize") return `${label} ${"length" in v ? `${v.length}px` : num(v.area)}`;
  if (s.kind === "range") return `${label} ${num(v[0])}–${num(v[1])}`;
  return `${label} ${v}`;
}

/** The schedule in words when any of its settings differ: "cosine, T 2000", "cyclic, M 4, T 2000". */
function schedulePhrase(values, base) {
  const type = values.schedule;
  const hasLength = !["constant", "invsqrt"].includes(type);
  const parts = [];
  if (type !== base.schedule || !hasLength) parts.push(type);
  if (type === "cyclic" && (values.cycles !== base.cycles || type !== base.schedule)) parts.push(`M ${values.cycles}`);
  if (hasLength) parts.push(`T ${values.totalSteps}`);
  if (["cosine", "sgdr", "cyclic"].includes(type) && values.etaMin !== base.etaMin) parts.push(`η_min ${num(values.etaMin)}`);
  if (parts.length === 1 && parts[0].startsWith("T ")) parts.unshift(type);
  return parts.join(", ");
}

/**
 * What differs in `values` from `base`, as phrases in the settings table's order. Settings that
 * have no effect in `values` (their row says inactive) are left out.
 */
export function differences(values, base) {
  const differs = (key) => !sameValue(settingByKey(key), values[key], base[key]);
  const phrases = [];
  let scheduleDone = false;
  const jitter = JITTER_KEYS.map((k) => values[k]);
  const sameJitter = JITTER_KEYS.filter(differs).length === 3 && jitter.every((x) => x === jitter[0]);
  for (const s of SETTINGS) {
    if (!differs(s.key) || inactiveReason(s, values)) continue;
    if (SCHEDULE_KEYS.includes(s.key)) {
      if (!scheduleDone) phrases.push(schedulePhrase(values, base));
      scheduleDone = true;
      continue;
    }
    if (sameJitter && JITTER_KEYS.includes(s.key)) {
      if (s.key === JITTER_KEYS[0]) phrases.push(jitter[0] > 0 ? `colour jitter ${num(jitter[0])}` : "no colour jitter");
      continue;
    }
    phrases.push(phrase(s, values[s.key]));
  }
  return phrases;
}

/**
 * A run's legend label: run 1 (index 0) is `baseLabel` ("baseline" unless a scenario names it);
 * a further run is what differs from run 1 ("Mixup α 0.8"), "same as baseline" if nothing does.
 */
export function runLabel(values, base, index, baseLabel = BASELINE) {
  if (index === 0) return baseLabel;
  const phrases = differences(values, base);
  if (!phrases.length) return `same as ${baseLabel}`;
  if (phrases.length <= MAX_PHRASES) return phrases.join(", ");
  return `${phrases.slice(0, MAX_PHRASES - 1).join(", ")} +${phrases.length - MAX_PHRASES + 1} more`;
}

/** Labels for a list of runs' settings: run 1 is the base of the others. */
export function runLabels(valuesList, baseLabel = BASELINE) {
  return valuesList.map((v, i) => runLabel(v, valuesList[0], i, baseLabel));
}
