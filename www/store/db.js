// The one IndexedDB database of the page and the slides' frames, `trainlab` (through `idb`):
//   runs        id → one saved run's record (settings, curves, best validation, …; no weights)
//   states      id → the run's training state from the worker ({ version, step, epoch, data }), apart
//               so that listing the runs never reads weights
//   workspaces  "page" | "embed:<key>" → { runIds, link, playing, embedLink }: what a page or a frame
//               had open, to put back on a reload
//   datasets    content hash → a learner's own data set, kept for the runs trained on it
//               (www/store/dataSets.js); `runs` has the index `byData` on their `dataHash`, so a set
//               is deleted with the last run that uses it
// DB_VERSION is the database's schema; a database of a higher version (a newer page in another tab,
// or a page that was rolled back) is named and left alone, never read with this page's idea of it.

import { openDB } from "idb";
import { withTimeout } from "../timeout.js";

export const DB_NAME = "trainlab";
export const DB_VERSION = 2;
export const STORES = ["runs", "states", "workspaces", "datasets"];
/** The index of `runs` by the own data set a run trained on (records without `dataHash` are not in it). */
export const BY_DATA = "byData";

/**
 * Open the database. Resolves with { db, problem }: db null and `problem` a sentence naming why when
 * IndexedDB is missing, refused, blocked, of a newer version, or silent for `timeoutMs`.
 */
export async function openStoreDb({ idb = globalThis.indexedDB, timeoutMs = 3000, onVersionChange = () => {} } = {}) {
  if (!idb) return { db: null, problem: "this browser gives the page no IndexedDB (private mode or blocked storage)" };
  try {
    const db = await withTimeout(openDB(DB_NAME, DB_VERSION, {
      upgrade(d, oldVersion, _newVersion, tx) {
        // Each version adds its step; what earlier versions stored stays as it is.
        if (oldVersion < 1) for (const name of ["runs", "states", "workspaces"]) d.createObjectStore(name);
        if (oldVersion < 2) {
          d.createObjectStore("datasets");
          tx.objectStore("runs").createIndex(BY_DATA, "dataHash");
        }
      },
      blocked() { /* an older tab holds the database open: the timeout names it */ },
      blocking() { onVersionChange(); },
    }), timeoutMs, `no answer in ${timeoutMs / 1000} s — another tab may hold an older version of the database open`);
    return { db, problem: null };
  } catch (e) {
    if (e?.name === "VersionError") return { db: null, problem: await newerVersionProblem(idb) };
    return { db: null, problem: `IndexedDB could not be opened (${e?.message ?? e})` };
  }
}

/** The sentence for a database made by a newer page, with its version when the browser tells it. */
async function newerVersionProblem(idb) {
  let found = null;
  try {
    found = (await idb.databases?.())?.find((d) => d.name === DB_NAME)?.version ?? null;
  } catch { /* the version is only a detail of the sentence */ }
  return `the saved runs were written by a newer version of this page (database "${DB_NAME}" version ` +
    `${found ?? "> " + DB_VERSION}; this page reads version ${DB_VERSION}), so it leaves them untouched`;
}

/** True for the browser's "storage full" error, however IndexedDB wrapped it. */
export function isQuotaError(e) {
  return e?.name === "QuotaExceededError" || e?.inner?.name === "QuotaExceededError" ||
    /quota/i.test(e?.message ?? "");
}
