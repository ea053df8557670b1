// The three workloads of /work/shared/BENCHMARKS.md, defined once for every contender, and their
// exact FLOP counts computed from the layer shapes.
//
// A classic script (no import/export): Web Workers load it with importScripts(), Node with
// vm.runInThisContext(); either way it sets `BENCH_NETS` on the global object.
//
// Layer list vocabulary (channels-last shapes [H, W, C] per image):
//   {type: "conv", k, out, pad: "same" | "valid"}   stride 1, bias, followed by its ReLU if relu: true
//   {type: "pool"}                                  2x2 max pool, stride 2
//   {type: "fc", out, relu}                         fully connected (flattens its input), bias
// The last fc has no ReLU; softmax cross-entropy follows it.
(function (root) {
  "use strict";

  const WORKLOADS = {
    lenet: {
      input: [28, 28, 1],
      classes: 10,
      // BENCHMARKS.md's "FLOP per training image (approx.)" column
      tableFlops: 2.5e6,
      layers: [
        { type: "conv", k: 5, out: 6, pad: "same", relu: true },
        { type: "pool" },
        { type: "conv", k: 5, out: 16, pad: "valid", relu: true },
        { type: "pool" },
        { type: "fc", out: 120, relu: true },
        { type: "fc", out: 84, relu: true },
        { type: "fc", out: 10, relu: false },
      ],
    },
    "cifar-convnetjs": {
      input: [32, 32, 3],
      classes: 10,
      tableFlops: 23.5e6,
      layers: [
        { type: "conv", k: 5, out: 16, pad: "same", relu: true },
        { type: "pool" },
        { type: "conv", k: 5, out: 20, pad: "same", relu: true },
        { type: "pool" },
        { type: "conv", k: 5, out: 20, pad: "same", relu: true },
        { type: "pool" },
        { type: "fc", out: 10, relu: false },
      ],
    },
    "vgg-mini": {
      input: [32, 32, 3],
      classes: 10,
      tableFlops: 150e6,
      layers: [
        { type: "conv", k: 3, out: 32, pad: "same", relu: true },
        { type: "conv", k: 3, out: 32, pad: "same", relu: true },
        { type: "pool" },
        { type: "conv", k: 3, out: 64, pad: "same", relu: true },
        { type: "conv", k: 3, out: 64, pad: "same", relu: true },
        { type: "pool" },
        { type: "fc", out: 10, relu: false },
      ],
    },
  };

  // Walk the layers and annotate each with its input/output shape, parameter count and
  // multiply-accumulate count per image. Returns {layers, params, ...flops}.
  function analyse(name) {
    const w = WORKLOADS[name];
    if (!w) throw new Error(`unknown workload ${name}`);
    let [h, wd, c] = w.input;
    const out = [];
    let params = 0;
    let fwdMacs = 0; // forward multiply-accumulates per image (conv + fc)
    let dxMacs = 0; // input-gradient MACs, all layers except the first weighted layer
    let firstDxMacs = 0; // the first weighted layer's input gradient (not needed for training)
    let elementwise = 0; // bias add + bias grad + ReLU fwd/bwd + pool fwd/bwd, per image
    let seenWeighted = false;
    for (const l of w.layers) {
      const inShape = [h, wd, c];
      let macs = 0;
      let p = 0;
      if (l.type === "conv") {
        const pad = l.pad === "same" ? Math.floor((l.k - 1) / 2) : 0;
        const oh = h + 2 * pad - l.k + 1;
        const ow = wd + 2 * pad - l.k + 1;
        macs = l.k * l.k * c * l.out * oh * ow;
        p = l.k * l.k * c * l.out + l.out;
        elementwise += 2 * oh * ow * l.out * (l.relu ? 2 : 1); // bias add+grad, relu fwd+bwd
        h = oh;
        wd = ow;
        c = l.out;
      } else if (l.type === "pool") {
        const oh = Math.floor(h / 2);
        const ow = Math.floor(wd / 2);
        elementwise += 3 * oh * ow * c + h * wd * c; // 3 compares per output, scatter back
        h = oh;
        wd = ow;
      } else if (l.type === "fc") {
        const inF = h * wd * c;
        macs = inF * l.out;
        p = inF * l.out + l.out;
        elementwise += 2 * l.out * (l.relu ? 2 : 1);
        h = 1;
        wd = 1;
        c = l.out;
      } else {
        throw new Error(`unknown layer type ${l.type}`);
      }
      if (macs > 0) {
        fwdMacs += macs;
        if (seenWeighted) dxMacs += macs;
        else firstDxMacs += macs;
        seenWeighted = true;
      }
      params += p;
      out.push({ ...l, inShape, outShape: [h, wd, c], macs, params: p });
    }
    if (h * wd * c !== w.classes) throw new Error(`${name}: last layer must output ${w.classes}`);
    return {
      name,
      input: w.input,
      classes: w.classes,
      layers: out,
      params,
      // forward pass FLOP per image (2 per multiply-accumulate)
      forwardFlops: 2 * fwdMacs,
      // the training FLOP we credit every contender with: forward + weight gradient + input
      // gradient of every layer but the first (a trainer never needs dL/d(image)).
      exactFlops: 2 * (fwdMacs + fwdMacs + dxMacs),
      // the "3 x forward" convention that BENCHMARKS.md's table uses (includes the first dX)
      threeForwardFlops: 3 * 2 * fwdMacs,
      firstLayerDxFlops: 2 * firstDxMacs,
      elementwiseOps: elementwise,
      tableFlops: w.tableFlops,
    };
  }

  // Deterministic pseudo-random numbers for data and initialisation (mulberry32), so every
  // contender sees data of the same distribution without pulling in a dependency.
  function rng(seed) {
    let a = seed >>> 0;
    return function () {
      a = (a + 0x6d2b79f5) >>> 0;
      let t = a;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }

  root.BENCH_NETS = { WORKLOADS, names: Object.keys(WORKLOADS), analyse, rng };
})(typeof self !== "undefined" ? self : globalThis);
