// The three ways of the lecture's "Transfer Learning with CNNs" slides, and the settings every way
// of one comparison shares (same network, optimizer, seed, target images and budget).

import { defaultsFor } from "../state.js";

export const WAYS = [
  { mode: "scratch", title: "From scratch", trains: "all layers, random start" },
  { mode: "features", title: "Feature extractor", trains: "last layer only" },
  { mode: "finetune", title: "Fine-tune", trains: "all layers, pretrained at 0.1×" },
];

/** Seed of the target images and of every way's new weights: all three see the same ones. */
export const SEED = 1;
/** Validation images per evaluation (the first of the target's validation split). */
export const VAL_SIZE = 2000;

/**
 * The run settings (www/state.js values, plus `transfer` for the worker) of way `way` on target
 * `target` ("mnist" or "fashion-mnist") with `perClass` images per class and `budget` steps.
 */
export function wayValues(way, { target, perClass, budget, weights }) {
  return {
    ...defaultsFor(target),
    preset: "lenet", optimizer: "adam", learningRate: 0.001, batchSize: 32, seed: SEED, totalSteps: budget,
    transfer: {
      weights: way.mode === "scratch" ? null : weights,
      options: { mode: way.mode, perClass, seed: SEED, valSize: VAL_SIZE },
    },
  };
}
