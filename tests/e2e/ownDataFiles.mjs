// Test files for the own-data tests (not a test file itself), written with node's zlib only:
// PNG images (RGB, filter 0 scanlines), IDX files (optionally gzipped), CIFAR-10 binary batches,
// and the bad inputs (an empty folder, one class, non-images, undecodable images, truncated files,
// sparse 2 GB files, 100,000 hard links to one tiny PNG).

import { crc32, deflateSync, gzipSync } from "node:zlib";
import { closeSync, linkSync, mkdirSync, mkdtempSync, openSync, ftruncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, "ascii"), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}

/** A w×h RGB PNG whose pixel (x, y) is `color(x, y)` → [r, g, b]. */
export function png(w, h, color) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr[8] = 8;   // bit depth
  ihdr[9] = 2;   // colour type RGB
  const raw = Buffer.alloc(h * (1 + 3 * w));
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) raw.set(color(x, y), y * (1 + 3 * w) + 1 + 3 * x);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", ihdr), chunk("IDAT", deflateSync(raw)), chunk("IEND", Buffer.alloc(0)),
  ]);
}

/** Class k's colour: red, green, blue, … with a little variation by image index. */
export const classColor = (k, i) => [[220, 40, 40], [40, 180, 60], [40, 70, 220], [200, 180, 30]][k % 4].map((v) => (v + 3 * i) % 256);

export const tempDir = (name) => mkdtempSync(join(tmpdir(), `trainlab-${name}-`));

/**
 * A folder `root/<class>/<n>.png`: `counts[k]` images of class `names[k]`, sizes cycling through
 * `sizes`; returns its path. `extra` files ({ path, bytes }) are added as given.
 */
export function classFolder(root, names, counts, { sizes = [[32, 32]], extra = [] } = {}) {
  names.forEach((name, k) => {
    mkdirSync(join(root, name), { recursive: true });
    for (let i = 0; i < counts[k]; i++) {
      const [w, h] = sizes[(k + i) % sizes.length];
      const [r, g, b] = classColor(k, i);
      // A square in the middle, so centre-cropping keeps the class's mark.
      const img = png(w, h, (x, y) => (Math.abs(x - w / 2) < w / 4 && Math.abs(y - h / 2) < h / 4 ? [r, g, b] : [250, 250, 250]));
      writeFileSync(join(root, name, `${String(i).padStart(3, "0")}.png`), img);
    }
  });
  for (const { path, bytes } of extra) {
    mkdirSync(join(root, path, ".."), { recursive: true });
    writeFileSync(join(root, path), bytes);
  }
  return root;
}

/** IDX images (magic 0x803): n images of h×w, image i of label labels[i] bright in its row band. */
export function idxImages(labels, h = 28, w = 28) {
  const head = Buffer.alloc(16);
  head.writeUInt32BE(0x803, 0);
  head.writeUInt32BE(labels.length, 4);
  head.writeUInt32BE(h, 8);
  head.writeUInt32BE(w, 12);
  const px = Buffer.alloc(labels.length * h * w);
  labels.forEach((l, i) => {
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) px[i * h * w + y * w + x] = Math.floor(y / (h / 3)) === l % 3 ? 230 : 10 + (i % 7);
  });
  return Buffer.concat([head, px]);
}

export function idxLabels(labels) {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(0x801, 0);
  head.writeUInt32BE(labels.length, 4);
  return Buffer.concat([head, Buffer.from(labels)]);
}

export const gzip = (bytes) => gzipSync(bytes);

/** CIFAR-10 records (label byte + 3072 bytes planar RGB) for `labels`, class k coloured classColor(k). */
export function cifarBatch(labels) {
  const out = Buffer.alloc(labels.length * 3073);
  labels.forEach((l, i) => {
    out[i * 3073] = l;
    const rgb = classColor(l, i);
    for (let c = 0; c < 3; c++) out.fill(rgb[c], i * 3073 + 1 + c * 1024, i * 3073 + 1 + (c + 1) * 1024);
  });
  return out;
}

/** A sparse file of `bytes` bytes (no disk used): the browser sees its size, nothing is written. */
export function sparseFile(path, bytes) {
  const fd = openSync(path, "w");
  ftruncateSync(fd, bytes);
  closeSync(fd);
  return path;
}

/**
 * `n` tiny images spread over `classes` class folders, as hard links to one 8×8 PNG per class (a
 * file system allows some 65,000 links to one file).
 */
export function manyImages(root, n, classes = 10) {
  const dir = join(root, "many");
  for (let k = 0; k < classes; k++) {
    mkdirSync(join(dir, `class${k}`), { recursive: true });
    writeFileSync(join(root, `one${k}.png`), png(8, 8, () => classColor(k, 0)));
  }
  for (let i = 0; i < n; i++) linkSync(join(root, `one${i % classes}.png`), join(dir, `class${i % classes}`, `${i}.png`));
  return dir;
}

/** Labels 0…k−1 repeated to length n. */
export const cycleLabels = (n, k) => Array.from({ length: n }, (_, i) => i % k);
