// trainlab contender: one wasm build of trainlab in a module Web Worker, driven exactly as the
// page's worker drives it: new Trainer(config), step(1).
//
// The build is chosen by the worker's URL: `?pkg=pkg` (default: the simd128 build), `pkg-relaxed`
// (relaxed SIMD) or `pkg-threads` with `&threads=N` (the threaded build: initThreadPool(N) before the
// first Trainer; it needs a cross-origin-isolated page for SharedArrayBuffer, which bench/run.mjs's
// server provides with COOP/COEP headers).
import "/bench/lib/protocol.js";
import "/bench/lib/window.js";

const params = new URL(self.location.href).searchParams;
const PKG = params.get("pkg") || "pkg";
const THREADS = Number(params.get("threads") || 0);
if (!/^pkg(-[a-z]+)?$/.test(PKG)) throw new Error(`trainlab worker: pkg=${PKG} is not a package directory name`);

let Trainer = null;
let trainer = null;

// Loads the build; a browser that cannot run it (no relaxed SIMD, no shared memory) fails here
// with a message that names what is missing, and run.mjs skips the row with that reason.
async function start() {
  if (THREADS > 0 && !self.crossOriginIsolated) {
    throw new Error(`skipped: ${PKG} needs a cross-origin-isolated page (SharedArrayBuffer); this one is not`);
  }
  let mod;
  let exports;
  try {
    mod = await import(`/${PKG}/trainlab.js`);
    exports = await mod.default();
  } catch (e) {
    const why = e instanceof WebAssembly.CompileError ? "this browser cannot compile the module" : "loading failed";
    throw new Error(`skipped: ${PKG}: ${why}: ${e.message}`);
  }
  if (THREADS > 0) {
    if (typeof mod.initThreadPool !== "function") throw new Error(`skipped: ${PKG} exports no initThreadPool`);
    // the pool's workers share the module's memory: a package built without +atomics has a
    // private memory, and initThreadPool would fail with "#<Memory> could not be cloned"
    if (!(exports?.memory?.buffer instanceof SharedArrayBuffer)) {
      throw new Error(`${PKG}'s wasm memory is not shared: the package was not built with +atomics (scripts/pkg-threads.sh)`);
    }
    // a pool worker that fails to load never reports back: bound the wait so the row fails instead
    let timer;
    const timeout = new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`initThreadPool(${THREADS}) did not finish in 60 s (a pool worker failed to load?)`)), 60000);
    });
    await Promise.race([mod.initThreadPool(THREADS), timeout]).finally(() => clearTimeout(timer));
  }
  Trainer = mod.Trainer;
  const t = new Trainer({ preset: "lenet", dataset: "noise", batchSize: 1, trainSize: 8, valSize: 1 });
  const backend = t.backend();
  t.free();
  // buildInfo() is newer than some packages: fall back to what the worker asked for.
  let build = null;
  try {
    build = typeof mod.buildInfo === "function" ? mod.buildInfo() : null;
  } catch (e) {
    build = { error: String(e.message || e) };
  }
  const threads = Number(build?.threads) || Math.max(1, THREADS);
  return { variant: "trainlab", pkg: PKG, backend, build, threads };
}

// `config`: a Trainer config used as given (the scaling runs pass the page's default config);
// without it, the contender config below.
function setup({ workload, batch: b, lr = 0.01, seed = 1, config }) {
  teardown();
  // Same config as examples/bench_native.rs. trainSize: enough batches that shuffling and epoch
  // boundaries happen as in real use, without paying seconds of data generation per cell.
  trainer = new Trainer(config ?? {
    preset: workload, dataset: "noise", seed, learningRate: lr, momentum: 0.9, batchSize: b,
    trainSize: Math.max(b * 8, 256), valSize: 16,
  });
  const effective = trainer.config();
  b = effective.batchSize;
  workload = effective.preset;
  const layers = trainer.layers();
  const params = layers.reduce((s, l) => s + l.params, 0);
  return { workload, batch: b, params, layers: layers.map((l) => `${l.kind}${JSON.stringify(l.outputShape)}`).join(" ") };
}

async function steps({ n, group = 1 }) {
  if (!trainer) throw new Error("setup first");
  let loss = NaN;
  let reported = NaN;
  const ms = await self.BENCH_TIME(n, () => {
    const r = trainer.step(1);
    loss = r.loss;
    reported = r.imagesPerSecond;
  }, group);
  return { ms, loss, trainerImagesPerSecond: reported };
}

// Train through a window shared with other workers (lib/window.js): the scaling measurement.
async function trainWindow({ startAt, warmUntil, until }) {
  if (!trainer) throw new Error("setup first");
  let loss = NaN;
  const r = await self.BENCH_WINDOW(() => {
    loss = trainer.step(1).loss;
  }, { startAt, warmUntil, until });
  return { ...r, loss };
}

function teardown() {
  if (trainer) trainer.free();
  trainer = null;
}

self.BENCH_SERVE({ init: start, setup, steps, window: trainWindow, teardown });
