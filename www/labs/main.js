// Boot of the labs page (labs.html): the initialization lab and the activation explorer.
//
// The main thread never computes: www/labs/worker.js owns the wasm module and runs initLab (about
// a second a row at the slide's width 4096) and activationCurves; this file sends it requests and
// hands the answers to the two views.
//
// URL hash (so a slide can link to a set-up lab; all keys optional):
//   width=256|1024|4096   sigma=<std > 0>   act=tanh|relu (for sigma's row)   seed=<whole number>
//   show=init|activations (only that section, for an <iframe>)
//   fn=relu,leakyrelu     (the explorer shows only these activation functions)
// A bad entry is named in a message and left at its default; the rest still applies.

import "uplot/dist/uPlot.min.css";
import { createMessages } from "../views/messages.js";
import { BUILD_KEY, THREADS_KEY, parseBuildKeys } from "../buildKeys.js";
import { showBuild } from "../buildLine.js";
import { createInitLab } from "./initLab.js";
import { createActivationExplorer } from "./activations.js";
import { BATCH, BINS, DEFAULT_WIDTH, F32_MAX, LAYERS, ROWS, WIDTHS } from "./schemes.js";
import { registerOffline } from "../offline.js";

const CURVE_POINTS = 401;   // x step 0.025 on [−5, 5]
const MAX_SEED = 4294967295;

const $ = (id) => document.getElementById(id);
// Enter in a field must not submit the form (a reload); an onsubmit="" attribute is refused by the policy.
$("il-controls").addEventListener("submit", (e) => e.preventDefault());
const messages = createMessages($("messages"));
const lab = createInitLab({ grid: $("il-grid"), chartEl: $("il-chart") });
const explorer = createActivationExplorer($("act-grid"), {
  onReady: (n) => { $("activations").dataset.state = "done"; $("activations").dataset.count = String(n); },
});
const initSection = $("init-lab");
const widthSel = $("il-width"), sigmaIn = $("il-sigma"), actSel = $("il-act"), seedIn = $("il-seed");
const runBtn = $("il-run"), statusEl = $("il-status");

// ---- settings ---------------------------------------------------------------------------------
const DEFAULTS = { width: DEFAULT_WIDTH, sigma: null, act: "tanh", seed: 1, show: "all", fn: null };
const settings = { ...DEFAULTS };

function parseSigma(raw) {
  const s = String(raw).trim();
  if (s === "") return { value: null };
  const v = Number(s);
  if (!Number.isFinite(v)) {
    return { error: `Your σ "${raw}" is not a number: enter a weight std greater than 0, such as 0.1.` };
  }
  if (v <= 0) {
    return { error: `Your σ "${raw}" must be greater than 0 (it is a standard deviation): try 0.1, or 0.001 to watch the activations collapse.` };
  }
  if (v > F32_MAX) {
    return { error: `Your σ "${raw}" is beyond the core's 32-bit floats (largest ${F32_MAX.toPrecision(3)}): try a value such as 1.` };
  }
  return { value: v };
}

function parseSeed(raw) {
  const s = String(raw).trim();
  const v = Number(s);
  if (s === "" || !Number.isInteger(v) || v < 0 || v > MAX_SEED) {
    return { error: `Seed "${raw}" must be a whole number from 0 to ${MAX_SEED}.` };
  }
  return { value: v };
}

function readHash() {
  const params = new URLSearchParams(location.hash.replace(/^#/, ""));
  const bad = [];
  for (const [key, raw] of params) {
    if (key === "width") {
      const v = Number(raw);
      if (WIDTHS.includes(v)) settings.width = v;
      else bad.push(`Link setting "width" has a bad value "${raw}": it must be one of ${WIDTHS.join(", ")}. Using ${settings.width}.`);
    } else if (key === "sigma") {
      const r = parseSigma(raw);
      if (r.error) bad.push(`Link setting "sigma": ${r.error}`);
      else settings.sigma = r.value;
    } else if (key === "act") {
      if (raw === "tanh" || raw === "relu") settings.act = raw;
      else bad.push(`Link setting "act" has a bad value "${raw}": it must be tanh or relu. Using tanh.`);
    } else if (key === "seed") {
      const r = parseSeed(raw);
      if (r.error) bad.push(`Link setting "seed": ${r.error} Using 1.`);
      else settings.seed = r.value;
    } else if (key === "show") {
      if (["all", "init", "activations"].includes(raw)) settings.show = raw;
      else bad.push(`Link setting "show" has a bad value "${raw}": it must be init, activations or all. Showing both.`);
    } else if (key === "fn") {
      const kinds = raw.split(",").map((k) => k.trim().toLowerCase()).filter(Boolean);
      settings.fn = kinds.length ? kinds : null;   // checked against the core's list once it arrives
    } else if (key === BUILD_KEY || key === THREADS_KEY) {
      // The core's build: read once at load (BUILD_REQUEST), named in the build line.
    } else {
      bad.push(`Unknown link setting "${key}" (value "${raw}"): the labs page reads width, sigma, act, seed, show and fn.`);
    }
  }
  if (bad.length) messages.show("link", bad, "warn");
  else messages.dismiss("link");
}

function writeHash() {
  const p = new URLSearchParams();
  if (settings.width !== DEFAULT_WIDTH) p.set("width", String(settings.width));
  if (settings.sigma !== null) { p.set("sigma", String(settings.sigma)); if (settings.act !== "tanh") p.set("act", settings.act); }
  if (settings.seed !== 1) p.set("seed", String(settings.seed));
  if (settings.show !== "all") p.set("show", settings.show);
  if (settings.fn) p.set("fn", settings.fn.join(","));
  const hash = p.toString();
  const url = location.pathname + location.search + (hash ? `#${hash}` : "");
  if (url !== location.pathname + location.search + location.hash) history.replaceState(null, "", url);
}

function showControls() {
  widthSel.value = String(settings.width);
  sigmaIn.value = settings.sigma === null ? "" : String(settings.sigma);
  sigmaIn.removeAttribute("aria-invalid");
  actSel.value = settings.act;
  seedIn.value = String(settings.seed);
  seedIn.removeAttribute("aria-invalid");
  $("il-code-width").textContent = String(settings.width);
  document.body.dataset.show = settings.show;
}

/** fn=: show only the named activation functions; unknown names are named in a message. */
function applyFilter() {
  if (!explorer.count()) return;
  const unknown = explorer.filter(settings.fn);
  if (unknown.length) {
    messages.show("fn", `Link setting "fn" names unknown activation functions: ${unknown.map((k) => `"${k}"`).join(", ")}. ` +
      `Known: ${explorer.kinds().join(", ")}.`, "warn");
    const known = settings.fn.filter((k) => !unknown.includes(k));
    explorer.filter(known.length ? known : null);
  } else {
    messages.dismiss("fn");
  }
}

// ---- worker -----------------------------------------------------------------------------------
// The link's build request, read once: writeHash() rewrites the hash without it.
const BUILD_REQUEST = parseBuildKeys(location.hash);
let worker = null;
let curvesWanted = true;   // until the explorer has its curves
let nextReq = 1;
const pending = new Map();  // rowId -> request id, in the order sent (the worker answers in order)
let runStarted = 0;

function startWorker() {
  worker = new Worker(new URL("./worker.js", import.meta.url), { type: "module" });
  worker.onmessage = (ev) => onWorkerMessage(ev.data);
  worker.onerror = (ev) => {
    ev.preventDefault?.();
    fatal(`The labs' worker failed to start: ${ev.message || "unknown error"}`);
  };
  worker.postMessage({ type: "boot", request: BUILD_REQUEST });
  if (curvesWanted) worker.postMessage({ type: "curves", id: 0, points: CURVE_POINTS });
}

function restartWorker() {
  worker?.terminate();
  pending.clear();
  startWorker();
}

function fatal(text) {
  messages.show("fatal", `${text}. Reload the page to try again.`, "error");
  document.body.dataset.state = "fatal";
  runBtn.disabled = true;
  statusEl.textContent = "Not available";
  initSection.dataset.state = "error";
}

function onWorkerMessage(msg) {
  switch (msg.type) {
    case "booted":
      showBuild(document, msg.info);
      if (BUILD_REQUEST.errors.length) messages.show("build-link", BUILD_REQUEST.errors.map((e) => e.message), "warn");
      document.body.dataset.state = "ready";
      runBtn.disabled = false;
      break;
    case "fatal":
      fatal(`The WebAssembly core could not be loaded (${msg.message})`);
      break;
    case "curves":
      curvesWanted = false;
      explorer.build(msg.curves);
      applyFilter();
      break;
    case "init":
      if (pending.get(msg.rowId) !== msg.id) return;   // superseded by a newer request
      pending.delete(msg.rowId);
      lab.setReport(msg.rowId, msg.report, msg.ms);
      progress();
      break;
    case "error":
      if (msg.rowId === undefined) {   // the curves
        messages.show("curves", `The activation curves could not be computed: ${msg.message}`, "error");
        curvesWanted = false;
        $("activations").dataset.state = "error";
        return;
      }
      if (pending.get(msg.rowId) !== msg.id) return;
      pending.delete(msg.rowId);
      lab.setError(msg.rowId, `The core refused this row: ${msg.message}`);
      messages.show(`row-${msg.rowId}`, `Initialization lab, row “${ROWS.find((r) => r.id === msg.rowId)?.title}”: ${msg.message}`, "error");
      if (msg.broken) {   // a trap: start a fresh module and re-send what is still owed
        const owed = [...pending.keys()];
        restartWorker();
        if (owed.length) runRows(owed);
        return;
      }
      progress();
      break;
  }
}

function progress() {
  const next = pending.keys().next();
  if (!next.done) {
    lab.setRunning(next.value);
    const done = rowsInRun.length - pending.size;
    statusEl.textContent = `Computing ${ROWS.find((r) => r.id === next.value).title}… (${done + 1} of ${rowsInRun.length})`;
    initSection.dataset.state = "running";
    return;
  }
  const wall = (performance.now() - runStarted) / 1000;
  statusEl.textContent = `Done: ${rowsInRun.length} row${rowsInRun.length === 1 ? "" : "s"} at width ${settings.width} ` +
    `in ${wall.toFixed(1)} s.`;
  initSection.dataset.state = "done";
}

// ---- running the lab ----------------------------------------------------------------------------
let rowsInRun = [];

function configFor(rowId) {
  const def = ROWS.find((r) => r.id === rowId);
  const base = { activation: def.activation, width: settings.width, batch: BATCH, layers: LAYERS, bins: BINS };
  if (rowId === "custom") return { ...base, scheme: "custom", std: settings.sigma, activation: settings.act };
  return { ...base, scheme: def.scheme };
}

/** (Re)run these rows with the current settings. Others already running keep going. */
function runRows(ids) {
  if (!worker) return;
  const superseded = [...pending.keys()];
  if (superseded.length && superseded.every((id) => ids.includes(id))) {
    // Nothing still owed is wanted any more: drop the worker's queue rather than wait for it.
    restartWorker();
  }
  const keep = [...pending.keys()].filter((id) => !ids.includes(id));
  if (!keep.length) { runStarted = performance.now(); rowsInRun = []; }
  for (const id of ids) {
    pending.delete(id);   // re-inserted at the end: the worker answers in the order sent
    const req = nextReq++;
    pending.set(id, req);
    worker.postMessage({ type: "init", id: req, rowId: id, config: configFor(id), seed: settings.seed });
    if (!rowsInRun.includes(id)) rowsInRun.push(id);
  }
  lab.setPending(ids, { width: settings.width, custom: { std: settings.sigma, activation: settings.act } });
  progress();
}

function allRowIds() {
  return ROWS.filter((r) => r.id !== "custom" || settings.sigma !== null).map((r) => r.id);
}

function runAll() {
  if (settings.sigma === null) lab.setCustomOff();
  runRows(allRowIds());
}

// ---- controls -----------------------------------------------------------------------------------
widthSel.addEventListener("change", () => {
  settings.width = Number(widthSel.value);
  $("il-code-width").textContent = String(settings.width);
  writeHash();
  runAll();
});

function onSigma() {
  const r = parseSigma(sigmaIn.value);
  if (r.error) {
    sigmaIn.setAttribute("aria-invalid", "true");
    const keep = settings.sigma === null ? "" : ` Your row keeps the last good σ, ${settings.sigma}.`;
    messages.show("sigma", `${r.error}${keep}`, "error");
    return;
  }
  sigmaIn.removeAttribute("aria-invalid");
  messages.dismiss("sigma");
  const changed = r.value !== settings.sigma || (r.value !== null && actSel.value !== settings.act);
  settings.sigma = r.value;
  settings.act = actSel.value;
  if (!changed) return;
  writeHash();
  if (settings.sigma === null) {
    if (pending.has("custom")) pending.delete("custom");
    lab.setCustomOff();
    progress();
  } else {
    runRows(["custom"]);
  }
}
sigmaIn.addEventListener("change", onSigma);
sigmaIn.addEventListener("keydown", (e) => { if (e.key === "Enter") { e.preventDefault(); onSigma(); } });
actSel.addEventListener("change", onSigma);

function onSeed() {
  const r = parseSeed(seedIn.value);
  if (r.error) {
    seedIn.setAttribute("aria-invalid", "true");
    messages.show("seed", `${r.error} Keeping seed ${settings.seed}.`, "error");
    return;
  }
  seedIn.removeAttribute("aria-invalid");
  messages.dismiss("seed");
  if (r.value === settings.seed) return;
  settings.seed = r.value;
  writeHash();
  runAll();
}
seedIn.addEventListener("change", onSeed);
seedIn.addEventListener("keydown", (e) => { if (e.key === "Enter") { e.preventDefault(); onSeed(); } });

runBtn.addEventListener("click", () => {
  // Take what is typed even if Enter was not pressed; a bad value is reported and not run.
  const s = parseSigma(sigmaIn.value), d = parseSeed(seedIn.value);
  if (s.error) onSigma();
  else { settings.sigma = s.value; settings.act = actSel.value; sigmaIn.removeAttribute("aria-invalid"); messages.dismiss("sigma"); }
  if (d.error) onSeed();
  else { settings.seed = d.value; seedIn.removeAttribute("aria-invalid"); messages.dismiss("seed"); }
  writeHash();
  runAll();
});

$("act-derivative").addEventListener("change", (e) => explorer.setShowDerivative(e.target.checked));

window.addEventListener("hashchange", () => {
  const labKey = () => JSON.stringify([settings.width, settings.sigma, settings.act, settings.seed]);
  const before = labKey();
  Object.assign(settings, DEFAULTS);
  readHash();
  showControls();
  applyFilter();
  if (labKey() !== before) runAll();
});

// ---- boot -----------------------------------------------------------------------------------------
readHash();
showControls();
writeHash();
startWorker();
runAll();

// Offline: the same service worker as the sandbox page (dist/sw.js lists both pages' files).
registerOffline();
