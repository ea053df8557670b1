// Actions on the runs together (Play, Pause, Step, Reset), on one run (pause/resume it alone from the
// table) and "+ Compare" (a copy of the edited run, waiting for the change that makes it differ).

import { MAX_RUNS } from "../link.js";

export function createRunControls(ctx) {
  const { messages } = ctx;

  function playAll() {
    ctx.playing = true;
    for (const e of ctx.entries) e.awaitingChange = false;
    const go = ctx.entries.filter((e) => e.run.values && !e.pausedAlone && e.run.state === "paused");
    // Level the limits before the runs start, so none takes a chunk past the others.
    ctx.lockStep.update(go);
    for (const e of go) e.run.play();
    ctx.updateToolbar();
    ctx.syncRuns();
  }

  function pauseAll() {
    ctx.playing = false;
    ctx.lockStep.hold(() => {
      for (const e of ctx.entries) if (ctx.isTraining(e)) e.run.pause();
    });
    ctx.updateToolbar();
    ctx.syncRuns();
  }

  function stepAll() {
    for (const e of ctx.entries) if (e.run.values && e.run.state === "paused") e.run.step();
  }

  /** Rebuild every run with its settings (step 0, new weights from the same seed). */
  function resetAll() {
    for (const e of ctx.entries) {
      messages.dismiss(`run${e.id}-diverged`);
      e.pausedAlone = false;
      ctx.startEntry(e, e.values, ctx.baseFor(e));
    }
  }

  /** Pause or resume run `e` alone; the others go on (and lock-step lets them past it). */
  function togglePause(e) {
    if (!e) return;
    if (ctx.isTraining(e)) {
      e.pausedAlone = true;
      e.run.pause();
    } else {
      e.pausedAlone = false;
      e.awaitingChange = false;
      ctx.playing = true;
      ctx.lockStep.update([e]);
      e.run.play();
    }
    ctx.lockStep.update();
    ctx.updateToolbar();
    ctx.syncRuns();
  }

  /** "+ Compare": a copy of the edited run becomes the edited run; the next change applies to it. */
  function compare() {
    const from = ctx.editing;
    if (!from?.run.values) return;
    if (ctx.entries.length >= MAX_RUNS) {
      messages.show("change", `${MAX_RUNS} runs is the most the page trains at once: remove one first (the × in the table).`, "warn");
      return;
    }
    const e = ctx.addEntry({ ...from.values }, { awaitingChange: true });
    ctx.setEditing(e, { quiet: true });
    messages.show("change", `Run ${ctx.runNo(e)} is a copy of run ${ctx.runNo(from)} (${from.label}). Change a setting: it applies to ` +
      `run ${ctx.runNo(e)}, which then trains beside the others from the same seed.`, "info");
    ctx.startEntry(e, e.values);
    ctx.writeHash(true);
    ctx.syncRuns();
  }

  return { playAll, pauseAll, stepAll, resetAll, togglePause, compare };
}
