// The sandbox's list of runs (ctx.entries): adding and removing one, which run the settings panel
// edits and which run's images the preview shows, and the run lists every view draws from (labels,
// colours, the comparison table's rows, the preview's run select, the "Editing run k" line).

import { createRun } from "../run.js";
import { MAX_RUNS } from "../link.js";
import { BASELINE, runLabels } from "../runLabel.js";
import { runColor, RUN_COLORS } from "../views/palette.js";

export function createRunList(ctx) {
  const { $, doc, views } = ctx;
  let nextId = 1;

  /** A new run with `values` (not started: see runStart.js); `extra` sets entry fields. */
  function addEntry(values, extra = {}) {
    const used = new Set(ctx.entries.map((e) => e.color));
    const color = RUN_COLORS.find((c) => !used.has(c)) ?? runColor(ctx.entries.length);
    const id = nextId++;
    const e = {
      id, color, label: "", values, pausedAlone: false, awaitingChange: false,
      restored: null, row: {}, rowDirty: false, earlyMax: NaN, ...extra,
    };
    e.run = createRun({ id, onEvent: ctx.onRunEvent, preview: false, dataSource: (name) => ctx.dataSourceFor(name) });
    ctx.entries.push(e);
    if (!ctx.editing) ctx.editing = e;
    if (!ctx.previewEntry) setPreviewRun(e);
    syncRuns();
    return e;
  }

  function removeEntry(e, { quiet = false } = {}) {
    if (!e || ctx.entries.length <= 1) return;
    const no = ctx.runNo(e), name = ctx.runName(e), step = e.run.series.step;
    e.run.destroy();
    ctx.entries = ctx.entries.filter((x) => x !== e);
    for (const c of views.charts) c.reset(e.id);
    if (ctx.editing === e) setEditing(ctx.entries[Math.max(0, no - 2)], { quiet: true });
    if (ctx.previewEntry === e) setPreviewRun(ctx.entries[0]);
    ctx.messages.clear(`run${e.id}-`);
    if (!quiet) ctx.messages.show("change", `${name} at step ${step} was removed.`, "info");
    syncRuns();
    ctx.writeHash(true);
    ctx.lockStep.update();
    ctx.updateToolbar();
  }

  /** Drop the last run without a message (a link with fewer runs). */
  function dropLast() {
    const e = ctx.entries.pop();
    e.run.destroy();
    for (const c of views.charts) c.reset(e.id);
    if (ctx.editing === e) ctx.editing = null;
    if (ctx.previewEntry === e) ctx.previewEntry = null;
  }

  /**
   * Labels, colours and the run lists of every view; called whenever runs, their settings or their
   * states change. The labels are computed at once (messages name runs by them); the DOM is written
   * at the next drawn frame (syncRunsNow), once however many runs changed state meanwhile.
   */
  let runsDirty = false, runsKey = "";
  function syncRuns() {
    const labels = runLabels(ctx.entries.map((e) => e.values), BASELINE);
    ctx.entries.forEach((e, i) => { e.label = labels[i]; });
    syncCompare();
    runsDirty = true;
    ctx.scheduleDraw();
  }
  /**
   * "+ Compare" is enabled at once, not at the next frame: a page that says it is ready must take the
   * press (as the toolbar's Play and Step, www/sandbox/toolbar.js).
   */
  function syncCompare() {
    const b = $("compare");
    const off = ctx.entries.length >= MAX_RUNS || !ctx.editing?.run.values;
    if (b && b.disabled !== off) b.disabled = off;
  }
  function syncRunsNow() {
    if (!runsDirty) return;
    runsDirty = false;
    const { entries, editing } = ctx;
    const list = entries.map((e) => ({ id: e.id, label: e.label, color: e.color }));
    // The charts drop and redraw on setRuns: only when the list itself changed.
    const key = JSON.stringify(list);
    if (key !== runsKey) {
      runsKey = key;
      for (const c of views.charts) c.setRuns(list);
      const sel = $("preview-run");
      if (sel) {
        sel.replaceChildren(...entries.map((e) => {
          const o = doc.createElement("option");
          o.value = String(e.id);
          o.textContent = `Run ${ctx.runNo(e)}: ${e.label}`;
          return o;
        }));
        sel.disabled = entries.length < 2;
      }
    }
    const sel = $("preview-run");
    if (sel && ctx.previewEntry && sel.value !== String(ctx.previewEntry.id)) sel.value = String(ctx.previewEntry.id);
    views.table?.setRuns(entries.map((e) => ({
      id: e.id, label: e.label, color: e.color, editing: e === editing, paused: !ctx.isTraining(e),
    })));
    const head = $("settings-run");
    if (head && editing) {
      const text = `Editing run ${ctx.runNo(editing)}: ${editing.label}` +
        (editing.awaitingChange ? " — change a setting: it applies to this run" : "");
      if (head.textContent !== text) head.textContent = text;
      head.style.borderColor = editing.color;
    }
    syncCompare();
  }

  /** The run the settings panel (and the stats, diagnosis, LR finder, "Use best") is about. */
  function setEditing(e, { quiet = false } = {}) {
    if (!e) return;
    if (ctx.editing !== e) {
      // The finder's result belongs to the run it was found on.
      ctx.lrFind = null;
      const panel = $("lrfind-panel");
      if (panel) panel.hidden = true;
    }
    ctx.editing = e;
    ctx.controls.setData(ctx.dataInfo(e));
    ctx.controls.setValues(e.values);
    $("overfit")?.setAttribute("aria-pressed", String(Boolean(e.values.overfit)));
    ctx.editedStats.refill(e);
    views.diagnosis.reset();
    if (e.run.series.findings.length || e.run.series.lastEval) views.diagnosis.push(e.run.series.findings);
    if (!quiet) syncRuns();
    ctx.updateToolbar();
  }

  function setPreviewRun(e) {
    if (!e) return;
    const before = ctx.previewEntry;
    ctx.previewEntry = e;
    if (before && before !== e) before.run.setPreview(false);
    views.preview.setRun(e.values);
    // Only the shown run sends previews: each is ~64 KB for the main thread to paint.
    if (ctx.previewShown) e.run.setPreview(true);
    if (e.run.series.preview) views.preview.push(e.run.series.preview);
    const sel = $("preview-run");
    if (sel) sel.value = String(e.id);
    ctx.scheduleDraw();
  }

  return { addEntry, removeEntry, dropLast, syncRuns, syncRunsNow, setEditing, setPreviewRun };
}
