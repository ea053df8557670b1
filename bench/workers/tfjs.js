// TensorFlow.js 4.22 contender, one classic Web Worker per variant (single thread):
//   ?variant=wasm          the wasm backend out of the box (fails: no Conv2DBackpropFilter kernel)
//   ?variant=wasm-patched  the wasm backend plus a Conv2DBackpropFilter built from its own kernels
//   ?variant=cpu           the plain-JS cpu backend
// The libraries are the npm packages in bench/node_modules, served by bench/run.mjs.
"use strict";
const NM = "/bench/node_modules/@tensorflow/";
// @tensorflow/tfjs (the union bundle: core + all gradient definitions + cpu backend, as users load
// it) and @tensorflow/tfjs-backend-wasm on top. tfjs-core's own UMD bundle registers no gradients.
importScripts(
  NM + "tfjs/dist/tf.min.js",
  NM + "tfjs-backend-wasm/dist/tf-backend-wasm.min.js",
  "/bench/lib/nets.js",
  "/bench/lib/protocol.js",
);
/* global tf, BENCH_NETS, BENCH_SERVE, BENCH_TIME */

const params = new URLSearchParams(self.location.search);
const variant = params.get("variant") || "wasm-patched";

// ---------------------------------------------------------------------------------------------
// The missing wasm kernel (tensorflow/tfjs#8474), composed from the wasm backend's own kernels.
//
// For stride 1, NHWC, filter [KH, KW, CI, CO]:
//   dW[kh,kw,ci,co] = sum_{n,oh,ow} x[n, oh+kh-pt, ow+kw-pl, ci] * dy[n, oh, ow, co]
// Read x as a batch of CI single images with N channels, xT[ci, h, w, n] = x[n, h, w, ci], and dy
// as a filter dyT[oh, ow, n, co] = dy[n, oh, ow, co]; then
//   conv2d(xT, dyT, stride 1, the forward padding)[ci, kh, kw, co] = dW[kh, kw, ci, co]
// whose spatial output size is H + pt + pb - OH + 1 = KH (and likewise for W). One more
// transpose [1, 2, 0, 3] brings it back to [KH, KW, CI, CO]. 'same' padding enters as the
// forward pass's explicit top/bottom/left/right amounts (asymmetric for even kernels).
// ---------------------------------------------------------------------------------------------
function registerWasmFilterGradient() {
  const transpose = tf.getKernel("Transpose", "wasm").kernelFunc;
  const conv2d = tf.getKernel("Conv2D", "wasm").kernelFunc;
  tf.registerKernel({
    kernelName: "Conv2DBackpropFilter",
    backendName: "wasm",
    kernelFunc: ({ inputs, backend, attrs }) => {
      const { x, dy } = inputs;
      const { strides, pad, dataFormat, dimRoundingMode, filterShape } = attrs;
      const info = tf.backend_util.computeConv2DInfo(
        x.shape, filterShape, strides, 1, pad, dimRoundingMode, false,
        tf.backend_util.convertConv2DDataFormat(dataFormat));
      if (info.dataFormat !== "channelsLast") throw new Error("patched Conv2DBackpropFilter: NHWC only");
      if (info.strideHeight !== 1 || info.strideWidth !== 1) {
        throw new Error("patched Conv2DBackpropFilter: stride 1 only");
      }
      const { top, bottom, left, right } = info.padInfo;
      // xT: [CI, H, W, N]; dyT: [OH, OW, N, CO]
      const xT = transpose({ inputs: { x }, backend, attrs: { perm: [3, 1, 2, 0] } });
      const dyT = transpose({ inputs: { x: dy }, backend, attrs: { perm: [1, 2, 0, 3] } });
      // r: [CI, KH, KW, CO]
      const r = conv2d({
        inputs: { x: xT, filter: dyT },
        backend,
        attrs: {
          strides: [1, 1], dilations: [1, 1], dataFormat: "NHWC", dimRoundingMode: undefined,
          pad: [[0, 0], [top, bottom], [left, right], [0, 0]],
        },
      });
      backend.disposeData(xT.dataId);
      backend.disposeData(dyT.dataId);
      if (r.shape[1] !== filterShape[0] || r.shape[2] !== filterShape[1]) {
        backend.disposeData(r.dataId);
        throw new Error(`patched Conv2DBackpropFilter: got ${r.shape}, want filter ${filterShape}`);
      }
      const dW = transpose({ inputs: { x: r }, backend, attrs: { perm: [1, 2, 0, 3] } });
      backend.disposeData(r.dataId);
      return dW;
    },
  });
}

// Compare the patched kernel with the cpu backend's own Conv2DBackpropFilter, and a whole conv
// gradient (tf.grad through conv2d, i.e. the path training takes) on both backends.
async function verifyFilterGradient() {
  const cases = [
    { x: [2, 6, 7, 3], f: [3, 3, 3, 4], pad: "same" },
    { x: [3, 9, 8, 2], f: [5, 5, 2, 3], pad: "valid" },
    { x: [2, 8, 8, 3], f: [4, 4, 3, 5], pad: "same" }, // even kernel: asymmetric padding
    { x: [2, 7, 9, 2], f: [2, 3, 2, 3], pad: "same" },
    { x: [2, 7, 6, 2], f: [3, 3, 2, 2], pad: [[0, 0], [1, 2], [0, 1], [0, 0]] },
    { x: [1, 28, 28, 1], f: [5, 5, 1, 6], pad: "same" }, // lenet conv1, batch 1
    { x: [4, 14, 14, 6], f: [5, 5, 6, 16], pad: "valid" }, // lenet conv2
    { x: [3, 16, 16, 32], f: [3, 3, 32, 64], pad: "same" }, // vgg-mini conv3
  ];
  const results = [];
  const r = BENCH_NETS.rng(12345);
  const rand = (shape) => {
    const n = shape.reduce((a, b) => a * b, 1);
    const a = new Float32Array(n);
    for (let i = 0; i < n; i++) a[i] = r() * 2 - 1;
    return a;
  };
  for (const c of cases) {
    const info = tf.backend_util.computeConv2DInfo(c.x, c.f, [1, 1], 1, c.pad);
    const dyShape = info.outShape;
    const xv = rand(c.x);
    const dyv = rand(dyShape);
    const attrs = { strides: [1, 1], pad: c.pad, dataFormat: "NHWC", dimRoundingMode: undefined, filterShape: c.f };
    const run = async (backend) => {
      await tf.setBackend(backend);
      const x = tf.tensor4d(xv, c.x);
      const dy = tf.tensor4d(dyv, dyShape);
      const dW = tf.engine().runKernel("Conv2DBackpropFilter", { x, dy }, attrs);
      const out = dW.dataSync().slice();
      // The training path: d/dW of sum(conv2d(x, W) * dy) is Conv2DBackpropFilter(x, dy).
      const W = tf.fill(c.f, 0.5);
      const g = tf.grad((w) => tf.sum(tf.mul(tf.conv2d(x, w, 1, c.pad), dy)))(W);
      const outGrad = g.dataSync().slice();
      tf.dispose([x, dy, dW, W, g]);
      return { out, outGrad, shape: dW.shape };
    };
    const ref = await run("cpu");
    const got = await run("wasm");
    let maxAbs = 0, maxRef = 0, maxAbsGrad = 0;
    for (let i = 0; i < ref.out.length; i++) {
      maxAbs = Math.max(maxAbs, Math.abs(ref.out[i] - got.out[i]));
      maxAbsGrad = Math.max(maxAbsGrad, Math.abs(ref.out[i] - got.outGrad[i]));
      maxRef = Math.max(maxRef, Math.abs(ref.out[i]));
    }
    const shapeOk = JSON.stringify(ref.shape) === JSON.stringify(got.shape) && ref.out.length === got.out.length;
    const relErr = Math.max(maxAbs, maxAbsGrad) / maxRef;
    results.push({
      x: c.x, filter: c.f, pad: c.pad, shapeOk, maxAbsErr: maxAbs, maxAbsErrViaGrad: maxAbsGrad,
      maxAbsRef: maxRef, relErr, pass: shapeOk && relErr < 1e-5,
    });
  }
  // End to end: the same nets, initialisation and data trained for a few steps on the cpu backend
  // and on the patched wasm backend must follow the same loss curve (float summation order differs,
  // so agreement is to ~1e-4, not bit for bit).
  const training = [];
  for (const [workload, batch, n] of [["lenet", 4, 4], ["cifar-convnetjs", 2, 3]]) {
    for (const fused of [false, true]) {
      const curve = {};
      for (const backend of ["cpu", "wasm"]) {
        await tf.setBackend(backend);
        setup({ workload, batch, fused, lr: 0.05, seed: 7 });
        curve[backend] = [];
        for (let i = 0; i < n; i++) curve[backend].push(trainStep());
        teardown();
      }
      const maxRel = Math.max(...curve.cpu.map((l, i) => Math.abs(l - curve.wasm[i]) / Math.abs(l)));
      training.push({ workload, batch, fused, cpu: curve.cpu, wasm: curve.wasm, maxRelDiff: maxRel, pass: maxRel < 1e-3 });
    }
  }
  await tf.setBackend("wasm");
  return { pass: results.every((x) => x.pass) && training.every((x) => x.pass), cases: results, training };
}

// ---------------------------------------------------------------------------------------------
// The model: plain tf ops on tf.variables, trained with tf.train.momentum through
// optimizer.minimize (tf.variableGrads underneath). `fused` uses tf.fused.conv2d / tf.fused.matMul
// with bias and ReLU, as tf.layers does; unfused uses separate conv2d, add, relu.
// ---------------------------------------------------------------------------------------------
let model = null;

function setup({ workload, batch, lr = 0.01, seed = 1, fused = false, batches = 0 }) {
  // As many distinct images as trainlab's config (trainSize = max(8 * batch, 256)), so every
  // contender trains on the same amount of random data, cycled in the same number of batches.
  batches ||= Math.max(8, Math.ceil(256 / batch));
  teardown();
  const net = BENCH_NETS.analyse(workload);
  const vars = [];
  const layers = net.layers.map((l, i) => {
    if (l.type === "pool") return { ...l };
    const fanIn = l.type === "conv" ? l.k * l.k * l.inShape[2] : l.inShape.reduce((a, b) => a * b, 1);
    const wShape = l.type === "conv" ? [l.k, l.k, l.inShape[2], l.out] : [fanIn, l.out];
    const W = tf.variable(tf.randomNormal(wShape, 0, Math.sqrt(2 / fanIn), "float32", seed + i), true, `w${i}`);
    const b = tf.variable(tf.zeros([l.out]), true, `b${i}`);
    vars.push(W, b);
    return { ...l, W, b };
  });
  const [H, Wd, C] = net.input;
  const xs = [];
  const ys = [];
  for (let i = 0; i < batches; i++) {
    xs.push(tf.randomUniform([batch, H, Wd, C], 0, 1, "float32", seed * 100 + i));
    const labels = tf.randomUniform([batch], 0, net.classes, "int32", seed * 200 + i);
    ys.push(tf.cast(tf.oneHot(labels, net.classes), "float32"));
    labels.dispose();
  }
  const forward = (x) => {
    let h = x;
    for (const l of layers) {
      if (l.type === "conv") {
        h = fused
          ? tf.fused.conv2d({ x: h, filter: l.W, strides: 1, pad: l.pad, bias: l.b, activation: l.relu ? "relu" : "linear" })
          : tf.add(tf.conv2d(h, l.W, 1, l.pad), l.b);
        if (!fused && l.relu) h = tf.relu(h);
      } else if (l.type === "pool") {
        h = tf.maxPool(h, 2, 2, "valid");
      } else {
        if (h.rank !== 2) h = tf.reshape(h, [h.shape[0], -1]);
        h = fused
          ? tf.fused.matMul({ a: h, b: l.W, bias: l.b, activation: l.relu ? "relu" : "linear" })
          : tf.add(tf.matMul(h, l.W), l.b);
        if (!fused && l.relu) h = tf.relu(h);
      }
    }
    return h;
  };
  const opt = tf.train.momentum(lr, 0.9);
  model = { net, layers, vars, xs, ys, forward, opt, step: 0, batch };
  return { workload, batch, params: net.params, backend: tf.getBackend() };
}

function trainStep() {
  const m = model;
  const i = m.step++ % m.xs.length;
  const lossT = m.opt.minimize(
    () => tf.losses.softmaxCrossEntropy(m.ys[i], m.forward(m.xs[i])), true, m.vars);
  const loss = lossT.dataSync()[0]; // waits for the step to finish
  lossT.dispose();
  return loss;
}

async function steps({ n, group = 1 }) {
  if (!model) throw new Error("setup first");
  let loss = NaN;
  const before = tf.memory().numTensors;
  const ms = await BENCH_TIME(n, () => {
    loss = trainStep();
  }, group);
  const leaked = tf.memory().numTensors - before;
  return { ms, loss, leakedTensors: leaked };
}

// Where a step's time goes, per kernel (tf.profile's kernelMs, summed by kernel name over n steps;
// the patched Conv2DBackpropFilter counts as one kernel including its transposes).
async function profile({ n = 3 }) {
  if (!model) throw new Error("setup first");
  const byKernel = {};
  let wall = 0;
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    const info = await tf.profile(() => {
      trainStep();
    });
    wall += performance.now() - t0;
    for (const k of info.kernels) byKernel[k.name] = (byKernel[k.name] || 0) + (await k.kernelTimeMs) / n;
  }
  return { wallMs: wall / n, kernelMs: byKernel };
}

function teardown() {
  if (!model) return;
  model.opt.dispose();
  tf.dispose([...model.vars, ...model.xs, ...model.ys]);
  model = null;
}

async function init() {
  const info = { variant, tfjs: tf.version_core };
  // no WebGL here: make sure nothing ever picks it
  if (tf.findBackendFactory("webgl")) tf.removeBackend("webgl");
  tf.env().set("WASM_HAS_MULTITHREAD_SUPPORT", false); // one thread, like every contender
  if (variant === "cpu") {
    await tf.setBackend("cpu");
  } else {
    tf.wasm.setWasmPaths(NM + "tfjs-backend-wasm/dist/");
    if (variant === "wasm-patched") registerWasmFilterGradient();
    const ok = await tf.setBackend("wasm");
    if (!ok) throw new Error("tf.setBackend('wasm') failed");
    info.simd = await tf.env().getAsync("WASM_HAS_SIMD_SUPPORT");
    info.multithread = await tf.env().getAsync("WASM_HAS_MULTITHREAD_SUPPORT");
    if (variant === "wasm-patched") info.verification = await verifyFilterGradient();
  }
  info.backend = tf.getBackend();
  return info;
}

BENCH_SERVE({ init, setup, steps, teardown, profile });
