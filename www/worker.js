// One training run per Web Worker. The worker owns the wasm Trainer; the main thread only draws.
//
// Messages in (from main.js):
//   { type: "create", runId, config, curveSteps }  build a new Trainer (curveSteps: how many steps
//                                       of the lr schedule to sample for the chart); on success it replaces the current one,
//                                       on failure the current one is kept (the last good trainer)
//   { type: "play" } | { type: "pause" } | { type: "step" }
//   { type: "retune", runId, learningRate, schedule, curveSteps }  while paused: setLearningRate and
//                                       setSchedule on the current run (it keeps its step and weights)
//   { type: "findLr", runId, iterations } learning-rate finder on a copy of the run
//   { type: "restoreBest", runId }       restoreBest() then evaluate()
//   { type: "preview", on }              send previews of the batch (on: true, the default) or not
//                                       (the preview is hidden); on: true also sends one at once
// Messages out:
//   { type: "booted", backend }         wasm initialised
//   { type: "fatal", message }          wasm could not be loaded: nothing will work
//   { type: "created", runId, config, backend, layers, classNames, curve }
//                                       curve: scheduleCurve(curveSteps, 200) = [[step, lr], ...]
//   { type: "rejected", runId, message } the core refused the config; the previous run is kept
//   { type: "report", runId, ... }      one chunk of steps (StepReport plus `losses` for every step,
//                                       and `ratios`: updateRatios() after its last step, one per
//                                       weight tensor)
//   { type: "eval", runId, ... }        an EvalReport plus `findings`: diagnose(trainAcc, valAcc);
//                                       when its shouldStop is true (patience exhausted) the
//                                       play loop has stopped: a "state" message follows
//   { type: "retuned", runId, learningRate, curve } | { type: "retuneRejected", runId, message }
//   { type: "lrFound", runId, points: [{lr, loss, smoothed}], suggestedLr } | { type: "lrFindFailed", runId, message }
//   { type: "restored", runId, ok }     followed by an "eval" message when ok
//   { type: "state", runId, running }
//   { type: "nan", runId, step, what } loss diverged at `step` ("became NaN", "exploded to 1.4e8"…); training paused
//   { type: "crash", message }          a step or evaluate threw; main.js restarts the worker
//   { type: "preview", runId, step, mix, lambda, count, width, height, pixels, labels }
//                                       the first PREVIEW_COUNT images of the last training batch as
//                                       the network saw them: pixels is one Uint8Array of RGBA
//                                       (count·height·width·4 bytes, transferred, not copied),
//                                       labels[i] = [[className, weight], ...]. Sent at most every
//                                       PREVIEW_EVERY_MS while playing, after every single step, and
//                                       when training pauses.
//
// The play loop runs a chunk of k steps, sized so each chunk takes ~30–50 ms, posts the report and
// yields to the event loop so a "pause" message is handled between chunks.

import init, { Trainer } from "../pkg/trainlab.js";

const CHUNK_TARGET_MS = 40;     // aim for chunks of 30–50 ms
const MAX_CHUNK_STEPS = 1024;
const EVAL_EVERY_MS = 1000;     // evaluate after ~1 s of training ...
const EVAL_MAX_SHARE = 0.2;     // ... but spend at most ~20% of the time evaluating
// Every epoch too, unless an evaluation costs more than half the training time since the last
// one: test-time augmentation (10 views) and fractional pooling (4 samples) make evaluate() several
// seconds long, and training should not spend most of its time waiting for the accuracy chart.
const EPOCH_EVAL_MAX_SHARE = 0.5;
const PREVIEW_COUNT = 16;
const PREVIEW_EVERY_MS = 500;   // the preview refreshes at most ~2×/s while playing

let trainer = null;
let runId = 0;
let running = false;
let k = 1;                      // steps per chunk, adapted to CHUNK_TARGET_MS
let trainMsSinceEval = 0;
let lastEvalMs = 0;
let lastEpoch = 0;
let epochEvalDue = false;       // an epoch ended since the last evaluation
let previewOn = true;
let lastPreviewAt = -Infinity;
let previewStep = -1;           // step of the last preview sent
let lastStep = 0;           // step of the last report
let evalStep = -1;              // step at the last evaluation
let ready = null;               // promise of wasm init
const queue = [];               // messages that arrived before init finished

// Yield to the event loop without setTimeout's 4 ms clamp on nested timers: a message to ourselves
// is queued behind any "pause" already waiting, so pause is still handled between chunks.
const yieldChannel = new MessageChannel();
const yieldResolvers = [];
yieldChannel.port1.onmessage = () => yieldResolvers.shift()?.();
function yieldToEventLoop() {
  return new Promise((resolve) => {
    yieldResolvers.push(resolve);
    yieldChannel.port2.postMessage(0);
  });
}

function errorText(e) {
  if (e instanceof Error) return e.message;
  return String(e);
}

function setRunning(r) {
  if (running === r) return;
  running = r;
  postMessage({ type: "state", runId, running });
  if (running) loop();
}

function evaluateNow() {
  const t0 = performance.now();
  const ev = plain(trainer.evaluate());
  lastEvalMs = performance.now() - t0;
  evalStep = lastStep;
  trainMsSinceEval = 0;
  epochEvalDue = false;
  let findings = [];
  try {
    findings = Array.from(trainer.diagnose(ev.trainAccuracy, ev.valAccuracy) ?? [], plain)
      .map((f) => ({ finding: String(f.finding), message: String(f.message) }));
  } catch { /* optional */ }
  postMessage({ type: "eval", runId, ...plain(ev), evalMs: lastEvalMs, findings });
  return ev;
}

// The last batch as the network saw it. Skipped when nothing new has been trained since the last
// one. trainer.preview() returns plain arrays; they are packed into one byte buffer so that the
// message is ~64 KB, moved rather than copied.
// Taken only between a step and the next evaluate(): the core's evaluate() reuses the buffers
// preview() reads (the model's input and the targets), so after an evaluation preview() returns
// evaluation images with predicted probabilities as "labels". The loop therefore takes a due
// preview before it evaluates.
function postPreview() {
  if (!trainer || !previewOn) return;
  const step = lastStep;
  if (step === 0 || step === previewStep || step === evalStep) return;
  lastPreviewAt = performance.now();
  const p = plain(trainer.preview(PREVIEW_COUNT));
  const images = Array.from(p.images ?? [], plain);
  if (!images.length) return;
  previewStep = step;
  const { width, height } = images[0];
  const size = width * height * 4;
  const pixels = new Uint8Array(images.length * size);
  images.forEach((im, i) => pixels.set(im.rgba, i * size));
  const labels = images.map((im) => Array.from(im.label, (l) => [l[0], l[1]]));
  postMessage({ type: "preview", runId, step, mix: p.mix, lambda: p.lambda, count: images.length, width, height, pixels, labels },
    [pixels.buffer]);
}

// Reports may come back as plain objects or Maps depending on the serializer; normalise.
function plain(r) {
  if (r instanceof Map) return Object.fromEntries(r);
  return r;
}

// Run `n` steps, post the report. Returns false if the run must stop (NaN/Inf or an error).
function runSteps(n) {
  const t0 = performance.now();
  const r = plain(trainer.step(n));
  const ms = performance.now() - t0;
  lastStep = r.step;
  const losses = Array.from(r.losses ?? [r.loss]);
  let ratios = [];
  try { ratios = Array.from(trainer.updateRatios()); } catch { /* optional */ }
  postMessage({
    type: "report", runId, ms, steps: losses.length,
    step: r.step, loss: r.loss, accuracy: r.accuracy, lr: r.lr, epoch: r.epoch,
    imagesPerSecond: r.imagesPerSecond, losses, ratios,
  });
  // The core stops a batch at the first diverged loss (NaN, infinite or exploded past
  // 100 × ln C) and names it.
  if (r.diverged) {
    postMessage({ type: "nan", runId, step: r.diverged.step, what: r.diverged.what });
    return { ok: false, ms };
  }
  return { ok: true, ms, epoch: r.epoch };
}

async function loop() {
  const myRun = runId;
  while (running && trainer && runId === myRun) {
    let res;
    try {
      res = runSteps(k);
    } catch (e) {
      crash(e);
      return;
    }
    if (!res.ok) { setRunning(false); return; }
    // Adapt the chunk so it takes ~CHUNK_TARGET_MS; grow at most 2× per chunk to stay smooth.
    const perStep = res.ms / k;
    const want = Math.round(CHUNK_TARGET_MS / Math.max(perStep, 0.01));
    k = Math.max(1, Math.min(MAX_CHUNK_STEPS, want, k * 2));
    trainMsSinceEval += res.ms;
    if (Math.floor(res.epoch ?? 0) > Math.floor(lastEpoch)) epochEvalDue = true;
    lastEpoch = res.epoch ?? 0;
    // Every epoch, and in between after ~1 s of training when evaluating is cheap enough. evaluate()
    // runs the whole validation set and a training subset, so on a big net it can take seconds.
    const evalBudgetOk = trainMsSinceEval * EVAL_MAX_SHARE >= lastEvalMs;
    const epochBudgetOk = trainMsSinceEval * EPOCH_EVAL_MAX_SHARE >= lastEvalMs;
    const evalNow = (epochEvalDue && epochBudgetOk) || (trainMsSinceEval >= EVAL_EVERY_MS && evalBudgetOk);
    // The preview first (see postPreview); a little early if an evaluation is next.
    const sincePreview = performance.now() - lastPreviewAt;
    if (sincePreview >= PREVIEW_EVERY_MS || (evalNow && sincePreview >= PREVIEW_EVERY_MS / 2)) {
      try { postPreview(); } catch (e) { crash(e); return; }
    }
    if (evalNow) {
      let ev;
      try { ev = evaluateNow(); } catch (e) { crash(e); return; }
      // Early stopping: patience evaluations without a better validation accuracy. The "eval"
      // message carries shouldStop, so the page says why it paused.
      if (ev.shouldStop) { setRunning(false); return; }
    }
    await yieldToEventLoop();
  }
}

function crash(e) {
  running = false;
  postMessage({ type: "crash", message: errorText(e) });
}

function create(msg) {
  let t;
  try {
    t = new Trainer(msg.config);
  } catch (e) {
    postMessage({ type: "rejected", runId: msg.runId, message: errorText(e) });
    return;
  }
  running = false;
  if (trainer) {
    try { trainer.free(); } catch { /* already gone */ }
  }
  trainer = t;
  runId = msg.runId;
  k = 1;
  trainMsSinceEval = 0;
  lastEvalMs = 0;
  lastEpoch = 0;
  epochEvalDue = false;
  lastPreviewAt = -Infinity;
  previewStep = -1;
  lastStep = 0;
  evalStep = -1;
  let layers = [], classNames = [], backend = "";
  try { layers = Array.from(trainer.layers?.() ?? [], plain); } catch { /* optional */ }
  try { classNames = Array.from(trainer.classNames?.() ?? []); } catch { /* optional */ }
  try { backend = trainer.backend(); } catch { /* optional */ }
  let curve = [];
  try {
    const n = Math.max(1, Math.round(msg.curveSteps ?? 2000));
    curve = Array.from(trainer.scheduleCurve(BigInt(n), 200) ?? [], (p) => [Number(p[0]), Number(p[1])]);
  } catch { /* optional */ }
  postMessage({ type: "created", runId, config: msg.config, backend, layers, classNames, curve });
  postMessage({ type: "state", runId, running: false });
  // No evaluation at step 0: it can take seconds, and "play" would wait behind it.
}

function sampleCurve(steps) {
  const n = Math.max(1, Math.round(steps ?? 2000));
  return Array.from(trainer.scheduleCurve(BigInt(n), 200) ?? [], (p) => [Number(p[0]), Number(p[1])]);
}

function retune(msg) {
  if (!trainer || running || msg.runId !== runId) return;
  try {
    trainer.setLearningRate(msg.learningRate);
    trainer.setSchedule(msg.schedule ?? { type: "constant" });
  } catch (e) {
    postMessage({ type: "retuneRejected", runId, message: errorText(e) });
    return;
  }
  let curve = [];
  try { curve = sampleCurve(msg.curveSteps); } catch { /* optional */ }
  postMessage({ type: "retuned", runId, learningRate: msg.learningRate, curve });
}

function findLr(msg) {
  if (!trainer || running || msg.runId !== runId) return;
  try {
    const r = plain(trainer.findLearningRate({ iterations: msg.iterations ?? 100 }));
    const points = Array.from(r.points ?? [], plain).map((p) => ({ lr: Number(p.lr), loss: Number(p.loss), smoothed: Number(p.smoothed) }));
    const s = r.suggestedLr;
    postMessage({ type: "lrFound", runId, points, suggestedLr: Number.isFinite(s) ? s : null });
  } catch (e) {
    postMessage({ type: "lrFindFailed", runId, message: errorText(e) });
  }
}

function restoreBest(msg) {
  if (!trainer || running || msg.runId !== runId) return;
  let ok = false;
  try { ok = Boolean(trainer.restoreBest()); } catch (e) { crash(e); return; }
  postMessage({ type: "restored", runId, ok });
  if (ok) {
    try { evaluateNow(); } catch (e) { crash(e); }
  }
}

function handle(msg) {
  switch (msg.type) {
    case "retune": retune(msg); break;
    case "findLr": findLr(msg); break;
    case "restoreBest": restoreBest(msg); break;
    case "create": create(msg); break;
    case "play": if (trainer) setRunning(true); break;
    case "pause":
      if (running) {
        running = false;
        postMessage({ type: "state", runId, running: false });
        try { postPreview(); } catch (e) { crash(e); break; }
        // Show where the run stopped, unless the last evaluation is recent.
        if (trainMsSinceEval >= EVAL_EVERY_MS) {
          try { evaluateNow(); } catch (e) { crash(e); }
        }
      }
      break;
    case "preview":
      previewOn = Boolean(msg.on);
      if (previewOn && !running) {
        previewStep = -1;
        try { postPreview(); } catch (e) { crash(e); }
      }
      break;
    case "step":
      if (trainer && !running) {
        try {
          const res = runSteps(1);
          if (!res.ok) postMessage({ type: "state", runId, running: false });
          postPreview();
        } catch (e) { crash(e); }
      }
      break;
  }
}

onmessage = (ev) => {
  if (ready) handle(ev.data);
  else queue.push(ev.data);
};

init()
  .then(() => {
    ready = true;
    postMessage({ type: "booted" });
    for (const m of queue.splice(0)) handle(m);
  })
  .catch((e) => postMessage({ type: "fatal", message: `Could not load the WebAssembly core: ${errorText(e)}` }));
