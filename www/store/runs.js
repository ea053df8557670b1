// Saved runs over the database (www/store/db.js): save a workspace's runs with their states in one
// transaction (all of it is kept, or none: a failed save leaves the previous save whole), list them
// without their weights, open, rename, delete. Every read checks the record (www/store/records.js)
// and reports a bad one by name in `problems` instead of handing it on. A learner's own data set is
// kept with the first save of a run on it (www/store/dataSets.js) and deleted with the last run that
// uses it.

import { BY_DATA, isQuotaError } from "./db.js";
import { RECORD_VERSION, runProblem, stateProblem, stateRecord, workspaceProblem } from "./records.js";
import { dataSetRecord, readDataSet, rememberHash } from "./dataSets.js";
import { formatBytes } from "./quota.js";

export function createRunStore(db) {
  // Transactions under way, reads too. A page Safari keeps in its back/forward cache is frozen with
  // them, and a frozen read-write transaction locks its stores for every later visit until the
  // browser drops the cached page: the next visit's reads wait for ever (a frozen read blocks the
  // next visit's saves the same way). `abortOpen()` ends them as the page leaves.
  const open = new Set();
  function begin(stores, mode) {
    const tx = db.transaction(stores, mode);
    open.add(tx);
    tx.done.then(() => open.delete(tx), () => open.delete(tx));
    return tx;
  }
  /** Abort every transaction under way (the page is being frozen); their changes are not kept. */
  function abortOpen() {
    for (const tx of open) {
      try { tx.abort(); } catch { /* already finished */ }
    }
    open.clear();
  }

  /**
   * Keep `items` ([{ record, state }]) and, when given, the workspace `key` → `workspace` at once,
   * with each own data set of `dataSets` ([{ hash, source, summary }]) that is not kept yet.
   * Rejects with an Error whose `quota` is true when the browser's storage is full.
   */
  async function save(items, { key, workspace, dataSets = [] } = {}) {
    let tx = null;
    let adding = 0;
    try {
      tx = begin(["runs", "states", "workspaces", "datasets"], "readwrite");
      // The transaction's own failure is the puts' failure, reported once below.
      tx.done.catch(() => {});
      const puts = [];
      // A set is written once: later saves of its runs only find its key.
      for (const d of dataSets) {
        if ((await tx.objectStore("datasets").getKey(d.hash)) !== undefined) continue;
        const rec = dataSetRecord(d);
        adding += rec.bytes;
        puts.push(tx.objectStore("datasets").put(rec, d.hash));
      }
      for (const { record, state } of items) {
        puts.push(tx.objectStore("runs").put(record, record.id), tx.objectStore("states").put(stateRecord(state), record.id));
      }
      if (key) puts.push(tx.objectStore("workspaces").put({ ...workspace, v: RECORD_VERSION, savedAt: Date.now() }, key));
      await Promise.all([...puts, tx.done]);
    } catch (e) {
      // A put that threw leaves earlier puts of this save pending: none of them may be kept.
      try { tx?.abort(); } catch { /* already finished or aborted */ }
      const set = adding ? ` (keeping your own images, ${formatBytes(adding)}, did not fit)` : "";
      const err = new Error(isQuotaError(e) ? `the browser's storage for this site is full${set}`
        : `IndexedDB refused the run${set} (${e?.message ?? e})`);
      err.quota = isQuotaError(e);
      throw err;
    }
  }

  /**
   * Every readable run record, newest save first, a sentence for each record that is not, and the
   * keys of the own data sets kept (`dataSets`, a Set).
   */
  async function list() {
    const tx = begin(["runs", "datasets"]);
    const runStore = tx.objectStore("runs");
    const [keys, values, setKeys] = await Promise.all([runStore.getAllKeys(), runStore.getAll(), tx.objectStore("datasets").getAllKeys()]);
    const runs = [], problems = [];
    keys.forEach((id, i) => {
      const p = runProblem(values[i], id);
      if (p) problems.push({ id, problem: p });
      else runs.push(values[i]);
    });
    runs.sort((a, b) => b.savedAt - a.savedAt);
    return { runs, problems, dataSets: new Set(setKeys) };
  }

  /**
   * The own data set `hash` ({ source, summary, bytes, … }), checked (its bytes against its hash);
   * rejects with a sentence naming what is wrong.
   */
  async function loadDataSet(hash) {
    const r = await begin("datasets").store.get(hash);
    if (r === undefined) throw new Error("your own images of this run are not kept on this computer (they were deleted, or the run was saved before the page kept them)");
    const { record, problem } = await readDataSet(r, hash);
    if (problem) throw new Error(problem);
    rememberHash(record.source, hash);
    return record;
  }

  /** A run and its state, checked; rejects with a sentence naming what is wrong. */
  async function load(id) {
    const tx = begin(["runs", "states"]);
    const [record, state] = await Promise.all([tx.objectStore("runs").get(id), tx.objectStore("states").get(id)]);
    if (record === undefined) throw new Error(`saved run "${id}" is not in the store (deleted in another tab?)`);
    const p = runProblem(record, id) ?? (state === undefined ? `saved run "${record.name}" has no training state`
      : stateProblem(state, record.name));
    if (p) throw new Error(p);
    return { record, state };
  }

  /**
   * The workspace `key`: { workspace, runs: [{ record, state } | null per run], problems } or null
   * when none is kept. A run that cannot be read is null in `runs` and named in `problems`.
   */
  async function loadWorkspace(key) {
    const workspace = await begin("workspaces").store.get(key);
    if (workspace === undefined) return null;
    const wp = workspaceProblem(workspace, key);
    if (wp) return { workspace: null, runs: [], problems: [wp] };
    const problems = [];
    const runs = await Promise.all(workspace.runIds.map(async (id) => {
      if (id === null) return null;
      try {
        return await load(id);
      } catch (e) {
        problems.push(e.message);
        return null;
      }
    }));
    return { workspace, runs, problems };
  }

  async function rename(id, name) {
    const tx = begin("runs", "readwrite");
    const r = await tx.store.get(id);
    if (!r) throw new Error(`saved run "${id}" is not in the store`);
    await Promise.all([tx.store.put({ ...r, name }, id), tx.done]);
  }

  /**
   * Delete runs (their records and states; workspaces that list them keep a hole there), and each own
   * data set no run uses any more.
   */
  async function remove(ids) {
    const tx = begin(["runs", "states", "datasets"], "readwrite");
    const runStore = tx.objectStore("runs");
    const records = await Promise.all(ids.map((id) => runStore.get(id)));
    const sets = new Set(records.map((r) => r?.dataHash).filter((h) => typeof h === "string"));
    await Promise.all(ids.flatMap((id) => [runStore.delete(id), tx.objectStore("states").delete(id)]));
    await dropUnused(tx, sets);
    await tx.done;
  }

  /** In `tx` (runs, datasets), delete each set of `hashes` that no run names; resolves with how many went. */
  async function dropUnused(tx, hashes) {
    let n = 0;
    for (const h of hashes) {
      if ((await tx.objectStore("runs").index(BY_DATA).count(h)) > 0) continue;
      await tx.objectStore("datasets").delete(h);
      n++;
    }
    return n;
  }

  /**
   * Delete the own data sets no saved run uses: left when a damaged run record, which no longer
   * names its set, was deleted. Resolves with how many went.
   */
  async function sweepDataSets() {
    const tx = begin(["runs", "datasets"], "readwrite");
    const n = await dropUnused(tx, await tx.objectStore("datasets").getAllKeys());
    await tx.done;
    return n;
  }

  /** A damaged record's key: deleting it is the only thing to do with it. */
  const removeDamaged = (id) => remove([id]);

  return { save, list, load, loadWorkspace, loadDataSet, rename, remove, removeDamaged, sweepDataSets, abortOpen, close: () => db.close() };
}
