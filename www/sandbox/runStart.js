// Building a run's trainer, and what happens when the core rejects the settings: a rejection that names
// a setting the run changed keeps every other setting; otherwise the run keeps its previous trainer,
// is left out (among several runs), or (alone) falls back to the defaults. Never a silent loss.

import { defaultsFor } from "../state.js";
import { settingText, settingsNamedBy } from "../link.js";

export function createRunStart(ctx) {
  const { messages } = ctx;

  /**
   * Build `e`'s trainer with `values`. A rejection that names a setting the run changed (from `base`)
   * keeps every other setting and says which one was left at the base value. Resolves to whether
   * the run was built with (a repair of) `values`.
   */
  async function startEntry(e, values, base = defaultsFor(ctx.dataName())) {
    e.values = values;
    e.earlyMax = NaN;
    ctx.syncRuns();
    try {
      await e.run.start(values);
      return true;
    } catch (err) {
      if (e.values !== values || ctx.destroyed) return false;          // superseded, or gone
      const named = settingsNamedBy(err.message, values, base);
      const what = named.map((k) => settingText(k, values)).join(", ");
      if (named.length) {
        const fixed = { ...values };
        for (const k of named) fixed[k] = base[k];
        messages.show(`run${e.id}-rejected`, ctx.about(e, `the trainer rejected ${what} — ${err.message}. ` +
          `Started it with ${named.map((k) => settingText(k, fixed)).join(", ")} instead; every other setting is kept.`), "error");
        e.values = fixed;
        try {
          await e.run.start(fixed);
          ctx.writeHash(false);
          return true;
        } catch (again) {
          if (e.values !== fixed || ctx.destroyed) return false;
          onRejected(e, again.message);
          return false;
        }
      }
      onRejected(e, err.message);
      return false;
    }
  }

  function onRejected(e, message) {
    const name = ctx.runName(e);
    if (e.run.values) {
      e.values = e.run.values;
      messages.show(`run${e.id}-rejected`, `${name}: the trainer rejected these settings — ${message}. ` +
        `The run keeps its previous settings.`, "error");
      if (e === ctx.editing) ctx.controls.setValues(e.values);
      ctx.syncRuns();
      ctx.writeHash(false);
    } else if (ctx.entries.length > 1) {
      messages.show(`left-${e.id}`, `${name}: the trainer rejected its settings — ${message}. It is left out; the other runs go on.`, "error");
      ctx.removeEntry(e, { quiet: true });
    } else {
      messages.show(`run${e.id}-rejected`, `The trainer rejected the settings — ${message}. Using the default settings instead.`, "error");
      startEntry(e, defaultsFor(ctx.dataName()));
    }
  }

  /** The settings a run's rejected change falls back to: run 1's, or the data set's defaults for run 1 itself. */
  const baseFor = (e) => (ctx.entries[0] === e ? defaultsFor(ctx.dataName()) : ctx.entries[0].values);

  return { startEntry, baseFor };
}
