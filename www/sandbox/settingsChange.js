// The settings-change policy: a change never silently wipes what a run trained.
// - Nothing to lose (step 0, a "+ Compare" copy made to be changed, a run being rebuilt anyway, a
//   diverged run): the run is rebuilt with the new settings.
// - Only live settings (learning rate, schedule) on a paused run: applied to it at its current step;
//   it keeps its weights.
// - Anything else: a new run with the change starts beside the edited one; with MAX_RUNS runs, the
//   edited run is replaced instead, and the message says so.
// Every change pushes a history entry, so the browser's Back button undoes it.

import { SETTINGS, defaults, parseValue, sameValue, settingByKey } from "../state.js";
import { MAX_RUNS, settingText } from "../link.js";

export function createSettingsChange(ctx) {
  const { messages, controls } = ctx;

  /** A setting typed in the panel (raw text), for the edited run. */
  function onSetting(key, raw) {
    const s = settingByKey(key);
    const r = parseValue(s, raw);
    const e = ctx.editing;
    if (!r.ok) {
      messages.show(`input-${s.hash}`, `${s.label}: "${raw}" is not valid — it ${r.reason}. Kept ${e?.values[key]}.`, "warn");
      controls.setValues(e?.values ?? defaults());
      return;
    }
    messages.dismiss(`input-${s.hash}`);
    if (!e || !e.values) return;
    if (sameValue(s, e.values[key], r.value)) return;
    changeSettings(e, { ...e.values, [key]: r.value });
  }

  /** Apply new settings to run `e` by the policy above. */
  async function changeSettings(e, values) {
    const changed = SETTINGS.filter((s) => !sameValue(s, values[s.key], e.values[s.key]));
    if (!changed.length) return;
    const what = changed.map((s) => settingText(s.key, values)).join(", ");
    const step = e.run.series.step;
    const base = ctx.baseFor(e);
    if (step === 0 || e.awaitingChange || e.run.busy || e.run.state === "diverged") {
      // Nothing to lose: not trained yet, a copy made to be changed, a run being rebuilt anyway, or
      // weights a diverged loss destroyed.
      e.awaitingChange = false;
      messages.dismiss("change");
      // The history entry is pushed as soon as the change is decided, not after the network is built.
      const started = ctx.startEntry(e, values, base);
      ctx.writeHash(true);
      await started;
    } else if (changed.every((s) => s.live) && e.run.state === "paused") {
      const before = e.values;
      // The run's settings (and the link, as for a rebuild) are the new ones from now on, not once
      // the worker answers: a second change made meanwhile (cycles, then η_min) must build on this
      // one, or it would undo it.
      e.values = values;
      ctx.writeHash(true);
      try {
        await e.run.retune(values);
      } catch (err) {
        messages.show(`run${e.id}-rejected`, ctx.about(e, `the trainer rejected ${what} — ${err.message}. The run keeps its settings.`), "error");
        if (e.values === values) {
          e.values = before;
          controls.setValues(before);
          ctx.writeHash(false);
        }
        return;
      }
      // A later change is under way: its own answer draws the curve and says what applied.
      if (e.values !== values) return;
      ctx.views.lrChart.setCurve(e.id, e.run.series.curve);
      messages.show("change", ctx.about(e, `${what} applied at step ${step}; the run keeps its weights and continues from there.`), "info");
      ctx.syncRuns();
    } else if (ctx.entries.length < MAX_RUNS) {
      const n = ctx.addEntry(values);
      ctx.setEditing(n, { quiet: true });
      ctx.setPreviewRun(n);   // the student wants to see what the change does to the images
      const why = changed.every((s) => s.live) ? "the learning rate and schedule apply live only while paused"
        : `${changed.map((s) => s.label.toLowerCase()).join(", ")} cannot change in a trained run`;
      messages.show("change", `${ctx.runName(e)} keeps its ${step} steps; ${what} starts run ${ctx.runNo(n)} beside it (${why}).`, "info");
      const started = ctx.startEntry(n, values, ctx.baseFor(n));
      ctx.writeHash(true);
      await started;
    } else {
      messages.show("change", `${MAX_RUNS} runs is the most at once: ${ctx.runName(e).replace(/^The run/, "the run")} at step ${step} ` +
        `was replaced by a new run with ${what}. Remove a run first to keep it.`, "warn");
      const started = ctx.startEntry(e, values, base);
      ctx.writeHash(true);
      await started;
    }
    ctx.syncRuns();
  }

  return { onSetting, changeSettings };
}
