// Keeping a frame's runs in IndexedDB (through `idb`), so a slide that reveal.js unloads (`data-src`
// frames become about:blank when their slide is left) comes back where it was. Per key (the
// frame's `id=`, else its link) one record:
//   { version, embedLink, link, playing, savedAt,
//     runs: [{ values, series, state }] }
// series: each run's curves (losses, learning rates, ratios, evaluations: what the charts draw);
// state: the trainer's state from the worker (weights, batch-norm statistics, step, …: www/run.js).
// Browsers partition an iframe's storage by the top-level site, so each course site keeps its own.

import { openDB } from "idb";

const DB_NAME = "trainlab-embeds";
const STORE = "runs";
export const RECORD_VERSION = 1;

/** The series fields worth keeping (the schedule curve is rebuilt by the trainer, the preview is not kept). */
const SERIES_FIELDS = ["step", "epoch", "lr", "firstLoss", "imagesPerSecond", "losses", "lrUsed", "ratios", "evals",
  "lastEval", "findings"];

export function keptSeries(series) {
  return Object.fromEntries(SERIES_FIELDS.map((k) => [k, series[k]]));
}

/**
 * Open the store. Resolves with { available, problem, load(key), save(key, record) };
 * when IndexedDB cannot be used (private mode, blocked storage) `available` is false, `problem` says
 * why, and load/save do nothing.
 */
export async function openRunStore({ idb = globalThis.indexedDB, timeoutMs = 3000 } = {}) {
  const none = (problem) => ({
    available: false, problem, load: async () => null, save: async () => false,
  });
  if (!idb) return none("this browser gives the frame no IndexedDB (private mode or blocked storage)");
  let db;
  try {
    db = await Promise.race([
      openDB(DB_NAME, 1, { upgrade(d) { d.createObjectStore(STORE); } }),
      new Promise((_, reject) => setTimeout(() => reject(new Error("no answer in 3 s")), timeoutMs)),
    ]);
  } catch (e) {
    return none(`IndexedDB could not be opened (${e?.message ?? e})`);
  }
  return {
    available: true, problem: null,
    async load(key) {
      const r = await db.get(STORE, key);
      return r && r.version === RECORD_VERSION ? r : null;
    },
    /** Resolves true when kept; rejects with a message naming a full quota. */
    async save(key, record) {
      try {
        await db.put(STORE, { ...record, version: RECORD_VERSION, savedAt: Date.now() }, key);
        return true;
      } catch (e) {
        const full = e?.name === "QuotaExceededError";
        throw new Error(full ? "the browser's storage for this site is full" : `IndexedDB refused the run (${e?.message ?? e})`);
      }
    },
  };
}
