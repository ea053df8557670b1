// The one table of settings (TensorFlow Playground's state.ts pattern).
//
// Every setting the student can change lives in SETTINGS, once: its default, the values it may take,
// the key it has in the URL hash, its label, a one-line explanation, the group of the settings panel
// it sits in, and the Trainer config field it feeds (a dotted path for the nested `augment` object:
// "augment.colorJitter.brightness"). The controls, the URL hash and the config sent to the wasm core
// are all derived from this table, so adding a setting is adding one row. Nothing here touches the DOM.

import { BUILD_KEY, THREADS_KEY } from "./buildKeys.js";

export const PRESETS = ["shapes-cnn", "linear", "mlp", "deep-mlp", "lenet", "cifar-convnetjs", "vgg-mini", "resnet-mini"];

// The activations of the lecture's recap slide, in its order; spelled as docs/CONTRACT.md spells them.
// The core is the judge of validity: a name it rejects is reported like any rejected config.
export const ACTIVATIONS = [
  "sigmoid", "tanh", "step", "softplus", "relu", "softsign", "elu", "logsigmoid", "leakyrelu",
  "swish", "sinc", "mish",
];

// Which optimizers use which of the optimizer rows, and which schedules have a floor η_min.
const ADAM = ["adam", "adamw"];
const EPS = ["adam", "adamw", "rmsprop"];
const FLOOR = ["cosine", "sgdr", "cyclic"];
const CYCLIC = ["cyclic", "sgdr"];

/**
 * The data sets a link may name (`data=`). `generated`: rendered by the core from the seed (no
 * loading); the others are loaded into every run's worker first (www/sandbox/dataSet.js) — the
 * built-in ones from the site's own data/ folder, a learner's own images ("own") from their files,
 * which never leave their machine and so never come from a link. `train`/`val`: the set's split
 * sizes (the core takes the first trainSize/valSize images of each). `defaults`: the settings a
 * student who picks the set starts from (measured with scripts/measure-data.mjs: lenet reaches
 * 98–99% on MNIST and ~89% on Fashion-MNIST within a minute of training in Chromium).
 */
export const DATASETS = {
  shapes: { title: "Shapes (generated)", generated: true, defaults: {} },
  // Adam at PyTorch's 1e-3, batches of 64, no schedule (it must not end while the student trains on):
  // 98.3% on MNIST after 60 s in headless Chromium here, where SGD + momentum at 0.05 had 97.6%.
  mnist: {
    title: "MNIST", train: 60000, val: 10000,
    defaults: { preset: "lenet", optimizer: "adam", learningRate: 0.001, batchSize: 64, trainSize: 60000, schedule: "constant" },
  },
  "fashion-mnist": {
    title: "Fashion-MNIST", train: 60000, val: 10000,
    defaults: { preset: "lenet", optimizer: "adam", learningRate: 0.001, batchSize: 64, trainSize: 60000, schedule: "constant" },
  },
  own: { title: "your own images", own: true, defaults: { trainSize: 60000 } },
};

/** The core's largest validation set (src/config.rs MAX_VAL): a loaded set's valSize asks for all of it. */
const MAX_VAL = 10000;

/** Is `name` a data set the core renders itself (no loading)? */
export function isGenerated(name) {
  return Boolean(DATASETS[name]?.generated) || name === "noise";
}

/**
 * What a link's `data=own` says: a learner's own images are never put in a link, so the receiver
 * trains on shapes instead.
 */
export const OWN_DATA_IN_LINK = "This link was made on a learner's own images, which never leave the sender's " +
  "machine (they are not in the link). Training on the built-in shapes instead; load your own images in the data card.";

/**
 * The collapsible sections of the settings panel, in order. `id` also works in `hide=` (hides the
 * whole section). `open`: open on a fresh page; the others open by themselves when a link turns
 * one of their settings on.
 */
export const GROUPS = [
  { id: "model", label: "Model & optimizer", open: true,
    help: "" },
  { id: "regularization", label: "Regularization",
    help: "Training: add some randomness. Testing: marginalize over the randomness." },
  { id: "augmentation", label: "Data augmentation",
    help: "Data augmentation encodes invariances in your model: what changes to the image should not change the output?" },
  { id: "averaging", label: "After training",
    help: "The lecture's last part: average the weights (Polyak averaging), or average the predictions of several models (ensembles)." },
];

/** Views that `hide=` can hide besides the controls. */
export const VIEWS = ["preview"];

/**
 * kind:
 *   "number"  real; min/max, with minExclusive/maxExclusive for open bounds
 *   "int"     whole number; min/max
 *   "choice"  one of `choices`
 *   "bool"    on/off; `1`/`0` in the hash (true/false, on/off, yes/no also read)
 *   "range"   [lo, hi] with min ≤ lo ≤ hi ≤ max; `lo,hi` in the hash (a single number x is [min, x])
 *   "boxsize" Cutout's box: { area: a } with a ∈ (0, 1] written `0.25`, or { length: n } pixels written `16px`
 * toggle: (numbers whose 0 means off) the value an on/off switch beside the number sets when turned on.
 * configKey: path in the Trainer config (docs/CONTRACT.md), null if the setting is page-only.
 * inactive(values): why the setting has no effect with these values (shown, not enforced), or null.
 */
export const SETTINGS = [
  // ---- The data set: no control in the panel (the data card, www/views/dataCard.js, chooses it) ----
  {
    key: "data", hash: "data", configKey: "dataset", kind: "choice", group: null,
    default: "shapes", choices: Object.keys(DATASETS),
    label: "Data set",
    help: "What the network trains on: the generated shapes, MNIST digits, Fashion-MNIST clothes, or your own images.",
  },
  // ---- Model & optimizer ------------------------------------------------------------------------
  {
    key: "preset", hash: "preset", configKey: "preset", kind: "choice", group: "model",
    default: "shapes-cnn", choices: PRESETS,
    label: "Network",
    help: "Which architecture to train: from a linear classifier up to a small VGG, or a small ResNet with batch norm.",
  },
  {
    key: "learningRate", hash: "lr", configKey: "learningRate", kind: "number", group: "model",
    // 0.01: at 0.02 the default run opened with a loss spike (2.36 → 5.73 at step 2); the spike now
    // belongs to the warmup scenario (www/scenarios.js).
    default: 0.01, min: 0, minExclusive: true, max: 100, step: "any",
    label: "Learning rate",
    help: "Step size of SGD. Too high and the loss explodes; too low and it barely moves. While paused, a change applies to the current run, which continues from its step; other settings start a new run.",
    live: true,
  },
  {
    key: "batchSize", hash: "batch", configKey: "batchSize", kind: "int", group: "model",
    default: 32, min: 1, max: 512,
    label: "Batch size",
    help: "Images per step. Small batches give noisier losses (see the scatter).",
  },
  {
    key: "trainSize", hash: "train", configKey: "trainSize", kind: "int", group: "model",
    default: 4000, min: 50, max: 60000,
    label: "Training images",
    help: "How many images the network trains on (the first ones of a loaded data set; shapes renders up to " +
      "50,000). With few (500), a plain network memorizes them: training " +
      "accuracy runs away from validation accuracy, and regularization has a gap to close.",
  },
  {
    key: "activation", hash: "act", configKey: "activation", kind: "choice", group: "model",
    default: "relu", choices: ACTIVATIONS,
    label: "Activation",
    help: "Non-linearity after each conv/linear layer of the preset.",
  },
  {
    key: "init", hash: "init", configKey: "init", kind: "choice", group: "model",
    default: "kaiming", choices: ["kaiming", "xavier", "small"],
    label: "Weight init",
    help: "Kaiming suits ReLU-like activations, Xavier suits tanh/sigmoid.",
  },
  {
    key: "momentum", hash: "mom", configKey: "momentum", kind: "number", group: "model",
    default: 0.9, min: 0, max: 0.999, step: 0.05,
    label: "Momentum",
    help: "SGD momentum: how much of the previous update carries into this one.",
    inactive: (v) => (v.optimizer !== "sgd" ? `only SGD uses it (${v.optimizer} keeps its own running averages, set below)` : null),
  },
  {
    key: "nesterov", hash: "nesterov", configKey: null, kind: "bool", group: "model",
    default: false,
    label: "Nesterov",
    help: "Nesterov momentum: take the gradient where the velocity is about to carry the weights (look ahead), " +
      "then step. Needs momentum > 0.",
    inactive: (v) => (v.optimizer !== "sgd" ? "only SGD has Nesterov momentum"
      : !(v.momentum > 0) ? "Nesterov needs momentum > 0" : null),
  },
  {
    key: "optimizer", hash: "opt", configKey: null, kind: "choice", group: "model",
    default: "sgd", choices: ["sgd", "adam", "adamw", "rmsprop", "adagrad"],
    label: "Optimizer",
    help: "SGD (+ momentum) follows the gradient; Adagrad/RMSProp scale each step by past squared gradients; " +
      "Adam = momentum + RMSProp + bias correction, a good default; AdamW decouples weight decay. " +
      "Their own settings below start at PyTorch's defaults.",
  },
  {
    key: "beta1", hash: "beta1", configKey: null, kind: "number", group: "model",
    default: 0.9, min: 0, max: 1, maxExclusive: true, step: 0.01,
    label: "Adam β1",
    help: "Adam's momentum: decay rate of the running average of gradients (first moment). PyTorch: 0.9.",
    inactive: (v) => (!ADAM.includes(v.optimizer) ? "only Adam and AdamW use β1" : null),
  },
  {
    key: "beta2", hash: "beta2", configKey: null, kind: "number", group: "model",
    default: 0.999, min: 0, max: 1, maxExclusive: true, step: 0.001,
    label: "Adam β2",
    help: "Decay rate of the running average of squared gradients (second moment), which scales each step. PyTorch: 0.999.",
    inactive: (v) => (!ADAM.includes(v.optimizer) ? "only Adam and AdamW use β2" : null),
  },
  {
    key: "eps", hash: "eps", configKey: null, kind: "number", group: "model",
    default: 1e-8, min: 0, minExclusive: true, max: 1, step: "any",
    label: "ε (Adam, RMSProp)",
    help: "Added to √(second moment) before dividing, so that tiny averages do not give huge steps. PyTorch: 1e-8.",
    inactive: (v) => (!EPS.includes(v.optimizer) ? "only Adam, AdamW and RMSProp use this ε" : null),
  },
  {
    key: "rmspropAlpha", hash: "rmsalpha", configKey: null, kind: "number", group: "model",
    default: 0.99, min: 0, max: 1, maxExclusive: true, step: 0.01,
    label: "RMSProp α",
    help: "RMSProp's decay rate of the running average of squared gradients. PyTorch: 0.99.",
    inactive: (v) => (v.optimizer !== "rmsprop" ? "only RMSProp uses α" : null),
  },
  {
    key: "rmspropMomentum", hash: "rmsmom", configKey: null, kind: "number", group: "model",
    default: 0, min: 0, max: 0.999, step: 0.05,
    label: "RMSProp momentum",
    help: "A velocity on top of RMSProp's scaled steps, like SGD's momentum. PyTorch: 0 (off).",
    inactive: (v) => (v.optimizer !== "rmsprop" ? "only RMSProp uses it" : null),
  },
  {
    key: "adagradEps", hash: "adaeps", configKey: null, kind: "number", group: "model",
    default: 1e-10, min: 0, minExclusive: true, max: 1, step: "any",
    label: "Adagrad ε",
    help: "Added to √(sum of squared gradients) before dividing. PyTorch: 1e-10.",
    inactive: (v) => (v.optimizer !== "adagrad" ? "only Adagrad uses this ε" : null),
  },
  {
    key: "schedule", hash: "sched", configKey: null, kind: "choice", group: "model",
    default: "constant", choices: ["constant", "step", "cosine", "linear", "invsqrt", "sgdr", "cyclic"],
    label: "LR schedule",
    help: "Step: α × 0.1 at 30%, 60% and 90% of T (ResNet: epochs 30, 60, 90). Cosine: α_t = ½α₀(1 + cos(tπ/T)). " +
      "Linear: α_t = α₀(1 − t/T). Inverse sqrt: α_t = α₀/√t. SGDR: cosine with warm restarts (T_0 = T/4, T_mult 2). " +
      "Cyclic: M equal cosine cycles of T/M steps, for snapshot ensembles. While paused, a change applies to the current run, which continues from its step; other settings start a new run.",
    live: true,
  },
  {
    key: "totalSteps", hash: "steps", configKey: null, kind: "int", group: "model",
    default: 2000, min: 10, max: 1000000,
    label: "Schedule steps T",
    help: "T, the length of the schedule in steps: where cosine and linear reach 0, step drops, SGDR restarts and cyclic fits its M cycles. While paused, a change applies to the current run, which continues from its step; other settings start a new run.",
    live: true,
    inactive: (v) => (["constant", "invsqrt"].includes(v.schedule) ? `the ${v.schedule} schedule has no length` : null),
  },
  {
    key: "cycles", hash: "cycles", configKey: null, kind: "int", group: "model",
    default: 4, min: 1, max: 100,
    label: "Cycles M",
    help: "Cyclic schedule: M cosine cycles in T steps (period T/M, then it keeps cycling). Each cycle ends at a low " +
      "rate in a local minimum: one snapshot of a snapshot ensemble (train 1, get M for free). While paused, applies to the current run.",
    live: true,
    inactive: (v) => (v.schedule !== "cyclic" ? "only the cyclic schedule has cycles" : null),
  },
  {
    key: "etaMin", hash: "etamin", configKey: null, kind: "number", group: "model",
    default: 0, min: 0, max: 1, step: "any",
    label: "Floor η_min",
    help: "The rate cosine, SGDR and cyclic decay to: α_t = η_min + ½(α₀ − η_min)(1 + cos(tπ/T)). " +
      "0 is plain cosine; keep it below the learning rate. While paused, applies to the current run.",
    live: true,
    inactive: (v) => (!FLOOR.includes(v.schedule) ? `the ${v.schedule} schedule has no floor` : null),
  },
  {
    key: "warmupSteps", hash: "warmup", configKey: null, kind: "int", group: "model",
    default: 0, min: 0, max: 100000,
    label: "Warmup steps",
    help: "Linear warmup: raise the rate from 0 to α₀ over these steps, then follow the schedule. " +
      "High initial learning rates can make the loss explode. While paused, a change applies to the current run, which continues from its step; other settings start a new run.",
    live: true,
  },
  {
    key: "patience", hash: "patience", configKey: "patience", kind: "int", group: "model",
    default: 0, min: 0, max: 1000,
    label: "Patience",
    help: "Early stopping: stop training when validation accuracy has not improved for this many evaluations, " +
      "and keep the best snapshot. 0: never stop.",
  },
  {
    key: "seed", hash: "seed", configKey: "seed", kind: "int", group: "model",
    default: 1, min: 0, max: 2147483647,
    label: "Seed",
    help: "Seeds data, initial weights, batch order and every random draw: the same seed gives the same run.",
  },
  {
    // toConfig turns it into the small sample with the regularizers switched off.
    key: "overfit", hash: "overfit", configKey: null, kind: "bool", group: "model",
    default: false,
    label: "Overfit small sample",
    help: "Lecture, step 2: train on 5 mini-batches only, with regularization and augmentation off. " +
      "Training accuracy should reach 100%; if it does not, fix the architecture, learning rate or initialization first.",
  },

  // ---- Regularization (the lecture's order) -----------------------------------------------------
  {
    key: "weightDecay", hash: "wd", configKey: "weightDecay", kind: "number", group: "regularization",
    default: 0, min: 0, max: 1, step: "any",
    label: "Weight decay",
    help: "L2 regularization strength. The lecture: turn it off while checking the initial loss.",
  },
  {
    key: "dropRate", hash: "dropout", configKey: "dropRate", kind: "number", group: "regularization",
    default: 0, min: 0, max: 1, maxExclusive: true, step: 0.1,
    label: "Dropout p",
    help: "Forces the network to have a redundant representation; prevents co-adaptation of features. " +
      "Before the classifier; usually p = 0.5.",
  },
  {
    key: "batchNorm", hash: "bn", configKey: "batchNorm", kind: "bool", group: "regularization",
    default: false,
    label: "Batch norm",
    help: "After every conv. Training: normalize with each batch's statistics; testing: use running averages.",
    inactive: (v) => (v.preset === "resnet-mini" ? "resnet-mini always has batch norm" : null),
  },
  {
    key: "dropConnect", hash: "dropconnect", configKey: "dropConnect", kind: "number", group: "regularization",
    default: 0, min: 0, max: 1, maxExclusive: true, step: 0.1,
    label: "DropConnect p",
    help: "Training: drop random connections between neurons (set weight = 0); testing: use all the connections.",
  },
  {
    key: "fractionalPooling", hash: "fmp", configKey: "fractionalPooling", kind: "bool", group: "regularization",
    default: false,
    label: "Fractional pooling",
    help: "Training: randomized pooling regions (α = √2); testing: average predictions over different samples. " +
      "Evaluation gets 4× slower.",
  },
  {
    key: "dropPathRate", hash: "droppath", configKey: "dropPathRate", kind: "number", group: "regularization",
    default: 0, min: 0, max: 1, maxExclusive: true, step: 0.1,
    label: "Stochastic depth",
    help: "Training: skip some residual blocks (the last with this probability, earlier ones less often); " +
      "testing: use the whole network.",
    inactive: (v) => (v.preset !== "resnet-mini" ? "only resnet-mini has residual blocks" : null),
  },
  {
    key: "reprob", hash: "cutout", configKey: "augment.reprob", kind: "number", group: "regularization",
    default: 0, min: 0, max: 1, step: 0.1,
    label: "Cutout probability",
    help: "Training: set random image regions to 0; testing: use the whole image. Chance per image.",
  },
  {
    key: "cutoutSize", hash: "cutsize", configKey: "augment.cutoutSize", kind: "boxsize", group: "regularization",
    default: { area: 0.25 },
    label: "Cutout size",
    help: "The erased box: a fraction of the image's area (0.25) or a side in pixels (16px).",
    inactive: (v) => (v.reprob === 0 ? "Cutout probability is 0" : null),
  },
  {
    key: "cutoutFill", hash: "cutfill", configKey: "augment.cutoutFill", kind: "choice", group: "regularization",
    default: "zero", choices: ["zero", "mean", "random"],
    label: "Cutout fill",
    help: "Set the region to 0, or replace it with the image's mean value or random values.",
    inactive: (v) => (v.reprob === 0 ? "Cutout probability is 0" : null),
  },
  {
    key: "mixupAlpha", hash: "mixup", configKey: "augment.mixupAlpha", kind: "number", group: "regularization",
    default: 0, min: 0, max: 10, step: 0.1,
    toggle: 0.8,   // the α an on/off switch sets (timm's recipes use 0.8)
    label: "Mixup α",
    help: "Training: train on random blends of images; testing: use original images. " +
      "Blend weight λ ~ Beta(α, α): small α keeps λ close to 0/1.",
  },
  {
    key: "cutmixAlpha", hash: "cutmix", configKey: "augment.cutmixAlpha", kind: "number", group: "regularization",
    default: 0, min: 0, max: 10, step: 0.1,
    toggle: 1.0,   // timm's recipes use 1.0
    label: "CutMix α",
    help: "Training: replace a random crop of one image with another, labels weighted by the pixel shares; " +
      "testing: use original images.",
  },
  {
    key: "mixupSwitchProb", hash: "mixswitch", configKey: "augment.mixupSwitchProb", kind: "number", group: "regularization",
    default: 0.5, min: 0, max: 1, step: 0.1,
    label: "CutMix share",
    help: "With both Mixup and CutMix on: the chance that a batch uses CutMix rather than Mixup.",
    inactive: (v) => (!(v.mixupAlpha > 0 && v.cutmixAlpha > 0) ? "needs both Mixup and CutMix on" : null),
  },
  {
    key: "mixupProb", hash: "mixprob", configKey: "augment.mixupProb", kind: "number", group: "regularization",
    default: 1, min: 0, max: 1, step: 0.1,
    label: "Mix probability",
    help: "The chance that a batch is mixed at all (Mixup or CutMix).",
    inactive: (v) => (!(v.mixupAlpha > 0 || v.cutmixAlpha > 0) ? "Mixup and CutMix are off" : null),
  },
  {
    key: "labelSmoothing", hash: "ls", configKey: "augment.labelSmoothing", kind: "number", group: "regularization",
    default: 0, min: 0, max: 1, maxExclusive: true, step: 0.05,
    label: "Label smoothing ε",
    help: (data) => `Target 1 − (K−1)/K·ε on the correct class and ε/K on the others ` +
      `(K = ${data?.classes ?? 10}, the classes of ${data?.title ?? "the shapes set"}); ` +
      "the loss is cross-entropy with that target.",
  },

  // ---- Data augmentation --------------------------------------------------------------------------
  {
    key: "hflip", hash: "flip", configKey: "augment.hflip", kind: "number", group: "augmentation",
    default: 0, min: 0, max: 1, step: 0.1,
    label: "Horizontal flip",
    help: "Chance that a training image is mirrored left–right (0.5 is the usual setting).",
  },
  {
    key: "cropScale", hash: "crop", configKey: "augment.cropScale", kind: "range", group: "augmentation",
    default: [1, 1], min: 1, max: 4, step: 0.05,
    label: "Crops & scales",
    help: "Training: resize to a random size L between min and max × the side, take a random crop of the " +
      "original size. 1–1 is off; try 1–1.25.",
  },
  {
    key: "brightness", hash: "bright", configKey: "augment.colorJitter.brightness", kind: "number", group: "augmentation",
    default: 0, min: 0, max: 1, step: 0.1,
    label: "Jitter: brightness",
    help: "Colour jitter: randomize brightness by a factor in [1 − s, 1 + s].",
  },
  {
    key: "contrast", hash: "contrast", configKey: "augment.colorJitter.contrast", kind: "number", group: "augmentation",
    default: 0, min: 0, max: 1, step: 0.1,
    label: "Jitter: contrast",
    help: "Colour jitter: randomize contrast by a factor in [1 − s, 1 + s].",
  },
  {
    key: "saturation", hash: "sat", configKey: "augment.colorJitter.saturation", kind: "number", group: "augmentation",
    default: 0, min: 0, max: 1, step: 0.1,
    label: "Jitter: saturation",
    help: "Colour jitter: randomize saturation by a factor in [1 − s, 1 + s].",
    inactive: (v) => greyReason(v),
  },
  {
    key: "pcaStd", hash: "pca", configKey: "augment.pcaStd", kind: "number", group: "augmentation",
    default: 0, min: 0, max: 1, step: 0.05,
    label: "PCA colour σ",
    help: "PCA on all [R, G, B] pixels of the training set; add a colour offset along the principal " +
      "directions to all pixels of an image (AlexNet: 0.1).",
    inactive: (v) => greyReason(v),
  },
  {
    key: "randaugmentN", hash: "ra", configKey: "augment.randaugmentN", kind: "int", group: "augmentation",
    default: 0, min: 0, max: 14,
    label: "RandAugment N",
    help: "Apply N random transforms per image: rotate, translate, shear, sharpen, contrast, brightness, " +
      "solarize, posterize, colour… 0 is off.",
  },
  {
    key: "randaugmentM", hash: "ram", configKey: "augment.randaugmentM", kind: "number", group: "augmentation",
    default: 9, min: 0, max: 10, step: 1,
    label: "RandAugment M",
    help: "Magnitude of every transform, on timm's 0–10 scale (0 changes nothing, 10 is the strongest).",
    inactive: (v) => (v.randaugmentN === 0 ? "RandAugment N is 0" : null),
  },
  {
    key: "tta", hash: "tta", configKey: "tta", kind: "bool", group: "augmentation",
    default: false,
    label: "Test-time augmentation",
    help: "Testing: average predictions over a fixed set of crops: 4 corners + centre, + flips. " +
      "Evaluation gets 10× slower.",
  },

  // ---- Averaging & ensembles (the lecture's last part) ------------------------------------------
  {
    key: "modelEmaDecay", hash: "ema", configKey: "modelEmaDecay", kind: "number", group: "averaging",
    default: 0, min: 0, max: 1, maxExclusive: true, step: "any", toggle: 0.995,
    label: "Polyak averaging (EMA decay)",
    help: "Polyak averaging: keep a moving average of the weights, x_test = 0.995·x_test + 0.005·x after every step " +
      "(batch-norm statistics averaged the same way, as timm does), and evaluate it beside the raw weights: the " +
      "dotted validation curve and 'EMA val' above the charts. It smooths out the noise of the last steps (a high learning rate, " +
      "small batches); it lags about 1/(1 − decay) = 200 steps behind, so early on it trails the raw curve. 0: off.",
  },
  {
    key: "snapshotEnsemble", hash: "snapshots", configKey: "snapshotEnsemble", kind: "bool", group: "averaging",
    default: false,
    label: "Snapshot ensemble",
    help: "Keep the model at the end of every cycle of the cyclic (or SGDR) schedule, the newest 8, and evaluate the " +
      "average of their predicted probabilities beside the last model: the dash-dot validation curve with diamonds " +
      "and 'Snapshot ens.' above the charts. Train 1, get M for free.",
    inactive: (v) => (!CYCLIC.includes(v.schedule) ? "needs the cyclic (or SGDR) schedule" : null),
  },
  {
    key: "member", hash: "member", configKey: "member", kind: "int", group: "averaging",
    default: 0, min: 0, max: 1000,
    label: "Ensemble member",
    help: "Member m of a model ensemble: the same images as the seed gives, but its own initial weights, batch order " +
      "and random draws. 0: the seed's own model.",
  },
];

/** Hash key listing controls to hide, e.g. `#hide=preset,init` (or `hide=all`, a group, `preview`). */
export const HIDE_KEY = "hide";
/** Hash key listing the only controls to show, e.g. `#show=lr,warmup` (settings or sections). */
export const SHOW_KEY = "show";

/** Why colour settings do nothing: lenet turns images grey, and MNIST and Fashion-MNIST are grey. */
function greyReason(v) {
  if (v.preset === "lenet") return "lenet's images are grey";
  if (v.data === "mnist" || v.data === "fashion-mnist") return `${DATASETS[v.data].title}'s images are grey`;
  return null;
}

const byHash = new Map(SETTINGS.map((s) => [s.hash, s]));
const byKey = new Map(SETTINGS.map((s) => [s.key, s]));
/** The settings that have a control in the panel (the data set has the data card instead). */
const CONTROLLED = SETTINGS.filter((s) => s.group);
const HIDEABLE = [...CONTROLLED.map((s) => s.hash), ...GROUPS.map((g) => g.id), ...VIEWS];

export function settingByKey(key) { return byKey.get(key); }

/** `values[key]`, or the table's default when `values` (a partial set) lacks it. */
export function orDefault(values, key) {
  return values[key] ?? byKey.get(key).default;
}

export function defaults() {
  return Object.fromEntries(SETTINGS.map((s) => [s.key, copy(s.default)]));
}

/**
 * The settings a student starts from on data set `name` (the defaults, with the set's own). With the
 * loaded set's `summary`, the training images are all of its training split (within the row's range).
 */
export function defaultsFor(name, summary = null) {
  const out = { ...defaults(), ...copyAll(DATASETS[name]?.defaults ?? {}), data: name };
  if (summary?.train > 0) {
    const row = byKey.get("trainSize");
    out.trainSize = Math.min(row.max, Math.max(row.min, summary.train));
  }
  return out;
}

function copyAll(values) {
  return Object.fromEntries(Object.entries(values).map(([k, v]) => [k, copy(v)]));
}

/**
 * `values` moved to data set `name`: every setting still at the old set's default takes the new
 * set's default (a student who picks MNIST on the default run gets the MNIST run), and every
 * setting the student changed is kept. `summary`/`previousSummary`: the loaded sets' (defaultsFor).
 */
export function rebaseOnData(values, name, summary = null, previousSummary = null) {
  const from = defaultsFor(values.data ?? "shapes", previousSummary), to = defaultsFor(name, summary);
  const out = { ...values, data: name };
  for (const s of SETTINGS) {
    if (s.key !== "data" && sameValue(s, values[s.key], from[s.key])) out[s.key] = copy(to[s.key]);
  }
  return out;
}

/** The help text of setting `s`; `data` ({ classes, title }) fills in what depends on the data set. */
export function settingHelp(s, data) {
  return typeof s.help === "function" ? s.help(data) : s.help;
}

function copy(v) {
  if (Array.isArray(v)) return [...v];
  if (v && typeof v === "object") return { ...v };
  return v;
}

/** A short text for a setting's allowed values, used in messages and tooltips. */
export function describeRange(s) {
  if (s.kind === "choice") return `one of ${s.choices.join(", ")}`;
  if (s.kind === "bool") return "1 (on) or 0 (off)";
  if (s.kind === "range") return `two numbers "min,max" with ${s.min} ≤ min ≤ max ≤ ${s.max}`;
  if (s.kind === "boxsize") return "an area fraction > 0 and ≤ 1 (0.25) or a side in whole pixels (16px)";
  const lo = s.minExclusive ? `> ${s.min}` : `≥ ${s.min}`;
  const hi = s.maxExclusive ? `< ${s.max}` : `≤ ${s.max}`;
  const what = s.kind === "int" ? "a whole number" : "a number";
  return `${what} ${lo} and ${hi}`;
}

// Decimal notation only: Number() would also read "0x10" as 16, "0b1" as 1 and "Infinity".
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

function num(text) {
  const t = String(text).trim();
  return DECIMAL.test(t) ? Number(t) : NaN;   // also refuses "" (Number("") is 0)
}

/** A text a message echoes (a link's key or value may be kilobytes): at most MAX_SHOWN characters. */
export const MAX_SHOWN = 60;
export function clip(text) {
  const t = String(text);
  return t.length > MAX_SHOWN ? `${t.slice(0, MAX_SHOWN)}…` : t;
}

function inBounds(s, v) {
  return Number.isFinite(v)
    && (s.minExclusive ? v > s.min : v >= s.min)
    && (s.maxExclusive ? v < s.max : v <= s.max)
    && (s.kind !== "int" || Number.isInteger(v));
}

const TRUE = ["1", "true", "on", "yes"], FALSE = ["0", "false", "off", "no"];

/**
 * Parse one raw string for setting `s`. Returns { ok: true, value } or { ok: false, reason }.
 * Used for the URL hash and for the form controls alike.
 */
export function parseValue(s, raw) {
  const text = String(raw).trim();
  const bad = { ok: false, reason: `must be ${describeRange(s)}` };
  // "0x10", "1e", "Infinity": a number Number() might read, but not written in decimal.
  const notDecimal = { ok: false, reason: `is not a decimal number; it must be ${describeRange(s)}` };
  const numeric = !["choice", "bool"].includes(s.kind);
  if (numeric && /^[+-]?(0[xob]|inf|nan)|e$/i.test(text)) return notDecimal;
  switch (s.kind) {
    case "choice":
      return s.choices.includes(text) ? { ok: true, value: text } : bad;
    case "bool": {
      const t = text.toLowerCase();
      if (TRUE.includes(t)) return { ok: true, value: true };
      if (FALSE.includes(t)) return { ok: true, value: false };
      return bad;
    }
    case "range": {
      const parts = text.split(/\s*[,;]\s*/);
      if (parts.length > 2) return bad;
      const [lo, hi] = parts.length === 1 ? [s.min, num(parts[0])] : parts.map(num);
      return Number.isFinite(lo) && Number.isFinite(hi) && s.min <= lo && lo <= hi && hi <= s.max
        ? { ok: true, value: [lo, hi] } : bad;
    }
    case "boxsize": {
      const px = /^(\d+)\s*px$/i.exec(text);
      if (px) {
        const n = Number(px[1]);
        return n >= 1 && n <= 1024 ? { ok: true, value: { length: n } } : bad;
      }
      const a = num(text);
      return Number.isFinite(a) && a > 0 && a <= 1 ? { ok: true, value: { area: a } } : bad;
    }
    default: {
      const v = num(text);
      return inBounds(s, v) ? { ok: true, value: v } : bad;
    }
  }
}

/** The text of a value, as the URL hash and the controls show it (parseValue reads it back). */
export function formatValue(s, v) {
  switch (s.kind) {
    case "bool": return v ? "1" : "0";
    case "range": return `${v[0]},${v[1]}`;
    case "boxsize": return "length" in v ? `${v.length}px` : String(v.area);
    default: return String(v);
  }
}

/** Do `a` and `b` hold the same value of setting `s`? */
export function sameValue(s, a, b) {
  return formatValue(s, a) === formatValue(s, b);
}

/** Do two settings objects describe the same run? */
export function sameSettings(a, b) {
  return SETTINGS.every((s) => sameValue(s, a[s.key], b[s.key]));
}

/** Is setting `s` away from its default in `values` (the table's, or those of `base`: a data set's defaults)? */
export function isChanged(s, values, base = null) {
  return !sameValue(s, values[s.key], base ? base[s.key] : s.default);
}

/**
 * Parse a URL hash such as "#seed=3&lr=0.02&mixup=0.2&hide=init".
 * Returns { values, hidden, errors }: values starts from `base` (defaults unless given) and takes
 * every well-formed entry; each malformed or unknown entry becomes an error { key, value, message }
 * whose message names the key and the value, and leaves that setting at its default.
 */
export function parseHash(hash, base) {
  const text = hash.startsWith("#") ? hash.slice(1) : hash;
  const errors = [];
  // Without a base, a link that names a data set starts from that set's defaults (state.js DATASETS).
  const named = dataNamed(text);
  if (named === "own") {
    errors.push({ key: "data", value: "own", message: OWN_DATA_IN_LINK });
  }
  const values = { ...(base ?? (named && named !== "own" && DATASETS[named] ? defaultsFor(named) : defaults())) };
  const hidden = new Set();
  const shown = new Set();
  let showing = false;
  const given = new Map();   // setting key -> its value so far, to name a key given twice
  if (text.trim() === "") return { values, hidden, errors };
  for (const part of text.split("&")) {
    if (part === "") continue;
    const eq = part.indexOf("=");
    const rawKey = eq < 0 ? part : part.slice(0, eq);
    const rawVal = eq < 0 ? "" : part.slice(eq + 1);
    let key, val;
    try {
      key = decodeURIComponent(rawKey);
      val = decodeURIComponent(rawVal.replace(/\+/g, " "));
    } catch {
      errors.push({ key: rawKey, value: rawVal,
        message: `Link setting "${clip(`${rawKey}=${rawVal}`)}" is not valid URL encoding — ignored.` });
      continue;
    }
    if (key === SHOW_KEY) {
      for (const name of val.split(",").map((x) => x.trim()).filter(Boolean)) {
        if (CONTROLLED.some((c) => c.hash === name) || GROUPS.some((g) => g.id === name)) shown.add(name);
        else errors.push({ key: SHOW_KEY, value: name,
          message: `Link setting "show" names "${clip(name)}", which is no control — use ${[...CONTROLLED.map((c) => c.hash), ...GROUPS.map((g) => g.id)].join(", ")}.` });
      }
      showing = true;
      continue;
    }
    if (key === HIDE_KEY) {
      for (const name of val.split(",").map((x) => x.trim()).filter(Boolean)) {
        if (name === "all" || HIDEABLE.includes(name)) hidden.add(name);
        else errors.push({ key: HIDE_KEY, value: name,
          message: `Link setting "hide" names "${clip(name)}", which is no control — use ${HIDEABLE.join(", ")} or all.` });
      }
      continue;
    }
    // The core's build (build=, threads=) is the page's choice, not a run's setting: www/buildKeys.js.
    if (key === BUILD_KEY || key === THREADS_KEY) continue;
    if (key === "data" && val === "own") {
      values.data = base && base.data !== "own" ? base.data : "shapes";
      if (base) errors.push({ key, value: val, message: OWN_DATA_IN_LINK });
      continue;
    }
    const s = byHash.get(key);
    if (!s) {
      const near = closestKey(key);
      errors.push({ key, value: val,
        message: `Unknown link setting "${clip(key)}" (value "${clip(val)}") — ignored. ` +
          (near ? `Did you mean "${near}"?` : `Known: ${[...CONTROLLED.map((c) => c.hash), "data"].join(", ")}, hide, show.`) });
      continue;
    }
    // A key given twice: the last one is used (as a form submission reads it), and the link says so.
    // `kept: true` marks a note whose value was applied (link.js does not reset the setting for it).
    const earlier = given.get(key);
    if (earlier !== undefined) {
      errors.push({ key, value: val, kept: true,
        message: `Link setting "${key}" is given twice ("${clip(earlier)}", then "${clip(val)}"); the last one is used.` });
    }
    given.set(key, val);
    const r = parseValue(s, val);
    if (r.ok) values[s.key] = r.value;
    else {
      values[s.key] = copy(s.default);
      errors.push({ key, value: val,
        message: `Link setting "${key}" has a bad value "${clip(val)}": it ${r.reason}. Using the default ${formatValue(s, s.default)}.` });
    }
  }
  // `show=` hides every setting it does not name (a section name shows the section's settings).
  if (showing) for (const s of CONTROLLED) if (!shown.has(s.hash) && !shown.has(s.group)) hidden.add(s.hash);
  return { values, hidden, errors };
}

/** The data set a hash's `data=` names (the last one), or null. */
function dataNamed(text) {
  let name = null;
  for (const part of text.split("&")) {
    const m = /^data=(.*)$/.exec(part);
    if (m) {
      try { name = decodeURIComponent(m[1]).trim(); } catch { /* reported by the main loop */ }
    }
  }
  return name;
}

/**
 * The link key meant by an unknown one: the key of a Trainer config name ("labelSmoothing" → "ls"),
 * or the known key nearest to a typo (1 edit for short keys, 2 otherwise: "mixp" → "mixup"), or null.
 */
function closestKey(key) {
  const lower = key.toLowerCase();
  // The Trainer config's name ("labelSmoothing", "hflip") → its link key.
  const byConfigName = SETTINGS.find((s) => s.key.toLowerCase() === lower);
  if (byConfigName) return byConfigName.hash;
  let best = null, bestD = lower.length <= 4 ? 2 : 3;
  for (const k of [...byHash.keys(), HIDE_KEY]) {
    const d = editDistance(lower, k);
    if (d < bestD) { best = k; bestD = d; }
  }
  return best;
}

function editDistance(a, b) {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length];
}

/**
 * Build the hash for `values` (every setting, so the link does not depend on the defaults of the
 * build that opens it) and `hidden`. Commas of ranges are left as they are: they are safe in a hash.
 */
export function serializeHash(values, hidden = new Set()) {
  const parts = SETTINGS.map((s) => `${s.hash}=${encodeURIComponent(formatValue(s, values[s.key])).replace(/%2C/g, ",")}`);
  if (hidden.size) parts.push(`${HIDE_KEY}=${[...hidden].join(",")}`);
  return "#" + parts.join("&");
}

/** The Trainer config (docs/CONTRACT.md) for `values`: only fields the core knows, nested where dotted. */
export function toConfig(values) {
  // Overfit mode (lecture, step 2): the small sample, with regularization and augmentation off.
  if (values.overfit) {
    const off = { ...values, overfit: false };
    for (const s of SETTINGS) if (offWhenOverfitting(s)) off[s.key] = copy(s.default);
    return { ...toConfig(off), trainSize: overfitTrainSize(values) };
  }
  const config = { dataset: "shapes" };
  for (const s of SETTINGS) {
    if (!s.configKey) continue;
    const path = s.configKey.split(".");
    let obj = config;
    for (const p of path.slice(0, -1)) obj = obj[p] ??= {};
    obj[path[path.length - 1]] = copy(values[s.key] ?? s.default);
  }
  // A loaded set is validated on all of its validation split (the core takes the first valSize).
  if (!isGenerated(config.dataset)) config.valSize = MAX_VAL;
  const optimizer = optimizerConfig(values);
  if (optimizer) config.optimizer = optimizer;
  const schedule = scheduleConfig(values);
  if (schedule) config.schedule = schedule;
  // Like every inactive setting, a snapshot ensemble without cycles is shown greyed, not refused:
  // the core (which would refuse it, naming both) does not get it.
  if (!CYCLIC.includes(schedule?.type)) delete config.snapshotEnsemble;
  return config;
}

/**
 * The Trainer's `optimizer` for `values` (src/optim/config.rs), or null for plain SGD (+ momentum),
 * where the core uses the top-level `momentum` and `weightDecay`. Each optimizer gets only the
 * fields it uses: SGD with Nesterov { momentum, nesterov, weightDecay } (Nesterov only with momentum
 * > 0, which the core requires); Adam/AdamW { betas, eps }; RMSProp { alpha, eps, momentum }; Adagrad
 * { eps }; plus the page's weight decay when it is > 0 (so AdamW keeps PyTorch's 0.01 otherwise).
 */
export function optimizerConfig(values) {
  const v = (key) => orDefault(values, key);
  const type = v("optimizer");
  if (type === "sgd") {
    if (!(v("nesterov") && v("momentum") > 0)) return null;
    return { type, momentum: v("momentum"), nesterov: true, weightDecay: v("weightDecay") };
  }
  const opt = { type };
  if (ADAM.includes(type)) opt.betas = [v("beta1"), v("beta2")];
  if (type === "rmsprop") opt.alpha = v("rmspropAlpha");
  if (EPS.includes(type)) opt.eps = v("eps");
  if (type === "rmsprop") opt.momentum = v("rmspropMomentum");
  if (type === "adagrad") opt.eps = v("adagradEps");
  if (values.weightDecay > 0) opt.weightDecay = values.weightDecay;
  return opt;
}

/**
 * The Trainer's `schedule` for `values` (docs/CONTRACT.md), or null for constant without warmup.
 * Step drops ×0.1 at 30%, 60% and 90% of T (the lecture's epochs 30, 60, 90); SGDR restarts after T_0 = T/4, then 2·T_0, ...; cyclic has
 * period T/M (M = cycles). Cosine, SGDR and cyclic carry the floor etaMin.
 */
export function scheduleConfig(values) {
  const v = (key) => orDefault(values, key);
  const type = v("schedule");
  const T = v("totalSteps");
  const warmup = v("warmupSteps");
  if (type === "constant" && !warmup) return null;
  const sched = { type };
  if (type === "cosine" || type === "linear") sched.totalSteps = T;
  if (type === "step") {
    // The lecture's ResNet recipe, ×0.1 at epochs 30, 60 and 90 (of about 100), as fractions of T.
    const m = [];
    for (const f of [0.3, 0.6, 0.9]) m.push(Math.max((m[m.length - 1] ?? 0) + 1, Math.round(f * T)));
    sched.milestones = m;
    sched.gamma = 0.1;
  }
  if (type === "sgdr") { sched.T_0 = Math.max(1, Math.round(T / 4)); sched.T_mult = 2; }
  if (type === "cyclic") sched.period = Math.max(1, Math.round(T / v("cycles")));
  if (FLOOR.includes(type)) sched.etaMin = v("etaMin");
  if (warmup) sched.warmupSteps = warmup;
  return sched;
}

/** Does `hidden` hide the control of setting `s`? (The data set has no control: always.) */
export function isHidden(s, hidden) {
  return !s.group || hidden.has("all") || hidden.has(s.hash) || hidden.has(s.group);
}

/** Why setting `s` has no effect with `values`, or null. */
export function inactiveReason(s, values) {
  if (values.overfit && offWhenOverfitting(s)) return "switched off while overfitting a small sample";
  return s.inactive ? s.inactive(values) : null;
}

/** Mini-batches in overfit mode's small sample (lecture: "~5–10 minibatches"). */
export const OVERFIT_BATCHES = 5;

/** Training images in overfit mode's small sample. */
export function overfitTrainSize(values) {
  return OVERFIT_BATCHES * orDefault(values, "batchSize");
}

/** Groups whose settings overfit mode switches off (every default there means "off"). */
const OVERFIT_OFF_GROUPS = new Set(["regularization", "augmentation"]);

/** Is `s` switched off in overfit mode? Batch norm stays: here it is architecture, which step 2 says to fiddle with. */
export function offWhenOverfitting(s) {
  return OVERFIT_OFF_GROUPS.has(s.group) && s.key !== "batchNorm";
}

/** The settings of group `id`, in table order. */
export function groupSettings(id) {
  return SETTINGS.filter((s) => s.group === id);
}
