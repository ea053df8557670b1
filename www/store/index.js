// The shared store of saved runs, opened once per page or frame: the database (db.js), its runs
// (runs.js), the move of the old frames' database (migrate.js). When it cannot be used, `runs` is
// null and `problem` says why; the page then trains as before and says once that runs are not kept.

import { openStoreDb } from "./db.js";
import { createRunStore } from "./runs.js";
import { migrateEmbeds } from "./migrate.js";

/** Resolves with { runs, problem, notes }: `notes` are sentences about old data that was not moved. */
export async function openStore({ idb = globalThis.indexedDB, timeoutMs = 3000 } = {}) {
  let runs = null;
  const { db, problem } = await openStoreDb({ idb, timeoutMs, onVersionChange: () => runs?.close() });
  if (!db) return { runs: null, problem, notes: [] };
  runs = createRunStore(db);
  let notes = [];
  try {
    notes = (await migrateEmbeds(idb, runs)).problems;
  } catch (e) {
    notes = [`the slides' runs kept by an older version of the page could not be moved (${e?.message ?? e}); they were left as they were`];
  }
  // Sets no run names any more take room for nothing; failing to delete them only leaves them.
  await runs.sweepDataSets().catch(() => 0);
  return { runs, problem: null, notes };
}
