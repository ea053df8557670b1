// The main page's runs kept in the shared store (www/store/): saved while they train (every
// SAVE_EVERY_MS), at once when they stop, and when the page is hidden or left; put back exactly by a
// reload with the same link (workspace "page"). A page opened with another link starts from it, and
// the runs before stay in the history (www/views/savedRuns.js, in the "Runs…" dialog), where they
// open again, join the current runs for a comparison, are renamed or deleted.
// Without a usable IndexedDB the page trains as before and says once that runs are not kept; a full
// storage is said with an offer to delete the oldest runs. A failed save or restore never replaces
// or drops a run that trained.
// A run on the learner's own images keeps them too (the store's `datasets`, www/store/dataSets.js):
// a reload loads the kept set back before the runs start, Open and Compare load it when the page has
// another set; a run whose images are not kept (saved before they were, or damaged) says why.

import { MAX_RUNS, serializeLink } from "../link.js";
import { loadKept, openStore } from "../store/index.js";
import { createWorkspaceKeeper } from "../store/workspace.js";
import { askPersistence, storageInfo } from "../store/quota.js";
import { hashOf, isOwnSource } from "../store/dataSets.js";
import { createSavedRuns } from "../views/savedRuns.js";

/** Autosave period while training: long enough that its cost is lost in the training (bench/persistence.mjs). */
export const SAVE_EVERY_MS = 5000;
/** "Delete the oldest runs" frees this many at a time. */
const OLDEST = 3;

export function createKeepRuns({ win, sandbox }) {
  const { messages } = sandbox;
  const doc = win.document;
  let store = null, keeper = null, view = null;
  let fullShown = false;
  let keptSetTiming = null;   // { ms, bytes } of the own set put back at the start
  let pageHash = null;   // the content hash of the page's own set (null on another set), for whyNotCompare

  /** The content hash of the own set the page's runs train on, or null. */
  async function currentHash() {
    const source = sandbox.entries[0]?.run.dataSource;
    return sandbox.dataName() === "own" && isOwnSource(source) ? hashOf(source).catch(() => null) : null;
  }

  // Kept sets found damaged on reading (hash → the sentence): the list says so without reading them again.
  const damagedSets = new Map();

  /** Why saved run `record` cannot be put back on the page at all (null: it can). `kept`: the kept sets' keys. */
  function whyNotOpen(record, kept) {
    if (record.dataset !== "own") return null;
    if (!record.dataHash) {
      return `"${record.name}" trained on your own images before the page kept them with the run (an older version ` +
        "of the page saved it), so it cannot be put back: load the images and train again";
    }
    if (kept && !kept.has(record.dataHash)) return `the own images that "${record.name}" trained on are no longer kept on this computer`;
    return damagedSets.get(record.dataHash) ?? null;
  }

  /** Load the own set that saved run `record` trained on; rejects with a sentence naming what is wrong. */
  async function keptDataSet(record) {
    const why = whyNotOpen(record);
    if (why) throw new Error(why);
    try {
      return await store.runs.loadDataSet(record.dataHash);
    } catch (e) {
      damagedSets.set(record.dataHash, e.message);
      throw e;
    }
  }

  const currentIds = () => new Set(sandbox.entries.map((e) => keeper?.idOf(e)).filter(Boolean));

  function onSaveError(e) {
    if (e.quota) {
      if (fullShown) return;
      fullShown = true;
      messages.show("store-full", `Your runs are not being saved: ${e.message}. They train on; delete old saved runs to make room.`, "warn");
      offerDeleteOldest();
    } else {
      messages.show("store-full", `Your runs could not be saved: ${e.message}. They train on; the last save is kept.`, "warn");
    }
  }
  function onSaved() {
    if (fullShown || doc.querySelector('#messages .message[data-id="store-full"]')) messages.dismiss("store-full");
    fullShown = false;
  }

  /** The "storage full" message gets a button that deletes the oldest saved runs (never a current one). */
  function offerDeleteOldest() {
    const msg = doc.querySelector('#messages .message[data-id="store-full"] .message-body');
    if (!msg) return;
    const b = doc.createElement("button");
    b.type = "button";
    b.className = "saved-runs-free";
    b.textContent = `Delete the ${OLDEST} oldest saved runs`;
    b.addEventListener("click", async () => {
      b.disabled = true;
      const n = await deleteOldest(OLDEST);
      messages.show("store-full", n ? `Deleted the ${n} oldest saved run${n > 1 ? "s" : ""}; saving again.`
        : "There is no saved run to delete besides the runs on the page: the browser's storage for this site is full.", "info");
      // Nothing deleted: saving again would only fail again and cover this answer with the first
      // message; the next save (periodic, at a pause) still tries.
      fullShown = n === 0;
      if (n) keeper.saveNow();
    });
    msg.append(b);
  }

  async function deleteOldest(n) {
    const { runs } = await store.runs.list();
    const keep = currentIds();
    const old = runs.filter((r) => !keep.has(r.id)).sort((a, b) => a.savedAt - b.savedAt).slice(0, n);
    await store.runs.remove(old.map((r) => r.id));
    return old.length;
  }

  /** Start the page: its kept runs if the link is the one they were saved with, else the link. */
  async function restoreOrStart() {
    store = await openStore({ idb: win.indexedDB });
    if (!store.runs) {
      messages.show("store", `Your runs are not kept on this computer: ${store.problem}. The page trains as usual; ` +
        "a reload starts again.", "warn");
      const p = doc.createElement("p");
      p.className = "saved-runs-empty";
      p.textContent = `No saved runs: ${store.problem}.`;
      sandbox.runsDialog?.section("saved-runs")?.replaceChildren(p);
      return sandbox.start();
    }
    if (store.notes.length) messages.show("store-notes", store.notes, "warn");
    keeper = createWorkspaceKeeper({
      win, sandbox, store: store.runs, key: "page", where: "page", everyMs: SAVE_EVERY_MS,
      linkNow: () => win.location.hash, extra: () => ({ embedLink: null }), onSaved, onSaveError,
    });
    doc.getElementById("playpause")?.addEventListener("click", () => askPersistence(win.navigator), { once: true });
    if (sandbox.runsDialog) {
      view = createSavedRuns(sandbox.runsDialog.section("saved-runs"), {
        doc, storage: () => storageInfo(win.navigator), currentIds, whyNotCompare, whyNotOpen,
        list: async () => { pageHash = await currentHash(); return store.runs.list(); },
        open, compare, rename, remove: (id) => store.runs.remove([id]),
      });
      sandbox.runsDialog.onOpen(() => view.refresh());
    }
    let loaded = null;
    try {
      loaded = await loadKept(store.runs, "page");
    } catch (e) {
      messages.show("store-read", `The runs kept from last time could not be read (${e.message}); starting from the link. ` +
        "They stay in the saved runs.", "warn");
    }
    if (loaded?.problems.length) {
      messages.show("store-read", ["Part of the runs kept from last time could not be read; those runs start from the link:",
        ...loaded.problems], "warn");
    }
    if (!loaded?.workspace || loaded.workspace.link !== win.location.hash || !loaded.runs.some(Boolean)) {
      await sandbox.start();
      keeper.release();
      return;
    }
    await ownDataBack(loaded);
    const n = await keeper.restore(loaded, {
      onProblem: (e, i, err) => messages.show(`store-run${i}`, `Run ${i + 1}: its kept training state could not be restored ` +
        `(${err.message}); it starts again from step 0. The saved run stays in the history.`, "warn"),
    });
    keeper.release();
    if (n) {
      const steps = sandbox.entries.map((e) => e.run.series.step).join(", ");
      messages.show("store-restored", `${n > 1 ? `${n} runs are` : "Your run is"} back where ${n > 1 ? "they" : "it"} ` +
        `stopped (step ${steps}). Play continues ${n > 1 ? "them" : "it"} exactly.`, "info");
    }
  }

  /**
   * Before the kept runs start: the own set they trained on goes back into the sandbox, so their
   * link's data=own names it. When it cannot, the runs start on the shapes and a message says why.
   */
  async function ownDataBack(loaded) {
    const own = loaded.runs.find((r) => r?.record.dataset === "own");
    if (!own) return;
    const t0 = performance.now();
    try {
      const set = await keptDataSet(own.record);
      await sandbox.useData(set.source, { summary: set.summary });
      keptSetTiming = { ms: performance.now() - t0, bytes: set.bytes };
    } catch (e) {
      messages.show("store-data", `Your run on your own images cannot come back: ${e.message}. It starts again on the shapes; ` +
        "the saved run stays in the history (Runs…).", "warn");
    }
  }

  /** Open a saved run in place of the page's runs (they are saved first: they stay in the history). */
  async function open(id) {
    const saved = await store.runs.load(id);
    // Its own images are read (and checked) before anything on the page changes.
    const set = saved.record.dataset === "own" ? await keptDataSet(saved.record) : null;
    sandbox.pauseAll();
    // The page's runs leave the page only once they are kept.
    if (!(await keeper.saveFresh()) && sandbox.entries.some((e) => e.run.series.step > 0)) {
      throw new Error("the page's runs could not be saved first, and opening another run would lose them: " +
        "delete old saved runs to make room, or download a checkpoint of the run first");
    }
    // The page's runs move onto the run's own set first (the link cannot name it).
    if (set && (await currentHash()) !== saved.record.dataHash) await sandbox.useData(set.source);
    const link = serializeLink([saved.record.values]);
    win.history.pushState(null, "", link);
    await sandbox.start(link, { play: false, restart: true });
    await adoptOrSay(sandbox.entries[0], saved);
  }

  /** Why saved run `record` cannot join the page's runs now (null: it can). */
  function whyNotCompare(record, kept) {
    if (sandbox.entries.length >= MAX_RUNS) return `${MAX_RUNS} runs is the most the page trains at once: remove one first (the × in the table)`;
    const here = sandbox.dataName();
    if (record.dataset !== here) {
      return `"${record.name}" trained on ${record.dataset} and the page's runs on ${here}: runs side by side share one data set, so Open it instead`;
    }
    // On the page's own images it needs no kept copy: the page has them.
    if (here === "own" && !(record.dataHash && record.dataHash === pageHash)) {
      return whyNotOpen(record, kept) ??
        `"${record.name}" trained on other images of your own than the page's runs: runs side by side share one data set, so Open it instead`;
    }
    return null;
  }

  /** Add a saved run beside the page's runs (same data set, room for one more). */
  async function compare(id) {
    const saved = await store.runs.load(id);
    pageHash = await currentHash();
    const why = whyNotCompare(saved.record);
    if (why) throw new Error(why);
    sandbox.pauseAll();
    const e = await sandbox.addRun({ ...saved.record.values });
    if (!e) throw new Error(`the trainer did not take the settings of "${saved.record.name}"`);
    await adoptOrSay(e, saved);
  }

  async function adoptOrSay(e, saved) {
    try {
      await keeper.adopt(e, saved);
      messages.show("store-opened", `"${saved.record.name}" is back at step ${saved.record.step}. Play continues it exactly.`, "info");
    } catch (err) {
      throw new Error(`the training state of "${saved.record.name}" could not be restored (${err.message}); the run starts ` +
        "from step 0 with its settings, and the saved run stays in the history");
    }
  }

  async function rename(id, name) {
    await store.runs.rename(id, name);
    keeper.renamed(id, name);
  }

  return {
    restoreOrStart,
    saveNow: () => keeper?.saveFresh() ?? Promise.resolve(false),
    /** Saves off and on again (bench/persistence.mjs measures training with and without them in one page). */
    setAutosave: (on) => (on ? keeper?.release() : keeper?.hold()),
    get store() { return store?.runs ?? null; },
    /** { ms, bytes } of the own set put back at the start (read, checked, handed to the sandbox), or null. */
    get keptSetTiming() { return keptSetTiming; },
    get view() { return view; },
  };
}
