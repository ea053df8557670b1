// The learner's data files that the core parses itself: MNIST-format IDX files (recognized by their
// magic number, whatever their names, optionally gzipped) and CIFAR-10 binary batches
// (data_batch_N.bin, test_batch.bin, batches.meta.txt). This module only finds, sizes, reads (and
// gunzips) them and pairs images with labels; every check of the contents is the core's, whose
// message names the file and the offset.
//
// Every size is checked before reading: a file above the core's 300 MB limit is refused from
// File.size and never read, and a .gz file stops unpacking at the same limit.

import { OwnDataError, listNames, megabytes } from "./ownDataText.js";

/** The core's per-file limit (src/data/limits.rs, Limits::default().max_bytes). */
export const MAX_FILE_BYTES = 300_000_000;
/** batches.meta.txt above this is not a list of class names (the core's bound too). */
const MAX_META_BYTES = 64 * 1024;

const IDX_IMAGES = 0x00000803;
const IDX_LABELS = 0x00000801;
const GZIP = (b) => b.length >= 2 && b[0] === 0x1f && b[1] === 0x8b;

export const CIFAR_BATCH = /^(data_batch_\d+|test_batch)\.bin$/i;
export const CIFAR_META = /^batches\.meta\.txt$/i;

const baseName = (path) => path.slice(path.lastIndexOf("/") + 1);

function refuseLarge({ path, file }, limit = MAX_FILE_BYTES) {
  if (file.size > limit) {
    throw new OwnDataError(`${path} is ${megabytes(file.size)}; a data file may be at most ${megabytes(limit)} ` +
      "(MNIST's training images are 47 MB, a CIFAR-10 batch 31 MB). It was not read.");
  }
}

/** Unpacks gzip bytes, refusing (naming the file) once the output passes MAX_FILE_BYTES. */
async function gunzip(path, file) {
  const reader = file.stream().pipeThrough(new DecompressionStream("gzip")).getReader();
  const parts = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.length;
      if (total > MAX_FILE_BYTES) {
        await reader.cancel();
        throw new OwnDataError(`${path} unpacks to more than ${megabytes(MAX_FILE_BYTES)}, the most a data file may hold.`);
      }
      parts.push(value);
    }
  } catch (err) {
    if (err instanceof OwnDataError) throw err;
    throw new OwnDataError(`${path} is not a whole gzip file (unpacking stopped after ${total} bytes: ${err.message}).`);
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
}

/** The file's bytes, gunzipped when they start with gzip's magic. */
async function readBytes(entry) {
  refuseLarge(entry);
  const head = new Uint8Array(await entry.file.slice(0, 2).arrayBuffer());
  return GZIP(head) ? gunzip(entry.path, entry.file) : new Uint8Array(await entry.file.arrayBuffer());
}

/** The IDX magic at the start of `entry` (gunzipping only as far as needed), or null. */
export async function idxMagic(entry) {
  if (entry.file.size < 4 || entry.file.size > MAX_FILE_BYTES) return null;
  let head = new Uint8Array(await entry.file.slice(0, 4).arrayBuffer());
  if (GZIP(head)) {
    const reader = entry.file.stream().pipeThrough(new DecompressionStream("gzip")).getReader();
    try {
      const { value } = await reader.read();
      head = value ?? new Uint8Array(0);
    } catch {
      return null;
    } finally {
      reader.cancel().catch(() => {});
    }
  }
  if (head.length < 4) return null;
  const magic = new DataView(head.buffer, head.byteOffset, 4).getUint32(0);
  return magic === IDX_IMAGES || magic === IDX_LABELS ? magic : null;
}

const count = (bytes) => (bytes.length >= 8 ? new DataView(bytes.buffer, bytes.byteOffset).getUint32(4) : 0);
const looksHeldOut = (path) => /test|t10k|val/i.test(baseName(path));

/**
 * IDX files → an "idx" source. One images/labels pair is split by the core (valFraction, seed); two
 * pairs are training and validation (the one named test/t10k/val, else the smaller, validates).
 * Images and labels pair by their counts; class names are the labels' digits 0…max.
 */
export async function readIdx(found, { seed, valFraction, onProgress }) {
  const images = [], labels = [];
  for (const [i, { entry, magic }] of found.entries()) {
    onProgress?.({ phase: "reading", done: i, total: found.length, name: entry.path });
    const bytes = await readBytes(entry);
    (magic === IDX_IMAGES ? images : labels).push({ path: entry.path, bytes, n: count(bytes) });
  }
  if (images.length === 0) {
    throw new OwnDataError(`Found IDX labels (${listNames(labels.map((l) => l.path))}) but no IDX images file (magic 0x00000803).`);
  }
  if (labels.length === 0) {
    throw new OwnDataError(`Found IDX images (${listNames(images.map((l) => l.path))}) but no IDX labels file (magic 0x00000801).`);
  }
  if (images.length > 2 || labels.length > 2 || images.length !== labels.length) {
    throw new OwnDataError(`Found ${images.length} IDX images file${images.length === 1 ? "" : "s"} and ${labels.length} ` +
      "labels file" + (labels.length === 1 ? "" : "s") + "; expected one pair (split here) or two (training and validation).");
  }
  const pairs = images.map((im) => {
    const same = labels.filter((l) => l.n === im.n);
    const lab = same.find((l) => looksHeldOut(l.path) === looksHeldOut(im.path)) ?? same[0];
    if (!lab) {
      throw new OwnDataError(`${im.path} holds ${im.n} images, but no labels file holds ${im.n} labels ` +
        `(${labels.map((l) => `${l.path}: ${l.n}`).join(", ")}).`);
    }
    return { images: im, labels: lab };
  });
  if (pairs.length === 2 && pairs[0].labels === pairs[1].labels) {
    throw new OwnDataError(`${pairs[0].images.path} and ${pairs[1].images.path} both pair with ${pairs[0].labels.path}; ` +
      "give each images file its own labels file with the same count.");
  }
  if (pairs.length === 2) {
    const held = pairs.map((p) => looksHeldOut(p.images.path));
    const valFirst = held[0] !== held[1] ? held[0] : pairs[0].images.n < pairs[1].images.n;
    if (valFirst) pairs.reverse();
  }
  const [train, val] = pairs;
  let max = 0;
  for (const p of pairs) for (let i = 8; i < p.labels.bytes.length; i++) max = Math.max(max, p.labels.bytes[i]);
  const notes = [pairs.length === 2
    ? `IDX: training ${train.images.path} + ${train.labels.path} (${train.images.n} images), validation ${val.images.path} + ${val.labels.path} (${val.images.n}).`
    : `IDX: ${train.images.path} + ${train.labels.path} (${train.images.n} images), split ${Math.round((1 - valFraction) * 100)}/${Math.round(valFraction * 100)} into training and validation with seed ${seed}.`];
  return {
    notes,
    source: {
      kind: "idx", name: "own",
      trainImages: train.images.bytes, trainLabels: train.labels.bytes,
      valImages: val?.images.bytes ?? null, valLabels: val?.labels.bytes ?? null,
      classNames: Array.from({ length: max + 1 }, (_, i) => String(i)),
      valFraction, seed,
      fileNames: {
        trainImages: train.images.path, trainLabels: train.labels.path,
        valImages: val?.images.path ?? null, valLabels: val?.labels.path ?? null,
      },
    },
  };
}

/**
 * The core's message about an "idx" source with the learner's file names: the core knows the files
 * as "own training images" and so on (Data.fromIdx takes bytes, not names).
 */
export function withIdxFileNames(message, source) {
  const names = source?.kind === "idx" ? source.fileNames : null;
  if (!names) return message;
  const parts = {
    "training images": names.trainImages, "training labels": names.trainLabels,
    "validation images": names.valImages, "validation labels": names.valLabels,
  };
  const pattern = new RegExp(`\\b${source.name} (training|validation) (images|labels)\\b`, "g");
  return message.replace(pattern, (whole, split, what) => parts[`${split} ${what}`] ?? whole);
}

/**
 * CIFAR-10 batches (and batches.meta.txt when given) → a "cifar" source; sizes checked first.
 * test_batch.bin validates; without it the core splits the batches (valFraction, seed).
 */
export async function readCifar(entries, { seed, valFraction, onProgress }) {
  const batches = entries.filter((e) => CIFAR_BATCH.test(baseName(e.path)))
    .sort((a, b) => (baseName(a.path) < baseName(b.path) ? -1 : 1));
  const meta = entries.find((e) => CIFAR_META.test(baseName(e.path))) ?? null;
  for (const b of batches) refuseLarge(b);
  if (meta) refuseLarge(meta, MAX_META_BYTES);
  const total = batches.reduce((a, b) => a + b.file.size, 0);
  if (total > 2 * MAX_FILE_BYTES) {
    throw new OwnDataError(`The ${batches.length} CIFAR batches hold ${megabytes(total)} together; at most ` +
      `${megabytes(2 * MAX_FILE_BYTES)} are loaded (CIFAR-10's six batches are 185 MB). None was read.`);
  }
  const files = [];
  for (const [i, b] of batches.entries()) {
    onProgress?.({ phase: "reading", done: i, total: batches.length, name: b.path });
    files.push({ name: baseName(b.path), bytes: new Uint8Array(await b.file.arrayBuffer()) });
  }
  const metaText = meta ? new TextDecoder().decode(await meta.file.arrayBuffer()) : null;
  const train = files.filter((f) => !/^test_batch/i.test(f.name)).map((f) => f.name);
  const test = files.filter((f) => /^test_batch/i.test(f.name)).map((f) => f.name);
  const split = test.length ? `validation ${test.join(", ")}`
    : `no test_batch.bin, so ${Math.round(valFraction * 100)}% of them validate (seed ${seed})`;
  const notes = [`CIFAR: training ${train.join(", ") || "none"}; ${split}; ` +
    (meta ? `class names from ${meta.path}.` : "no batches.meta.txt, so CIFAR-10's ten class names.")];
  return { notes, source: { kind: "cifar", name: "own", files, metaText, valFraction, seed } };
}
