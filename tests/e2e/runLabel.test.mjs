// Legend labels by difference (www/runLabel.js), in Node: a run is named by what differs from run 1.

import { test } from "node:test";
import assert from "node:assert/strict";
import { defaults } from "../../www/state.js";
import { differences, runLabel, runLabels } from "../../www/runLabel.js";

const base = { ...defaults(), trainSize: 500 };
const withChange = (partial) => ({ ...base, ...partial });

test("runLabel: run 1 is the baseline (or its given name)", () => {
  assert.equal(runLabel(base, base, 0), "baseline");
  assert.equal(runLabel(base, base, 0, "plain"), "plain");
});

test("runLabel: one technique in the lecture's words", () => {
  const cases = [
    [{ mixupAlpha: 0.8 }, "Mixup α 0.8"],
    [{ cutmixAlpha: 1 }, "CutMix α 1"],
    [{ labelSmoothing: 0.1 }, "label smoothing 0.1"],
    [{ schedule: "cosine" }, "cosine, T 2000"],
    [{ schedule: "cosine", totalSteps: 600 }, "cosine, T 600"],
    [{ optimizer: "adam" }, "Adam"],
    [{ batchNorm: true }, "batch norm"],
    [{ trainSize: 4000 }, "train 4000 images"],
    [{ dropRate: 0.5 }, "dropout 0.5"],
    [{ warmupSteps: 100 }, "warmup 100"],
    [{ init: "small" }, "small init"],
    [{ weightDecay: 0.005 }, "weight decay 0.005"],
  ];
  for (const [partial, want] of cases) assert.equal(runLabel(withChange(partial), base, 1), want, JSON.stringify(partial));
});

test("runLabel: a switched-off technique is named as 'no …'", () => {
  const mixed = withChange({ mixupAlpha: 0.8 });
  assert.equal(runLabel(base, mixed, 1), "no Mixup");
  assert.equal(runLabel(withChange({ batchNorm: false }), withChange({ batchNorm: true }), 1), "no batch norm");
});

test("runLabel: several differences join; equal colour jitter is one phrase; many are counted", () => {
  assert.equal(runLabel(withChange({ optimizer: "adam", learningRate: 0.001 }), base, 1), "lr 0.001, Adam");
  const aug = withChange({ hflip: 0.5, cropScale: [1, 1.25], brightness: 0.2, contrast: 0.2, saturation: 0.2 });
  assert.equal(runLabel(aug, base, 1), "flip 0.5, crop 1–1.25, colour jitter 0.2");
  const many = withChange({ mixupAlpha: 0.8, labelSmoothing: 0.1, dropRate: 0.5, weightDecay: 0.01 });
  assert.equal(runLabel(many, base, 1), "weight decay 0.01, dropout 0.5 +2 more");
  assert.equal(differences(many, base).length, 4);
});

test("runLabel: settings without effect are not named; a copy says so", () => {
  // T does nothing for the constant schedule: no phrase for it.
  assert.equal(runLabel(withChange({ totalSteps: 900 }), base, 1), "same as baseline");
  assert.deepEqual(runLabels([base, withChange({ labelSmoothing: 0.1 }), base]),
    ["baseline", "label smoothing 0.1", "same as baseline"]);
});
