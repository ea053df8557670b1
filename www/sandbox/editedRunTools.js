// Tools that act on the edited run alone: the learning-rate finder (and "Use" of its suggestion),
// "Use best snapshot" (early stopping's weights back), and the overfit-a-small-sample switch.

import { pct } from "../views/stats.js";
import { drawLrFinder } from "../views/lrFinder.js";

export function createEditedRunTools(ctx) {
  const { $, on, messages, views } = ctx;

  on($("findlr"), "click", async () => {
    const e = ctx.editing;
    if (!e?.run.values || ctx.isTraining(e)) return;
    $("findlr").disabled = true;
    $("lrfind-text").textContent = "Finding a learning rate…";
    $("lrfind-panel").hidden = false;
    try {
      const r = await e.run.findLr(100);
      showLrFind(r, null);
    } catch (err) {
      showLrFind(null, err.message);
    }
    ctx.updateToolbar();
  });

  function showLrFind(r, error) {
    const text = $("lrfind-text"), use = $("lrfind-use");
    if (error) {
      ctx.lrFind = { points: [], suggestedLr: null, error };
      text.textContent = `The learning-rate finder failed: ${error}`;
      use.hidden = true;
      return;
    }
    ctx.lrFind = r;
    drawLrFinder($("lrfind-canvas"), r.points, r.suggestedLr);
    const s = r.suggestedLr;
    text.textContent = s ? `Loss (dots) and smoothed loss (red) against the learning rate over ${r.points.length} ` +
      `iterations on a copy of run ${ctx.runNo(ctx.editing)}. Suggested: ${+s.toPrecision(3)} (green).`
      : `Loss against the learning rate over ${r.points.length} iterations: no suggestion found (the loss never fell clearly).`;
    use.hidden = !s;
  }

  on($("lrfind-use"), "click", () => {
    const s = ctx.lrFind?.suggestedLr;
    if (s) ctx.onSetting("learningRate", String(+s.toPrecision(3)));
  });
  on($("lrfind-close"), "click", () => { $("lrfind-panel").hidden = true; });

  on($("usebest"), "click", async () => {
    const e = ctx.editing;
    const best = e && views.accChart.best(e.id);
    if (!best || ctx.isTraining(e)) return;
    // Remembered until the restoring evaluation arrives (runEvents.js names the step in its message).
    e.restored = best;
    updateBestButton();
    try {
      const r = await e.run.restoreBest();
      if (!r.ok) {
        e.restored = null;
        messages.show(`run${e.id}-restored`, "There is no snapshot yet: the run has not been evaluated.", "warn");
      }
    } catch (err) {
      e.restored = null;
      messages.show(`run${e.id}-restored`, ctx.about(e, `could not restore the best snapshot — ${err.message}.`), "error");
    }
    updateBestButton();
  });

  on($("overfit"), "click", () => {
    if (ctx.editing?.run.values) ctx.onSetting("overfit", String(!ctx.editing.values.overfit));
  });

  /** "Use best snapshot" of the edited run: enabled when paused and the best is not the current weights. */
  function updateBestButton() {
    const btn = $("usebest");
    const { editing } = ctx;
    if (!btn || !editing) return;
    const best = views.accChart.best(editing.id);
    const last = editing.run.series.lastEval;
    const atBest = last && best && (last.bestStep === last.step || last.restored);
    btn.disabled = ctx.isTraining(editing) || editing.run.busy || !best || Boolean(atBest) || editing.restored !== null;
    const text = best ? `Use best: ${pct(best.valAccuracy)} at step ${best.step}` : "Use best snapshot";
    if (btn.textContent !== text) btn.textContent = text;
  }

  return { updateBestButton };
}
