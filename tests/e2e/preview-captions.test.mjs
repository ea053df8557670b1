// The preview's captions and its one-line explanation (www/views/preview.js), in Node: the soft
// label of an image as the student reads it under the picture.

import { test } from "node:test";
import assert from "node:assert/strict";
import { captionParts, explainPreview } from "../../www/views/preview.js";

const caption = (label) => {
  const { named, rest } = captionParts(label);
  return named.join(" / ") + (rest ? ` ${rest}` : "");
};
const smoothed = (top, second = null) => {
  const names = ["circle", "square", "triangle", "plus", "ring", "star", "crescent", "arrow", "bowtie", "heart"];
  return names.map((n, i) => [n, i === 0 ? top : i === 1 && second !== null ? second : 0.01]).sort((a, b) => b[1] - a[1]);
};

test("captions: hard, Mixup/CutMix, smoothed, and both", () => {
  assert.equal(caption([["star", 1]]), "star 1.00");
  assert.equal(caption([["circle", 0.6], ["star", 0.4]]), "circle 0.60 / star 0.40");
  assert.equal(caption(smoothed(0.91)), "circle 0.91 + 9 × 0.01");
  assert.equal(caption(smoothed(0.64, 0.28)), "circle 0.64 / square 0.28 + 8 × 0.01");
  // A partner whose weight is only a hair above ε/K (λ ≈ 1) reads as the smoothing floor.
  assert.equal(caption(smoothed(0.9095, 0.0105)), "circle 0.91 + 9 × 0.01");
});

test("explanation: what the student sees with the settings and this batch", () => {
  const v = { mixupAlpha: 0, cutmixAlpha: 0, reprob: 0, hflip: 0, cropScale: [1, 1], brightness: 0, contrast: 0,
    saturation: 0, pcaStd: 0, randaugmentN: 0, labelSmoothing: 0, cutoutFill: "zero" };
  const batch = { count: 16, mix: "none", lambda: 1 };
  assert.match(explainPreview(v, batch), /^No augmentation/);
  assert.match(explainPreview({ ...v, mixupAlpha: 1 }, { ...batch, mix: "mixup", lambda: 0.7 }), /^Mixup blends pairs of images: this batch is 70% one image, 30% another/);
  assert.match(explainPreview({ ...v, mixupAlpha: 0.2 }, { ...batch, mix: "mixup", lambda: 0.995 }), /hardly blended/);
  assert.match(explainPreview({ ...v, cutmixAlpha: 1 }, { ...batch, mix: "cutmix", lambda: 0.6 }), /^CutMix pastes a patch/);
  const all = explainPreview({ ...v, reprob: 1, hflip: 0.5, cropScale: [1, 1.25], labelSmoothing: 0.1 }, batch);
  assert.match(all, /^Black boxes are Cutout's erased regions; some images are mirrored; crops & scales zoom in and shift; label smoothing puts ε\/K = 0\.01 on every other class \(K = 10\)\. Testing uses the original images\.$/);
  // K is the data set's class count, read from the labels (one weight per class): 3 classes → ε/3.
  const three = { ...batch, labels: [[["cat", 0.93], ["dog", 0.03], ["fox", 0.03]]] };
  assert.match(explainPreview({ ...v, labelSmoothing: 0.3 }, three), /^Label smoothing puts ε\/K = 0\.10 on every other class \(K = 3\)/);
  assert.match(explainPreview(v, { count: 0 }), /once training starts/);
});
