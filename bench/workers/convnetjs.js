// ConvNetJS 0.3.0 contender (npm `convnetjs`, served from bench/node_modules), one classic Web
// Worker, single thread. The nets are built with its own layer definitions; a training step of
// batch B is B calls of Trainer.train(), which accumulates gradients and applies SGD with
// momentum 0.9 every batch_size samples (ConvNetJS keeps weights and gradients in Float64Array).
"use strict";
// convnet.js ends with `window.convnetjs = lib` outside CommonJS; a worker has no window.
self.window = self;
importScripts("/bench/node_modules/convnetjs/build/convnet.js", "/bench/lib/nets.js", "/bench/lib/protocol.js");
/* global convnetjs, BENCH_NETS, BENCH_SERVE, BENCH_TIME */

let model = null;

function layerDefs(net) {
  const [H, W, C] = net.input;
  const defs = [{ type: "input", out_sx: W, out_sy: H, out_depth: C }];
  const last = net.layers.length - 1;
  net.layers.forEach((l, i) => {
    if (l.type === "conv") {
      const pad = l.pad === "same" ? (l.k - 1) / 2 : 0;
      defs.push({ type: "conv", sx: l.k, filters: l.out, stride: 1, pad, activation: l.relu ? "relu" : undefined });
    } else if (l.type === "pool") {
      defs.push({ type: "pool", sx: 2, stride: 2 });
    } else if (i === last) {
      // ConvNetJS's softmax layer def inserts the final fc layer of num_classes itself.
      defs.push({ type: "softmax", num_classes: l.out });
    } else {
      defs.push({ type: "fc", num_neurons: l.out, activation: l.relu ? "relu" : undefined });
    }
  });
  return defs;
}

function setup({ workload, batch, lr = 0.01, seed = 1 }) {
  const net = BENCH_NETS.analyse(workload);
  const cnet = new convnetjs.Net();
  cnet.makeLayers(layerDefs(net));
  // Parameter count as ConvNetJS built it, to check its net is the workload.
  let params = 0;
  for (const pg of cnet.getParamsAndGrads()) params += pg.params.length;
  if (params !== net.params) throw new Error(`convnetjs ${workload}: ${params} params, want ${net.params}`);
  const trainer = new convnetjs.Trainer(cnet, {
    method: "sgd", learning_rate: lr, momentum: 0.9, batch_size: batch, l2_decay: 0,
  });
  const r = BENCH_NETS.rng(seed);
  const [H, W, C] = net.input;
  const n = Math.max(8 * batch, 256); // as many images as trainlab's trainSize
  const xs = [];
  const ys = [];
  for (let i = 0; i < n; i++) {
    const v = new convnetjs.Vol(W, H, C, 0.0);
    for (let j = 0; j < v.w.length; j++) v.w[j] = r();
    xs.push(v);
    ys.push(Math.floor(r() * net.classes));
  }
  model = { net, cnet, trainer, xs, ys, next: 0, batch };
  return { workload, batch, params };
}

async function steps({ n, group = 1 }) {
  if (!model) throw new Error("setup first");
  const m = model;
  let loss = NaN;
  const ms = await BENCH_TIME(n, () => {
    let sum = 0;
    for (let b = 0; b < m.batch; b++) {
      const i = m.next++ % m.xs.length;
      sum += m.trainer.train(m.xs[i], m.ys[i]).loss;
    }
    loss = sum / m.batch;
  }, group);
  return { ms, loss };
}

function teardown() {
  model = null;
}

function init() {
  return { variant: "convnetjs", version: "0.3.0" };
}

BENCH_SERVE({ init, setup, steps, teardown });
