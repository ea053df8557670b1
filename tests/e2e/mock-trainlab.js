// A stand-in for pkg/trainlab.js with the shape of docs/CONTRACT.md's wasm API, used only when the
// page is built or served with TRAINLAB_MOCK=1 (see vite.config.js). It lets the page be developed and
// looked at before the wasm core exists. It computes no neural network: the losses are a made-up,
// seeded, decaying curve with noise, and a learning rate above 5 makes them blow up to NaN.

const FIELDS = new Set(["preset", "dataset", "seed", "learningRate", "momentum", "weightDecay",
  "batchSize", "init", "activation", "trainSize", "valSize", "layers",
  "dropRate", "dropConnect", "batchNorm", "fractionalPooling", "dropPathRate", "tta", "augment"]);
const PRESETS = ["shapes-cnn", "linear", "mlp", "lenet", "cifar-convnetjs", "vgg-mini", "resnet-mini"];
const CLASS_NAMES = ["circle", "square", "triangle", "cross", "ring", "hline", "vline", "diag", "dot", "star"];

export default async function init() {}

function mulberry32(a) {
  return () => {
    a |= 0; a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class Trainer {
  constructor(config = {}) {
    for (const k of Object.keys(config)) if (!FIELDS.has(k)) throw new Error(`unknown field \`${k}\``);
    const c = { preset: "shapes-cnn", seed: 1, learningRate: 0.02, batchSize: 32, trainSize: 4000, ...config };
    if (!(c.learningRate > 0 && Number.isFinite(c.learningRate))) {
      throw new Error(`learningRate: must be a positive finite number, got ${c.learningRate}`);
    }
    if (!PRESETS.includes(c.preset)) throw new Error(`preset: unknown preset "${c.preset}"`);
    this.c = c;
    this.rng = mulberry32(c.seed * 2654435761);
    this.t = 0;
    this.blow = 1;
  }
  step(n) {
    const losses = [];
    const t0 = performance.now();
    for (let i = 0; i < n; i++) {
      const until = performance.now() + 1.5;       // pretend a step costs 1.5 ms
      while (performance.now() < until) { /* busy */ }
      this.t++;
      let loss;
      if (this.c.learningRate > 5) {
        this.blow *= 3;
        loss = this.blow > 1e30 ? NaN : 2.3 * this.blow;
      } else {
        const rate = Math.min(this.c.learningRate / 0.02, 3);
        loss = 0.05 + 2.25 * Math.exp(-this.t * rate / 250);
        loss *= 1 + 0.35 * (this.rng() - 0.5);
      }
      losses.push(loss);
    }
    const ms = performance.now() - t0;
    this.lastLoss = losses[losses.length - 1];
    return {
      step: this.t, loss: this.lastLoss, losses, accuracy: this.acc(), lr: this.c.learningRate,
      epoch: (this.t * this.c.batchSize) / this.c.trainSize,
      imagesPerSecond: (n * this.c.batchSize) / (ms / 1000),
    };
  }
  acc() { return Math.min(0.99, 0.1 + 0.9 * (1 - Math.exp(-this.t / 150))); }
  evaluate() {
    const until = performance.now() + 20;
    while (performance.now() < until) { /* busy */ }
    const a = this.acc();
    return { step: this.t, valLoss: this.lastLoss ?? 2.3, valAccuracy: a * 0.96, trainLoss: this.lastLoss ?? 2.3, trainAccuracy: a };
  }
  backend() { return "mock (no wasm)"; }
  layers() { return [{ index: 0, kind: "mock", outputShape: [10, 1, 1], params: 0 }]; }
  weights() { return new Float32Array(0); }
  activations() { return new Float32Array(0); }
  classNames() { return CLASS_NAMES; }
  // Flat-coloured squares, one colour per class; mixup blends two (λ = 0.7) and its label says so.
  preview(count) {
    if (!this.t) return { mix: "none", lambda: 1, images: [] };
    const a = this.c.augment ?? {};
    const mix = a.mixupAlpha > 0 ? "mixup" : "none";
    const lambda = mix === "mixup" ? 0.7 : 1;
    const eps = a.labelSmoothing ?? 0;
    const images = [];
    for (let i = 0; i < Math.min(count, this.c.batchSize); i++) {
      const k = (this.t + i) % 10, j = (k + 3) % 10;
      const target = new Array(10).fill(0);
      target[k] += lambda;
      target[j] += 1 - lambda;
      const soft = target.map((v) => v * (1 - eps) + eps / 10);
      const rgba = [];
      for (let p = 0; p < 32 * 32; p++) rgba.push(25 * k * lambda + 25 * j * (1 - lambda), 128, 255 - 25 * k, 255);
      const label = soft.map((v, c) => [CLASS_NAMES[c], v]).filter(([, v]) => v >= 0.01).sort((x, y) => y[1] - x[1]);
      images.push({ rgba, width: 32, height: 32, label });
    }
    return { mix, lambda, images };
  }
  free() {}
}
