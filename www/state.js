// The one table of settings (TensorFlow Playground's state.ts pattern).
//
// Every setting the student can change lives in SETTINGS, once: its default, the values it may take,
// the key it has in the URL hash, its label, a one-line explanation, and the Trainer config field it
// feeds. The controls, the URL hash and the config sent to the wasm core are all derived from this
// table, so adding a setting is adding one row. Nothing here touches the DOM.

export const PRESETS = ["shapes-cnn", "linear", "mlp", "lenet", "cifar-convnetjs", "vgg-mini"];

// The activations of the lecture's recap slide, in its order; spelled as docs/CONTRACT.md spells them.
// The core is the judge of validity: a name it rejects is reported like any rejected config.
export const ACTIVATIONS = [
  "sigmoid", "tanh", "step", "softplus", "relu", "softsign", "elu", "logsigmoid", "leakyrelu",
  "swish", "sinc", "mish",
];

/**
 * kind: "number" (real, min/max, exclusive bounds allowed), "int" (integer, min/max) or "choice".
 * configKey: field of the Trainer config (docs/CONTRACT.md), null if the setting is page-only.
 */
export const SETTINGS = [
  {
    key: "preset", hash: "preset", configKey: "preset", kind: "choice",
    default: "shapes-cnn", choices: PRESETS,
    label: "Network",
    help: "Which architecture to train: from a linear classifier up to a small VGG.",
  },
  {
    key: "learningRate", hash: "lr", configKey: "learningRate", kind: "number",
    default: 0.02, min: 0, minExclusive: true, max: 100, step: "any",
    label: "Learning rate",
    help: "Step size of SGD. Too high and the loss explodes; too low and it barely moves.",
  },
  {
    key: "batchSize", hash: "batch", configKey: "batchSize", kind: "int",
    default: 32, min: 1, max: 512,
    label: "Batch size",
    help: "Images per step. Small batches give noisier losses (see the scatter).",
  },
  {
    key: "activation", hash: "act", configKey: "activation", kind: "choice",
    default: "relu", choices: ACTIVATIONS,
    label: "Activation",
    help: "Non-linearity after each conv/linear layer of the preset.",
  },
  {
    key: "init", hash: "init", configKey: "init", kind: "choice",
    default: "kaiming", choices: ["kaiming", "xavier"],
    label: "Weight init",
    help: "Kaiming suits ReLU-like activations, Xavier suits tanh/sigmoid.",
  },
  {
    key: "momentum", hash: "mom", configKey: "momentum", kind: "number",
    default: 0.9, min: 0, max: 0.999, step: 0.05,
    label: "Momentum",
    help: "SGD momentum: how much of the previous update carries into this one.",
  },
  {
    key: "weightDecay", hash: "wd", configKey: "weightDecay", kind: "number",
    default: 0, min: 0, max: 1, step: "any",
    label: "Weight decay",
    help: "L2 regularization strength. The lecture: turn it off while checking the initial loss.",
  },
  {
    key: "seed", hash: "seed", configKey: "seed", kind: "int",
    default: 1, min: 0, max: 2147483647,
    label: "Seed",
    help: "Seeds data, initial weights and batch order: the same seed gives the same run.",
  },
];

/** Hash key listing controls to hide, e.g. `#hide=preset,init` (or `hide=all`). */
export const HIDE_KEY = "hide";

const byHash = new Map(SETTINGS.map((s) => [s.hash, s]));
const byKey = new Map(SETTINGS.map((s) => [s.key, s]));

export function settingByKey(key) { return byKey.get(key); }

export function defaults() {
  return Object.fromEntries(SETTINGS.map((s) => [s.key, s.default]));
}

/** A short text for a setting's allowed values, used in messages and tooltips. */
export function describeRange(s) {
  if (s.kind === "choice") return `one of ${s.choices.join(", ")}`;
  const lo = s.minExclusive ? `> ${s.min}` : `≥ ${s.min}`;
  const what = s.kind === "int" ? "a whole number" : "a number";
  return `${what} ${lo} and ≤ ${s.max}`;
}

/**
 * Parse one raw string for setting `s`. Returns { ok: true, value } or { ok: false, reason }.
 * Used for the URL hash and for the form controls alike.
 */
export function parseValue(s, raw) {
  const text = String(raw).trim();
  if (s.kind === "choice") {
    return s.choices.includes(text) ? { ok: true, value: text } : { ok: false, reason: `must be ${describeRange(s)}` };
  }
  // Number("") is 0 and Number(" 1e-2 ") is fine; reject the empty string explicitly.
  const v = text === "" ? NaN : Number(text);
  const inRange = Number.isFinite(v)
    && (s.minExclusive ? v > s.min : v >= s.min)
    && v <= s.max
    && (s.kind !== "int" || Number.isInteger(v));
  return inRange ? { ok: true, value: v } : { ok: false, reason: `must be ${describeRange(s)}` };
}

/**
 * Parse a URL hash such as "#seed=3&lr=0.02&preset=shapes-cnn&hide=init".
 * Returns { values, hidden, errors }: values starts from `base` (defaults unless given) and takes
 * every well-formed entry; each malformed or unknown entry becomes an error { key, value, message }
 * whose message names the key and the value, and leaves that setting at its default.
 */
export function parseHash(hash, base = defaults()) {
  const values = { ...base };
  const hidden = new Set();
  const errors = [];
  const text = hash.startsWith("#") ? hash.slice(1) : hash;
  if (text.trim() === "") return { values, hidden, errors };
  for (const part of text.split("&")) {
    if (part === "") continue;
    const eq = part.indexOf("=");
    const rawKey = eq < 0 ? part : part.slice(0, eq);
    const rawVal = eq < 0 ? "" : part.slice(eq + 1);
    let key, val;
    try {
      key = decodeURIComponent(rawKey);
      val = decodeURIComponent(rawVal.replace(/\+/g, " "));
    } catch {
      errors.push({ key: rawKey, value: rawVal,
        message: `Link setting "${rawKey}=${rawVal}" is not valid URL encoding — ignored.` });
      continue;
    }
    if (key === HIDE_KEY) {
      for (const name of val.split(",").map((x) => x.trim()).filter(Boolean)) {
        if (name === "all" || byHash.has(name)) hidden.add(name);
        else errors.push({ key: HIDE_KEY, value: name,
          message: `Link setting "hide" names "${name}", which is no control — use ${[...byHash.keys()].join(", ")} or all.` });
      }
      continue;
    }
    const s = byHash.get(key);
    if (!s) {
      errors.push({ key, value: val,
        message: `Unknown link setting "${key}" (value "${val}") — ignored. Known: ${[...byHash.keys()].join(", ")}, hide.` });
      continue;
    }
    const r = parseValue(s, val);
    if (r.ok) values[s.key] = r.value;
    else {
      values[s.key] = s.default;
      errors.push({ key, value: val,
        message: `Link setting "${key}" has a bad value "${val}": it ${r.reason}. Using the default ${s.default}.` });
    }
  }
  return { values, hidden, errors };
}

/** Format a number for the URL: short, and exact enough to reproduce the run. */
function formatNumber(v) {
  return String(v);
}

/** Build the hash for `values` (every setting, so the link does not depend on defaults) and `hidden`. */
export function serializeHash(values, hidden = new Set()) {
  const parts = SETTINGS.map((s) => {
    const v = values[s.key];
    const text = typeof v === "number" ? formatNumber(v) : String(v);
    return `${s.hash}=${encodeURIComponent(text)}`;
  });
  if (hidden.size) parts.push(`${HIDE_KEY}=${[...hidden].join(",")}`);
  return "#" + parts.join("&");
}

/** The Trainer config (docs/CONTRACT.md) for `values`: only fields the core knows. */
export function toConfig(values) {
  const config = { dataset: "shapes" };
  for (const s of SETTINGS) if (s.configKey) config[s.configKey] = values[s.key];
  return config;
}

/** Does `hidden` hide the control of setting `s`? */
export function isHidden(s, hidden) {
  return hidden.has("all") || hidden.has(s.hash);
}
