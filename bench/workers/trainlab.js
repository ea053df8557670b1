// trainlab contender: the shipped wasm build (pkg/, wasm-pack --target web, simd128) in a module
// Web Worker, driven exactly as the page's worker drives it: new Trainer(config), step(1).
import "/bench/lib/protocol.js";
import "/bench/lib/window.js";
import init, { Trainer } from "/pkg/trainlab.js";

let trainer = null;

async function start() {
  await init();
  const t = new Trainer({ preset: "lenet", dataset: "noise", batchSize: 1, trainSize: 8, valSize: 1 });
  const backend = t.backend();
  t.free();
  return { variant: "trainlab", backend };
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
