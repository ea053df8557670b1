// The records of the store (www/store/db.js) and how they are checked when read back. Every record
// carries `v`, its schema version: one of another version (a newer page wrote it, or an old one) is
// named, and so is one that lacks what a run needs — never half-read into a run.
//
//   runs:       { v, id, name, where, values, link, dataset, dataHash, bestVal, step, createdAt, savedAt,
//                 stateBytes, series }   (dataHash: the key of the learner's own set in `datasets`
//                 (www/store/dataSets.js), null for other sets; absent in runs saved before it was kept)
//   states:     { v, version, step, epoch, data: Uint8Array }   (the worker's exportState(), www/run.js)
//   workspaces: { v, runIds: [id | null per run, in order], link, playing, embedLink, savedAt }

export const RECORD_VERSION = 1;

/** The series fields worth keeping (the schedule curve is rebuilt by the trainer, the preview is not kept). */
const SERIES_FIELDS = ["step", "epoch", "lr", "firstLoss", "imagesPerSecond", "losses", "lrUsed", "ratios", "evals",
  "lastEval", "findings"];

/**
 * A run's curves up to `step` (the saved state's): a report that reached the page after the state
 * was taken must not be kept, or the restored curve would run ahead of the restored trainer.
 */
export function keptSeries(series, step = series.step) {
  const kept = Object.fromEntries(SERIES_FIELDS.map((k) => [k, series[k]]));
  kept.step = step;
  kept.losses = series.losses.slice(0, step);
  kept.lrUsed = series.lrUsed.filter(([s]) => s <= step);
  kept.ratios = series.ratios.filter(([s]) => s <= step);
  kept.evals = series.evals.filter((e) => e.step <= step);
  kept.lastEval = kept.evals.at(-1) ?? null;
  kept.findings = kept.lastEval ? series.findings : [];
  return kept;
}

/** The best validation accuracy of a run's evaluations (NaN before the first). */
export function bestValidation(evals) {
  let best = NaN;
  for (const e of evals) if (Number.isFinite(e.valAccuracy) && !(e.valAccuracy <= best)) best = e.valAccuracy;
  return best;
}

export function newRunId() {
  return `run-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}

/** The run record of a run now (`meta`: its id, name, createdAt; `where`: "page" or the frame's key). */
export function runRecord({ meta, where, values, link, series, state, dataHash = null }) {
  return {
    v: RECORD_VERSION, id: meta.id, name: meta.name, where, values, link,
    dataset: values.data ?? "shapes", dataHash, bestVal: bestValidation(series.evals), step: state.step,
    createdAt: meta.createdAt, savedAt: Date.now(), stateBytes: state.data.byteLength, series,
  };
}

export const stateRecord = (state) => ({ v: RECORD_VERSION, version: state.version, step: state.step, epoch: state.epoch, data: state.data });
/** The worker's state from its record (www/run.js importState takes exactly these fields). */
export const stateOf = (r) => ({ version: r.version, step: r.step, epoch: r.epoch, data: r.data });

const SINGULAR = { is: "is", was: "was", has: "has" };
/** The verbs for a `what` in the plural ("your own images … are"). */
export const PLURAL = { is: "are", was: "were", has: "have" };

/**
 * What is wrong with a record's version, or null. `what` names it ("saved run \"x\""); `version` is
 * the one this page reads; `be` the verbs that agree with `what`.
 */
export function versionProblem(r, what, version = RECORD_VERSION, be = SINGULAR) {
  if (r === null || typeof r !== "object") return `${what} ${be.is} not a record (found ${r === null ? "null" : typeof r})`;
  if (r.v === version) return null;
  if (typeof r.v === "number" && r.v > version) {
    return `${what} ${be.was} written by a newer version of the page (record version ${r.v}; this page reads ${version})`;
  }
  return `${what} ${be.has} an unknown record version (${JSON.stringify(r.v) ?? "none"}; this page reads ${version})`;
}

const isArr = Array.isArray;
const num = (x) => typeof x === "number";

/** What is wrong with a run record, or null when it can be listed and opened. */
export function runProblem(r, id) {
  const what = `saved run "${(r && typeof r.name === "string" && r.name) || id}"`;
  const v = versionProblem(r, what);
  if (v) return v;
  const missing = [];
  if (r.id !== id) missing.push(`its id (${JSON.stringify(r.id)}, stored under "${id}")`);
  if (!r.values || typeof r.values !== "object") missing.push("its settings");
  if (!num(r.step) || r.step < 0) missing.push("its step");
  const s = r.series;
  if (!s || !isArr(s.losses) || !isArr(s.lrUsed) || !isArr(s.ratios) || !isArr(s.evals)) missing.push("its curves");
  return missing.length ? `${what} is damaged: ${missing.join(", ")} ${missing.length > 1 ? "are" : "is"} missing or wrong` : null;
}

/** What is wrong with a state record, or null. */
export function stateProblem(r, name) {
  const what = `the training state of "${name}"`;
  const v = versionProblem(r, what);
  if (v) return v;
  if (!(r.data instanceof Uint8Array) || !num(r.step) || !num(r.version)) return `${what} is damaged (no weights, step or version)`;
  return null;
}

export function workspaceProblem(r, key) {
  const what = `the runs kept for "${key}"`;
  const v = versionProblem(r, what);
  if (v) return v;
  if (!isArr(r.runIds) || typeof r.link !== "string") return `${what} are damaged (no run list or link)`;
  return null;
}
