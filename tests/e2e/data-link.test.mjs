// The data set in links and settings (www/state.js, www/link.js), in Node: `data=` picks the set and
// its defaults, a learner's own images never come from a link, every run of a link trains on run 1's
// set, switching sets keeps what the student changed, and the texts that quote the class count
// take it from the data.

import { test } from "node:test";
import assert from "node:assert/strict";
import {
  DATASETS, OWN_DATA_IN_LINK, defaults, defaultsFor, parseHash, rebaseOnData, serializeHash, settingByKey, settingHelp,
  toConfig,
} from "../../www/state.js";
import { parseLink } from "../../www/link.js";

test("data=mnist starts from the MNIST defaults; other keys still apply; the config names the set", () => {
  const { values, errors } = parseHash("#data=mnist&preset=lenet");
  assert.deepEqual(errors, []);
  assert.equal(values.data, "mnist");
  assert.equal(values.trainSize, DATASETS.mnist.train, "the whole training split");
  assert.equal(values.learningRate, DATASETS.mnist.defaults.learningRate);
  const config = toConfig(values);
  assert.equal(config.dataset, "mnist");
  assert.equal(config.trainSize, 60000);
  assert.equal(config.valSize, 10000, "validated on the whole validation split");
  const lr = parseHash("#data=fashion-mnist&lr=0.01").values;
  assert.equal(lr.learningRate, 0.01, "a link's own value beats the set's default");
  assert.equal(lr.preset, "lenet");
  // Shapes keeps the page's defaults and its config has no valSize of a loaded set.
  assert.equal(toConfig(parseHash("#data=shapes").values).valSize, undefined);
  assert.equal(toConfig(defaults()).dataset, "shapes");
});

test("data=own in a received link: a message that own images stay with the sender, and shapes", () => {
  const { values, errors } = parseHash("#data=own&lr=0.02");
  assert.equal(values.data, "shapes");
  assert.equal(values.learningRate, 0.02);
  assert.equal(errors.length, 1);
  assert.equal(errors[0].message, OWN_DATA_IN_LINK);
  assert.match(OWN_DATA_IN_LINK, /never leave the sender's machine/);
  const link = parseLink("#data=own&preset=lenet");
  assert.deepEqual(link.problems, [OWN_DATA_IN_LINK]);
  assert.equal(link.runs[0].data, "shapes");
});

test("an unknown data set is named and falls back to shapes", () => {
  const { values, errors } = parseHash("#data=cifar-100");
  assert.equal(values.data, "shapes");
  assert.match(errors[0].message, /"data" has a bad value "cifar-100".*shapes, mnist, fashion-mnist/);
});

test("every run of a link trains on run 1's data set", () => {
  const link = parseLink("#data=mnist&preset=lenet|lr=0.1|data=shapes&bn=1");
  assert.deepEqual(link.runs.map((r) => r.data), ["mnist", "mnist", "mnist"]);
  assert.equal(link.runs[2].batchNorm, true);
  assert.equal(link.problems.length, 1);
  assert.match(link.problems[0], /Run 3 of the link names data=shapes, but every run of a page trains on run 1's data set \(mnist\)/);
  // The data set round-trips through a written link.
  const back = parseLink(serializeHash(link.runs[1])).runs[0];
  assert.equal(back.data, "mnist");
  assert.equal(back.learningRate, 0.1);
});

test("switching the data set: settings at the old set's defaults take the new set's, changed ones stay", () => {
  const changed = { ...defaults(), dropRate: 0.5, learningRate: 0.02 };
  const onMnist = rebaseOnData(changed, "mnist");
  assert.equal(onMnist.data, "mnist");
  assert.equal(onMnist.preset, "lenet", "the default network becomes the set's");
  assert.equal(onMnist.trainSize, 60000);
  assert.equal(onMnist.learningRate, 0.02, "the student's learning rate stays");
  assert.equal(onMnist.dropRate, 0.5);
  const back = rebaseOnData(onMnist, "shapes");
  assert.equal(back.preset, "shapes-cnn");
  assert.equal(back.trainSize, 4000);
  assert.equal(back.learningRate, 0.02);
  assert.deepEqual(rebaseOnData(defaults(), "fashion-mnist"), defaultsFor("fashion-mnist"));
  // A learner's own set: all of its training images (within the row's range 50–60,000).
  const own = rebaseOnData(defaults(), "own", { train: 180 });
  assert.equal(own.trainSize, 180);
  assert.equal(own.preset, "shapes-cnn");
  assert.equal(defaultsFor("own", { train: 30 }).trainSize, 50);
  // Back from it: the size it had by default goes back to shapes' default.
  assert.equal(rebaseOnData(own, "shapes", null, { train: 180 }).trainSize, 4000);
});

test("label smoothing's help quotes the data set's class count", () => {
  const ls = settingByKey("labelSmoothing");
  assert.match(settingHelp(ls), /K = 10, the classes of the shapes set/);
  assert.match(settingHelp(ls, { classes: 3, title: "your own images" }), /K = 3, the classes of your own images/);
});
