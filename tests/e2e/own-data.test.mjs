// End-to-end tests of a learner's own data (www/data/ownData.js, the data card www/views/dataCard.js,
// sandbox.useData): a folder with one subfolder per class chosen with the folder input loads, the
// card shows its classes, counts and samples, and the runs train on it (decoded to 32×32 RGB, or
// 28×28 grey for lenet); JPEG photos of any size are centre-cropped; IDX files (any names, gzipped or
// not) and CIFAR-10 batches with batches.meta.txt load; each bad input gives its message while the
// set loaded before keeps training. The files are written by ownDataFiles.mjs.

import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { FOLDER_UPLOAD, chromiumOnly, openPage, sleep, startSuite, waitReady } from "./helpers.mjs";
import {
  cifarBatch, classFolder, cycleLabels, gzip, idxImages, idxLabels, manyImages, png, sparseFile, tempDir,
} from "./ownDataFiles.mjs";

let server, browser;
startSuite((s, b) => { server = s; browser = b; });

const DIR = tempDir("own-data");
process.on("exit", () => rmSync(DIR, { recursive: true, force: true }));

const NAMES = ["circle", "square", "triangle"];
const COUNTS = [12, 10, 8];
/** Photo sizes (width × height) of the JPEG test. */
const PHOTOS = [[640, 480], [300, 500], [500, 500], [800, 600], [400, 300]];
/** The good folder: 3 classes of 12, 10, 8 PNGs of mixed sizes, a text file and a broken "PNG". */
const GOOD = classFolder(join(DIR, "shapes3"), NAMES, COUNTS, {
  sizes: [[20, 18], [64, 48], [32, 32], [40, 60]],
  extra: [
    { path: "circle/notes.txt", bytes: Buffer.from("not an image") }, { path: "square/broken.png", bytes: Buffer.from("not a png") },
    // A Mac's clutter: ignored silently, only counted.
    { path: ".DS_Store", bytes: Buffer.from("x") }, { path: "__MACOSX/circle/._000.png", bytes: Buffer.from("x") },
  ],
});

/** What the card shows. */
function readCard(page) {
  return page.evaluate(() => {
    const card = document.getElementById("data-card");
    return {
      state: card.dataset.state, set: card.dataset.set, loads: Number(card.dataset.loads ?? 0),
      error: card.querySelector(".dc-error").hidden ? null : card.querySelector(".dc-error").textContent,
      current: card.querySelector(".dc-current").textContent,
      classes: [...card.querySelectorAll(".dc-class")].map((r) => ({
        name: r.querySelector(".dc-name").textContent, counts: r.querySelector(".dc-counts").textContent,
        thumbs: r.querySelectorAll("canvas.dc-thumb").length,
      })),
      notes: [...card.querySelectorAll(".dc-notes li")].map((li) => li.textContent),
    };
  });
}

/** Give the card `paths` through its folder or files input; resolves with the card once it settled. */
async function give(page, paths, input = "folder") {
  const before = (await readCard(page)).loads;
  await page.setInputFiles(`#data-card .dc-${input}-input`, paths, { timeout: 180000 });
  await page.waitForFunction((n) => Number(document.getElementById("data-card").dataset.loads ?? 0) > n, before, { timeout: 180000 });
  return readCard(page);
}

const summary = (page) => page.evaluate(() => window.trainlab.sandbox.dataSummary());

/** Play, and wait until the edited run is training on data set `name` past step `steps`. */
async function trainsOn(page, name, steps = 5) {
  await page.waitForFunction(() => document.body.dataset.runState !== "booting" && !window.trainlab.sandbox.editing?.run.busy, null, { timeout: 60000 });
  if (!(await page.evaluate(() => window.trainlab.running))) await page.click("#playpause");
  await page.waitForFunction(([n, s]) => window.trainlab.settings?.data === n && window.trainlab.runs[0]?.state === "running" &&
    window.trainlab.runs[0].step > s, [name, steps], { timeout: 60000 });
}

/** Still training: the step count moves on. */
async function keepsTraining(page) {
  const a = await page.evaluate(() => window.trainlab.runs[0].step);
  await page.waitForFunction((s) => window.trainlab.runs[0].step > s + 2, a, { timeout: 30000 });
}

test("a 3-class folder loads: classes, counts, samples and notes in the card, and the runs train on it", async (t) => {
  if (chromiumOnly(t, FOLDER_UPLOAD)) return;
  const { context, page, problems } = await openPage(browser, server.url + "#seed=3", { width: 1366, height: 768 });
  try {
    await waitReady(page);
    const card = await give(page, GOOD);
    console.log("card:", card.current, card.notes);
    assert.equal(card.state, "ready", card.error);
    assert.equal(card.set, "own");
    assert.deepEqual(card.classes.map((c) => c.name), NAMES, "classes are the subfolders, sorted");
    const s = await summary(page);
    assert.equal(s.name, "own");
    assert.deepEqual(s.classNames, NAMES);
    assert.deepEqual(s.shape, [3, 32, 32], "the default preset's nominal input");
    // square/broken.png comes on top of the square's 10 PNGs and is skipped.
    assert.deepEqual(s.trainCounts.map((t, k) => t + s.valCounts[k]), COUNTS, "every decodable image is in one split");
    assert.ok(s.val > 0 && s.train > 2 * s.val, `a 20% validation split: ${s.train} / ${s.val}`);
    card.classes.forEach((c, k) => {
      assert.equal(c.counts, `${s.trainCounts[k]} / ${s.valCounts[k]}`);
      assert.ok(c.thumbs >= 1 && c.thumbs <= 4, `${c.name}: ${c.thumbs} samples`);
    });
    // The decoded pixels are the images' (C×H×W planes): the centre of a circle sample is red.
    const centre = s.samples.filter((x) => x.label === 0).map((x) => Array.from(x.rgba.slice(4 * (16 * 32 + 16), 4 * (16 * 32 + 16) + 3)));
    for (const [r, g, b] of centre) assert.ok(r > 150 && g < 110 && b < 110, `a red centre, got ${[r, g, b]}`);
    const notes = card.notes.join(" ");
    assert.match(notes, /circle\/notes\.txt/, "the text file is named");
    assert.match(notes, /square\/broken\.png/, "the undecodable image is named");
    assert.match(notes, /sizes ranged from 20×18 to 64×48; all were centre-cropped to a square and resized to 32×32 RGB/);
    assert.match(notes, /2 system files \(\.DS_Store and the like\) ignored/);
    assert.doesNotMatch(notes, /__MACOSX|\._000/, "clutter is not listed as skipped");

    await trainsOn(page, "own");
    assert.deepEqual(await page.evaluate(() => window.trainlab.sandbox.editing.run.info.classNames), NAMES);
    assert.deepEqual(problems.pageErrors, []);
    assert.deepEqual(problems.foreignRequests, [], "nothing leaves the machine");
  } finally {
    await context.close();
  }
});

test("each bad input gives its message and the set loaded before keeps training", async (t) => {
  if (chromiumOnly(t, FOLDER_UPLOAD)) return;
  const bad = join(DIR, "bad");
  const empty = join(bad, "empty");
  mkdirSync(empty, { recursive: true });
  const one = classFolder(join(bad, "one"), ["cats"], [6]);
  const flat = join(bad, "flat");
  mkdirSync(flat, { recursive: true });
  for (let i = 0; i < 3; i++) writeFileSync(join(flat, `img${i}.png`), png(16, 16, () => [9, 9, 9]));
  const texts = join(bad, "texts");
  mkdirSync(join(texts, "a"), { recursive: true });
  writeFileSync(join(texts, "a", "notes.txt"), "hello");
  writeFileSync(join(texts, "readme.md"), "# hi");
  const broken = join(bad, "broken");
  for (const k of ["x", "y"]) {
    mkdirSync(join(broken, k), { recursive: true });
    writeFileSync(join(broken, k, "photo.png"), png(16, 16, () => [1, 2, 3]).subarray(0, 40));   // cut mid-IDAT
  }
  const labels = cycleLabels(50, 3);
  const truncated = join(bad, "images.idx");
  writeFileSync(truncated, idxImages(labels).subarray(0, 16 + 30 * 28 * 28 + 5));
  const truncatedLabels = join(bad, "labels.idx");
  writeFileSync(truncatedLabels, idxLabels(labels));
  const oversized = join(bad, "cifar");
  mkdirSync(oversized);
  writeFileSync(join(oversized, "data_batch_1.bin"), Buffer.concat([cifarBatch(cycleLabels(4, 3)), Buffer.alloc(100)]));
  const many = manyImages(join(bad, "many"), 100_000);
  const huge = sparseFile(join(bad, "train-images-idx3-ubyte"), 2_100_000_000);
  const hugeImage = join(bad, "hugeimg");
  classFolder(hugeImage, ["a", "b"], [5, 5]);
  sparseFile(join(hugeImage, "a", "huge.png"), 2_100_000_000);

  const { context, page, problems } = await openPage(browser, server.url + "#seed=5", { width: 1366, height: 768 });
  try {
    await waitReady(page);
    const good = await give(page, GOOD);
    assert.equal(good.state, "ready", good.error);
    await trainsOn(page, "own");
    const before = await summary(page);

    const cases = [
      ["an empty folder", empty, "folder", /The chosen folder holds no files/],
      ["a folder with one class", one, "folder", /one class folder, “cats” \(6 images\); a classifier needs at least two/],
      ["images not in class subfolders", flat, "folder", /No images in class subfolders of “flat”; 3 images are directly in it \(img0\.png, img1\.png, img2\.png\): put each class's images in its own subfolder \(e\.g\. flat\/cats\/, flat\/dogs\/\)\. Your/],
      ["only non-image files", texts, "folder", /No images or data files found: a\/notes\.txt, readme\.md/],
      ["images that do not decode", broken, "folder", /None of the 2 images could be decoded.*x\/photo\.png/],
      ["a truncated IDX file", [truncated, truncatedLabels], "files", /^Could not load your data: images\.idx: image 30 \(byte 23536\): file ends after 23541 bytes/],
      ["an oversized CIFAR batch", oversized, "folder", /data_batch_1\.bin.*(3073|record)/],
      ["100,000 tiny images", many, "folder", /Found 100,000 images in 10 class folders; at most 20,000 are decoded/],
      ["a 2 GB file", huge, "files", /train-images-idx3-ubyte is 2\.1 GB; a data file may be at most 300 MB.*not read/],
    ];
    for (const [what, paths, input, message] of cases) {
      const t0 = Date.now();
      const card = await give(page, paths, input);
      console.log(`${what} (${Date.now() - t0} ms): ${card.error}`);
      assert.equal(card.state, "error", `${what}: refused`);
      assert.match(card.error, message, what);
      assert.match(card.error, /Your own images \(“shapes3”\) stays loaded\.$/, `${what}: says which set stays`);
      assert.deepEqual((await summary(page)).classNames, before.classNames, `${what}: the previous set stays loaded`);
      assert.equal(await page.evaluate(() => window.trainlab.settings.data), "own");
      await keepsTraining(page);
    }

    // An image file of 2 GB among good ones is skipped unread, named, and the rest loads.
    const card = await give(page, hugeImage);
    assert.equal(card.state, "ready", card.error);
    assert.match(card.notes.join(" "), /a\/huge\.png is 2\.1 GB, more than the 50 MB an image may have; skipped unread/);
    const s = await summary(page);
    assert.deepEqual(s.classNames, ["a", "b"]);
    assert.deepEqual(s.trainCounts.map((t, k) => t + s.valCounts[k]), [5, 5], "the huge file is not among the images");
    assert.deepEqual(problems.pageErrors, []);
  } finally {
    await context.close();
  }
});

test("IDX files (recognized by magic, gzipped or not) and CIFAR-10 batches with batches.meta.txt load and train", async (t) => {
  if (chromiumOnly(t, FOLDER_UPLOAD)) return;
  const idx = join(DIR, "idx");
  mkdirSync(idx);
  const trainLabels = cycleLabels(60, 3), valLabels = cycleLabels(21, 3);
  const files = {
    "a.gz": gzip(idxImages(trainLabels)), "b": idxLabels(trainLabels),
    "t10k-images.bin": idxImages(valLabels), "t10k-labels.gz": gzip(idxLabels(valLabels)),
  };
  for (const [name, bytes] of Object.entries(files)) writeFileSync(join(idx, name), bytes);

  const cifar = join(DIR, "cifar-10-batches-bin");
  mkdirSync(cifar);
  const cTrain = cycleLabels(30, 3), cTest = cycleLabels(9, 3);
  writeFileSync(join(cifar, "data_batch_1.bin"), cifarBatch(cTrain));
  writeFileSync(join(cifar, "test_batch.bin"), cifarBatch(cTest));
  writeFileSync(join(cifar, "batches.meta.txt"), "red\ngreen\nblue\n\n");
  writeFileSync(join(cifar, "readme.html"), "<p>downloaded</p>");

  const { context, page, problems } = await openPage(browser, server.url + "#seed=2", { width: 1366, height: 768 });
  try {
    await waitReady(page);
    const card = await give(page, Object.keys(files).map((f) => join(idx, f)), "files");
    console.log("IDX:", card.current, card.notes);
    assert.equal(card.state, "ready", card.error);
    let s = await summary(page);
    assert.deepEqual(s.shape, [1, 28, 28]);
    assert.deepEqual(s.classNames, ["0", "1", "2"]);
    assert.deepEqual([s.train, s.val], [60, 21], "a.gz/b train, the t10k pair validates");
    assert.deepEqual(s.trainCounts, [20, 20, 20]);
    assert.deepEqual(s.valCounts, [7, 7, 7]);
    assert.match(card.notes.join(" "), /training a\.gz \+ b \(60 images\), validation t10k-images\.bin \+ t10k-labels\.gz \(21\)/);
    await trainsOn(page, "own");

    const c = await give(page, cifar);
    console.log("CIFAR:", c.current, c.notes);
    assert.equal(c.state, "ready", c.error);
    s = await summary(page);
    assert.deepEqual(s.classNames, ["red", "green", "blue"], "names from batches.meta.txt");
    assert.deepEqual(c.classes.map((x) => x.name), ["red", "green", "blue"]);
    assert.deepEqual(s.shape, [3, 32, 32]);
    assert.deepEqual([s.train, s.val], [30, 9]);
    assert.deepEqual(s.valCounts, [3, 3, 3]);
    assert.match(c.notes.join(" "), /readme\.html/, "the other file is named as ignored");
    const green = s.samples.find((x) => x.label === 1);
    assert.ok(green.rgba[1] > 150 && green.rgba[0] < 80, `a green sample, got ${Array.from(green.rgba.slice(0, 3))}`);
    await sleep(300);
    await trainsOn(page, "own");
    assert.deepEqual(await page.evaluate(() => window.trainlab.sandbox.editing.run.info.classNames), ["red", "green", "blue"]);
    assert.deepEqual(problems.pageErrors, []);
    assert.deepEqual(problems.foreignRequests, []);
  } finally {
    await context.close();
  }
});

test("JPEG photos of any size load centre-cropped: the class's mark in the middle, background in the corners", async (t) => {
  if (chromiumOnly(t, FOLDER_UPLOAD)) return;
  const { context, page, problems } = await openPage(browser, server.url + "#seed=4", { width: 1366, height: 768 });
  try {
    await waitReady(page);
    // Photos drawn and encoded as JPEG by the browser: a coloured rectangle on a light background.
    const photos = join(DIR, "photos");
    const classes = { teal: [20, 160, 160], yellow: [200, 180, 30] };
    for (const [name, rgb] of Object.entries(classes)) {
      const jpegs = await page.evaluate(([sizes, color]) => Promise.all(sizes.map(async ([w, h]) => {
        const canvas = new OffscreenCanvas(w, h);
        const g = canvas.getContext("2d");
        g.fillStyle = "#fafafa";
        g.fillRect(0, 0, w, h);
        g.fillStyle = `rgb(${color})`;
        g.fillRect(w / 4, h / 4, w / 2, h / 2);
        const bytes = new Uint8Array(await (await canvas.convertToBlob({ type: "image/jpeg", quality: 0.9 })).arrayBuffer());
        return btoa(String.fromCharCode(...bytes));
      })), [PHOTOS, rgb]);
      mkdirSync(join(photos, name), { recursive: true });
      jpegs.forEach((b64, i) => writeFileSync(join(photos, name, `IMG_${i}.JPG`), Buffer.from(b64, "base64")));
    }
    const card = await give(page, photos);
    assert.equal(card.state, "ready", card.error);
    assert.match(card.notes.join(" "), /sizes ranged from 400×300 to 800×600; all were centre-cropped to a square and resized to 32×32 RGB/);
    const s = await summary(page);
    assert.deepEqual(s.classNames, Object.keys(classes));
    assert.deepEqual(s.trainCounts.map((t, k) => t + s.valCounts[k]), [PHOTOS.length, PHOTOS.length]);
    for (const { rgba, label } of s.samples) {
      const want = Object.values(classes)[label];
      const centre = Array.from(rgba.slice(4 * (16 * 32 + 16), 4 * (16 * 32 + 16) + 3));
      assert.ok(centre.every((v, c) => Math.abs(v - want[c]) < 30), `class ${label}: centre ${centre}, drawn ${want}`);
      assert.ok(rgba[0] > 230 && rgba[1] > 230 && rgba[2] > 230, `a light corner, got ${Array.from(rgba.slice(0, 3))}`);
    }
    await trainsOn(page, "own");
    assert.deepEqual(problems.pageErrors, []);
  } finally {
    await context.close();
  }
});

test("with lenet the images are decoded to its 28×28 grey input", async (t) => {
  if (chromiumOnly(t, FOLDER_UPLOAD)) return;
  const { context, page, problems } = await openPage(browser, server.url + "#preset=lenet&seed=6", { width: 1366, height: 768 });
  try {
    await waitReady(page);
    const card = await give(page, GOOD);
    assert.equal(card.state, "ready", card.error);
    assert.match(card.notes.join(" "), /resized to 28×28 grey/);
    const s = await summary(page);
    assert.deepEqual(s.shape, [1, 28, 28]);
    // Circle i's red (220 + 3i, 40 + 3i, 40 + 3i) in grey is 0.299·220 + 0.701·40 + 3i ≈ 94 + 3i (i < 12);
    // the square's light background (250) would be far brighter.
    for (const { rgba } of s.samples.filter((x) => x.label === 0)) {
      const [r, g, b] = rgba.slice(4 * (14 * 28 + 14), 4 * (14 * 28 + 14) + 3);
      assert.ok(r === g && g === b && r >= 90 && r <= 131, `a grey centre in 94…127, got ${[r, g, b]}`);
    }
    await trainsOn(page, "own");
    assert.equal(await page.evaluate(() => window.trainlab.settings.preset), "lenet");
    assert.deepEqual(problems.pageErrors, []);
  } finally {
    await context.close();
  }
});
