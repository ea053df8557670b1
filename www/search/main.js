// Boot of search.html (issue 10, lecture "Choosing hyperparameters: grid vs random search").
//
// The form (www/search/form.js) gives two hyperparameters, K, the steps per trial and the data; the
// core (src/search/, `searchTrials`) places the K trials on a grid or at random; a pool of
// `navigator.hardwareConcurrency` training workers (www/search/pool.js) trains each trial for the
// step budget and evaluates it; the figure (www/search/plane.js) draws the grid search and the random
// search side by side, each trial coloured by its validation accuracy with the marginal along each
// axis. Dragging a rectangle on a plane puts its ranges into the form: the next search runs there.
//
// The main thread loads the wasm module too, only for `searchTrials` (a few microseconds of work):
// the training happens in the pool's workers.
//
// URL hash (optional; a slide can link a set-up search): workers=<1…16> sets the pool's size (default:
// every core; bench/search.mjs measures 1, 2 and all workers with it); k, steps, seed, data, x and y
// (key:min:max:scale) fill the form (www/search/form.js applyLink); run=grid|random|both starts that
// search once the core is loaded. Bad entries are named in a message.

import { startCore } from "../build.js";
import { showBuild } from "../buildLine.js";
import { BUILD_REQUEST } from "../run.js";
import { defaultsFor } from "../state.js";
import { createMessages } from "../views/messages.js";
import { createPlane } from "./plane.js";
import { createPool } from "./pool.js";
import { LABELS, applyLink, readForm, setRanges, setUpForm } from "./form.js";
import { accuracyGradient, shortNumber } from "./scales.js";
import { registerOffline } from "../offline.js";

const MAX_WORKERS = 16;
const METHODS = ["grid", "random"];

const $ = (id) => document.getElementById(id);
const messages = createMessages($("messages"));
const searches = { grid: null, random: null };
let pool = null;
let coreReady = false;
let core = null;           // the wasm module on this thread (www/build.js), for searchTrials only

const planes = Object.fromEntries(METHODS.map((m) => [m, createPlane($(`plane-${m}`), {
  method: m, labels: LABELS,
  onSelect: ({ x, y }) => {
    const [a, b] = searches[m].spec.params;
    setRanges(x, y, [a, b]);
    messages.show("search-select", `Ranges set from your selection: ${LABELS[a.key]} ${shortNumber(x[0])} to ${shortNumber(x[1])}, ` +
      `${LABELS[b.key]} ${shortNumber(y[0])} to ${shortNumber(y[1])}. Run grid or Run random to search there (coarse to fine).`, "info");
  },
})]));

function poolSize() {
  const raw = new URLSearchParams(location.hash.slice(1)).get("workers");
  const cores = Math.max(1, navigator.hardwareConcurrency || 1);
  if (raw === null) return cores;
  const n = Number(raw);
  if (Number.isInteger(n) && n >= 1 && n <= MAX_WORKERS) return n;
  messages.show("search-link", `Link setting "workers" has a bad value "${raw}": it must be a whole number from 1 to ${MAX_WORKERS}. Using ${cores} (every core).`);
  return cores;
}

// ---- drawing --------------------------------------------------------------------------------------
/** One accuracy range for both panels, so a colour means the same accuracy in each. */
function accuracyRange() {
  const accs = METHODS.flatMap((m) => searches[m]?.trials ?? []).map((t) => t.acc).filter(Number.isFinite);
  if (!accs.length) return { lo: 0, hi: 1 };
  let lo = Math.floor(Math.min(...accs) * 20) / 20, hi = Math.ceil(Math.max(...accs) * 20) / 20;
  if (hi - lo < 0.05) { hi = Math.min(1, lo + 0.05); lo = hi - 0.05; }
  return { lo, hi };
}

function redraw() {
  const range = accuracyRange();
  $("legend-lo").textContent = `${(100 * range.lo).toFixed(0)}%`;
  $("legend-hi").textContent = `${(100 * range.hi).toFixed(0)}%`;
  for (const m of METHODS) {
    planes[m].draw(searches[m], range);
    const s = searches[m];
    const panel = $(`panel-${m}`);
    panel.dataset.state = s ? s.state : "empty";
    // For bench/search.mjs: the search's wall time once it is over.
    if (s?.endedAt) panel.dataset.elapsedMs = String(Math.round(s.endedAt - s.startedAt));
    else delete panel.dataset.elapsedMs;
    $(`status-${m}`).textContent = s ? statusLine(s) : `Not run yet: press Run ${m}.`;
  }
  const all = METHODS.map((m) => searches[m]).filter(Boolean);
  const total = all.reduce((n, s) => n + s.trials.length, 0);
  const finished = all.reduce((n, s) => n + s.trials.filter(isFinished).length, 0);
  $("progress").max = Math.max(1, total);
  $("progress").value = finished;
  const searching = all.some((s) => s.state === "running");
  if (coreReady) document.body.dataset.state = searching ? "searching" : "ready";
  $("stop").disabled = !searching;
  $("pool-status").dataset.started = String(pool?.started ?? 0);
  $("pool-status").textContent = pool
    ? `${pool.size} worker${pool.size === 1 ? "" : "s"} (one per core: navigator.hardwareConcurrency = ${navigator.hardwareConcurrency}) · ${finished} of ${total} trials finished`
    : `${poolSize()} worker${poolSize() === 1 ? "" : "s"}, one per core (navigator.hardwareConcurrency = ${navigator.hardwareConcurrency})`;
}

const isFinished = (t) => ["done", "diverged", "failed"].includes(t.state);

function statusLine(s) {
  const [a, b] = s.spec.params;
  const n = s.trials.length;
  const done = s.trials.filter(isFinished).length;
  const running = s.trials.filter((t) => t.state === "running").length;
  const shape = s.method === "grid"
    ? `${Math.sqrt(n)}×${Math.sqrt(n)} grid${n < s.spec.trials ? ` (K = ${s.spec.trials} rounded down to a square)` : ""}`
    : `${n} random trials (seed ${s.spec.seed})`;
  const secs = ((s.endedAt ?? performance.now()) - s.startedAt) / 1000;
  const parts = [`${shape}, ${s.steps} steps each`, `${done}/${n} done${running ? `, ${running} training` : ""}`, `${secs.toFixed(0)} s`];
  if (s.state === "stopped") parts.push("stopped");
  const best = s.trials.filter((t) => Number.isFinite(t.acc)).sort((x, y) => y.acc - x.acc)[0];
  if (best) parts.push(`best ${(100 * best.acc).toFixed(1)}% at ${LABELS[a.key]} ${shortNumber(best.values[a.key])}, ${LABELS[b.key]} ${shortNumber(best.values[b.key])}`);
  const diverged = s.trials.filter((t) => t.state === "diverged").length;
  if (diverged) parts.push(`${diverged} diverged (×)`);
  return parts.join(" · ");
}

// ---- searching ------------------------------------------------------------------------------------
function start(methods) {
  let form;
  const made = [];
  try {
    form = readForm();
    // Every method's trials first: a bad spec starts nothing and replaces nothing.
    for (const method of methods) made.push({ method, spec: { method, ...form.spec }, trials: core.searchTrials({ method, ...form.spec }) });
  } catch (e) {
    messages.show("search-input", `Search not started: ${e.message}`, "error");
    return;
  }
  messages.dismiss("search-input");
  messages.dismiss("search-select");
  pool ??= createPool({
    size: poolSize(), dataSource: (name) => ({ kind: "builtin", id: name }),
    // The header then names the build the training runs on (the pool's workers), not this thread's.
    onBuild: (info) => showBuild(document, info),
  });
  const base = { ...defaultsFor(form.data), totalSteps: form.steps };
  const queues = [];
  for (const { method, spec, trials } of made) {
    const previous = searches[method];
    if (previous?.state === "running") pool.cancel(previous.job);
    const s = {
      method, spec, steps: form.steps, data: form.data, job: {}, state: "running", startedAt: performance.now(), endedAt: null,
      trials: trials.map((t) => ({ index: t.index, values: { ...t.values }, state: "queued", acc: NaN })),
    };
    searches[method] = s;
    queues.push(s.trials.map((t) => [s.job, { trial: t, values: { ...base, ...t.values }, steps: form.steps }]));
  }
  // Run both: the two searches' trials take turns in the queue, so both planes fill at the same pace.
  for (let i = 0; queues.some((q) => i < q.length); i++) {
    for (const q of queues) if (i < q.length) pool.submit(q[i][0], [q[i][1]], onTrial);
  }
  redraw();
}

function onTrial(job, trial, result) {
  const s = METHODS.map((m) => searches[m]).find((x) => x?.job === job);
  if (!s) return;
  trial.state = result.state;
  if (result.acc !== undefined) trial.acc = result.acc;
  if (result.phases) trial.phases = result.phases;
  if (result.error) {
    trial.error = result.error;
    messages.show(`search-trial-${s.method}`, `${s.method} search, trial ${trial.index + 1} failed: ${result.error}`, "error");
  }
  if (s.trials.every(isFinished)) {
    s.state = "done";
    s.endedAt = performance.now();
  }
  redraw();
}

function stop() {
  for (const s of METHODS.map((m) => searches[m])) {
    if (s?.state !== "running") continue;
    pool.cancel(s.job);
    s.state = "stopped";
    s.endedAt = performance.now();
    for (const t of s.trials) if (!isFinished(t)) t.state = "stopped";
  }
  redraw();
}

// The status lines' clocks tick while a search runs (the figure redraws only when a trial changes).
setInterval(() => {
  for (const m of METHODS) if (searches[m]?.state === "running") $(`status-${m}`).textContent = statusLine(searches[m]);
}, 1000);

// ---- boot -----------------------------------------------------------------------------------------
setUpForm();
const link = new URLSearchParams(location.hash.slice(1));
const RUNS = { grid: ["grid"], random: ["random"], both: ["grid", "random"] };
const linkProblems = applyLink(link);
const runFromLink = link.get("run");
if (runFromLink !== null && !RUNS[runFromLink]) {
  linkProblems.push(`Link setting "run" has a bad value "${runFromLink}": it must be grid, random or both.`);
}
if (linkProblems.length) messages.show("search-link-form", linkProblems);
$("legend-bar").style.background = accuracyGradient();
$("run-grid").addEventListener("click", () => start(["grid"]));
$("run-random").addEventListener("click", () => start(["random"]));
$("stop").addEventListener("click", stop);
// Run both is the form's submit button (Enter in a field runs it too): one listener, one start.
$("search-form").addEventListener("submit", (ev) => { ev.preventDefault(); start(["grid", "random"]); });
redraw();
if (BUILD_REQUEST.errors.length) messages.show("build-link", BUILD_REQUEST.errors.map((e) => e.message), "warn");
startCore(BUILD_REQUEST).then((loaded) => {
  core = loaded.core;
  showBuild(document, loaded.info);
  coreReady = true;
  document.body.dataset.state = "ready";
  for (const b of document.querySelectorAll(".run-buttons button:not(#stop)")) b.disabled = false;
  if (RUNS[runFromLink]) start(RUNS[runFromLink]);
}, (e) => {
  document.body.dataset.state = "fatal";
  messages.show("search-core", `The WebAssembly core could not be loaded: ${e.message}`, "error");
});

// The offline cache, as on the other pages (a production build only; `?.`: bench/search.mjs serves
// these modules unbundled, without Vite's import.meta.env).
registerOffline();
