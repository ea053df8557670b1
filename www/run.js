// One run = one object: a client over its own training worker (www/worker.js), owning the worker, the
// settings it trains with, its state and its series (everything the charts need to draw it again).
// Several runs live in one page (www/sandbox.js) — and later in one slide deck.
//
//   const run = createRun({ id: 1, onEvent: (run, ev) => …, dataSource: (name) => source });
//                                   // build: the core's build request (default: the link's, BUILD_REQUEST;
//                                   // www/buildKeys.js chooseBuild)
//   await run.loadData(source);     // a data set into this run's worker → the core's summary; rejects with
//                                   // the core's or the fetch's message, the worker keeping its previous set
//   run.dropData();                 // the worker forgets its loaded set (back on a generated one)
//   await run.start(values);        // build the network; rejects with the core's message. A loaded set
//                                   // (values.data not generated) is first loaded from dataSource(name)
//                                   // when the worker does not hold it (a new run, a crash's new worker)
//   run.play(); run.pause(); run.step(); run.setLimit(200);
//   await run.cellImages(t, p);     // { step, images } of the last finished evaluation's confusion cell
//                                   // (true t, predicted p); step null before the first one
//   await run.valProbabilities();   // { step, classes, probs: Float32Array, labels: Uint8Array } of the last
//                                   // finished evaluation (validation set, raw model), or null before one
//   await run.combineEnsemble(members, labels, classes); // the core's EnsembleReport of members' probs
//   const saved = await run.exportState(); // { version, step, epoch, data: Uint8Array } — weights, optimizer,
//                                   // data position, random streams (www/worker.js, src/session/state.rs)
//   await run.importState(saved);   // trainer built from the same settings → { step, epoch } (a training
//                                   // run is held for it and trains on from the restored step);
//                                   // rejects with the core's message naming what differs. Afterwards
//                                   // run.series.step/epoch are the restored ones (the curves are not in
//                                   // the state: the caller restores them)
//   await run.exportCheckpoint(valAccuracy, madeBy); // Uint8Array: the weights as a trainlab-weights
//                                   // safetensors file (valAccuracy null: not evaluated)
//   await run.loadCheckpoint(bytes); // paused: a checkpoint's weights into this run → { tensors, steps,
//                                   // dataset, valAccuracy } (the file's); rejects naming the problem,
//                                   // the run unchanged
//   await run.checkpointInfo(bytes); // what a checkpoint file says (config, dataset, steps, …), or a
//                                   // rejection naming what is wrong with it (needs no trainer)
//   await run.exportPytorch();      // train.py (string); await run.exportData(); // data.safetensors bytes
//
// Events passed to onEvent(run, ev), after the run's own state and series are updated:
//   { event: "created", info }      a trainer was built (start, reset, a crash's restart): clear its views
//   { event: "report", report }     one chunk of steps (report.firstStep is the chunk's first step)
//   { event: "eval", report }       an evaluation (report.restored: of the restored best snapshot)
//   { event: "preview", data }      the last batch as the network saw it
//   { event: "state" }              run.state changed (running/waiting/paused/diverged)
//   { event: "diverged", step, what }
//   { event: "crash", message, panic, fallback }   the core trapped; the worker was replaced and the
//                                   run restarted with the same settings, or with the defaults of
//                                   its data set (fallback: true) when the same settings had crashed before
//   { event: "fatal", message }     the core cannot be loaded, or the restart failed
//   { event: "dataProgress", received, total }   bytes of a built-in data set fetched so far
//   { event: "build", info }        the worker's core started: info { build, backend, threads, why }
//                                   (www/build.js; also run.build)

import { defaultsFor, isGenerated, sameSettings, scheduleConfig, toConfig } from "./state.js";
import { createChunkHistory } from "./chunkHistory.js";
import { parseBuildKeys } from "./buildKeys.js";

/** How many times the same settings may crash before the run falls back to the defaults. */
export const CRASHES_BEFORE_FALLBACK = 2;

/** The page's address: built-in data sets are fetched from its data/ folder. */
/**
 * The link's build request (build=, threads=), read once at load: the page rewrites its hash as the
 * settings change, and every worker of the page (a crash's replacement too) must run the same build.
 */
export const BUILD_REQUEST = parseBuildKeys(globalThis.location?.hash ?? "");

const pageBase = () => new URL("./", globalThis.document?.baseURI ?? globalThis.location?.href).href;

export function createRun({ id, onEvent = () => {}, preview = true, dataSource = () => null, build = BUILD_REQUEST }) {
  let worker = null;
  let loadedSource = null;            // the data source this worker holds (null: none, or a new worker)
  let loading = null;                 // { source, promise } of a loadData under way
  let nextRequest = 1;
  const pending = new Map();          // request id → { resolve, reject, cmd }
  const crashes = [];                 // [{ values, count }] settings that crashed this run
  let trying = null;                  // settings of a create under way
  let previewOn = preview;
  let limit = Infinity;
  let importing = false;              // an importState under way (the worker's state events wait for it)

  const run = {
    id,
    values: null,          // settings of the current trainer (null until one is built)
    state: "booting",      // booting | creating | paused | running | waiting | diverged | rejected | fatal
    backend: "",
    build: null,           // { build, backend, threads, why } once the worker's core started
    info: null,            // { layers, classNames, curve } of the current trainer
    series: emptySeries(),
    start, play, pause, step, setLimit, retune, findLr, restoreBest, evaluate, setPreview, destroy,
    exportState, importState, exportCheckpoint, loadCheckpoint, checkpointInfo, exportPytorch, exportData, loadData, dropData, memory, cellImages, valProbabilities, combineEnsemble,
    get dataSource() { return loadedSource; },
    get limit() { return limit; },
    get busy() { return trying !== null; },
  };

  function emit(ev) { onEvent(run, ev); }
  function setState(s) {
    if (run.state === s) return;
    run.state = s;
    emit({ event: "state" });
  }

  function spawn() {
    loadedSource = null;
    loading = null;
    worker = new Worker(new URL("./worker.js", import.meta.url), { type: "module" });
    worker.onmessage = (ev) => onMessage(ev.data);
    worker.postMessage({ cmd: "boot", args: { build: build.build, threads: build.threads, single: build.single ?? null } });
    worker.onerror = (ev) => {
      ev.preventDefault?.();
      fatal(`The training worker of run ${id} failed to start: ${ev.message || "unknown error"}`);
    };
    if (!previewOn) notify("preview", { on: false });
  }

  function fatal(message) {
    failPending(message);
    setState("fatal");
    emit({ event: "fatal", message });
  }

  function request(cmd, args = {}) {
    if (!worker) return Promise.reject(new Error(`run ${id} has no worker`));
    const rid = nextRequest++;
    return new Promise((resolve, reject) => {
      pending.set(rid, { resolve, reject, cmd });
      worker.postMessage({ id: rid, cmd, args });
    });
  }
  function notify(cmd, args = {}) { worker?.postMessage({ cmd, args }); }
  function failPending(message) {
    for (const p of pending.values()) p.reject(new Error(message));
    pending.clear();
  }

  function onMessage(m) {
    if (m.id !== undefined) {
      const p = pending.get(m.id);
      if (!p) return;
      pending.delete(m.id);
      if (m.ok) p.resolve(m.result);
      else p.reject(new Error(m.error));
      return;
    }
    switch (m.event) {
      case "booted": {
        const { build, backend, threads, why } = m;
        run.build = { build, backend, threads, why };
        emit({ event: "build", info: run.build });
        break;
      }
      case "fatal": fatal(m.message); break;
      case "report": onReport(m); break;
      case "eval": onEval(m); break;
      case "preview":
        run.series.preview = m;
        emit({ event: "preview", data: m });
        break;
      case "state":
        run.series.step = m.step;
        run.series.evaluating = m.evaluating;
        if (run.state !== "diverged" && !trying && !importing) setState(m.running ? (m.waiting ? "waiting" : "running") : "paused");
        break;
      case "diverged":
        setState("diverged");
        emit({ event: "diverged", step: m.step, what: m.what });
        break;
      case "crash": onCrash(m); break;
      case "dataProgress": emit({ event: "dataProgress", received: m.received, total: m.total }); break;
      case "error": emit({ event: "error", message: m.message }); break;
    }
  }

  function onReport(r) {
    const s = run.series;
    const firstStep = r.step - r.losses.length + 1;
    if (firstStep === 1 && r.losses.length) s.firstLoss = r.losses[0];
    for (const l of r.losses) s.losses.push(l);
    chunkHistoryOf(s).append([s.lrUsed, s.ratios], [[r.step, r.lr], [r.step, r.ratios]]);
    if (Number.isFinite(r.imagesPerSecond) && r.imagesPerSecond > 0) {
      s.imagesPerSecond = Number.isFinite(s.imagesPerSecond) ? 0.8 * s.imagesPerSecond + 0.2 * r.imagesPerSecond : r.imagesPerSecond;
    }
    s.step = r.step;
    s.epoch = r.epoch;
    s.lr = r.lr;
    emit({ event: "report", report: { ...r, firstStep } });
  }

  function onEval(e) {
    const s = run.series;
    s.evals.push(e);
    s.lastEval = e;
    s.findings = e.findings;
    emit({ event: "eval", report: e });
  }

  function onCrash(m) {
    const crashed = trying ?? run.values ?? defaultsFor("shapes");
    let entry = crashes.find((c) => sameSettings(c.values, crashed));
    if (!entry) crashes.push(entry = { values: crashed, count: 0 });
    entry.count++;
    const fallback = entry.count >= CRASHES_BEFORE_FALLBACK;
    worker.terminate();
    failPending(`run ${id}: the training core crashed (${m.message})`);
    spawn();
    emit({ event: "crash", message: m.message, panic: m.panic, fallback });
    trying = null;
    // The fallback keeps the data set: every run of a page trains on the same one.
    start(fallback ? defaultsFor(crashed.data ?? "shapes") : crashed).catch((e) => fatal(`Run ${id} could not restart after a crash: ${e.message}`));
  }

  /** Build a trainer with `values`; resolves with its info, rejects with the core's message. */
  async function start(values) {
    if (!worker) spawn();
    trying = values;
    const before = run.state;
    setState("creating");
    let info;
    try {
      const name = values.data ?? "shapes";
      if (!isGenerated(name)) {
        const source = dataSource(name);
        if (!source) throw new Error(`dataset "${name}" is not loaded: choose it in the data card first`);
        if (source !== loadedSource) await loadData(source);
        if (trying !== values) throw new Error(`run ${id}: superseded by newer settings`);
      }
      // values.transfer (transfer.html): { weights, options } for a transfer run (www/worker.js create).
      info = await request("create", { config: toConfig(values), curveSteps: values.totalSteps, limit, transfer: values.transfer });
    } catch (e) {
      if (trying === values) {
        trying = null;
        setState(run.values ? (before === "creating" ? "paused" : before) : "rejected");
      }
      throw e;
    }
    if (trying !== values) throw new Error(`run ${id}: superseded by newer settings`);
    trying = null;
    run.values = values;
    run.backend = info.backend;
    run.info = info;
    run.series = emptySeries();
    run.series.curve = info.curve;
    run.state = "paused";
    emit({ event: "created", info });
    return info;
  }

  function play() {
    if (!run.values || trying || run.state === "diverged") return Promise.resolve(null);
    setState(run.series.step >= limit ? "waiting" : "running");
    return request("play");
  }
  function pause() {
    if (run.state === "running" || run.state === "waiting") setState("paused");
    return request("pause");
  }
  function step() {
    if (!run.values || trying || run.state !== "paused") return Promise.resolve(null);
    return request("step");
  }
  /** Lock-step: the worker trains no further than `n` (a notification: many are sent). */
  function setLimit(n) {
    if (n === limit) return;
    limit = n;
    notify("setLimit", { limit: n });
  }
  /** New learning rate and schedule for the current trainer (paused). Resolves with the new curve. */
  async function retune(values) {
    const r = await request("retune", {
      learningRate: values.learningRate, schedule: scheduleConfig(values) ?? { type: "constant" }, curveSteps: values.totalSteps,
    });
    run.values = values;
    run.series.curve = r.curve;
    return r;
  }
  /** Load `source` into this run's worker; resolves with the core's summary of it. */
  function loadData(source) {
    // One load of a source at a time: a start that needs the set waits for the load under way.
    if (loading?.source === source) return loading.promise;
    const w = worker;
    const promise = request("loadData", { source, base: pageBase() }).then((r) => {
      if (worker === w) loadedSource = source;
      return r.summary;
    }).finally(() => { if (loading?.promise === promise) loading = null; });
    loading = { source, promise };
    return promise;
  }
  /** Let the worker forget its loaded set (the runs train on a generated one now). */
  function dropData() {
    if (!loadedSource && !loading) return;
    loadedSource = null;
    notify("dropData");
  }
  /** The worker's wasm memory in bytes ({ wasmBytes }). */
  function memory() { return request("memory"); }
  function findLr(iterations = 100) { return request("findLr", { iterations }); }
  function restoreBest() { return request("restoreBest"); }
  function evaluate() { return request("evaluate"); }
  /** The images the last finished evaluation kept of confusion cell (t, p): { step, images }. */
  function cellImages(t, p) { return request("cellImages", { t, p }); }
  /** The last finished evaluation's validation probabilities: { step, classes, probs, labels } or null. */
  function valProbabilities() { return request("valProbabilities"); }
  /** The ensemble of `members` (Float32Array each, of one step) in this run's worker: an EnsembleReport. */
  function combineEnsemble(members, labels, classes) { return request("combineEnsemble", { members, labels, classes }); }
  /** The trainer's state (resolves with { version, step, epoch, data: Uint8Array }). */
  function exportState() { return request("exportState"); }
  /**
   * Put a state from exportState() back (same settings); resolves with { step, epoch }. A run that
   * trains (Play pressed while a reload's kept runs were still being restored: the page says
   * "paused" as soon as the trainers are built) is held for the import and goes on from the restored
   * step; the worker serves requests in order, so it is paused when the import arrives.
   */
  async function importState(state) {
    const resume = run.state === "running" || run.state === "waiting";
    importing = true;
    try {
      if (resume) request("pause").catch(() => {});
      const r = await request("importState", { state });
      run.series.step = r.step;
      run.series.epoch = r.epoch;
      return r;
    } finally {
      importing = false;
      if (resume && worker) request("play").catch(() => {});
    }
  }
  function exportCheckpoint(valAccuracy = null, madeBy) { return request("exportCheckpoint", { valAccuracy, madeBy }); }
  function loadCheckpoint(bytes) { return request("loadCheckpoint", { bytes }); }
  function checkpointInfo(bytes) { return request("checkpointInfo", { bytes }); }
  function exportPytorch() { return request("exportPytorch"); }
  function exportData() { return request("exportData"); }
  function setPreview(on) {
    previewOn = on;
    notify("preview", { on });
  }
  function destroy() {
    failPending(`run ${id} was removed`);
    worker?.terminate();
    worker = null;
    setState("fatal");
  }

  spawn();
  return run;
}

/** The bounded recorder of a series' per-chunk lists (a new one when a start or a restore replaces them). */
const chunkHistories = new WeakMap();
function chunkHistoryOf(series) {
  let h = chunkHistories.get(series.lrUsed);
  if (!h) chunkHistories.set(series.lrUsed, h = createChunkHistory());
  return h;
}

function emptySeries() {
  return {
    step: 0, epoch: 0, lr: NaN, evaluating: false, firstLoss: NaN, imagesPerSecond: NaN,
    losses: [],            // every step's loss, step i + 1 at index i
    lrUsed: [],            // [step, lr] at the end of each chunk (thinned past 2000: www/chunkHistory.js)
    ratios: [],            // [step, ratios[]] at the end of each chunk (thinned with lrUsed)
    evals: [], lastEval: null, findings: [],
    curve: [],             // the schedule's curve [[step, lr]]
    preview: null,
  };
}
