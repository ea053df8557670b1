// One training run per Web Worker. The worker owns the wasm Trainer; the main thread only draws.
//
// Messages in (from main.js):
//   { type: "create", runId, config }  build a new Trainer; on success it replaces the current one,
//                                       on failure the current one is kept (the last good trainer)
//   { type: "play" } | { type: "pause" } | { type: "step" }
// Messages out:
//   { type: "booted", backend }         wasm initialised
//   { type: "fatal", message }          wasm could not be loaded: nothing will work
//   { type: "created", runId, config, backend, layers, classNames }
//   { type: "rejected", runId, message } the core refused the config; the previous run is kept
//   { type: "report", runId, ... }      one chunk of steps (StepReport plus `losses` for every step)
//   { type: "eval", runId, ... }        an EvalReport
//   { type: "state", runId, running }
//   { type: "nan", runId, step, value } loss became NaN/Inf at `step`; training paused
//   { type: "crash", message }          a step or evaluate threw; main.js restarts the worker
//
// The play loop runs a chunk of k steps, sized so each chunk takes ~30–50 ms, posts the report and
// yields to the event loop so a "pause" message is handled between chunks.

import init, { Trainer } from "../pkg/trainlab.js";

const CHUNK_TARGET_MS = 40;     // aim for chunks of 30–50 ms
const MAX_CHUNK_STEPS = 1024;
const EVAL_EVERY_MS = 1000;     // evaluate after ~1 s of training ...
const EVAL_MAX_SHARE = 0.2;     // ... but spend at most ~20% of the time evaluating

let trainer = null;
let runId = 0;
let running = false;
let k = 1;                      // steps per chunk, adapted to CHUNK_TARGET_MS
let trainMsSinceEval = 0;
let lastEvalMs = 0;
let lastEpoch = 0;
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
  const ev = trainer.evaluate();
  lastEvalMs = performance.now() - t0;
  trainMsSinceEval = 0;
  postMessage({ type: "eval", runId, ...plain(ev), evalMs: lastEvalMs });
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
  const losses = Array.from(r.losses ?? [r.loss]);
  const bad = losses.findIndex((x) => !Number.isFinite(x));
  postMessage({
    type: "report", runId, ms, steps: losses.length,
    step: r.step, loss: r.loss, accuracy: r.accuracy, lr: r.lr, epoch: r.epoch,
    imagesPerSecond: r.imagesPerSecond, losses,
  });
  if (bad >= 0) {
    const step = r.step - losses.length + 1 + bad;
    postMessage({ type: "nan", runId, step, value: String(losses[bad]) });
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
    const newEpoch = Math.floor(res.epoch ?? 0) > Math.floor(lastEpoch);
    lastEpoch = res.epoch ?? 0;
    // Every epoch, and in between after ~1 s of training when evaluating is cheap enough. evaluate()
    // runs the whole validation set and a training subset, so on a big net it can take seconds.
    const evalBudgetOk = trainMsSinceEval * EVAL_MAX_SHARE >= lastEvalMs;
    if (newEpoch || (trainMsSinceEval >= EVAL_EVERY_MS && evalBudgetOk)) {
      try { evaluateNow(); } catch (e) { crash(e); return; }
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
  let layers = [], classNames = [], backend = "";
  try { layers = Array.from(trainer.layers?.() ?? [], plain); } catch { /* optional */ }
  try { classNames = Array.from(trainer.classNames?.() ?? []); } catch { /* optional */ }
  try { backend = trainer.backend(); } catch { /* optional */ }
  postMessage({ type: "created", runId, config: msg.config, backend, layers, classNames });
  postMessage({ type: "state", runId, running: false });
  // No evaluation at step 0: it can take seconds, and "play" would wait behind it.
}

function handle(msg) {
  switch (msg.type) {
    case "create": create(msg); break;
    case "play": if (trainer) setRunning(true); break;
    case "pause":
      if (running) {
        running = false;
        postMessage({ type: "state", runId, running: false });
        // Show where the run stopped, unless the last evaluation is recent.
        if (trainMsSinceEval >= EVAL_EVERY_MS) {
          try { evaluateNow(); } catch (e) { crash(e); }
        }
      }
      break;
    case "step":
      if (trainer && !running) {
        try {
          const res = runSteps(1);
          if (!res.ok) postMessage({ type: "state", runId, running: false });
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
