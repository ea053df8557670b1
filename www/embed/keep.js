// A frame's runs across slide changes: on first show, restore what was kept under the frame's key (or
// start from the link); while training, and whenever the frame pauses or is hidden, keep the runs in
// the shared store (www/store/, workspace "embed:<key>" — the main page's history lists them too).
// Saving is cheap (the default network's state is a few hundred kB) but not instant, so a frame
// unloaded while training comes back at the last save, at most SAVE_EVERY_MS old; one paused before
// it was unloaded (as the lecture's deck does) comes back exactly.

import { parseLink, sameRuns, serializeLink } from "../link.js";
import { scenarioById } from "../scenarios.js";
import { loadKept, openStore } from "../store/index.js";
import { createWorkspaceKeeper } from "../store/workspace.js";

export const SAVE_EVERY_MS = 2000;

/**
 * `wasPlaying()`: the frame paused its runs only because it was hidden (they go on when it is back),
 * so a save then still counts them as playing.
 */
export function createKeeper({ win, sandbox, key, startHash, messages, wasPlaying = () => false }) {
  const startLink = parseLink(startHash, { scenarioById });
  let keeper = null;
  let restoredPlaying = false;

  function problem(text) { messages.show("keep", text, "warn"); }

  /** The link of what runs now: the frame's own while its runs are what it says (a scenario stays one). */
  function linkNow() {
    const values = sandbox.entries.map((e) => e.values);
    return sameRuns(startLink.runs, values) ? startHash : serializeLink(values, startLink.hidden);
  }

  /** Start the runs: the kept ones if there are any for this link, else the link's. Resolves true if restored. */
  async function restoreOrStart() {
    const store = await openStore({ idb: win.indexedDB });
    if (!store.runs) {
      problem(`This frame will not keep its run when the slide is left: ${store.problem.replace("the page", "the frame")}. ` +
        "It trains as usual.");
      await sandbox.start(startHash, { play: false });
      return false;
    }
    if (store.notes.length) problem(store.notes);
    keeper = createWorkspaceKeeper({
      win, sandbox, store: store.runs, key, everyMs: SAVE_EVERY_MS, linkNow, allOrNone: true,
      extra: () => ({ embedLink: startHash, playing: sandbox.playing || wasPlaying() }),
      onSaved: () => messages.dismiss("keep-full"),
      onSaveError: (e) => messages.show("keep-full", `This run is not kept for when the slide comes back: ${e.message}.`, "warn"),
    });
    let loaded = null;
    try {
      loaded = await loadKept(store.runs, key);
    } catch (e) {
      problem(`The kept run could not be read (${e.message}); starting from the link.`);
    }
    if (loaded?.problems.length) problem([`Part of the kept run could not be read; starting those runs from the link:`, ...loaded.problems]);
    if (!loaded?.workspace || loaded.workspace.embedLink !== startHash) {
      await sandbox.start(startHash, { play: false });
      keeper.release();
      return false;
    }
    const restored = await keeper.restore(loaded, {
      onProblem: (e, i, err) => messages.show(`keep-${e.id}`, `Run ${i + 1}: the kept training state could not be restored ` +
        `(${err.message}); it starts again from step 0.`, "warn"),
    });
    keeper.release();
    restoredPlaying = loaded.workspace.playing && restored > 0;
    return restored > 0;
  }

  return {
    restoreOrStart,
    saveNow: () => keeper?.saveNow() ?? Promise.resolve(),
    get restoredPlaying() { return restoredPlaying; },
  };
}
