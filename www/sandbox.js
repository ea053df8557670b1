// The sandbox: up to MAX_RUNS runs (www/run.js) side by side, the views that draw them, the toolbar,
// the settings panel, the comparison table, the scenario picker, the keyboard shortcuts and the URL
// hash. Everything is found inside `root` and every listener is removed by destroy(), so two
// sandboxes can live in one document (a slide deck) and one can be thrown away.
//
// This file builds the views and puts the parts together; each concern is a module in www/sandbox/:
//   runList.js        the runs: add, remove, which one is edited / previewed, the views' run lists
//   runStart.js       building a run's trainer; rejected settings
//   runEvents.js      what each run's events do to the views and messages
//   runControls.js    Play, Pause, Step, Reset, pause one run, "+ Compare"
//   lockstep.js       the step-limit policy (slowest training run + slack; a scenario's step)
//   settingsChange.js a change applies live, starts a run beside, or replaces a run
//   history.js        link ↔ runs (pushState, Back/Forward, scenario links)
//   scenarioPicker.js the scenario menu and note
//   toolbar.js        the toolbar's buttons and status
//   editedRunTools.js LR finder, "Use best", overfit switch (the edited run)
//   editedStats.js    the stats line and gap sentence (the edited run)
//   frameLoop.js      batching DOM writes and chart redraws into frames
//   shortcuts.js      the keys
//   replay.js         drawing a kept run's curves again (a slide's frame that was unloaded)
//   dataSet.js        the one data set every run trains on: loading it into the runs' workers
//   ensemble.js       "Ensemble ×N", and runs differing only in `member` combined at common steps
// The parts share one context object `ctx`: the sandbox's state (entries, editing, playing, …), the
// views, and every part's functions. A part calls another through ctx at call time, so the parts can
// be created in any order although they call each other.

import { createMessages } from "./views/messages.js";
import { createControls } from "./views/controls.js";
import { createStats } from "./views/stats.js";
import { createLossChart } from "./views/lossChart.js";
import { createAccuracyChart } from "./views/accuracyChart.js";
import { createPreview } from "./views/preview.js";
import { createLrChart } from "./views/lrChart.js";
import { createRatioChart } from "./views/ratioChart.js";
import { createCalibrationChart } from "./views/calibrationChart.js";
import { createConfusionView } from "./views/confusionView.js";
import { createCompareTable } from "./views/compareTable.js";
import { createDiagnosis } from "./views/diagnosis.js";
import { createDataCard } from "./views/dataCard.js";
import { SLACK_STEPS, createLockStep, lockStepLimit } from "./sandbox/lockstep.js";
import { createRunList } from "./sandbox/runList.js";
import { createRunStart } from "./sandbox/runStart.js";
import { createRunEvents } from "./sandbox/runEvents.js";
import { createRunControls } from "./sandbox/runControls.js";
import { createSettingsChange } from "./sandbox/settingsChange.js";
import { createHistory } from "./sandbox/history.js";
import { createScenarioPicker } from "./sandbox/scenarioPicker.js";
import { createToolbar } from "./sandbox/toolbar.js";
import { createEditedRunTools } from "./sandbox/editedRunTools.js";
import { createEditedStats } from "./sandbox/editedStats.js";
import { createFrameLoop } from "./sandbox/frameLoop.js";
import { bindShortcuts } from "./sandbox/shortcuts.js";
import { createReplay } from "./sandbox/replay.js";
import { createDataSet } from "./sandbox/dataSet.js";
import { createEnsemble } from "./sandbox/ensemble.js";
import { createRunsDialog } from "./views/runsDialog.js";

export { SLACK_STEPS, lockStepLimit };

export function createSandbox(root, { useHash = true } = {}) {
  const doc = root.ownerDocument;
  const win = doc.defaultView;
  const $ = (id) => root.querySelector(`#${id}`);
  const listeners = [];
  const on = (target, type, fn, opts) => {
    target.addEventListener(type, fn, opts);
    listeners.push(() => target.removeEventListener(type, fn, opts));
  };

  const ctx = {
    root, doc, win, $, on,
    entries: [],          // { id, run, color, label, values, pausedAlone, awaitingChange, restored, row, ... }
    editing: null,        // the entry whose settings the panel edits
    previewEntry: null,   // the entry whose batch the preview shows
    playing: false,       // the student pressed Play (runs created meanwhile start too)
    scenario: null,
    previewShown: true,
    lrFind: null,
    destroyed: false,
    watchers: [],         // fn(entry, event) after the sandbox handled a run's event (sandbox.watch);
                          // { event: "data", type: "data", summary } when the data set changed
    byId: (id) => ctx.entries.find((e) => e.id === id),
    runNo: (e) => ctx.entries.indexOf(e) + 1,
    runName: (e) => (ctx.entries.length > 1 ? `Run ${ctx.runNo(e)} (${e.label})` : "The run"),
    /** A message about run `e`: "Run 2 (Mixup α 0.8): text" among several runs, "Text" when it is the only one. */
    about: (e, text) => (ctx.entries.length > 1 ? `${ctx.runName(e)}: ${text}` : text[0].toUpperCase() + text.slice(1)),
    isTraining: (e) => e.run.state === "running" || e.run.state === "waiting",
  };

  ctx.messages = createMessages($("messages"));
  // Enter in a field must not submit the form (a reload); an onsubmit="" attribute is refused by the policy.
  $("settings").addEventListener("submit", (e) => e.preventDefault());
  ctx.controls = createControls($("settings"), { onSetting: (key, raw) => ctx.onSetting(key, raw) });
  const byId = (id) => ctx.byId(id);
  const lossChart = createLossChart($("loss-chart"));
  const accChart = createAccuracyChart($("acc-chart"));
  const lrChart = createLrChart($("lr-chart"));
  const ratioChart = createRatioChart($("ratio-chart"), { legend: $("ratio-legend") });
  const calChart = $("calibration-chart") ? createCalibrationChart($("calibration-chart")) : null;
  // A click on a cell asks the edited run's worker for that cell's images (www/worker.js, cellImages).
  const confusionView = $("confusion-view")
    ? createConfusionView($("confusion-view"), { cellImages: (t, p) => ctx.editing?.run.cellImages(t, p) ?? null })
    : null;
  const table = $("runs-table") ? createCompareTable($("runs-table"), {
    onRemove: (id) => ctx.removeEntry(byId(id)),
    onTogglePause: (id) => ctx.togglePause(byId(id)),
    onEdit: (id) => ctx.setEditing(byId(id)),
    onPreview: (id) => ctx.setPreviewRun(byId(id)),
  }) : null;
  ctx.views = {
    lossChart, accChart, lrChart, ratioChart, calChart, confusionView, table,
    stats: createStats($("stats")),
    diagnosis: createDiagnosis($("diagnosis")),
    preview: createPreview($("preview"), { note: $("preview-note"), head: $("preview-head") }),
    charts: [lossChart, accChart, lrChart, ratioChart, ...(calChart ? [calChart] : [])],
  };

  const frames = createFrameLoop(ctx);
  ctx.scheduleDraw = frames.scheduleDraw;
  ctx.editedStats = createEditedStats(ctx);
  ctx.lockStep = createLockStep(ctx);
  const links = createHistory(ctx, { useHash });
  Object.assign(ctx,
    createRunList(ctx), createRunStart(ctx), createRunEvents(ctx), createRunControls(ctx),
    createSettingsChange(ctx), links, createScenarioPicker(ctx), createToolbar(ctx), createEditedRunTools(ctx),
    createReplay(ctx), createDataSet(ctx), createEnsemble(ctx));

  // Shortcuts act on the whole document when the sandbox is the page, otherwise only inside its root.
  const keyTarget = root === doc.body || root === doc.documentElement ? doc : root;
  bindShortcuts({
    win, on, keyTarget,
    buttons: { " ": $("playpause"), s: $("step"), r: $("reset"), c: $("compare") },
  });

  // The "Runs…" dialog (saved runs, checkpoints, PyTorch export) belongs to the page, not to a slide's frame.
  ctx.runsDialog = useHash && $("runs-dialog")
    ? createRunsDialog({ dialog: $("runs-dialog"), openButton: $("runs-open"), closeButton: $("runs-close"), on })
    : null;

  ctx.updateToolbar();

  /**
   * Start from `hash` (the page's location.hash by default). `play: false` keeps a scenario's runs
   * paused until Play (a slide's frame plays only when it is shown); `restart` rebuilds even runs
   * whose settings match (a saved run opened in their place).
   */
  function start(hash = useHash ? win.location.hash : "", { play = true, restart = false } = {}) {
    return links.applyLink(hash, { play, restart });
  }

  let dataCard = null;
  function destroy() {
    ctx.destroyed = true;
    dataCard?.destroy();
    for (const off of listeners.splice(0)) off();
    for (const e of ctx.entries) e.run.destroy();
    ctx.entries = [];
    frames.stop();
  }

  /**
   * Change the edited run's settings (no validation: the core judges), by the rules of a settings
   * change. False when the run is being rebuilt; else true, and `applied` settles when it took effect.
   */
  function tryConfig(partial, { applied } = {}) {
    const { editing } = ctx;
    if (!editing?.run.values || editing.run.busy) return false;
    // The data set is the sandbox's, for every run: it changes through useData, not here.
    const settings = { ...partial };
    delete settings.data;
    const change = ctx.changeSettings(editing, { ...editing.values, ...settings });
    applied?.(change);
    return true;
  }

  /** Call fn(entry, event) after each run event the sandbox handled; returns the way to stop. */
  function watch(fn) {
    ctx.watchers.push(fn);
    return () => { ctx.watchers = ctx.watchers.filter((f) => f !== fn); };
  }

  const api = {
    start, destroy, tryConfig, watch,
    /**
     * Train every run on `source` (docs/CONTRACT.md, "Real data"): { kind: "builtin", id } (mnist,
     * fashion-mnist; "shapes" is the generated set) or a learner's { kind: "idx" | "cifar" | "pixels",
     * name: "own", … }. Resolves with the core's summary (null for shapes) once the runs restarted
     * on it; rejects with the core's or the fetch's message, the previous set still loaded and
     * training. `onProgress(received, total)`: bytes of a built-in set fetched so far.
     */
    useData: (source, opts) => ctx.useData(source, opts),
    /** The loaded set's summary (classes, counts, samples), or null for the generated shapes. */
    dataSummary: () => ctx.dataSummary(),
    /** The id of the one data set every run trains on ("shapes", "mnist", …). */
    dataName: () => ctx.dataName(),
    compare: ctx.compare, makeEnsemble: ctx.makeEnsemble, ensemble: ctx.ensemble, playAll: ctx.playAll, pauseAll: ctx.pauseAll, resetAll: ctx.resetAll,
    messages: ctx.messages, replaySeries: ctx.replaySeries,
    /** The "Runs…" dialog (www/views/runsDialog.js), null in a slide's frame. */
    runsDialog: ctx.runsDialog,
    /**
     * A run with `values` beside the others, on the page's data set (the caller keeps to MAX_RUNS):
     * resolves with its entry once built — paused unless the runs play — or null when it was not.
     */
    addRun: async (values) => {
      const e = ctx.addEntry(values);
      const built = await ctx.startEntry(e, values, ctx.entries[0].values);
      ctx.writeHash(true);
      return built && ctx.entries.includes(e) ? e : null;
    },
    removeEntry: (id, opts) => ctx.removeEntry(byId(id), opts),
    setEditing: (id) => ctx.setEditing(byId(id)),
    setPreviewRun: (id) => ctx.setPreviewRun(byId(id)),
    startScenario: ctx.startScenario,
    get entries() { return ctx.entries; },
    get editing() { return ctx.editing; },
    get playing() { return ctx.playing; },
    get scenario() { return ctx.scenario; },
    get lrFind() { return ctx.lrFind; },
    views: {
      lossChart, accChart, lrChart, ratioChart, calChart, table,
      diagnosis: ctx.views.diagnosis, preview: ctx.views.preview,
    },
    drawStats: frames.drawStats,
  };
  // The data card (www/views/dataCard.js, where the page has one) chooses the set through the same API.
  dataCard = $("data-card") ? createDataCard($("data-card"), api) : null;
  return api;
}
