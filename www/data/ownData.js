// The learner's own data → a source for sandbox.useData, decided from what was given:
//   - CIFAR-10 binary batches (data_batch_N.bin, test_batch.bin, optional batches.meta.txt) → "cifar";
//   - IDX files (recognized by their magic number, any names, optionally .gz)               → "idx";
//   - otherwise a folder with one subfolder per class of PNG/JPEG images                     → "pixels".
// Nothing leaves the machine: files are read with File/Blob methods only, never fetched or sent.
//
// The sources (each carries name "own"; the worker hands the fields to the core's Data.from*):
//   { kind: "pixels", name, pixels: Uint8Array (n·c·h·w, C×H×W), labels: Uint8Array, c, h, w,
//     classNames, valFraction, seed }
//   { kind: "idx", name, trainImages, trainLabels, valImages | null, valLabels | null, classNames,
//     valFraction, seed, fileNames: { trainImages, trainLabels, valImages, valLabels } }
//   { kind: "cifar", name, files: [{ name, bytes }], metaText | null, valFraction, seed }
// readOwnData resolves with { kind, source, notes: [sentence…] } or rejects with an OwnDataError in
// plain words; nothing has been loaded then, so the set loaded before stays.

import { fromDataTransfer, fromFileList } from "./fileTree.js";
import { CIFAR_BATCH, MAX_FILE_BYTES, idxMagic, readCifar, readIdx } from "./binarySets.js";
import { isImageName, readImageFolder } from "./imageFolder.js";
import { OwnDataError, listNames, megabytes, plural } from "./ownDataText.js";

export { fromDataTransfer, fromFileList, OwnDataError };
export { MAX_IMAGES } from "./imageFolder.js";
export { MAX_FILE_BYTES, withIdxFileNames } from "./binarySets.js";

/** The share of a folder or single IDX pair that validates (the core splits it with the seed). */
export const VAL_FRACTION = 0.2;
/** IDX magic is looked for in at most this many non-image files (a data set is a handful of files). */
const MAX_SNIFFED = 64;

const baseName = (path) => path.slice(path.lastIndexOf("/") + 1);
const ARCHIVE = /\.(zip|tar|tgz|tar\.gz|7z|rar)$/i;

/** The network input images are decoded to: lenet's 28×28 grey, every other preset's 32×32 RGB. */
export function inputFor(preset) {
  return preset === "lenet" ? { c: 1, h: 28, w: 28 } : { c: 3, h: 32, w: 32 };
}

/**
 * `tree` is fromFileList/fromDataTransfer's { root, entries, hidden }; `input` the network's
 * { c, h, w } (for images); `seed` the run's seed; `onProgress({ phase, done, total })`.
 */
export async function readOwnData(tree, { input, seed, onProgress, signal } = {}) {
  const opts = { input, seed, valFraction: VAL_FRACTION, onProgress, signal };
  const hiddenNote = tree.hidden ? [`${plural(tree.hidden, "system file")} (.DS_Store and the like) ignored.`] : [];
  const { entries } = tree;
  if (entries.length === 0) {
    const what = tree.root ? `The folder “${tree.root}”` : tree.folder ? "The chosen folder" : "What was given";
    const only = tree.hidden ? ` (only ${plural(tree.hidden, "hidden system file")})` : "";
    throw new OwnDataError(`${what} holds no files${only}: choose a folder with one subfolder of images per class.`);
  }

  const batches = entries.filter((e) => CIFAR_BATCH.test(baseName(e.path)));
  if (batches.length) {
    const out = await readCifar(entries, opts);
    const other = entries.filter((e) => !batches.includes(e) && !/^batches\.meta\.txt$/i.test(baseName(e.path)));
    if (other.length) out.notes.push(`${plural(other.length, "other file was", "other files were")} ignored: ${listNames(other.map((e) => e.path))}.`);
    return { kind: "cifar", ...out, notes: [...out.notes, ...hiddenNote] };
  }

  const nonImages = entries.filter((e) => !isImageName(e.path));
  const idx = [];
  for (const entry of nonImages.slice(0, MAX_SNIFFED)) {
    const magic = await idxMagic(entry);
    if (magic) idx.push({ entry, magic });
  }
  if (idx.length) {
    const out = await readIdx(idx, opts);
    const other = entries.filter((e) => !idx.some((f) => f.entry === e));
    if (other.length) out.notes.push(`${plural(other.length, "other file was", "other files were")} ignored: ${listNames(other.map((e) => e.path))}.`);
    return { kind: "idx", ...out, notes: [...out.notes, ...hiddenNote] };
  }

  // No images at all: say what the files were instead (too large, archives, or just not data).
  if (nonImages.length === entries.length) {
    const big = entries.find((e) => e.file.size > MAX_FILE_BYTES);
    if (big) {
      throw new OwnDataError(`${big.path} is ${megabytes(big.file.size)}; a data file may be at most ` +
        `${megabytes(MAX_FILE_BYTES)}. It was not read.`);
    }
    const archive = entries.find((e) => ARCHIVE.test(e.path));
    if (archive) throw new OwnDataError(`${archive.path} is an archive; unpack it first and choose the unpacked folder or files.`);
    throw new OwnDataError(`No images or data files found: ${listNames(entries.map((e) => e.path))}. ` +
      "Give a folder with one subfolder of PNG/JPEG images per class, IDX files (MNIST format) or CIFAR-10 binary batches.");
  }
  const out = await readImageFolder(tree, opts);
  return { kind: "pixels", ...out, notes: [...out.notes, ...hiddenNote] };
}
