// The shared store of saved runs, opened once per page or frame: the database (db.js), its runs
// (runs.js), the move of the old frames' database (migrate.js). When it cannot be used, `runs` is
// null and `problem` says why; the page then trains as before and says once that runs are not kept.

import { openStoreDb } from "./db.js";
import { createRunStore } from "./runs.js";
import { migrateEmbeds } from "./migrate.js";
import { withTimeout } from "../timeout.js";

/**
 * How long the page waits for the runs kept from last time before it starts from its link: reading
 * them takes well under a second (README: 80–160 ms for a reload's), so 5 s means the store is held
 * (Safari: another page frozen in the back/forward cache with a transaction under way,
 * www/store/workspace.js); the page then starts without them instead of staying at "loading…".
 */
export const STORE_READ_MS = 5000;

/** The kept runs of workspace `key`, or a rejection naming the wait after STORE_READ_MS. */
export const loadKept = (runs, key) => withTimeout(runs.loadWorkspace(key), STORE_READ_MS,
  `the browser's storage did not answer within ${STORE_READ_MS / 1000} s`);

/** Resolves with { runs, problem, notes }: `notes` are sentences about old data that was not moved. */
export async function openStore({ idb = globalThis.indexedDB, timeoutMs = 3000 } = {}) {
  let runs = null;
  const { db, problem } = await openStoreDb({ idb, timeoutMs, onVersionChange: () => runs?.close() });
  if (!db) return { runs: null, problem, notes: [] };
  runs = createRunStore(db);
  let notes = [];
  try {
    // Bounded like the sweep below: the move writes into stores another page may hold locked.
    notes = (await withTimeout(migrateEmbeds(idb, runs), timeoutMs,
      `moving the slides' old runs did not answer within ${timeoutMs / 1000} s`)).problems;
  } catch (e) {
    notes = [`the slides' runs kept by an older version of the page could not be moved (${e?.message ?? e}); they were left as they were`];
  }
  // Sets no run names any more take room for nothing; failing to delete them only leaves them. Not
  // waited for longer than the open: a store another page holds locked must not hold up the page.
  await withTimeout(runs.sweepDataSets(), timeoutMs, "deleting unused data sets did not answer").catch(() => 0);
  return { runs, problem: null, notes };
}
