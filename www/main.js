// Boot: build the UI from the settings table, start the training worker, wire the views.
//
// The main thread never trains: it sends settings to the worker and draws what comes back, at most
// DRAW_FPS times a second (requestAnimationFrame). The URL hash holds the settings, so a link
// reproduces a run; it is read on load and on hashchange, and rewritten when a run is created.

import "uplot/dist/uPlot.min.css";
import {
  SETTINGS, defaults, formatValue, isHidden, overfitTrainSize, parseHash, parseValue, sameSettings, sameValue, serializeHash, settingByKey, toConfig, scheduleConfig,
} from "./state.js";
import { createMessages } from "./views/messages.js";
import { createControls } from "./views/controls.js";
import { createStats, pct } from "./views/stats.js";
import { createLossChart } from "./views/lossChart.js";
import { createAccuracyChart } from "./views/accuracyChart.js";
import { createPreview } from "./views/preview.js";
import { createLrChart } from "./views/lrChart.js";
import { createRatioChart } from "./views/ratioChart.js";
import { createDiagnosis } from "./views/diagnosis.js";
import { drawLrFinder } from "./views/lrFinder.js";
import { overfitIntro, overfitVerdict } from "./recipe.js";

const DRAW_FPS = 10;

const $ = (id) => document.getElementById(id);
const messages = createMessages($("messages"));
const stats = createStats($("stats"));
const lossChart = createLossChart($("loss-chart"));
const accChart = createAccuracyChart($("acc-chart"));
const lrChart = createLrChart($("lr-chart"));
const ratioChart = createRatioChart($("ratio-chart"), { legend: $("ratio-legend") });
const diagnosis = createDiagnosis($("diagnosis"));
const controls = createControls($("settings"), { onSetting });
const preview = createPreview($("preview"), { note: $("preview-note"), head: $("preview-head") });
const playBtn = $("playpause"), stepBtn = $("step"), resetBtn = $("reset");

// ---- run state ------------------------------------------------------------------------------
let worker = null;
let good = null;          // settings of the current (last good) run; null until the first run exists
let hidden = new Set();
let nextRunId = 1;
let currentRun = 0;       // runId whose reports we draw
let pending = null;       // { runId, values, fallback } awaiting "created" / "rejected"
let running = false;
let firstLoss = NaN;
let ips = NaN;            // images per second, smoothed
let lastEval = null;
let epoch = 0;            // epochs of the current run, from the last report
let restored = null;      // the best evaluation whose snapshot was just put back, awaiting its "eval"
let weightsAreBest = false; // the model holds the best snapshot (just evaluated as best, or restored)
let previewShown = true;  // the preview card is visible (not hidden with hide=preview)

function setRunState(state) {
  document.body.dataset.runState = state;
  const ready = state === "running" || state === "paused";
  playBtn.disabled = !ready;
  stepBtn.disabled = state !== "paused";
  resetBtn.disabled = !ready;
  $("findlr").disabled = state !== "paused";
  $("overfit").disabled = !ready;
  updateBestButton();
  // Icons are drawn in CSS: an unusual glyph such as ❚ sends Chromium on a font-fallback search
  // that blocked the main thread for ~140 ms the first time the button switched to "Pause".
  playBtn.querySelector(".label").textContent = state === "running" ? "Pause" : "Play";
  playBtn.setAttribute("aria-pressed", String(state === "running"));
  const status = {
    booting: "Loading the WebAssembly core…",
    creating: "Building the network…",
    running: "Training…",
    paused: "Paused",
    fatal: "Not available",
  }[state] ?? state;
  $("status").textContent = status;
}

// ---- worker ---------------------------------------------------------------------------------
function startWorker() {
  worker = new Worker(new URL("./worker.js", import.meta.url), { type: "module" });
  if (!previewShown) worker.postMessage({ type: "preview", on: false });
  worker.onmessage = (ev) => onWorkerMessage(ev.data);
  worker.onerror = (ev) => {
    ev.preventDefault?.();
    fatal(`The training worker failed to start: ${ev.message || "unknown error"}`);
  };
}

function fatal(text) {
  messages.show("fatal", `${text}. Reload the page to try again.`, "error");
  running = false;
  setRunState("fatal");
}

/** Ask the worker for a new run with `values`. `fallback`: settings to try if the core rejects. */
function requestRun(values, fallback = null) {
  const runId = nextRunId++;
  pending = { runId, values, fallback };
  setRunState("creating");
  worker.postMessage({ type: "create", runId, config: toConfig(values), curveSteps: values.totalSteps });
}

function onWorkerMessage(m) {
  switch (m.type) {
    case "booted":
      break;
    case "fatal":
      fatal(m.message);
      break;
    case "created":
      if (!pending || m.runId !== pending.runId) break;
      good = pending.values;
      pending = null;
      currentRun = m.runId;
      diverged = false;
      retuning = null;
      $("backend").textContent = m.backend || "unknown";
      resetViews(m.curve);
      controls.setValues(good);
      writeHash();
      for (const id of ["nan", "rejected", "earlystop", "restored", "overfit"]) messages.dismiss(id);
      $("overfit").setAttribute("aria-pressed", String(Boolean(good.overfit)));
      if (good.overfit) messages.show("overfit", overfitIntro(overfitTrainSize(good)), "info");
      running = false;
      setRunState("paused");
      break;
    case "rejected": {
      if (!pending || m.runId !== pending.runId) break;
      const { values, fallback } = pending;
      pending = null;
      const changed = SETTINGS.filter((s) => good && !sameValue(s, values[s.key], good[s.key]))
        .map((s) => `${s.hash}=${formatValue(s, values[s.key])}`).join(", ");
      const what = changed ? ` (${changed})` : "";
      const keep = good ? "The previous run is kept" : fallback ? "Using the default settings instead" : "";
      messages.show("rejected", `The trainer rejected these settings${what}: ${m.message}. ${keep}.`, "error");
      if (good) {
        controls.setValues(good);
        writeHash();
        setRunState(running ? "running" : "paused");
      } else if (fallback) {
        requestRun(fallback, null);
      } else {
        fatal("No settings were accepted by the trainer");
      }
      break;
    }
    case "retuned":
      if (m.runId !== currentRun || !retuning) break;
      good = retuning;
      retuning = null;
      controls.setValues(good);
      writeHash();
      lrChart.setCurve(m.curve);
      scheduleDraw();
      break;
    case "retuneRejected":
      if (m.runId !== currentRun) break;
      retuning = null;
      messages.show("rejected", `The trainer rejected the new learning rate or schedule: ${m.message}. The run keeps its settings.`, "error");
      controls.setValues(good);
      break;
    case "lrFound":
    case "lrFindFailed":
      if (m.runId !== currentRun) break;
      onLrFound(m);
      break;
    case "restored":
      if (m.runId !== currentRun) break;
      onRestored(m);
      break;
    case "state":
      if (m.runId !== currentRun || pending) break;
      running = m.running;
      setRunState(running ? "running" : "paused");
      break;
    case "report":
      if (m.runId !== currentRun) break;
      onReport(m);
      break;
    case "eval":
      if (m.runId !== currentRun) break;
      onEval(m);
      break;
    case "preview":
      if (m.runId !== currentRun) break;
      preview.push(m);
      scheduleDraw();
      break;
    case "nan":
      if (m.runId !== currentRun) break;
      running = false;
      diverged = true;
      setRunState("paused");
      messages.show("nan",
        `Loss ${m.what} at step ${m.step} — learning rate too high or bad initialization ` +
        `(lecture, step 2). Lower the learning rate and press reset.`, "error");
      break;
    case "crash":
      // A trap inside wasm can leave the module unusable: start a fresh worker with the last good
      // settings. The student loses the run, not the page.
      messages.show("crash", `The training core stopped with an error (${m.message}). ` +
        `The run was restarted with the last good settings.`, "error");
      worker.terminate();
      running = false;
      startWorker();
      requestRun(good ?? defaults());
      break;
  }
}

let lrFind = null;        // the last finder result { points, suggestedLr } (or { error })
function onLrFound(m) {
  $("findlr").disabled = false;
  const panel = $("lrfind-panel"), text = $("lrfind-text"), use = $("lrfind-use");
  panel.hidden = false;
  if (m.type === "lrFindFailed") {
    lrFind = { points: [], suggestedLr: null, error: m.message };
    text.textContent = `The learning-rate finder failed: ${m.message}`;
    use.hidden = true;
    return;
  }
  lrFind = { points: m.points, suggestedLr: m.suggestedLr };
  drawLrFinder($("lrfind-canvas"), m.points, m.suggestedLr);
  const s = m.suggestedLr;
  text.textContent = s ? `Loss (dots) and smoothed loss (red) against the learning rate over ${m.points.length} ` +
    `iterations on a copy of this run. Suggested: ${+s.toPrecision(3)} (green).`
    : `Loss against the learning rate over ${m.points.length} iterations: no suggestion found (the loss never fell clearly).`;
  use.hidden = !s;
}
// ---- early stopping: the best validation snapshot ---------------------------------------------
function onRestored(m) {
  if (!m.ok) {
    restored = null;
    messages.show("restored", "There is no snapshot yet: the run has not been evaluated.", "warn");
  }
  // When ok, the worker's "eval" of the restored weights follows; onEval reports it.
  updateBestButton();
}

/** "Use best snapshot": enabled when paused and the best evaluation is not the current weights. */
function updateBestButton() {
  const btn = $("usebest");
  const best = accChart.best;
  btn.disabled = document.body.dataset.runState !== "paused" || !best || weightsAreBest || restored !== null;
  const text = best ? `Use best: ${pct(best.accuracy)} at step ${best.step}` : "Use best snapshot";
  if (btn.textContent !== text) btn.textContent = text;
}

// ---- reports → views ------------------------------------------------------------------------
function resetViews(curve = []) {
  lossChart.reset();
  accChart.reset();
  lrChart.reset(curve);
  ratioChart.reset();
  diagnosis.reset();
  preview.setRun(good);
  stats.reset();
  statQueue.clear();
  firstLoss = NaN;
  ips = NaN;
  lastEval = null;
  epoch = 0;
  restored = null;
  weightsAreBest = false;
  gapText = "";
  queueStat("step", 0);
  queueStat("epoch", 0);
  queueStat("lr", curve.length ? curve[0][1] : good.learningRate);
  scheduleDraw();
}

function onReport(r) {
  const firstStep = r.step - r.losses.length + 1;
  if (firstStep === 1 && r.losses.length) {
    firstLoss = r.losses[0];
    queueStat("firstloss", firstLoss,
      `Loss of the very first step. For softmax with C classes it should be about log(C) = ${Math.log(10).toFixed(2)} for 10 classes.`);
  }
  lossChart.push(firstStep, r.losses);
  weightsAreBest = false;
  lrChart.push(r.step, r.lr);
  ratioChart.push(r.step, r.ratios);
  if (Number.isFinite(r.imagesPerSecond) && r.imagesPerSecond > 0) {
    ips = Number.isFinite(ips) ? 0.8 * ips + 0.2 * r.imagesPerSecond : r.imagesPerSecond;
  }
  queueStat("step", r.step);
  queueStat("epoch", r.epoch);
  epoch = r.epoch;
  queueStat("lr", r.lr);
  queueStat("ips", Number.isFinite(ips) ? ips : undefined);
  queueStat("loss", lossChart.average());
  scheduleDraw();
}

function onEval(e) {
  lastEval = e;
  accChart.push(e);
  weightsAreBest = Boolean(restored) || e.bestStep === e.step;
  if (restored) {
    messages.show("restored", `Restored the snapshot of step ${restored.step}: validation accuracy ${pct(e.valAccuracy)} ` +
      `(${pct(restored.accuracy)} when it was taken). Training continues from these weights.`, "info");
    restored = null;
  } else if (e.shouldStop) {
    const n = good?.patience ?? 0;
    messages.show("earlystop", `Early stopping: validation accuracy has not improved for ${n} ` +
      `evaluation${n === 1 ? "" : "s"} (patience). The best was ${pct(e.bestValAccuracy)} at step ${e.bestStep}; ` +
      `"Use best" puts those weights back.`, "info");
  }
  if (good?.overfit) {
    const v = overfitVerdict(e, epoch, overfitTrainSize(good));
    messages.show("overfit", v.text, v.state === "failed" ? "warn" : "info");
    if (v.state !== "training" && running) playBtn.click();
  }
  updateBestButton();
  diagnosis.push(e.findings);
  queueStat("trainacc", e.trainAccuracy);
  queueStat("valacc", e.valAccuracy);
  const gap = e.trainAccuracy - e.valAccuracy;
  if (e.step > 0 && Number.isFinite(gap)) {
    gapText = `Now at step ${e.step}: train ${pct(e.trainAccuracy)}, ` +
      `val ${pct(e.valAccuracy)}, gap ${(gap * 100).toFixed(1)} points.`;
  }
  scheduleDraw();
}

// Stats are written to the DOM only when a frame is drawn: every DOM change costs a layout, a
// paint and a compositor commit on the main thread, so they are batched with the charts.
const statQueue = new Map();
let gapText = "";
function queueStat(key, value, title) { statQueue.set(key, [value, title]); }
function flushStats() {
  for (const [key, [value, title]] of statQueue) stats.set(key, value, title);
  statQueue.clear();
  const gapEl = $("gap");
  if (gapEl.textContent !== gapText) gapEl.textContent = gapText;
}

// Draw at most DRAW_FPS times a second, only when something changed, only when visible.
let drawQueued = false, lastDraw = 0;
function scheduleDraw() {
  if (drawQueued) return;
  drawQueued = true;
  requestAnimationFrame(drawFrame);
}
function drawFrame(now) {
  if (now - lastDraw < 1000 / DRAW_FPS) { requestAnimationFrame(drawFrame); return; }
  drawQueued = false;
  lastDraw = now;
  const t0 = performance.now();
  lossChart.draw();
  accChart.draw(lossChart.lastStep());
  if (previewShown) preview.draw();
  lrChart.draw();
  ratioChart.draw();
  diagnosis.draw();
  // uPlot redraws in a microtask queued by setData; ours runs after it. The stats are written
  // after the charts: a canvas draw with a dirty style tree would force a style recalculation.
  queueMicrotask(() => {
    flushStats();
    const ms = performance.now() - t0;
    drawStats.count++;
    drawStats.totalMs += ms;
    drawStats.maxMs = Math.max(drawStats.maxMs, ms);
  });
}
const drawStats = { count: 0, totalMs: 0, maxMs: 0 };

// ---- settings, hash ---------------------------------------------------------------------------
function onSetting(key, raw) {
  const s = settingByKey(key);
  const r = parseValue(s, raw);
  if (!r.ok) {
    messages.show(`input-${s.hash}`, `${s.label}: "${raw}" is not valid — it ${r.reason}. Kept ${good?.[key]}.`, "warn");
    controls.setValues(good ?? defaults());
    return;
  }
  messages.dismiss(`input-${s.hash}`);
  if (!good || pending) return;
  if (sameValue(s, good[key], r.value)) return;
  // Learning rate and schedule, while paused: applied to the current run, which continues from
  // its step. Everything else (and these while training) starts a new run.
  // After a NaN/Inf loss the weights are gone: a new run then.
  if (s.live && !running && !diverged) {
    retune({ ...good, [key]: r.value });
    return;
  }
  requestRun({ ...good, [key]: r.value });
}

let diverged = false;     // the current run's loss became NaN/Inf
let retuning = null;      // settings sent with "retune", awaiting "retuned" / "retuneRejected"
function retune(values) {
  retuning = values;
  worker.postMessage({
    type: "retune", runId: currentRun, learningRate: values.learningRate,
    schedule: scheduleConfig(values) ?? { type: "constant" }, curveSteps: values.totalSteps,
  });
}

function writeHash() {
  const h = serializeHash(good, hidden);
  if (location.hash !== h) history.replaceState(null, "", h);
}

/** Read the hash: report bad entries, apply hidden controls, return the settings it asks for. */
function readHash() {
  const { values, hidden: h, errors } = parseHash(location.hash);
  messages.dismiss("hash");
  if (errors.length) messages.show("hash", errors.map((e) => e.message), "warn");
  hidden = h;
  const shown = controls.setHidden(hidden);
  // The toolbar's overfit button follows its setting row (hide=overfit, or its section).
  $("overfit").hidden = isHidden(settingByKey("overfit"), hidden);
  document.body.classList.toggle("no-settings", shown === 0);
  const show = !hidden.has("preview");
  document.body.classList.toggle("no-preview", !show);
  if (show !== previewShown) {
    previewShown = show;
    worker?.postMessage({ type: "preview", on: show });
  }
  return values;
}

window.addEventListener("hashchange", () => {
  const values = readHash();
  if (pending) return;
  if (good && sameSettings(values, good)) { writeHash(); return; }
  requestRun(values, good ? null : defaults());
});

// ---- buttons ---------------------------------------------------------------------------------
playBtn.addEventListener("click", () => {
  if (pending) return;
  worker.postMessage({ type: running ? "pause" : "play" });
  // Show the new state at once; the worker confirms with a "state" message.
  running = !running;
  setRunState(running ? "running" : "paused");
});
stepBtn.addEventListener("click", () => {
  if (!running && !pending) worker.postMessage({ type: "step" });
});
resetBtn.addEventListener("click", () => {
  if (pending || !good) return;
  messages.dismiss("nan");
  requestRun(good);
});
document.addEventListener("keydown", (ev) => {
  if (ev.target instanceof HTMLInputElement || ev.target instanceof HTMLSelectElement) return;
  if (ev.key === " " && !playBtn.disabled) { ev.preventDefault(); playBtn.click(); }
});

$("findlr").addEventListener("click", () => {
  if (running || pending || !good) return;
  $("findlr").disabled = true;
  $("lrfind-text").textContent = "Finding a learning rate…";
  $("lrfind-panel").hidden = false;
  worker.postMessage({ type: "findLr", runId: currentRun, iterations: 100 });
});
$("lrfind-use").addEventListener("click", () => {
  const s = lrFind?.suggestedLr;
  if (s) onSetting("learningRate", String(+s.toPrecision(3)));
});
$("lrfind-close").addEventListener("click", () => { $("lrfind-panel").hidden = true; });
$("usebest").addEventListener("click", () => {
  const best = accChart.best;
  if (running || pending || !best) return;
  restored = best;
  updateBestButton();
  worker.postMessage({ type: "restoreBest", runId: currentRun });
});
$("overfit").addEventListener("click", () => {
  if (!good || pending) return;
  onSetting("overfit", String(!good.overfit));
});

// Small embeds start with the settings drawer closed; the charts matter more there.
if (window.innerWidth < 900 || window.innerHeight < 600) $("settings-drawer").open = false;

// ---- boot ------------------------------------------------------------------------------------
setRunState("booting");
startWorker();
const initial = readHash();
controls.setValues(initial);
requestRun(initial, defaults());

if (import.meta.env.PROD && "serviceWorker" in navigator && location.protocol !== "file:") {
  navigator.serviceWorker.register("./sw.js").catch((e) => console.warn("offline cache unavailable:", e.message));
}

// For the end-to-end tests and curious students: the current settings and run.
// tryConfig({ learningRate: -1 }) starts a run from the current settings changed by `partial`,
// without the page's own validation: the core is the judge (and the e2e tests use it to check
// that a rejected config keeps the last good run).
window.trainlab = {
  get settings() { return good; }, get running() { return running; }, get firstLoss() { return firstLoss; },
  get preview() { return preview.data; },
  get lrCurve() { return lrChart.curve; }, get lrUsed() { return lrChart.used; },
  get ratios() { return ratioChart.last(); }, get ratioPoints() { return ratioChart.length; },
  get findings() { return diagnosis.findings; },
  get lrFind() { return lrFind; },
  get best() { return accChart.best; }, get lastEval() { return lastEval; },
  drawStats,
  tryConfig(partial) {
    if (!good || pending) return false;
    requestRun({ ...good, ...partial });
    return true;
  },
};
