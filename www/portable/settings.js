// A checkpoint's settings as the page's values (www/state.js): the file's `config` (the core's, in
// its metadata) read back setting by setting — the inverse of toConfig — so an opened file becomes
// a run the page can show, edit and link. A file the page made also carries its link in `madeBy`
// ("trainlab page #…"), which gives the values exactly (the page's own settings without a config
// key, such as overfit mode, included).

import { SETTINGS, defaultsFor, parseHash, toConfig } from "../state.js";

/** The text a page-made checkpoint's `madeBy` starts with, followed by the run's link. */
export const MADE_BY_PAGE = "trainlab page ";

/** `madeBy` of a checkpoint of a run with link `hash`. */
export function madeByPage(hash) {
  return MADE_BY_PAGE + hash;
}

const get = (obj, path) => path.split(".").reduce((o, k) => (o == null ? undefined : o[k]), obj);

/**
 * The page's values for a checkpoint's `config` (and `madeBy`). Throws a sentence when the network
 * cannot be built by the page (given layer by layer).
 */
export function valuesFromConfig(config, madeBy = "") {
  if (config.layers) {
    throw new Error("its network is given layer by layer (config.layers), which the page's presets cannot build");
  }
  if (madeBy.startsWith(MADE_BY_PAGE)) {
    const { values, errors } = parseHash(madeBy.slice(MADE_BY_PAGE.length));
    // Only when the link still describes the config (a file changed after the page made it is read by its config).
    if (!errors.length && describes(values, config)) return values;
  }
  const values = defaultsFor(config.dataset);
  for (const s of SETTINGS) {
    if (!s.configKey) continue;
    const v = get(config, s.configKey);
    if (v !== undefined && v !== null) values[s.key] = v;
  }
  Object.assign(values, optimizerValues(config), scheduleValues(config.schedule));
  return values;
}

/** Does the page's `values` give `config` in every setting the config has? */
function describes(values, config) {
  const built = toConfig(values);
  const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);
  return SETTINGS.every((s) => {
    if (!s.configKey) return true;
    const want = get(config, s.configKey);
    return want === undefined || want === null || same(get(built, s.configKey), want);
  }) && sameOptimizer(built.optimizer ?? null, config.optimizer ?? null);
}

/** The page's optimizer (its fields) in the config's (which may spell out defaults too). */
function sameOptimizer(page, file) {
  if (!page || !file) return page === file;
  return Object.keys(page).every((k) => JSON.stringify(page[k]) === JSON.stringify(file[k]));
}

/** The optimizer settings of a config (null: SGD with the top-level momentum and weight decay). */
function optimizerValues({ optimizer: o }) {
  if (!o) return { optimizer: "sgd", nesterov: false };
  const v = { optimizer: o.type };
  if (o.type === "sgd") Object.assign(v, { nesterov: Boolean(o.nesterov), momentum: o.momentum });
  if (o.betas) [v.beta1, v.beta2] = o.betas;
  if (o.type === "rmsprop") Object.assign(v, { rmspropAlpha: o.alpha, rmspropMomentum: o.momentum });
  if (o.eps !== undefined) v[o.type === "adagrad" ? "adagradEps" : "eps"] = o.eps;
  if (o.weightDecay !== undefined) v.weightDecay = o.weightDecay;
  for (const k of Object.keys(v)) if (v[k] === undefined) delete v[k];
  return v;
}

/** The schedule settings of a config's schedule (the inverse of state.js scheduleConfig). */
function scheduleValues(s) {
  if (!s) return { schedule: "constant", warmupSteps: 0 };
  const v = { schedule: s.type, warmupSteps: s.warmupSteps ?? 0 };
  if (s.totalSteps) v.totalSteps = s.totalSteps;
  if (s.type === "step" && s.milestones?.length) v.totalSteps = Math.round(s.milestones[0] / 0.3);
  if (s.type === "sgdr" && s.T_0) v.totalSteps = s.T_0 * 4;
  if (s.etaMin !== undefined) v.etaMin = s.etaMin;
  return v;
}
