// One training run per Web Worker. The worker owns the wasm Trainer; the main thread only draws.
// www/run.js is its client; several runs are several workers.
//
// Protocol (like bench/lib/protocol.js):
//   request   { id, cmd, args }  →  response { id, ok: true, result } | { id, ok: false, error }
//   a request without `id` is a notification: served the same way, never answered.
//   events    { event, ... }     sent by the worker on its own.
//
// Commands:
//   loadData { source, base }             load a data set into this worker (docs/CONTRACT.md, "Real
//         data"): the worker keeps one core Data and replaces it only when the new one was built, so a
//         failure (a missing asset, a malformed file: the core's or the fetch's message) leaves the
//         previous one, and every trainer keeps the data it was built on. `source`:
//           { kind: "builtin", id }        fetched from the site's data/ folder (www/data/builtin.js,
//                                          relative to `base`, the page's address), gunzipped here
//           { kind: "idx", name, trainImages, trainLabels, valImages?, valLabels?, classNames?,
//             valFraction?, seed? }        IDX bytes (Uint8Array); without a validation pair, a seeded split
//           { kind: "cifar", name, files: [{ name, bytes }], metaText? }   CIFAR-10 binary batches
//           { kind: "pixels", name, pixels, labels, c, h, w, classNames, valFraction?, seed? }
//                                          decoded images (C×H×W bytes each, www/data/ownData.js)
//         The bytes are copied into the core; the page keeps its own copy for runs created later.
//         Result { summary } = the core's data.summary(). Events while a builtin is fetched:
//         dataProgress { received, total } (bytes; total 0 when unknown).
//   create { config, curveSteps, limit, transfer? }  build a Trainer (replacing any current one), on the loaded
//         data when config.dataset is not a generated set (shapes, noise); with `transfer` ({ weights:
//         Uint8Array | null, options: { mode, perClass, seed, finetuneScale? } }) a transfer run on the
//         loaded set (core Trainer.forTransfer; transfer.html). Result
//         { backend, layers, classNames, curve }; curve = scheduleCurve(curveSteps, 200). Error: the
//         core's rejection message (the current trainer, if any, is kept).
//   play | pause | step                    play trains up to the step limit in chunks; step trains one
//   setLimit { limit }                     lock-step: never train past this step (www/sandbox.js)
//   retune { learningRate, schedule, curveSteps }  while paused: new rate and schedule, same run → { curve }
//   findLr { iterations }                  learning-rate finder on a copy → { points, suggestedLr }
//   restoreBest                            → { ok }; when ok, an evaluation of the restored weights follows
//   preview { on }                         send previews of the batch or not
//   evaluate                               evaluate now (in slices) → the EvalReport, or null if a step
//                                          abandoned it
//   cellImages { t, p }                    → { step, images }: the images the last finished evaluation kept
//                                          of its confusion matrix's cell (true class t, predicted p) —
//                                          off the diagonal the most confidently wrong (highest probability
//                                          first), on it the least confident right ones (lowest first), at
//                                          most 12, each like an item of mostWrong ({ index, trueClass,
//                                          predicted, probability, width, height, rgb }). step: that
//                                          evaluation's step, null (and no images) before the first one.
//                                          Error: the core's message naming a class the run does not have
//   valProbabilities                       → { step, classes, probs: Float32Array, labels: Uint8Array } (buffers
//                                          transferred): the raw model's validation probabilities (images ×
//                                          classes) at the last finished evaluation (step), or null before one
//   combineEnsemble { members, labels, classes }  → the core's EnsembleReport { members, accuracy, loss,
//                                          memberAccuracies } of the mean of members (Float32Array each, one
//                                          per ensemble member, the same step); needs no trainer. Error: the
//                                          core's message naming what does not fit
//   dropData                               forget the loaded set (the page went back to a generated one)
//   memory                                 → { wasmBytes }: this worker's wasm memory (scripts/measure-data.mjs)
//   exportState                            → { version, step, epoch, data: Uint8Array } (data's buffer is
//                                          transferred); the trainer's whole state, any time
//   importState { state }                  while paused: put an exportState() result back into a trainer
//                                          built from the same config → { step, epoch }; a state of another
//                                          config is refused with the core's message naming the difference.
//                                          A `state` event with the restored step follows; reports go on
//                                          from it
//   exportCheckpoint { valAccuracy, madeBy? }  → Uint8Array (buffer transferred): the weights as a
//                                          trainlab-weights safetensors file (src/transfer/weights.rs), the run's
//                                          config, data set and steps in its metadata; valAccuracy null when
//                                          the run was not evaluated
//   loadCheckpoint { bytes }               while paused: a checkpoint's weights into this trainer (every
//                                          tensor, strictly) → { tensors, steps, dataset, valAccuracy } (the
//                                          file's). Error: the core's message naming what is wrong (truncated,
//                                          another network, …), the trainer unchanged. Evaluate afterwards
//   checkpointInfo { bytes }               → the core's weightsInfo (config, dataset, classNames, input, steps,
//                                          valAccuracy, madeBy, tensors, bytes); needs no trainer. Error: the
//                                          core's message naming what is wrong with the file
//   exportPytorch                          → string: train.py for this run (core trainer.exportPytorch)
//   exportData                             → Uint8Array (transferred): data.safetensors, the run's own
//                                          training and validation images (core trainer.exportData)
// Events:
//   boot { build, threads, single? }       the first message a client sends: the link's build request
//                                          (www/buildKeys.js; nulls choose by themselves). Any
//                                          other first message boots with the automatic choice
//   booted { build, backend, threads, why } wasm initialised: which build runs (www/build.js), its
//                                          kernels, its pool size and why this build
//   dataProgress { received, total }       a builtin data set is being fetched (loadData)
//   fatal { message }                      wasm could not be loaded: nothing will work
//   report { step, losses, lr, epoch, imagesPerSecond, ratios, ms, ... }   one chunk of steps
//   eval { ...EvalReport, findings, evalMs, restored }
//   preview { step, mix, lambda, count, width, height, pixels, labels }   pixels transferred
//   state { running, waiting, evaluating, step }  running: playing; waiting: playing but held at the
//                                          limit; evaluating: an evaluation is under way
//   diverged { step, what }                the loss became NaN/Inf/exploded; training paused
//   crash { message, panic }               the core trapped (WebAssembly.RuntimeError) or threw while
//                                          training; the module may be poisoned, so run.js replaces
//                                          this worker. panic: the core's lastPanic() message or null.
//
// The loop ("pump") does one unit of work at a time — a chunk of training steps (~40 ms) or a slice
// of an evaluation (~40 ms, the core's evaluateSlice) — and yields to the event loop in between, so
// pause, a new config or any other request is served within one unit even when one evaluation
// takes minutes (vgg-mini with test-time augmentation and fractional pooling).

import { startCore } from "./build.js";
import { loadBuiltin } from "./data/builtin.js";

const CHUNK_TARGET_MS = 40;     // aim for chunks of 30–50 ms
const MAX_CHUNK_STEPS = 1024;
const SLICE_TARGET_MS = 40;     // evaluation slices of about the same length
const EVAL_EVERY_MS = 1000;     // evaluate after ~1 s of training ...
const EVAL_MAX_SHARE = 0.2;     // ... but spend at most ~20% of the time evaluating
// Every epoch too, unless an evaluation costs more than half the training time since the last one
// (test-time augmentation and fractional pooling make one evaluation seconds long).
const EPOCH_EVAL_MAX_SHARE = 0.5;
// Pausing evaluates where the run stopped only if an evaluation is known to be this cheap: a pause
// must not start minutes of work.
const PAUSE_EVAL_MAX_MS = 2000;
const PREVIEW_COUNT = 16;
const PREVIEW_EVERY_MS = 500;   // the preview refreshes at most ~2×/s while playing

let core = null;                // the wasm module of the build www/build.js chose (set at boot)
let trainer = null;
let data = null;                // the core Data of the loaded set (loadData), or null
let running = false;
let limit = Infinity;
let waitingSent = false;        // the last "state" said waiting
let pumping = false;
let k = 1;                      // steps per chunk, adapted to CHUNK_TARGET_MS
let sliceImages = 32;           // images per evaluation slice, adapted to SLICE_TARGET_MS
let trainMsSinceEval = 0;
let lastEvalMs = NaN;           // NaN until one evaluation finished
let lastEpoch = 0;
let epochEvalDue = false;
let previewOn = true;
let lastPreviewAt = -Infinity;
let previewStep = -1;
let lastStep = 0;
let evalStep = -1;
let evalJob = null;             // { ms, restored, waiters: [resolve] } while an evaluation is under way

// Yield without setTimeout's 4 ms clamp: a message to ourselves queues behind any request waiting.
const yieldChannel = new MessageChannel();
const yieldResolvers = [];
yieldChannel.port1.onmessage = () => yieldResolvers.shift()?.();
function yieldToEventLoop() {
  return new Promise((resolve) => {
    yieldResolvers.push(resolve);
    yieldChannel.port2.postMessage(0);
  });
}

// Reports may come back as plain objects or Maps depending on the serializer; normalise.
function plain(r) {
  return r instanceof Map ? Object.fromEntries(r) : r;
}

/** The core's last panic message (the CORE's lastPanic export), or null. */
function lastPanic() {
  if (typeof core.lastPanic !== "function") return null;
  return core.lastPanic() ?? null;
}

/** A trap poisons the module: report it and drop the trainer; run.js starts a fresh worker. */
class Crash extends Error {}

function crash(e) {
  const panic = e instanceof WebAssembly.RuntimeError ? lastPanic() : null;
  const message = panic ? `${e.message}: ${panic}` : e instanceof Error ? e.message : String(e);
  running = false;
  trainer = null;
  finishEval(null);
  postMessage({ event: "crash", message, panic });
  return new Crash(message);
}

/** Run `fn` on the trainer; a trap becomes a crash. Other errors pass to the caller. */
function guard(fn) {
  try {
    return fn();
  } catch (e) {
    if (e instanceof WebAssembly.RuntimeError) throw crash(e);
    throw e;
  }
}

function sendState() {
  const waiting = running && lastStep >= limit;
  postMessage({ event: "state", running, waiting, evaluating: evalJob !== null, step: lastStep });
  waitingSent = waiting;
}

function setRunning(r) {
  if (running === r) return;
  running = r;
  sendState();
  if (running) pump();
}

// ---- the loop -------------------------------------------------------------------------------------
async function pump() {
  if (pumping) return;
  pumping = true;
  try {
    while (trainer && (evalJob || (running && lastStep < limit))) {
      if (evalJob) evalSlice();
      else trainChunk();
      await yieldToEventLoop();
    }
  } catch (e) {
    // A trap is already reported; anything else thrown while training is a crash too.
    if (!(e instanceof Crash)) crash(e);
  } finally {
    pumping = false;
  }
  if (trainer && running && lastStep >= limit && !waitingSent) sendState();
}

function trainChunk() {
  const n = Math.max(1, Math.min(k, limit - lastStep));
  const res = runSteps(n);
  if (!res.ok) { setRunning(false); return; }
  // Adapt the chunk so it takes ~CHUNK_TARGET_MS; grow at most 2× per chunk to stay smooth.
  const want = Math.round(CHUNK_TARGET_MS / Math.max(res.ms / n, 0.01));
  if (n === k) k = Math.max(1, Math.min(MAX_CHUNK_STEPS, want, k * 2));
  trainMsSinceEval += res.ms;
  if (Math.floor(res.epoch) > Math.floor(lastEpoch)) epochEvalDue = true;
  lastEpoch = res.epoch;
  const evalMs = Number.isNaN(lastEvalMs) ? 0 : lastEvalMs;
  const evalNow = (epochEvalDue && trainMsSinceEval * EPOCH_EVAL_MAX_SHARE >= evalMs)
    || (trainMsSinceEval >= EVAL_EVERY_MS && trainMsSinceEval * EVAL_MAX_SHARE >= evalMs);
  // The preview first: the core's evaluation reuses the buffers preview() reads.
  const sincePreview = performance.now() - lastPreviewAt;
  if (sincePreview >= PREVIEW_EVERY_MS || (evalNow && sincePreview >= PREVIEW_EVERY_MS / 2)) postPreview();
  if (evalNow) startEval();
  if (running && lastStep >= limit && !waitingSent) sendState();
}

/** Run `n` steps and post the report. ok: false when the loss diverged. */
function runSteps(n) {
  if (evalJob) finishEval(null);     // a step abandons an unfinished evaluation (the core does too)
  const t0 = performance.now();
  const r = plain(guard(() => trainer.step(n)));
  const ms = performance.now() - t0;
  lastStep = r.step;
  const losses = Array.from(r.losses ?? [r.loss]);
  const ratios = Array.from(guard(() => trainer.updateRatios()));
  postMessage({
    event: "report", ms, steps: losses.length,
    step: r.step, loss: r.loss, accuracy: r.accuracy, lr: r.lr, epoch: r.epoch,
    imagesPerSecond: r.imagesPerSecond, losses, ratios,
  });
  // The core stops a batch at the first diverged loss (NaN, infinite or exploded) and names it.
  if (r.diverged) {
    postMessage({ event: "diverged", step: r.diverged.step, what: r.diverged.what });
    return { ok: false, ms };
  }
  return { ok: true, ms, epoch: r.epoch };
}

// ---- evaluation in slices -------------------------------------------------------------------------
// `waiter` is registered before the loop starts: an evaluation can finish in its first slice, before
// startEval returns (a small network on a small validation set).
function startEval(restored = false, waiter = null) {
  if (!evalJob) {
    evalJob = { ms: 0, restored, waiters: [] };
    sendState();
  }
  evalJob.restored ||= restored;
  if (waiter) evalJob.waiters.push(waiter);
  trainMsSinceEval = 0;
  epochEvalDue = false;
  pump();
  return evalJob;
}

function evalSlice() {
  const t0 = performance.now();
  // Without the core's evaluateSlice (an older pkg/), one call evaluates everything.
  const sliced = typeof trainer.evaluateSlice === "function";
  const r = guard(() => (sliced ? trainer.evaluateSlice(sliceImages) : trainer.evaluate()));
  const ms = performance.now() - t0;
  evalJob.ms += ms;
  if (sliced) sliceImages = Math.max(1, Math.min(4096, Math.round(sliceImages * SLICE_TARGET_MS / Math.max(ms, 1))));
  if (r === undefined || r === null) return;
  const ev = plain(r);
  lastEvalMs = evalJob.ms;
  evalStep = lastStep;
  const findings = Array.from(guard(() => trainer.diagnose(ev.trainAccuracy, ev.valAccuracy)) ?? [], plain)
    .map((f) => ({ finding: String(f.finding), message: String(f.message) }));
  const report = { ...ev, evalMs: lastEvalMs, findings, restored: evalJob.restored };
  postMessage({ event: "eval", ...report });
  finishEval(report);
  // Early stopping: patience evaluations without a better validation accuracy.
  if (ev.shouldStop) setRunning(false);
}

function finishEval(report) {
  if (!evalJob) return;
  const { waiters } = evalJob;
  evalJob = null;
  if (trainer) sendState();
  for (const w of waiters) w(report);
}

// ---- preview ----------------------------------------------------------------------------------------
// The last batch as the network saw it, packed into one byte buffer (~64 KB) that is moved, not
// copied. Skipped when nothing was trained since the last one, and after an evaluation (which
// overwrites the buffers preview() reads) until the next step.
function postPreview() {
  if (!trainer || !previewOn) return;
  const step = lastStep;
  if (step === 0 || step === previewStep || step === evalStep) return;
  lastPreviewAt = performance.now();
  const p = plain(guard(() => trainer.preview(PREVIEW_COUNT)));
  const images = Array.from(p.images ?? [], plain);
  if (!images.length) return;
  previewStep = step;
  const { width, height } = images[0];
  const size = width * height * 4;
  const pixels = new Uint8Array(images.length * size);
  images.forEach((im, i) => pixels.set(im.rgba, i * size));
  const labels = images.map((im) => Array.from(im.label, (l) => [l[0], l[1]]));
  postMessage({ event: "preview", step, mix: p.mix, lambda: p.lambda, count: images.length, width, height, pixels, labels },
    [pixels.buffer]);
}

function sampleCurve(steps) {
  const n = Math.max(1, Math.round(steps ?? 2000));
  return Array.from(guard(() => trainer.scheduleCurve(BigInt(n), 200)) ?? [], (p) => [Number(p[0]), Number(p[1])]);
}

// ---- commands ---------------------------------------------------------------------------------------
/** A command's result whose buffers are moved to the page, not copied. */
class Transfer {
  constructor(value, buffers) {
    this.value = value;
    this.buffers = buffers;
  }
}

/** The loop's bookkeeping for a trainer at `step` (a new one, or one given a saved state). */
function loopFrom(step, epoch) {
  trainMsSinceEval = 0;
  lastEpoch = epoch;
  epochEvalDue = false;
  previewStep = -1;
  lastStep = step;
  evalStep = -1;
}

function needTrainer() {
  if (!trainer) throw new Error("no run: create one first");
}
function needPaused(what) {
  needTrainer();
  if (running) throw new Error(`${what} needs the run paused`);
}

/** The sets the core renders itself; any other config.dataset trains on the loaded data. */
const GENERATED = ["shapes", "noise"];

/** A core Data from a loadData source (throws the core's or the fetch's message). */
async function buildData(source, base) {
  const name = source?.name;
  switch (source?.kind) {
    case "builtin": {
      const set = await loadBuiltin(source.id, {
        base, onProgress: ({ loaded, total }) => postMessage({ event: "dataProgress", received: loaded, total: total ?? 0 }),
      });
      return core.Data.fromIdx(source.id, set.trainImages, set.trainLabels, set.valImages ?? null, set.valLabels ?? null,
        set.classNames, 0.1, 1);
    }
    case "idx":
      return core.Data.fromIdx(name, source.trainImages, source.trainLabels, source.valImages ?? null,
        source.valLabels ?? null, source.classNames ?? [], source.valFraction ?? 0.2, source.seed ?? 1);
    case "cifar":
      return core.Data.fromCifar(name, source.files, source.metaText ?? null, source.valFraction, source.seed);
    case "pixels":
      return core.Data.fromPixels(name, source.pixels, source.labels, source.c, source.h, source.w,
        source.classNames, source.valFraction ?? 0.2, source.seed ?? 1);
    default:
      throw new Error(`a data source must have kind "builtin", "idx", "cifar" or "pixels" (got ${JSON.stringify(source?.kind)})`);
  }
}

/** The summary of a Data, with typed arrays the page can keep (samples' pixels as Uint8Array). */
function dataSummary(d) {
  const s = plain(d.summary());
  return { ...s, samples: Array.from(s.samples ?? [], plain) };
}

/** The wasm memory's size in bytes (what a data set costs this worker; it only grows). */
let wasmExports = null;         // init()'s result: the module's exports, its memory among them
function wasmBytes() {
  return wasmExports?.memory?.buffer.byteLength ?? null;
}

const commands = {
  async loadData({ source, base }) {
    const next = await buildData(source, base);
    // Only a built Data replaces the kept one; trainers already built hold their own reference.
    data?.free();
    data = next;
    return { summary: dataSummary(data), wasmBytes: wasmBytes() };
  },
  dropData() {
    // Back on a generated set: the loaded one goes once no trainer uses it (trainers hold their own).
    data?.free();
    data = null;
    return { wasmBytes: wasmBytes() };
  },
  memory() {
    return { wasmBytes: wasmBytes() };
  },
  create({ config, curveSteps, limit: lim, transfer }) {
    // The core's rejection (a JsError naming the field) is the answer; a trap is a crash.
    const loaded = !GENERATED.includes(config.dataset);
    const t = guard(() => (transfer ? core.Trainer.forTransfer(config, data, transfer.weights ?? null, transfer.options)
      : loaded && data ? new core.Trainer(config, data) : new core.Trainer(config)));
    running = false;
    finishEval(null);
    trainer?.free();
    trainer = t;
    limit = lim ?? Infinity;
    waitingSent = false;
    k = 1;
    sliceImages = 32;
    lastEvalMs = NaN;
    lastPreviewAt = -Infinity;
    loopFrom(0, 0);
    const layers = Array.from(guard(() => trainer.layers()), plain);
    const classNames = Array.from(guard(() => trainer.classNames()));
    const backend = trainer.backend();
    const curve = sampleCurve(curveSteps);
    // No evaluation at step 0: it can take seconds, and "play" would wait behind it.
    return { backend, layers, classNames, curve };
  },
  play() {
    needTrainer();
    setRunning(true);
    return { step: lastStep };
  },
  pause() {
    if (!running) return { step: lastStep };
    setRunning(false);
    postPreview();
    // Show where the run stopped, unless the last evaluation is recent or known to be slow.
    if (trainMsSinceEval >= EVAL_EVERY_MS && !(lastEvalMs > PAUSE_EVAL_MAX_MS)) startEval();
    return { step: lastStep };
  },
  step() {
    needPaused("step");
    const res = runSteps(1);
    postPreview();
    if (!res.ok) sendState();
    return { step: lastStep };
  },
  setLimit({ limit: lim }) {
    limit = lim ?? Infinity;
    if (running && lastStep < limit) {
      if (waitingSent) sendState();
      pump();
    }
    return { limit };
  },
  retune({ learningRate, schedule, curveSteps }) {
    needPaused("changing the learning rate or schedule of a run");
    guard(() => trainer.setLearningRate(learningRate));
    guard(() => trainer.setSchedule(schedule ?? { type: "constant" }));
    return { learningRate, curve: sampleCurve(curveSteps) };
  },
  findLr({ iterations }) {
    needPaused("the learning-rate finder");
    const r = plain(guard(() => trainer.findLearningRate({ iterations: iterations ?? 100 })));
    const points = Array.from(r.points ?? [], plain)
      .map((p) => ({ lr: Number(p.lr), loss: Number(p.loss), smoothed: Number(p.smoothed) }));
    const s = r.suggestedLr;
    return { points, suggestedLr: Number.isFinite(s) ? s : null };
  },
  restoreBest() {
    needPaused("restoring the best snapshot");
    const ok = Boolean(guard(() => trainer.restoreBest()));
    if (ok) { finishEval(null); startEval(true); }
    return { ok };
  },
  preview({ on }) {
    previewOn = Boolean(on);
    if (previewOn && !running && trainer) {
      previewStep = -1;
      postPreview();
    }
    return { on: previewOn };
  },
  evaluate() {
    needTrainer();
    return new Promise((resolve) => startEval(false, resolve));
  },
  cellImages({ t, p }) {
    needTrainer();
    for (const [what, v] of [["true class", t], ["predicted class", p]]) {
      if (!Number.isInteger(v) || v < 0) throw new Error(`cellImages: ${what} must be a class number, got ${JSON.stringify(v)}`);
    }
    if (typeof trainer.cellImages !== "function") throw new Error("cellImages: this build of the core has no cellImages (rebuild pkg/)");
    const r = plain(guard(() => trainer.cellImages(t, p)));
    return { step: r.step ?? null, images: Array.from(r.images ?? [], plain) };
  },
  valProbabilities() {
    needTrainer();
    if (typeof trainer.valProbabilities !== "function") throw new Error("valProbabilities: this build of the core has none (rebuild pkg/)");
    const r = guard(() => trainer.valProbabilities());
    if (!r) return null;
    return new Transfer(r, [r.probs.buffer, r.labels.buffer]);
  },
  combineEnsemble({ members, labels, classes }) {
    if (typeof core.combineEnsemble !== "function") throw new Error("combineEnsemble: this build of the core has none (rebuild pkg/)");
    return plain(guard(() => core.combineEnsemble(members, labels, classes)));
  },
  exportState() {
    needTrainer();
    const s = plain(guard(() => trainer.exportState()));
    const state = { version: s.version, step: s.step, epoch: s.epoch, data: s.data };
    return new Transfer(state, [state.data.buffer]);
  },
  importState({ state }) {
    needPaused("importing a saved state");
    const r = plain(guard(() => trainer.importState(state)));
    // The core drops an unfinished evaluation and the last batch; the loop starts over from here.
    loopFrom(r.step, r.epoch);
    finishEval(null);
    sendState();
    return { step: r.step, epoch: r.epoch };
  },
  exportCheckpoint({ valAccuracy, madeBy }) {
    needTrainer();
    const v = Number.isFinite(valAccuracy) ? valAccuracy : null;
    const bytes = guard(() => trainer.exportCheckpoint(v, madeBy ?? undefined));
    return new Transfer(bytes, [bytes.buffer]);
  },
  loadCheckpoint({ bytes }) {
    needPaused("opening a checkpoint");
    const r = plain(guard(() => trainer.loadCheckpoint(bytes)));
    // The core dropped any unfinished evaluation of the old weights; the last batch is not theirs.
    finishEval(null);
    previewStep = -1;
    evalStep = -1;
    return { tensors: r.tensors, steps: Number(r.steps), dataset: r.dataset, valAccuracy: r.valAccuracy ?? null };
  },
  checkpointInfo({ bytes }) {
    const info = plain(guard(() => core.weightsInfo(bytes)));
    return { ...info, config: plain(info.config), steps: Number(info.steps) };
  },
  exportPytorch() {
    needTrainer();
    return guard(() => trainer.exportPytorch());
  },
  exportData() {
    needTrainer();
    const bytes = guard(() => trainer.exportData());
    return new Transfer(bytes, [bytes.buffer]);
  },
};

// ---- serving ------------------------------------------------------------------------------------------
async function serve({ id, cmd, args }) {
  try {
    const h = commands[cmd];
    if (!h) throw new Error(`the training worker has no command "${cmd}"`);
    const result = await h(args ?? {});
    if (id === undefined) return;
    if (result instanceof Transfer) postMessage({ id, ok: true, result: result.value }, result.buffers);
    else postMessage({ id, ok: true, result });
  } catch (e) {
    if (id !== undefined) postMessage({ id, ok: false, error: e instanceof Error ? e.message : String(e) });
    else if (!(e instanceof Crash)) postMessage({ event: "error", cmd, message: e instanceof Error ? e.message : String(e) });
  }
}

let ready = false;
let booting = false;
const queue = [];               // requests that arrived before init finished
onmessage = (ev) => {
  if (ready) serve(ev.data);
  else if (!booting) boot(ev.data);
  else queue.push(ev.data);
};

// The build is chosen once the page has said what its link asks for (the worker cannot see the page's
// hash); a client that sends no "boot" gets the automatic choice.
async function boot(first) {
  booting = true;
  const request = first?.cmd === "boot" ? first.args ?? {} : {};
  if (first?.cmd !== "boot") queue.push(first);
  try {
    const loaded = await startCore(request);
    core = loaded.core;
    wasmExports = loaded.exports;
    ready = true;
    postMessage({ event: "booted", ...loaded.info });
    for (const m of queue.splice(0)) serve(m);
  } catch (e) {
    postMessage({ event: "fatal", message: `Could not load the WebAssembly core: ${e instanceof Error ? e.message : e}` });
  }
}
