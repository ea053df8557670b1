// One-click comparisons, one per technique of the lecture (issue 7). Each scenario is a comparison
// link (docs/CONTRACT.md, "Link format for a comparison": run 1's settings, then each further run's
// differences, separated by "|"), the step at which its effect is claimed, the figure to watch, two
// lines of "what to look for" and the claims that tests/scenarios.rs checks natively with the same
// settings (through tests/scenarios.json, written by scripts/scenarios.mjs). `outcome` is what the
// native test measured at `at` with seed 1.
//
// Every base sets the settings the effect depends on explicitly (network, optimizer, learning rate,
// schedule, training-set size, seed), so that a change of the page's defaults does not move a
// scenario. Runs keep the same architecture where the technique allows, so they start from the same
// weights and (the core's separate streams) see the same batches in the same order.

import { parseHash } from "./state.js";

/** The figures a claim may name; tests/scenarios.rs computes each under the same name. */
export const METRICS = [
  "valAccuracy", "trainAccuracy", "gap", "valLoss", "valConfidence", "valEce", "trainLoss", "earlyLossMax", "diverged",
];

// The plain run every regularizer scenario starts from: 500 training images, so that shapes-cnn
// memorizes them and there is a gap for a regularizer to close.
const SMALL = "preset=shapes-cnn&act=relu&init=kaiming&bn=0&opt=sgd&lr=0.02&mom=0.9&batch=32&wd=0" +
  "&sched=constant&warmup=0&steps=2000&train=500&seed=1";

export const SCENARIOS = [
  {
    id: "mixup", title: "Mixup vs none", technique: "Mixup",
    link: `${SMALL}|mixup=0.8`,
    at: 800, watch: "gap",
    lookFor: [
      "Mixup trains on blends of two images with blended labels: the network cannot memorize 500 images.",
      "Training accuracy stays lower with Mixup, validation accuracy catches up: the gap shrinks. Its training loss stays well above 0 (soft targets) — compare validation.",
    ],
    claims: [{ metric: "gap", run: 1, vs: 0, lower: true, by: 0.05 }],
    outcome: "",
  },
  {
    id: "cutmix", title: "CutMix vs Mixup vs none", technique: "CutMix",
    link: `${SMALL}|mixup=0.8|cutmix=1`,
    at: 800, watch: "gap",
    lookFor: [
      "CutMix pastes a patch of one image into another, labels weighted by the pixel shares; Mixup blends whole images.",
      "Both narrow the gap between training and validation accuracy against the plain run.",
    ],
    claims: [
      { metric: "gap", run: 1, vs: 0, lower: true, by: 0.05 },
      { metric: "gap", run: 2, vs: 0, lower: true, by: 0.05 },
    ],
    outcome: "",
  },
  {
    id: "label-smoothing", title: "Label smoothing vs none", technique: "Label smoothing",
    link: `${SMALL}|ls=0.1`,
    at: 800, watch: "valConfidence",
    lookFor: [
      "Label smoothing trains towards 1 − ε on the right class instead of 1: the network stops being certain.",
      "Mean confidence on validation images drops and matches the accuracy better (lower calibration error); accuracy barely moves.",
    ],
    claims: [
      { metric: "valConfidence", run: 1, vs: 0, lower: true, by: 0.03 },
      { metric: "valEce", run: 1, vs: 0, lower: true, by: 0.01 },
    ],
    outcome: "",
  },
  {
    id: "schedules", title: "Cosine vs step vs constant", technique: "Learning-rate schedules",
    link: "preset=shapes-cnn&act=relu&init=kaiming&bn=0&opt=sgd&lr=0.05&mom=0.9&batch=32&wd=0" +
      "&sched=constant&warmup=0&steps=1000&train=4000&seed=1|sched=step|sched=cosine",
    at: 1000, watch: "trainLoss",
    lookFor: [
      "Constant keeps the same step size; step drops it ×0.1 at 30/60/90% of T; cosine lowers it smoothly to 0 at T.",
      "The decayed runs settle: their loss stops bouncing and ends lower than the constant run's.",
    ],
    claims: [
      { metric: "trainLoss", run: 1, vs: 0, lower: true, by: 0.02 },
      { metric: "trainLoss", run: 2, vs: 0, lower: true, by: 0.02 },
    ],
    outcome: "",
  },
  {
    id: "warmup", title: "Warmup vs none at a high learning rate", technique: "Learning-rate warmup",
    link: "preset=shapes-cnn&act=relu&init=kaiming&bn=0&opt=sgd&lr=0.1&mom=0.9&batch=32&wd=0" +
      "&sched=constant&warmup=0&steps=2000&train=4000&seed=1|warmup=100",
    at: 300, watch: "earlyLossMax",
    lookFor: [
      "A high initial learning rate can make the loss explode in the first steps; warmup raises it linearly from 0.",
      "Without warmup the loss spikes in the first steps; with warmup it falls from ln 10 ≈ 2.3 without a spike.",
    ],
    claims: [{ metric: "earlyLossMax", run: 1, vs: 0, lower: true, by: 1 }],
    outcome: "",
  },
  {
    id: "augmentation", title: "Data augmentation vs none", technique: "Data augmentation",
    link: `${SMALL}|flip=0.5&crop=1,1.25&bright=0.2&contrast=0.2&sat=0.2`,
    at: 800, watch: "gap",
    lookFor: [
      "Flips, crops and colour jitter show the network a new version of each image every epoch: the invariances are built in.",
      "Training accuracy rises more slowly, validation accuracy ends higher: the gap shrinks.",
    ],
    claims: [{ metric: "gap", run: 1, vs: 0, lower: true, by: 0.05 }],
    outcome: "",
  },
  {
    id: "dropout", title: "Dropout vs none", technique: "Dropout",
    link: `${SMALL}|dropout=0.5`,
    at: 800, watch: "gap",
    lookFor: [
      "Dropout zeroes half the features before the classifier at random: no feature can rely on another (co-adaptation).",
      "The gap between training and validation accuracy shrinks; at test time all features are used.",
    ],
    claims: [{ metric: "gap", run: 1, vs: 0, lower: true, by: 0.03 }],
    outcome: "",
  },
  {
    id: "batchnorm", title: "Batch norm vs none at a high learning rate", technique: "Batch normalization",
    link: "preset=shapes-cnn&act=relu&init=kaiming&bn=0&opt=sgd&lr=0.2&mom=0.9&batch=32&wd=0" +
      "&sched=constant&warmup=0&steps=2000&train=4000&seed=1|bn=1",
    at: 400, watch: "trainLoss",
    lookFor: [
      "Batch norm normalizes every conv's outputs with the batch's statistics, so a high learning rate does not blow them up.",
      "Without it the loss explodes or sticks at ln 10 ≈ 2.3; with it the loss falls.",
    ],
    claims: [{ metric: "trainLoss", run: 1, vs: 0, lower: true, by: 0.5 }],
    outcome: "",
  },
  {
    id: "init", title: "Xavier vs small random init on a deep tanh network", technique: "Weight initialization",
    link: "preset=deep-mlp&act=tanh&init=xavier&bn=0&opt=sgd&lr=0.02&mom=0.9&batch=32&wd=0" +
      "&sched=constant&warmup=0&steps=2000&train=4000&seed=1|init=small",
    at: 300, watch: "trainLoss",
    lookFor: [
      "W = 0.01·randn shrinks the activations layer by layer until the deep layers output ≈ 0, and the gradients vanish with them.",
      "With Xavier (std = 1/√fan_in) the loss falls from the first steps; with the small init it stays flat at ln 10 ≈ 2.3.",
    ],
    claims: [{ metric: "trainLoss", run: 0, vs: 1, lower: true, by: 0.3 }],
    outcome: "",
  },
  {
    id: "optimizers", title: "SGD vs momentum vs Adam", technique: "Optimizers",
    link: "preset=shapes-cnn&act=relu&init=kaiming&bn=0&opt=sgd&lr=0.01&mom=0&batch=32&wd=0" +
      "&sched=constant&warmup=0&steps=2000&train=4000&seed=1|mom=0.9|opt=adam&lr=0.001",
    at: 300, watch: "trainLoss",
    lookFor: [
      "Plain SGD follows the gradient; momentum keeps a velocity across steps; Adam also scales each weight's step.",
      "At the same step, momentum and Adam are further down the loss curve than plain SGD.",
    ],
    claims: [
      { metric: "trainLoss", run: 1, vs: 0, lower: true, by: 0.2 },
      { metric: "trainLoss", run: 2, vs: 0, lower: true, by: 0.2 },
    ],
    outcome: "",
  },
  {
    id: "weight-decay", title: "Weight decay vs none", technique: "Weight decay (L2)",
    link: `${SMALL}|wd=0.005`,
    at: 800, watch: "gap",
    lookFor: [
      "Weight decay pulls every weight towards 0 at each step: the network prefers small weights, a simpler function.",
      "The gap between training and validation accuracy shrinks.",
    ],
    claims: [{ metric: "gap", run: 1, vs: 0, lower: true, by: 0.03 }],
    outcome: "",
  },
];

/** The scenario with this id, or undefined. */
export function scenarioById(id) {
  return SCENARIOS.find((s) => s.id === id);
}

/**
 * The settings of each run of a comparison link: run 1 from its segment (over the page's defaults),
 * run k > 1 = run 1's settings plus its own segment. Throws an Error naming the segment and the
 * setting when a segment has a bad entry.
 */
export function parseScenarioLink(link) {
  const segments = link.replace(/^#/, "").split("|");
  const runs = [];
  segments.forEach((segment, i) => {
    const { values, errors } = i === 0 ? parseHash(segment) : parseHash(segment, runs[0]);
    if (errors.length) {
      throw new Error(`Run ${i + 1} of the link ("${segment}"): ${errors.map((e) => e.message).join(" ")}`);
    }
    if (i > 0 && segment.trim() === "") {
      throw new Error(`Run ${i + 1} of the link is empty: a further run must name what differs from run 1.`);
    }
    runs.push(values);
  });
  return runs;
}
