// Keeping what a page or a slide's frame has open — its runs and its link — in the shared store, and
// putting it back: the one mechanism behind the main page (www/sandbox/keepRuns.js) and the frames
// (www/embed/keep.js).
//
// Saving: each run's trainer state (the worker's exportState()) with its settings and curves, at most
// every `everyMs` while training, at once when the runs stop (pause, a scenario's step, a diverged
// run), and when the page is hidden or left. A run keeps its saved id while its trainer lives; a
// rebuilt trainer (Reset, a settings change) is a new saved run, so the one before stays in the history.
// Restoring: the workspace's link is started paused, then each run whose settings match gets its
// state (bit for bit: the next losses are those of a run that never stopped) and its curves back.
// A run on the learner's own images names its set by content hash (`dataHash`); the set itself is
// kept with the run's first save (www/store/dataSets.js), and the caller loads it back before
// restore() (www/sandbox/keepRuns.js).

import { sameSettings } from "../state.js";
import { keptSeries, newRunId, runRecord, stateOf } from "./records.js";
import { hashOf, isOwnSource } from "./dataSets.js";

export function createWorkspaceKeeper({
  win, sandbox, store, key, where = key, everyMs, linkNow, extra = () => ({}),
  allOrNone = false, onSaved = () => {}, onSaveError = () => {},
}) {
  const ids = new Map();         // entry → { id, name, createdAt } of its saved run
  let saving = null, again = false;
  // The page is being kept in the back/forward cache (see the pagehide handler): nothing is written.
  let leaving = false;
  // Nothing is saved until the runs were restored or started: a save of half-restored runs would
  // overwrite the workspace that restores them.
  let held = true;

  // A new trainer is a new run: its saved id is made at its first save.
  sandbox.watch((e, ev) => { if (ev.event === "created") ids.delete(e); });

  // The run's label (its difference from the baseline); the list shows its data set beside it.
  const nameFor = (e) => e.label || "baseline";

  /** The key of `run`'s own data set (added to `dataSets` to be kept), or null for another set. */
  async function ownDataHash(run, dataSets) {
    const source = run.dataSource;
    if (run.values.data !== "own" || !isOwnSource(source)) return null;
    const hash = await hashOf(source);
    // The page has one set; its summary is the one the data card shows.
    if (!dataSets.has(hash)) dataSets.set(hash, { hash, source, summary: sandbox.dataSummary() });
    return hash;
  }

  async function saveOnce() {
    if (held) return;
    const ready = sandbox.entries.filter((e) => e.run.values && !e.run.busy);
    // A frame saves only when every run has its trainer (its link is the runs' link).
    if (!ready.length || (allOrNone && ready.length !== sandbox.entries.length)) return;
    const items = [];
    const dataSets = new Map();   // hash → { hash, source, summary } of the own sets the runs use
    for (const e of ready) {
      // A run that has not trained is not kept: its link rebuilds it exactly.
      if (e.run.series.step === 0) continue;
      const meta = ids.get(e) ?? { id: newRunId(), name: nameFor(e), createdAt: Date.now() };
      ids.set(e, meta);
      const run = e.run;
      const state = await run.exportState();
      // Rebuilt or removed meanwhile: that state belongs to a trainer that is gone.
      if (ids.get(e) !== meta || !sandbox.entries.includes(e)) continue;
      const series = keptSeries(run.series, state.step);
      const dataHash = await ownDataHash(run, dataSets);
      items.push({ record: runRecord({ meta, where, values: run.values, link: linkNow(), series, state, dataHash }), state });
    }
    const runIds = sandbox.entries.map((e) => (items.some((it) => it.record.id === ids.get(e)?.id) ? ids.get(e).id : null));
    // Left for the back/forward cache while the states were gathered: a transaction now would freeze.
    if (leaving) return;
    await store.save(items, {
      key, workspace: { runIds, link: linkNow(), playing: sandbox.playing, ...extra() }, dataSets: [...dataSets.values()],
    });
    onSaved(items);
  }

  /**
   * Keep the runs now (one save at a time; a request during a save saves again after it). Resolves
   * with whether the save under way succeeded (a failure goes to onSaveError too).
   */
  function saveNow() {
    if (saving) { again = true; return saving; }
    saving = saveOnce()
      .then(() => true, (e) => { onSaveError(e); return false; })
      .finally(() => {
        saving = null;
        if (again) { again = false; saveNow(); }
      });
    return saving;
  }

  /** A save that starts after any save under way: resolves true once the runs as they are now are kept. */
  async function saveFresh() {
    while (saving) await saving;
    return saveNow();
  }

  const timer = win.setInterval(() => { if (sandbox.playing) saveNow(); }, everyMs);
  // Runs that stop training are kept at once: paused from the toolbar or a host, hidden, or stopped by
  // themselves — the page or frame may be closed before the next periodic save.
  let training = false;
  // What changes a paused run is kept at once too: the evaluation a pause starts (it finishes after
  // the save made at the pause, and the list and a reload would otherwise show the evaluation before
  // it) and single steps.
  sandbox.watch((e, ev) => {
    if (ev.replayed) return;
    const now = sandbox.entries.some((x) => x.run.state === "running" || x.run.state === "waiting");
    if (ev.event === "state") {
      if (training && !now) saveNow();
      training = now;
    } else if (!now && (ev.event === "eval" || ev.event === "report")) {
      saveNow();
    }
  });
  // A page left for good is saved as it goes. A page the browser keeps in memory to come back to
  // (pagehide's `persisted`: the back/forward cache) is frozen instead, and Safari freezes its
  // database transactions with it, which locks the saved runs for every later visit of the page (it
  // stayed at "loading…"). So such a page saves nothing more and aborts the transaction under way:
  // its runs live on in memory, and the last save before stays whole. It saves again when it is
  // shown again. (pagehide comes before the visibilitychange of a page being left.)
  win.addEventListener("pagehide", (ev) => {
    if (!ev.persisted) { saveNow(); return; }
    leaving = true;
    store.abortOpen();
  });
  win.addEventListener("pageshow", (ev) => {
    if (!ev.persisted || !leaving) return;
    leaving = false;
    saveNow();
  });
  win.document.addEventListener("visibilitychange", () => {
    if (win.document.visibilityState === "hidden" && !leaving) saveNow();
  });

  /**
   * Give entry `e` (built with the saved run's settings, paused) the saved run: its trainer state and
   * its curves, and from now on its saved id. Rejects with the core's message (the entry untouched).
   */
  async function adopt(e, { record, state }) {
    await e.run.importState(stateOf(state));
    sandbox.replaySeries(e, record.series);
    ids.set(e, { id: record.id, name: record.name, createdAt: record.createdAt });
  }

  /**
   * Start the workspace `loaded` (runStore.loadWorkspace) paused and restore each of its runs.
   * Resolves with how many were restored; a run that cannot be is named through `onProblem` and
   * starts from step 0 with its settings.
   */
  async function restore(loaded, { onProblem }) {
    await sandbox.start(loaded.workspace.link, { play: false });
    const done = await Promise.all(sandbox.entries.map(async (e, i) => {
      const kept = loaded.runs[i];
      if (!kept || !e.run.values || !sameSettings(e.run.values, kept.record.values)) return false;
      try {
        await adopt(e, kept);
        return true;
      } catch (err) {
        onProblem(e, i, err);
        return false;
      }
    }));
    return done.filter(Boolean).length;
  }

  return {
    saveNow, saveFresh, adopt, restore,
    /** The runs are started: saves may begin. */
    release() { held = false; },
    /** No saves until release() (bench/persistence.mjs: training with and without saves in one page). */
    hold() { held = true; },
    /** A saved run was renamed: later saves keep the new name. */
    renamed(id, name) { for (const meta of ids.values()) if (meta.id === id) meta.name = name; },
    /** The saved id of entry `e`, or null before its first save. */
    idOf: (e) => ids.get(e)?.id ?? null,
    stop: () => win.clearInterval(timer),
  };
}
