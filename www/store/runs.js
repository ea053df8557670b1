// Saved runs over the database (www/store/db.js): save a workspace's runs with their states in one
// transaction (all of it is kept, or none: a failed save leaves the previous save whole), list them
// without their weights, open, rename, delete. Every read checks the record (www/store/records.js)
// and reports a bad one by name in `problems` instead of handing it on.

import { isQuotaError } from "./db.js";
import { RECORD_VERSION, runProblem, stateProblem, stateRecord, workspaceProblem } from "./records.js";

export function createRunStore(db) {
  /**
   * Keep `items` ([{ record, state }]) and, when given, the workspace `key` → `workspace` at once.
   * Rejects with an Error whose `quota` is true when the browser's storage is full.
   */
  async function save(items, { key, workspace } = {}) {
    let tx = null;
    try {
      tx = db.transaction(["runs", "states", "workspaces"], "readwrite");
      // The transaction's own failure is the puts' failure, reported once below.
      tx.done.catch(() => {});
      const puts = [];
      for (const { record, state } of items) {
        puts.push(tx.objectStore("runs").put(record, record.id), tx.objectStore("states").put(stateRecord(state), record.id));
      }
      if (key) puts.push(tx.objectStore("workspaces").put({ ...workspace, v: RECORD_VERSION, savedAt: Date.now() }, key));
      await Promise.all([...puts, tx.done]);
    } catch (e) {
      // A put that threw leaves earlier puts of this save pending: none of them may be kept.
      try { tx?.abort(); } catch { /* already finished or aborted */ }
      const err = new Error(isQuotaError(e) ? "the browser's storage for this site is full"
        : `IndexedDB refused the run (${e?.message ?? e})`);
      err.quota = isQuotaError(e);
      throw err;
    }
  }

  /** Every readable run record, newest save first, and a sentence for each record that is not. */
  async function list() {
    const tx = db.transaction("runs");
    const [keys, values] = await Promise.all([tx.store.getAllKeys(), tx.store.getAll()]);
    const runs = [], problems = [];
    keys.forEach((id, i) => {
      const p = runProblem(values[i], id);
      if (p) problems.push({ id, problem: p });
      else runs.push(values[i]);
    });
    runs.sort((a, b) => b.savedAt - a.savedAt);
    return { runs, problems };
  }

  /** A run and its state, checked; rejects with a sentence naming what is wrong. */
  async function load(id) {
    const [record, state] = await Promise.all([db.get("runs", id), db.get("states", id)]);
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
    const workspace = await db.get("workspaces", key);
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
    const tx = db.transaction("runs", "readwrite");
    const r = await tx.store.get(id);
    if (!r) throw new Error(`saved run "${id}" is not in the store`);
    await Promise.all([tx.store.put({ ...r, name }, id), tx.done]);
  }

  /** Delete runs (their records and states; workspaces that list them keep a hole there). */
  async function remove(ids) {
    const tx = db.transaction(["runs", "states"], "readwrite");
    await Promise.all([...ids.flatMap((id) => [tx.objectStore("runs").delete(id), tx.objectStore("states").delete(id)]), tx.done]);
  }

  /** A damaged record's key: deleting it is the only thing to do with it. */
  const removeDamaged = (id) => remove([id]);

  return { save, list, load, loadWorkspace, rename, remove, removeDamaged, close: () => db.close() };
}
