// The sandbox: up to MAX_RUNS runs (www/run.js) side by side, the views that draw them, the toolbar,
// the settings panel, the comparison table, the scenario picker, the keyboard shortcuts and the URL
// hash. Everything is found inside `root` and every listener is removed by destroy(), so two
// sandboxes can live in one document (a slide deck) and one can be thrown away.
//
// Lock-step: runs are compared at equal steps. Each run's worker trains only up to a step limit,
// which the sandbox sets to the slowest training run's step + SLACK_STEPS and raises as that run
// reports; so a faster run (a smaller network, or one with more CPU) waits instead of racing ahead on
// the charts. With more runs than cores the OS time-shares the workers; the limit keeps them level.
//
// A change never silently wipes a run: at step 0 it rebuilds the run; the learning rate and schedule
// apply live to a paused run; anything else starts a new run beside the edited one (or, with
// MAX_RUNS runs, replaces it and says so). Every settings change pushes a history entry, so the
// browser's Back button undoes it.

import {
  SETTINGS, defaults, isHidden, overfitTrainSize, parseValue, sameSettings, sameValue, settingByKey,
} from "./state.js";
import { createRun } from "./run.js";
import { MAX_RUNS, parseLink, sameRuns, serializeLink, settingText, settingsNamedBy } from "./link.js";
import { BASELINE, runLabels } from "./runLabel.js";
import { SCENARIOS, scenarioById } from "./scenarios.js";
import { overfitIntro, overfitVerdict } from "./recipe.js";
import { createMessages } from "./views/messages.js";
import { createControls } from "./views/controls.js";
import { createStats, pct } from "./views/stats.js";
import { createLossChart } from "./views/lossChart.js";
import { createAccuracyChart } from "./views/accuracyChart.js";
import { createPreview } from "./views/preview.js";
import { createLrChart } from "./views/lrChart.js";
import { createRatioChart } from "./views/ratioChart.js";
import { createCalibrationChart } from "./views/calibrationChart.js";
import { createCompareTable } from "./views/compareTable.js";
import { createDiagnosis } from "./views/diagnosis.js";
import { drawLrFinder } from "./views/lrFinder.js";
import { runColor, RUN_COLORS } from "./views/palette.js";

/** How far (in steps) a run may get ahead of the slowest training run. */
export const SLACK_STEPS = 32;
/** The limit is raised in steps of at least this much (fewer messages), unless a run is waiting. */
const LIMIT_QUANTUM = 8;
// Frames alternate between two halves of the views (the main charts; the rest), so each view redraws
// at most 10×/s and no single frame's task holds the main thread for all of them at once.
const DRAW_FPS = 20;
/** Steps scanned for the early loss maximum (tests/scenarios.rs's earlyLossMax). */
const EARLY_STEPS = 50;

/** Lock-step: the step limit for runs at `steps` (the training ones), never above `cap`; null if none train. */
export function lockStepLimit(steps, cap = Infinity) {
  if (!steps.length) return null;
  return Math.min(Math.min(...steps) + SLACK_STEPS, cap);
}

export function createSandbox(root, { useHash = true } = {}) {
  const doc = root.ownerDocument;
  const win = doc.defaultView;
  const $ = (id) => root.querySelector(`#${id}`);
  const listeners = [];
  const on = (target, type, fn, opts) => {
    target.addEventListener(type, fn, opts);
    listeners.push(() => target.removeEventListener(type, fn, opts));
  };

  const messages = createMessages($("messages"));
  const stats = createStats($("stats"));
  const lossChart = createLossChart($("loss-chart"));
  const accChart = createAccuracyChart($("acc-chart"));
  const lrChart = createLrChart($("lr-chart"));
  const ratioChart = createRatioChart($("ratio-chart"), { legend: $("ratio-legend") });
  const calChart = $("calibration-chart") ? createCalibrationChart($("calibration-chart")) : null;
  const table = $("runs-table") ? createCompareTable($("runs-table"), {
    onRemove: (id) => removeEntry(byId(id)),
    onTogglePause: (id) => togglePause(byId(id)),
    onEdit: (id) => setEditing(byId(id)),
    onPreview: (id) => setPreviewRun(byId(id)),
  }) : null;
  const charts = [lossChart, accChart, lrChart, ratioChart, ...(calChart ? [calChart] : [])];
  const diagnosis = createDiagnosis($("diagnosis"));
  const controls = createControls($("settings"), { onSetting });
  const preview = createPreview($("preview"), { note: $("preview-note"), head: $("preview-head") });
  const playBtn = $("playpause"), stepBtn = $("step"), resetBtn = $("reset"), compareBtn = $("compare");

  let entries = [];          // { id, run, color, label, values, pausedAlone, awaitingChange, ... }
  let nextId = 1;
  let editing = null;        // the entry whose settings the panel edits
  let previewEntry = null;   // the entry whose batch the preview shows
  let playing = false;       // the student pressed Play (runs created meanwhile start too)
  let stopAt = Infinity;     // a scenario's `at`: the runs pause when they all reach it
  let scenario = null;
  let hidden = new Set();
  let previewShown = true;
  let lrFind = null;
  let destroyed = false;
  const drawStats = { count: 0, totalMs: 0, maxMs: 0 };

  const byId = (id) => entries.find((e) => e.id === id);
  const runNo = (e) => entries.indexOf(e) + 1;
  const runName = (e) => (entries.length > 1 ? `Run ${runNo(e)} (${e.label})` : "The run");
  /** A message about run `e`: "Run 2 (Mixup α 0.8): text" among several runs, "Text" when it is the only one. */
  const about = (e, text) => (entries.length > 1 ? `${runName(e)}: ${text}` : text[0].toUpperCase() + text.slice(1));
  const isTraining = (e) => e.run.state === "running" || e.run.state === "waiting";

  // ---- entries ----------------------------------------------------------------------------------
  function addEntry(values, extra = {}) {
    const used = new Set(entries.map((e) => e.color));
    const color = RUN_COLORS.find((c) => !used.has(c)) ?? runColor(entries.length);
    const id = nextId++;
    const e = {
      id, color, label: "", values, pausedAlone: false, awaitingChange: false,
      restored: null, row: {}, rowDirty: false, earlyMax: NaN, ...extra,
    };
    e.run = createRun({ id, onEvent: onRunEvent, preview: false });
    entries.push(e);
    if (!editing) editing = e;
    if (!previewEntry) setPreviewRun(e);
    syncRuns();
    return e;
  }

  function removeEntry(e, { quiet = false } = {}) {
    if (!e || entries.length <= 1) return;
    const no = runNo(e), name = runName(e), step = e.run.series.step;
    e.run.destroy();
    entries = entries.filter((x) => x !== e);
    for (const c of charts) c.reset(e.id);
    if (editing === e) setEditing(entries[Math.max(0, no - 2)], { quiet: true });
    if (previewEntry === e) setPreviewRun(entries[0]);
    messages.clear(`run${e.id}-`);
    if (!quiet) messages.show("change", `${name} at step ${step} was removed.`, "info");
    syncRuns();
    writeHash(true);
    updateLimits();
    updateToolbar();
  }

  /**
   * Labels, colours and the run lists of every view; called whenever runs, their settings or their
   * states change. The labels are computed at once (messages name runs by them); the DOM is written
   * at the next drawn frame, once however many runs changed state meanwhile.
   */
  let runsDirty = false, runsKey = "";
  function syncRuns() {
    const labels = runLabels(entries.map((e) => e.values), BASELINE);
    entries.forEach((e, i) => { e.label = labels[i]; });
    runsDirty = true;
    scheduleDraw();
  }
  function syncRunsNow() {
    runsDirty = false;
    const list = entries.map((e) => ({ id: e.id, label: e.label, color: e.color }));
    const key = JSON.stringify(list);
    if (key !== runsKey) {
      runsKey = key;
      for (const c of charts) c.setRuns(list);
      const sel = $("preview-run");
      if (sel) {
        sel.replaceChildren(...entries.map((e) => {
          const o = doc.createElement("option");
          o.value = String(e.id);
          o.textContent = `Run ${runNo(e)}: ${e.label}`;
          return o;
        }));
        sel.disabled = entries.length < 2;
      }
    }
    const sel = $("preview-run");
    if (sel && previewEntry && sel.value !== String(previewEntry.id)) sel.value = String(previewEntry.id);
    table?.setRuns(entries.map((e) => ({
      id: e.id, label: e.label, color: e.color, editing: e === editing, paused: !isTraining(e),
    })));
    const head = $("settings-run");
    if (head && editing) {
      const text = `Editing run ${runNo(editing)}: ${editing.label}` +
        (editing.awaitingChange ? " — change a setting: it applies to this run" : "");
      if (head.textContent !== text) head.textContent = text;
      head.style.borderColor = editing.color;
    }
    if (compareBtn) compareBtn.disabled = entries.length >= MAX_RUNS || !editing?.run.values;
  }

  function setEditing(e, { quiet = false } = {}) {
    if (!e) return;
    if (editing !== e) {
      // The finder's result belongs to the run it was found on.
      lrFind = null;
      const panel = $("lrfind-panel");
      if (panel) panel.hidden = true;
    }
    editing = e;
    controls.setValues(e.values);
    $("overfit")?.setAttribute("aria-pressed", String(Boolean(e.values.overfit)));
    refillStats(e);
    diagnosis.reset();
    if (e.run.series.findings.length || e.run.series.lastEval) diagnosis.push(e.run.series.findings);
    if (!quiet) syncRuns();
    updateToolbar();
  }

  function setPreviewRun(e) {
    if (!e) return;
    const before = previewEntry;
    previewEntry = e;
    if (before && before !== e) before.run.setPreview(false);
    preview.setRun(e.values);
    // Only the shown run sends previews: each is ~64 KB for the main thread to paint.
    if (previewShown) e.run.setPreview(true);
    if (e.run.series.preview) preview.push(e.run.series.preview);
    const sel = $("preview-run");
    if (sel) sel.value = String(e.id);
    scheduleDraw();
  }

  // ---- starting runs -----------------------------------------------------------------------------
  /**
   * Build `e`'s trainer with `values`. A rejection that names a setting the run changed (from `base`)
   * keeps every other setting and says which one was left at the base value; otherwise the run keeps
   * its previous trainer, or is left out (or, alone, falls back to the defaults).
   */
  async function startEntry(e, values, base = defaults()) {
    e.values = values;
    e.earlyMax = NaN;
    syncRuns();
    try {
      await e.run.start(values);
      return true;
    } catch (err) {
      if (e.values !== values || destroyed) return false;          // superseded, or gone
      const named = settingsNamedBy(err.message, values, base);
      const what = named.map((k) => settingText(k, values)).join(", ");
      if (named.length) {
        const fixed = { ...values };
        for (const k of named) fixed[k] = base[k];
        messages.show(`run${e.id}-rejected`, about(e, `the trainer rejected ${what} — ${err.message}. ` +
          `Started it with ${named.map((k) => settingText(k, fixed)).join(", ")} instead; every other setting is kept.`), "error");
        e.values = fixed;
        try {
          await e.run.start(fixed);
          writeHash(false);
          return true;
        } catch (again) {
          if (e.values !== fixed || destroyed) return false;
          onRejected(e, again.message);
          return false;
        }
      }
      onRejected(e, err.message);
      return false;
    }
  }

  function onRejected(e, message) {
    const name = runName(e);
    if (e.run.values) {
      e.values = e.run.values;
      messages.show(`run${e.id}-rejected`, `${name}: the trainer rejected these settings — ${message}. ` +
        `The run keeps its previous settings.`, "error");
      if (e === editing) controls.setValues(e.values);
      syncRuns();
      writeHash(false);
    } else if (entries.length > 1) {
      messages.show(`left-${e.id}`, `${name}: the trainer rejected its settings — ${message}. It is left out; the other runs go on.`, "error");
      removeEntry(e, { quiet: true });
    } else {
      messages.show(`run${e.id}-rejected`, `The trainer rejected the settings — ${message}. Using the default settings instead.`, "error");
      startEntry(e, defaults());
    }
  }

  // ---- events from the runs ------------------------------------------------------------------------
  function onRunEvent(run, ev) {
    const e = byId(run.id);
    if (!e || destroyed) return;
    switch (ev.event) {
      case "created": onCreated(e, ev.info); break;
      case "report": onReport(e, ev.report); break;
      case "eval": onEval(e, ev.report); break;
      case "preview":
        if (e === previewEntry) { preview.push(ev.data); scheduleDraw(); }
        break;
      case "state":
        setRow(e, { status: statusWord(e) });
        if (!isTraining(e) && playing && !entries.some(isTraining) && !entries.some((x) => x.run.busy)) playing = false;
        updateLimits();
        updateToolbar();
        syncRuns();
        break;
      case "diverged":
        messages.show(`run${e.id}-diverged`, about(e, `loss ${ev.what} at step ${ev.step} ` +
          `— learning rate too high or bad initialization (lecture, step 2). ` +
          `${entries.length > 1 ? "It is paused; the other runs go on. " : ""}Lower the learning rate and press reset.`), "error");
        setRow(e, { status: "diverged" });
        break;
      case "crash":
        messages.show(`run${e.id}-crash`, about(e, `the training core stopped with an error (${ev.message}). ` +
          (ev.fallback ? "These settings crashed before, so the run was restarted with the default settings."
            : "The run was restarted with the same settings.")), "error");
        break;
      case "fatal":
        messages.show(`run${e.id}-fatal`, about(e, `${ev.message}. Reload the page to try again.`), "error");
        updateToolbar();
        break;
      case "error":
        messages.show(`run${e.id}-error`, about(e, ev.message), "error");
        break;
    }
  }

  function onCreated(e, info) {
    e.values = e.run.values;
    e.restored = null;
    e.row = {};
    for (const c of charts) c.reset(e.id);
    lrChart.setCurve(e.id, info.curve);
    setRow(e, { step: 0, status: "" });
    const backend = $("backend");
    if (backend) backend.textContent = info.backend || "unknown";
    messages.dismiss(`run${e.id}-diverged`);
    if (e.values.overfit) messages.show(`run${e.id}-overfit`, overfitIntro(overfitTrainSize(e.values)), "info");
    else messages.dismiss(`run${e.id}-overfit`);
    if (e === previewEntry) setPreviewRun(e);
    if (e === editing) setEditing(e, { quiet: true });
    syncRuns();
    if (playing && !e.pausedAlone && !e.awaitingChange) {
      updateLimits([e]);
      e.run.play();
    }
    updateToolbar();
  }

  function onReport(e, r) {
    lossChart.push(e.id, r.firstStep, r.losses);
    lrChart.push(e.id, r.step, r.lr);
    ratioChart.push(e.id, r.step, r.ratios);
    for (let i = 0; i < r.losses.length && r.firstStep + i <= EARLY_STEPS; i++) {
      if (!(r.losses[i] <= e.earlyMax)) e.earlyMax = Number.isNaN(e.earlyMax) ? r.losses[i] : Math.max(e.earlyMax, r.losses[i]);
    }
    setRow(e, {
      step: r.step, imagesPerSecond: e.run.series.imagesPerSecond,
      trainLoss: lossChart.average(e.id), earlyLossMax: e.earlyMax,
    });
    if (e === editing) {
      if (r.firstStep === 1 && r.losses.length) queueFirstLoss(r.losses[0]);
      queueStat("step", r.step);
      queueStat("epoch", r.epoch);
      queueStat("lr", r.lr);
      queueStat("ips", finite(e.run.series.imagesPerSecond));
      queueStat("loss", lossChart.average(e.id));
    }
    updateLimits();
    scheduleDraw();
  }

  function onEval(e, ev) {
    accChart.push(e.id, ev);
    calChart?.push(e.id, ev);
    setRow(e, {
      trainAccuracy: ev.trainAccuracy, valAccuracy: ev.valAccuracy, gap: ev.trainAccuracy - ev.valAccuracy,
      bestValAccuracy: ev.bestValAccuracy, valConfidence: ev.valConfidence, valEce: ev.valEce,
    });
    if (ev.restored && e.restored) {
      messages.show(`run${e.id}-restored`, about(e, `restored the snapshot of step ${e.restored.step}: validation accuracy ` +
        `${pct(ev.valAccuracy)} (${pct(e.restored.valAccuracy)} when it was taken). Training continues from these weights.`), "info");
      e.restored = null;
    } else if (ev.shouldStop) {
      const n = e.values.patience;
      e.pausedAlone = true;
      messages.show(`run${e.id}-earlystop`, about(e, `early stopping: validation accuracy has not improved for ${n} ` +
        `evaluation${n === 1 ? "" : "s"} (patience). The best was ${pct(ev.bestValAccuracy)} at step ${ev.bestStep}; ` +
        `"Use best" puts those weights back.`), "info");
    }
    if (e.values.overfit) {
      const v = overfitVerdict(ev, e.run.series.epoch, overfitTrainSize(e.values));
      messages.show(`run${e.id}-overfit`, v.text, v.state === "failed" ? "warn" : "info");
      if (v.state !== "training" && isTraining(e)) {
        e.pausedAlone = true;
        e.run.pause();
      }
    }
    if (e === editing) {
      diagnosis.push(ev.findings);
      queueStat("trainacc", ev.trainAccuracy);
      queueStat("valacc", ev.valAccuracy);
      const gap = ev.trainAccuracy - ev.valAccuracy;
      if (ev.step > 0 && Number.isFinite(gap)) {
        gapText = `Now at step ${ev.step}: train ${pct(ev.trainAccuracy)}, val ${pct(ev.valAccuracy)}, ` +
          `gap ${(gap * 100).toFixed(1)} points.`;
      }
    }
    updateBestButton();
    scheduleDraw();
  }

  function statusWord(e) {
    switch (e.run.state) {
      case "diverged": return "diverged";
      case "waiting": return "waiting";
      case "creating": return "building";
      case "running": return "";
      default: return e.run.values ? "paused" : "";
    }
  }

  function setRow(e, fields) {
    Object.assign(e.row, fields);
    e.rowDirty = true;
    scheduleDraw();
  }

  // ---- lock-step ---------------------------------------------------------------------------------
  /** Raise (or lower) every run's limit to the slowest training run's step + slack; `starting`: runs about to play. */
  function updateLimits(starting = []) {
    // While every run is being paused, a run paused first must not raise the limit of the others.
    if (pausingAll) return;
    const training = entries.filter((e) => isTraining(e) || starting.includes(e));
    const limit = lockStepLimit(training.map((e) => e.run.series.step), stopAt);
    if (limit === null) return;
    for (const e of entries) {
      const cur = e.run.limit;
      if (limit === cur) continue;
      if (limit > cur && limit - cur < LIMIT_QUANTUM && e.run.state !== "waiting") continue;
      e.run.setLimit(limit);
    }
    if (Number.isFinite(stopAt) && training.every((e) => e.run.series.step >= stopAt)) {
      const at = stopAt;
      pauseAll();
      stopAt = Infinity;
      if (scenario) {
        messages.show("scenario", `${scenario.title}: the runs paused at step ${at}, where the scenario's effect shows — ` +
          `${scenario.lookFor[1]} Press play to train on.`, "info");
      }
    }
  }

  // ---- toolbar ---------------------------------------------------------------------------------------
  /** The sandbox's state: running (any run trains), creating/booting, paused or fatal. */
  function overallState() {
    const anyTraining = entries.some(isTraining);
    const building = entries.some((e) => e.run.state === "creating" || e.run.state === "booting");
    const ready = entries.some((e) => e.run.values);
    const fatal = entries.length && entries.every((e) => e.run.state === "fatal");
    const state = fatal ? "fatal" : anyTraining ? "running" : building ? (ready ? "creating" : "booting") : ready ? "paused" : "booting";
    return { state, anyTraining, building, ready };
  }

  // The state attribute at once (tests and styles follow it); buttons and texts at the next frame.
  let toolbarDirty = false;
  function updateToolbar() {
    const { state } = overallState();
    if (root.dataset.runState !== state) root.dataset.runState = state;
    toolbarDirty = true;
    scheduleDraw();
  }
  function updateToolbarNow() {
    toolbarDirty = false;
    const { state, anyTraining, building, ready } = overallState();
    playBtn.disabled = !ready || (building && !anyTraining);
    stepBtn.disabled = state !== "paused";
    resetBtn.disabled = !ready;
    const paused = editing && !isTraining(editing) && editing.run.values && !editing.run.busy;
    $("findlr").disabled = !paused || state === "running";
    $("overfit").disabled = !ready;
    playBtn.querySelector(".label").textContent = anyTraining ? "Pause" : "Play";
    playBtn.setAttribute("aria-pressed", String(anyTraining));
    const waiting = entries.filter((e) => e.run.state === "waiting");
    const n = entries.length;
    const text = {
      booting: "Loading the WebAssembly core…",
      creating: "Building the network…",
      running: waiting.length && waiting.length < n
        ? `Training ${n} runs in lock-step (${waiting.map(runNo).map((i) => `run ${i}`).join(", ")} waiting for the slowest)…`
        : n > 1 ? `Training ${n} runs…` : "Training…",
      paused: "Paused",
      fatal: "Not available",
    }[state];
    const status = $("status");
    if (status.textContent !== text) status.textContent = text;
    updateBestButton();
  }

  /** "Use best snapshot" of the edited run: enabled when paused and the best is not the current weights. */
  function updateBestButton() {
    const btn = $("usebest");
    if (!btn || !editing) return;
    const best = accChart.best(editing.id);
    const last = editing.run.series.lastEval;
    const atBest = last && best && (last.bestStep === last.step || last.restored);
    btn.disabled = isTraining(editing) || editing.run.busy || !best || Boolean(atBest) || editing.restored !== null;
    const text = best ? `Use best: ${pct(best.valAccuracy)} at step ${best.step}` : "Use best snapshot";
    if (btn.textContent !== text) btn.textContent = text;
  }

  function playAll() {
    playing = true;
    for (const e of entries) e.awaitingChange = false;
    const go = entries.filter((e) => e.run.values && !e.pausedAlone && e.run.state === "paused");
    // Level the limits before the runs start, so none takes a chunk past the others.
    updateLimits(go);
    for (const e of go) e.run.play();
    updateToolbar();
    syncRuns();
  }

  let pausingAll = false;
  function pauseAll() {
    playing = false;
    pausingAll = true;
    for (const e of entries) if (isTraining(e)) e.run.pause();
    pausingAll = false;
    updateToolbar();
    syncRuns();
  }

  function stepAll() {
    for (const e of entries) if (e.run.values && e.run.state === "paused") e.run.step();
  }

  function resetAll() {
    for (const e of entries) {
      messages.dismiss(`run${e.id}-diverged`);
      e.pausedAlone = false;
      startEntry(e, e.values, entries[0] === e ? defaults() : entries[0].values);
    }
  }

  function togglePause(e) {
    if (!e) return;
    if (isTraining(e)) {
      e.pausedAlone = true;
      e.run.pause();
    } else {
      e.pausedAlone = false;
      e.awaitingChange = false;
      playing = true;
      updateLimits([e]);
      e.run.play();
    }
    updateLimits();
    updateToolbar();
    syncRuns();
  }

  function compare() {
    if (!editing?.run.values) return;
    if (entries.length >= MAX_RUNS) {
      messages.show("change", `${MAX_RUNS} runs is the most the page trains at once: remove one first (the × in the table).`, "warn");
      return;
    }
    const from = editing;
    const e = addEntry({ ...from.values }, { awaitingChange: true });
    setEditing(e, { quiet: true });
    messages.show("change", `Run ${runNo(e)} is a copy of run ${runNo(from)} (${from.label}). Change a setting: it applies to ` +
      `run ${runNo(e)}, which then trains beside the others from the same seed.`, "info");
    startEntry(e, e.values);
    writeHash(true);
    syncRuns();
  }

  // ---- settings ------------------------------------------------------------------------------------------
  function onSetting(key, raw) {
    const s = settingByKey(key);
    const r = parseValue(s, raw);
    const e = editing;
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

  /** Apply new settings to entry `e` without silently losing what it trained (see the top of the file). */
  async function changeSettings(e, values) {
    const changed = SETTINGS.filter((s) => !sameValue(s, values[s.key], e.values[s.key]));
    if (!changed.length) return;
    const what = changed.map((s) => settingText(s.key, values)).join(", ");
    const step = e.run.series.step;
    const base = entries[0] === e ? defaults() : entries[0].values;
    if (step === 0 || e.awaitingChange || e.run.busy || e.run.state === "diverged") {
      // Nothing to lose: not trained yet, a copy made to be changed, a run being rebuilt anyway, or
      // weights a diverged loss destroyed.
      e.awaitingChange = false;
      messages.dismiss("change");
      const started = startEntry(e, values, base);
      writeHash(true);
      await started;
    } else if (changed.every((s) => s.live) && e.run.state === "paused") {
      const before = e.values;
      try {
        await e.run.retune(values);
      } catch (err) {
        messages.show(`run${e.id}-rejected`, about(e, `the trainer rejected ${what} — ${err.message}. The run keeps its settings.`), "error");
        controls.setValues(before);
        return;
      }
      e.values = values;
      lrChart.setCurve(e.id, e.run.series.curve);
      messages.show("change", about(e, `${what} applied at step ${step}; the run keeps its weights and continues from there.`), "info");
      syncRuns();
      writeHash(true);
    } else if (entries.length < MAX_RUNS) {
      const n = addEntry(values);
      setEditing(n, { quiet: true });
      setPreviewRun(n);   // the student wants to see what the change does to the images
      const why = changed.every((s) => s.live) ? "the learning rate and schedule apply live only while paused"
        : `${changed.map((s) => s.label.toLowerCase()).join(", ")} cannot change in a trained run`;
      messages.show("change", `${runName(e)} keeps its ${step} steps; ${what} starts run ${runNo(n)} beside it (${why}).`, "info");
      const started = startEntry(n, values, entries[0] === n ? defaults() : entries[0].values);
      writeHash(true);
      await started;
    } else {
      messages.show("change", `${MAX_RUNS} runs is the most at once: ${runName(e).replace(/^The run/, "the run")} at step ${step} ` +
        `was replaced by a new run with ${what}. Remove a run first to keep it.`, "warn");
      const started = startEntry(e, values, base);
      writeHash(true);
      await started;
    }
    syncRuns();
  }

  // ---- links and history -------------------------------------------------------------------------------
  let appliedHash = null;    // the hash the runs were last built from or written to

  function writeHash(push) {
    if (!useHash || !entries.length) return;
    const current = parseLink(win.location.hash, { scenarioById });
    // A scenario link stays as it is while the runs are still what it says.
    if (current.scenario && sameRuns(current.runs, entries.map((e) => e.values))) return;
    const h = serializeLink(entries.map((e) => e.values), hidden);
    if (win.location.hash === h) return;
    appliedHash = h;
    if (push) win.history.pushState(null, "", h);
    else win.history.replaceState(null, "", h);
  }

  /** Make the runs what `hash` says: keep runs that already match, rebuild or add the others. */
  async function applyLink(hash, { restart = false } = {}) {
    appliedHash = hash;
    const link = parseLink(hash, { scenarioById });
    messages.clear("link");
    if (link.problems.length) messages.show("link", link.problems, "warn");
    applyHidden(link.hidden);
    setScenario(link.scenario);
    const wanted = link.runs;
    while (entries.length > wanted.length) {
      const e = entries[entries.length - 1];
      e.run.destroy();
      entries.pop();
      for (const c of charts) c.reset(e.id);
      if (editing === e) editing = null;
      if (previewEntry === e) previewEntry = null;
    }
    if (!editing && entries.length) setEditing(entries[0], { quiet: true });
    if (!previewEntry && entries.length) setPreviewRun(entries[0]);
    if (link.scenario) {
      stopAt = link.scenario.at;
      playing = true;
    }
    const starts = wanted.map((values, i) => {
      const base = i === 0 ? defaults() : wanted[0];
      const e = entries[i];
      if (!e) return startEntry(addEntry(values), values, base);
      e.pausedAlone = false;
      e.awaitingChange = false;
      if (!restart && e.run.values && sameSettings(e.run.values, values)) return Promise.resolve(true);
      return startEntry(e, values, base);
    });
    syncRuns();
    if (editing) controls.setValues(editing.values);
    await Promise.all(starts);
    // The address bar becomes the full link of what runs (a scenario link stays as it is).
    if (!destroyed && win.location.hash === hash) writeHash(false);
  }

  function applyHidden(h) {
    hidden = h;
    const shown = controls.setHidden(hidden);
    $("overfit").hidden = isHidden(settingByKey("overfit"), hidden);
    root.classList.toggle("no-settings", shown === 0);
    const show = !hidden.has("preview");
    root.classList.toggle("no-preview", !show);
    if (show !== previewShown) {
      previewShown = show;
      previewEntry?.run.setPreview(show);
    }
  }

  function setScenario(sc) {
    scenario = sc;
    const note = $("scenario-note");
    if (note) {
      note.replaceChildren();
      if (sc) {
        const b = doc.createElement("b");
        b.textContent = `${sc.title}. `;
        const l1 = doc.createElement("span");
        l1.textContent = sc.lookFor[0];
        const l2 = doc.createElement("span");
        l2.textContent = ` ${sc.lookFor[1]}`;
        note.append(b, l1, doc.createElement("br"), l2);
      }
      note.hidden = !sc;
    }
    const sel = $("scenario-select");
    if (sel) sel.value = sc ? sc.id : "";
    table?.highlight(sc ? sc.watch : null);
    if (!sc) messages.dismiss("scenario");
  }

  function onHashChange() {
    if (win.location.hash === appliedHash) return;
    const link = parseLink(win.location.hash, { scenarioById });
    if (sameRuns(link.runs, entries.map((e) => e.values)) && link.scenario === scenario) {
      appliedHash = win.location.hash;
      return;
    }
    applyLink(win.location.hash);
  }

  function buildScenarioMenu() {
    const menu = $("scenario-menu");
    if (!menu) return;
    const sel = doc.createElement("select");
    sel.id = "scenario-select";
    sel.setAttribute("aria-label", "Start a scenario: runs that compare one technique");
    const none = doc.createElement("option");
    none.value = "";
    none.textContent = "Scenarios…";
    sel.append(none, ...SCENARIOS.map((sc) => {
      const o = doc.createElement("option");
      o.value = sc.id;
      o.textContent = sc.title;
      return o;
    }));
    on(sel, "change", () => { if (sel.value) startScenario(sel.value); });
    menu.replaceChildren(sel);
  }

  /** One click: the scenario's runs start, train to its `at` step and pause. */
  function startScenario(id) {
    const h = `#scenario=${encodeURIComponent(id)}`;
    if (useHash) win.history.pushState(null, "", h);
    messages.clear("run");
    applyLink(h, { restart: true });
  }

  // ---- stats and drawing ------------------------------------------------------------------------------------
  const statQueue = new Map();
  let gapText = "";
  function queueStat(key, value, title) { statQueue.set(key, [value, title]); }
  function queueFirstLoss(v) {
    queueStat("firstloss", v, `Loss of the very first step. For softmax with C classes it should be about log(C) = ` +
      `${Math.log(10).toFixed(2)} for 10 classes.`);
  }
  const finite = (v) => (Number.isFinite(v) ? v : undefined);
  function refillStats(e) {
    stats.reset();
    statQueue.clear();
    const s = e.run.series, ev = s.lastEval;
    queueStat("step", s.step);
    queueStat("epoch", s.epoch);
    queueStat("lr", Number.isFinite(s.lr) ? s.lr : s.curve?.[0]?.[1] ?? e.values.learningRate);
    queueStat("ips", finite(s.imagesPerSecond));
    if (Number.isFinite(s.firstLoss)) queueFirstLoss(s.firstLoss);
    queueStat("loss", finite(lossChart.average(e.id)));
    queueStat("trainacc", ev?.trainAccuracy);
    queueStat("valacc", ev?.valAccuracy);
    gapText = ev && ev.step > 0 ? `Now at step ${ev.step}: train ${pct(ev.trainAccuracy)}, val ${pct(ev.valAccuracy)}, ` +
      `gap ${((ev.trainAccuracy - ev.valAccuracy) * 100).toFixed(1)} points.` : "";
    scheduleDraw();
  }
  function flushStats() {
    for (const [key, [value, title]] of statQueue) stats.set(key, value, title);
    statQueue.clear();
    const gapEl = $("gap");
    if (gapEl && gapEl.textContent !== gapText) gapEl.textContent = gapText;
  }

  let drawQueued = false, lastDraw = 0, frame = 0, half = 0;
  function scheduleDraw() {
    if (drawQueued || destroyed) return;
    drawQueued = true;
    frame = win.requestAnimationFrame(drawFrame);
  }
  function drawFrame(now) {
    if (destroyed) return;
    if (now - lastDraw < 1000 / DRAW_FPS) { frame = win.requestAnimationFrame(drawFrame); return; }
    drawQueued = false;
    lastDraw = now;
    const t0 = performance.now();
    if (runsDirty) syncRunsNow();
    if (toolbarDirty) updateToolbarNow();
    if (half === 0) {
      lossChart.draw();
      accChart.draw(lossChart.lastStep());
    } else {
      if (previewShown) preview.draw();
      lrChart.draw();
      ratioChart.draw();
      calChart?.draw();
      diagnosis.draw();
    }
    half ^= 1;
    if (half === 1) scheduleDraw();   // the other half, next frame
    // uPlot redraws in a microtask queued by setData; the DOM text is written after it, so a canvas
    // draw never meets a dirty style tree.
    queueMicrotask(() => {
      for (const e of entries) {
        if (!e.rowDirty) continue;
        e.rowDirty = false;
        table?.update(e.id, e.row);
      }
      flushStats();
      const ms = performance.now() - t0;
      drawStats.count++;
      drawStats.totalMs += ms;
      drawStats.maxMs = Math.max(drawStats.maxMs, ms);
    });
  }

  // ---- buttons and keys ------------------------------------------------------------------------------------
  on(playBtn, "click", () => (entries.some(isTraining) ? pauseAll() : playAll()));
  on(stepBtn, "click", stepAll);
  on(resetBtn, "click", resetAll);
  if (compareBtn) on(compareBtn, "click", compare);
  on($("findlr"), "click", async () => {
    const e = editing;
    if (!e?.run.values || isTraining(e)) return;
    $("findlr").disabled = true;
    $("lrfind-text").textContent = "Finding a learning rate…";
    $("lrfind-panel").hidden = false;
    try {
      const r = await e.run.findLr(100);
      showLrFind(r, null);
    } catch (err) {
      showLrFind(null, err.message);
    }
    updateToolbar();
  });
  function showLrFind(r, error) {
    const text = $("lrfind-text"), use = $("lrfind-use");
    if (error) {
      lrFind = { points: [], suggestedLr: null, error };
      text.textContent = `The learning-rate finder failed: ${error}`;
      use.hidden = true;
      return;
    }
    lrFind = r;
    drawLrFinder($("lrfind-canvas"), r.points, r.suggestedLr);
    const s = r.suggestedLr;
    text.textContent = s ? `Loss (dots) and smoothed loss (red) against the learning rate over ${r.points.length} ` +
      `iterations on a copy of run ${runNo(editing)}. Suggested: ${+s.toPrecision(3)} (green).`
      : `Loss against the learning rate over ${r.points.length} iterations: no suggestion found (the loss never fell clearly).`;
    use.hidden = !s;
  }
  on($("lrfind-use"), "click", () => {
    const s = lrFind?.suggestedLr;
    if (s) onSetting("learningRate", String(+s.toPrecision(3)));
  });
  on($("lrfind-close"), "click", () => { $("lrfind-panel").hidden = true; });
  on($("usebest"), "click", async () => {
    const e = editing;
    const best = e && accChart.best(e.id);
    if (!best || isTraining(e)) return;
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
      messages.show(`run${e.id}-restored`, about(e, `could not restore the best snapshot — ${err.message}.`), "error");
    }
    updateBestButton();
  });
  on($("overfit"), "click", () => {
    if (editing?.run.values) onSetting("overfit", String(!editing.values.overfit));
  });
  const previewSel = $("preview-run");
  if (previewSel) on(previewSel, "change", () => setPreviewRun(byId(Number(previewSel.value))));

  // Shortcuts act only while focus is not in a text field; on the whole document when the sandbox is
  // the page, otherwise only inside its root.
  const keyTarget = root === doc.body || root === doc.documentElement ? doc : root;
  on(keyTarget, "keydown", (ev) => {
    if (ev.ctrlKey || ev.metaKey || ev.altKey || ev.defaultPrevented) return;
    const t = ev.target;
    if (t instanceof win.HTMLInputElement || t instanceof win.HTMLSelectElement || t instanceof win.HTMLTextAreaElement
      || t?.isContentEditable) return;
    const act = { " ": playBtn, s: stepBtn, r: resetBtn, c: compareBtn }[ev.key];
    if (!act || act.disabled) return;
    ev.preventDefault();
    act.click();
  });
  if (useHash) {
    on(win, "hashchange", onHashChange);
    on(win, "popstate", onHashChange);
  }

  buildScenarioMenu();
  updateToolbar();

  /** Start from `hash` (the page's location.hash by default). */
  function start(hash = useHash ? win.location.hash : "") {
    return applyLink(hash);
  }

  function destroy() {
    destroyed = true;
    for (const off of listeners.splice(0)) off();
    for (const e of entries) e.run.destroy();
    entries = [];
    if (frame) win.cancelAnimationFrame(frame);
  }

  /** Change the edited run's settings (no validation: the core judges), by the rules of a settings change. */
  function tryConfig(partial) {
    if (!editing?.run.values || editing.run.busy) return false;
    changeSettings(editing, { ...editing.values, ...partial });
    return true;
  }

  return {
    start, destroy, tryConfig, compare, playAll, pauseAll, removeEntry: (id) => removeEntry(byId(id)),
    setEditing: (id) => setEditing(byId(id)), startScenario,
    get entries() { return entries; },
    get editing() { return editing; },
    get playing() { return playing; },
    get scenario() { return scenario; },
    get lrFind() { return lrFind; },
    views: { lossChart, accChart, lrChart, ratioChart, calChart, table, diagnosis, preview },
    drawStats,
  };
}
