// The three ways of the lecture's "Transfer Learning with CNNs" slides, and the settings every way
// of one comparison shares (same network, optimizer, seed, target images and budget).

import { defaultsFor } from "../state.js";

export const WAYS = [
  { mode: "scratch", title: "From scratch", trains: "all layers, random start" },
  { mode: "features", title: "Feature extractor", trains: "last layer only" },
  { mode: "finetune", title: "Fine-tune", trains: "all layers, pretrained at 0.1×" },
];

/**
 * The two targets, the columns of the lecture's 2×2 table. The shipped network was pretrained on
 * Fashion-MNIST's even classes (scripts/pretrain.mjs --classes 0,2,4,6,8), so "fashion-new" is the
 * other five: images and classes it never saw, of the same kind (similar data); MNIST is digits
 * (very different data). `classes` picks and renumbers classes of `dataset` (Data.keepClasses).
 */
export const TARGETS = [
  { id: "fashion-new", dataset: "fashion-mnist", classes: [1, 3, 5, 7, 9],
    label: "Fashion-MNIST, the 5 classes the network never saw — similar data" },
  { id: "mnist", dataset: "mnist", classes: null, label: "MNIST digits — very different data" },
];
export const targetById = (id) => TARGETS.find((t) => t.id === id);

/** Seed of the target images and of every way's new weights: all three see the same ones. */
export const SEED = 1;
/** Validation images per evaluation (the first of the target's validation split). */
export const VAL_SIZE = 2000;

/**
 * The run settings (www/state.js values, plus `transfer` for the worker) of way `way` on target
 * `target` (an id of TARGETS) with `perClass` images per class and `budget` steps.
 */
export function wayValues(way, { target, perClass, budget, weights }) {
  const t = targetById(target);
  if (!t) throw new Error(`unknown target "${target}": it must be one of ${TARGETS.map((x) => x.id).join(", ")}`);
  return {
    ...defaultsFor(t.dataset),
    preset: "lenet", optimizer: "adam", learningRate: 0.001, batchSize: 32, seed: SEED, totalSteps: budget,
    transfer: {
      weights: way.mode === "scratch" ? null : weights,
      options: { mode: way.mode, perClass, seed: SEED, valSize: VAL_SIZE, ...(t.classes ? { classes: t.classes } : {}) },
    },
  };
}
