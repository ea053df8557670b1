// The slides' frames kept their runs in a database of their own before the shared store, called
// "trainlab-embeds" (one record per frame key: { version: 1, embedLink, link, playing, savedAt,
// runs: [{ values, series, state }] }). Its runs move into the shared store as saved runs and a
// workspace under the same key, then the old database is deleted. A record of another version is
// named and left where it is (the old database is then kept).

import { openDB } from "idb";
import { runRecord } from "./records.js";

export const OLD_DB = "trainlab-embeds";

/** Move the old frames' runs into `store`. Resolves with { moved, problems }. */
export async function migrateEmbeds(idb, store) {
  // databases() tells whether the old database exists without creating it by opening it.
  const found = (await idb.databases?.())?.some((d) => d.name === OLD_DB);
  if (!found) return { moved: 0, problems: [] };
  const old = await openDB(OLD_DB);
  let keys = [], values = [];
  if (old.objectStoreNames.contains("runs")) [keys, values] = await Promise.all([old.getAllKeys("runs"), old.getAll("runs")]);
  old.close();
  let moved = 0;
  const problems = [];
  for (const [i, key] of keys.entries()) {
    const rec = values[i];
    if (rec?.version !== 1 || !Array.isArray(rec.runs)) {
      problems.push(`a slide's kept run ("${key}") in the old database "${OLD_DB}" has an unknown version ` +
        `(${JSON.stringify(rec?.version) ?? "none"}) and was left there`);
      continue;
    }
    // Ids made from the key: frames of one deck migrating at once write the same records, not copies.
    const items = rec.runs.filter((r) => r?.state?.data instanceof Uint8Array).map((r, j) => ({
      record: runRecord({
        meta: { id: `old-${key}-${j}`, name: `Slide frame ${String(key).replace(/^embed:/, "")}`, createdAt: rec.savedAt ?? Date.now() },
        where: key, values: r.values, link: rec.link, series: r.series, state: r.state,
      }),
      state: r.state,
    }));
    const runIds = rec.runs.map((r) => items.find((it) => it.state === r.state)?.record.id ?? null);
    await store.save(items, { key, workspace: { runIds, link: rec.link, playing: rec.playing, embedLink: rec.embedLink } });
    moved++;
  }
  if (!problems.length) await new Promise((resolve) => {
    const req = idb.deleteDatabase(OLD_DB);
    req.onsuccess = req.onerror = req.onblocked = () => resolve();
  });
  return { moved, problems };
}
