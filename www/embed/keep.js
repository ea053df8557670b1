// A frame's runs across slide changes: on first show, restore what was kept under the frame's key (or
// start from the link); while training, and whenever the frame pauses or is hidden, keep the runs
// (www/embed/persist.js). Saving is cheap (the default network's state is a few hundred kB) but not
// instant, so a frame unloaded while training comes back at the last save, at most SAVE_EVERY_MS
// old; one paused before it was unloaded (as the lecture's deck does) comes back exactly.

import { openRunStore, keptSeries } from "./persist.js";
import { parseLink, sameRuns, serializeLink } from "../link.js";
import { sameSettings } from "../state.js";
import { scenarioById } from "../scenarios.js";

export const SAVE_EVERY_MS = 2000;

/**
 * `wasPlaying()`: the frame paused its runs only because it was hidden (they go on when it is back),
 * so a save then still counts them as playing.
 */
export function createKeeper({ win, sandbox, key, startHash, messages, wasPlaying = () => false }) {
  const startLink = parseLink(startHash, { scenarioById });
  let store = null;
  let saving = null, again = false;
  let restoredPlaying = false;

  function problem(text) { messages.show("keep", text, "warn"); }

  /** The link of what runs now: the frame's own while its runs are what it says (a scenario stays one). */
  function linkNow() {
    const values = sandbox.entries.map((e) => e.values);
    return sameRuns(startLink.runs, values) ? startHash : serializeLink(values, startLink.hidden);
  }

  /** Start the runs: the kept ones if there are any for this link, else the link's. Resolves true if restored. */
  async function restoreOrStart() {
    store = await openRunStore();
    if (!store.available) problem(`This frame will not keep its run when the slide is left: ${store.problem}. It trains as usual.`);
    let rec = null;
    try {
      rec = await store.load(key);
    } catch (e) {
      problem(`The kept run could not be read (${e.message}); starting from the link.`);
    }
    if (!rec || rec.embedLink !== startHash) {
      await sandbox.start(startHash, { play: false });
      return false;
    }
    await sandbox.start(rec.link, { play: false });
    const restored = await Promise.all(sandbox.entries.map(async (e, i) => {
      const kept = rec.runs[i];
      if (!kept || !e.run.values || !sameSettings(e.run.values, kept.values)) return false;
      try {
        await e.run.importState(kept.state);
        sandbox.replaySeries(e, kept.series);
        return true;
      } catch (err) {
        messages.show(`keep-${e.id}`, `Run ${i + 1}: the kept training state could not be restored (${err.message}); ` +
          "it starts again from step 0.", "warn");
        return false;
      }
    }));
    restoredPlaying = rec.playing && restored.some(Boolean);
    return restored.some(Boolean);
  }

  async function saveOnce() {
    const entries = sandbox.entries.filter((e) => e.run.values && !e.run.busy);
    if (!entries.length || entries.length !== sandbox.entries.length) return;
    const runs = [];
    for (const e of entries) {
      const state = await e.run.exportState();
      runs.push({ values: e.values, series: keptSeries(e.run.series), state });
    }
    await store.save(key, { embedLink: startHash, link: linkNow(), playing: sandbox.playing || wasPlaying(), runs });
    messages.dismiss("keep-full");
  }

  /** Keep the runs now (one save at a time; a request during a save saves again after it). */
  function saveNow() {
    if (!store?.available) return Promise.resolve();
    if (saving) { again = true; return saving; }
    saving = saveOnce()
      .catch((e) => messages.show("keep-full", `This run is not kept for when the slide comes back: ${e.message}.`, "warn"))
      .finally(() => {
        saving = null;
        if (again) { again = false; saveNow(); }
      });
    return saving;
  }

  win.setInterval(() => { if (sandbox.playing) saveNow(); }, SAVE_EVERY_MS);
  // Runs that stop training are kept at once — paused from the toolbar or the host, hidden with their
  // slide, or stopped by themselves (a scenario at its step, a diverged run, early stopping): a deck
  // turned quickly may unload the frame before the next periodic save.
  let training = false;
  sandbox.watch((e, ev) => {
    if (ev.event !== "state" || ev.replayed) return;
    const now = sandbox.entries.some((x) => x.run.state === "running" || x.run.state === "waiting");
    if (training && !now) saveNow();
    training = now;
  });
  win.addEventListener("pagehide", () => saveNow());

  return {
    restoreOrStart, saveNow,
    get restoredPlaying() { return restoredPlaying; },
  };
}
