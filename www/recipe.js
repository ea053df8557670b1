// The lecture's step 2, "overfit a small sample": train on a few mini-batches with regularization
// and augmentation off; training accuracy should reach 100%. If it does not, the architecture,
// learning rate or initialization is broken, and no amount of tuning later will help.
//
// state.js's toConfig builds the small-sample config (the `overfit` setting); this file says what
// the evaluations mean. Pure functions, so node tests can check them.

import { OVERFIT_BATCHES } from "./state.js";
import { pct } from "./views/stats.js";

/** Epochs over the small sample after which not reaching 100% counts as a failure. */
export const OVERFIT_EPOCHS = 100;

/** What the page says when an overfit-mode run starts. */
export function overfitIntro(trainSize) {
  return `Overfit a small sample (lecture, step 2): ${trainSize} training images (${OVERFIT_BATCHES} mini-batches), ` +
    `regularization and augmentation off. Press play: training accuracy should reach 100%.`;
}

/**
 * What an evaluation says about the small-sample check: `{ state, text }` with state "reached"
 * (training accuracy 100%), "failed" (not after OVERFIT_EPOCHS epochs) or "training".
 */
export function overfitVerdict(ev, epoch, trainSize) {
  if (ev.trainAccuracy >= 1) {
    return {
      state: "reached",
      text: `Training accuracy reached 100% at step ${ev.step} (${epoch} epochs over ${trainSize} images): ` +
        `the network can fit data. Turn "Overfit a small sample" off and find a learning rate (step 3).`,
    };
  }
  if (epoch >= OVERFIT_EPOCHS) {
    return {
      state: "failed",
      text: `Training accuracy is only ${pct(ev.trainAccuracy)} after ${epoch} epochs over ${trainSize} images. ` +
        `A network that cannot overfit a small sample is broken: fiddle with the architecture, ` +
        `the learning rate or the initialization.`,
    };
  }
  return {
    state: "training",
    text: `Overfitting ${trainSize} images (${OVERFIT_BATCHES} mini-batches), regularization and augmentation off: ` +
      `training accuracy ${pct(ev.trainAccuracy)} at epoch ${epoch}. It should reach 100%.`,
  };
}
