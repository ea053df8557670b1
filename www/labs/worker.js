// The labs page's Web Worker: owns the wasm module and runs the core's free functions, so the page
// stays smooth while one initialization experiment at the slide's width (6 layers of 16×4096 ·
// 4096×4096, about a second each row) computes.
//
// Messages in (from www/labs/main.js), handled one at a time in arrival order:
//   { type: "boot", request }                  first: the link's build request (www/buildKeys.js); a
//                                              first message of another type boots the automatic choice
//   { type: "curves", id, points }            activationCurves(points)
//   { type: "init", id, rowId, config, seed } initLab(config, seed)
// Messages out:
//   { type: "booted", info }                   wasm initialised: info { build, backend, threads, why }
//   { type: "fatal", message }                 wasm could not be loaded: the labs cannot run
//   { type: "curves", id, curves }             12 × { kind, formula, notes, x, f, df }
//   { type: "init", id, rowId, report, ms }    the core's report and how long it took
//   { type: "error", id, rowId, message, broken }
//                                              the core threw (a config it refused names the field);
//                                              broken: a wasm trap, the module may be unusable, so
//                                              main.js replaces this worker

import { startCore } from "../build.js";

let core = null;               // the wasm module of the build www/build.js chose
let ready = null;              // resolves to true once the core runs, false if it cannot load

function boot(request) {
  return startCore(request).then(
    (loaded) => { core = loaded.core; postMessage({ type: "booted", info: loaded.info }); return true; },
    (e) => { postMessage({ type: "fatal", message: errorText(e) }); return false; },
  );
}

function errorText(e) {
  if (e instanceof Error) return e.message;
  return String(e);
}

self.onmessage = async (ev) => {
  const msg = ev.data;
  if (msg.type === "boot" && ready === null) {
    ready = boot(msg.request ?? {});
    return;
  }
  ready ??= boot({});
  if (!(await ready)) return;
  const t0 = performance.now();
  try {
    if (msg.type === "curves") {
      postMessage({ type: "curves", id: msg.id, curves: core.activationCurves(msg.points) });
    } else if (msg.type === "init") {
      const report = core.initLab(msg.config, msg.seed);
      postMessage({ type: "init", id: msg.id, rowId: msg.rowId, report, ms: performance.now() - t0 });
    }
  } catch (e) {
    postMessage({
      type: "error",
      id: msg.id,
      rowId: msg.rowId,
      message: errorText(e),
      broken: e instanceof WebAssembly.RuntimeError,
    });
  }
};
