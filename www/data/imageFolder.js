// A folder of PNG/JPEG images with one subfolder per class → a "pixels" source for the core
// (fromPixels: it splits training/validation with the run's seed). Classes are the subfolder names,
// sorted; images are taken in path order within each class, so the same folder gives the same set
// whatever order the browser listed it in. Decoding happens in www/data/decodeWorker.js (two
// workers, each a contiguous share of the files).
//
// Refused before decoding, with the count found: no images, one class, more than MAX_IMAGES
// images, more than 256 classes (a label is a byte). Skipped and named in the notes: files that are
// not .png/.jpg/.jpeg, files directly in the chosen folder (no class), images the decoder refuses
// (above 50 MB, above 10,000 pixels a side, or not decodable). A class left without images is
// dropped and named. No File.size is read here: for a folder's files each first read is a
// file-system call (30,000 of them took 15 s), so the decoder reads sizes, in its own thread.

import { OwnDataError, listNames, plural } from "./ownDataText.js";

/** Most images decoded from a folder (about a minute of decoding; 20,000 × 3·32·32 B = 61 MB). */
export const MAX_IMAGES = 20_000;
const MAX_CLASSES = 256;
const IMAGE_NAME = /\.(png|jpe?g)$/i;

export const isImageName = (path) => IMAGE_NAME.test(path);

/** Splits the tree into classes and skipped files; throws when it cannot be a class folder. */
export function planFolder({ root, entries }) {
  const where = root ? `“${root}”` : "the files given";
  const loose = [], notImages = [];
  const byClass = new Map();
  for (const e of entries) {
    const slash = e.path.indexOf("/");
    if (!isImageName(e.path)) { notImages.push(e.path); continue; }
    if (slash < 0) { loose.push(e.path); continue; }
    const cls = e.path.slice(0, slash);
    if (!byClass.has(cls)) byClass.set(cls, []);
    byClass.get(cls).push(e);
  }
  const classNames = [...byClass.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const images = classNames.reduce((n, c) => n + byClass.get(c).length, 0);
  const skipped = [];
  if (notImages.length) {
    skipped.push(notImages.length === 1 ? `1 file was not a PNG or JPEG image and was skipped: ${notImages[0]}.`
      : `${plural(notImages.length, "file")} were not PNG or JPEG images and were skipped: ${listNames(notImages)}.`);
  }

  if (images === 0) {
    const why = loose.length
      ? `${plural(loose.length, "image is", "images are")} directly in it (${listNames(loose, 3)}): put each class's images in its own subfolder (e.g. ${root || "folder"}/cats/, ${root || "folder"}/dogs/).`
      : "a class folder needs .png, .jpg or .jpeg files.";
    throw new OwnDataError(`No images in class subfolders of ${where}; ${why} ${skipped.join(" ")}`.trim());
  }
  if (loose.length) skipped.push(`${plural(loose.length, "image was", "images were")} not in a class subfolder and skipped: ${listNames(loose)}.`);
  if (images > MAX_IMAGES) {
    throw new OwnDataError(`Found ${plural(images, "image")} in ${plural(classNames.length, "class folder")}; at most ` +
      `${MAX_IMAGES.toLocaleString("en-US")} are decoded here (more would take minutes and hundreds of MB). ` +
      "Choose a folder with fewer images per class. Nothing was decoded.");
  }
  if (classNames.length > MAX_CLASSES) {
    throw new OwnDataError(`Found ${classNames.length} class folders; at most ${MAX_CLASSES} classes are possible (a label is one byte).`);
  }
  if (classNames.length < 2) {
    throw new OwnDataError(`Found one class folder, “${classNames[0]}” (${plural(images, "image")}); a classifier needs at least two: ` +
      `put each class's images in its own subfolder of the folder you choose. ${skipped.join(" ")}`.trim());
  }
  for (const c of classNames) byClass.get(c).sort((a, b) => (a.path < b.path ? -1 : 1));
  return { classNames, byClass, images, skipped };
}

/** Decodes `files` in `workers` decode workers; resolves with the ok indices, failures and pixels. */
function decode(files, { c, h, w }, { onProgress, signal, workers = 2 }) {
  const k = Math.max(1, Math.min(workers, files.length));
  const share = Math.ceil(files.length / k);
  const done = new Array(k).fill(0);
  const pool = [];
  const jobs = Array.from({ length: k }, (_, j) => new Promise((resolve, reject) => {
    const worker = new Worker(new URL("./decodeWorker.js", import.meta.url), { type: "module" });
    pool.push(worker);
    const from = j * share;
    worker.onmessage = ({ data }) => {
      if (data.type === "progress") {
        done[j] = data.done;
        onProgress?.({ phase: "decoding", done: done.reduce((a, b) => a + b, 0), total: files.length });
      } else if (data.type === "done") {
        resolve({ ...data, ok: data.ok.map((i) => i + from), failed: data.failed.map((f) => ({ ...f, index: f.index + from })) });
      } else {
        reject(new OwnDataError(`Decoding the images failed: ${data.message}`));
      }
    };
    worker.onerror = (e) => reject(new OwnDataError(`The decoding worker stopped: ${e.message ?? "unknown error"}`));
    worker.postMessage({ files: files.slice(from, from + share), c, h, w });
  }));
  const stop = () => { for (const wk of pool) wk.terminate(); };
  const aborted = new Promise((_, reject) => {
    signal?.addEventListener("abort", () => reject(new OwnDataError("Loading was cancelled.")), { once: true });
  });
  return Promise.race([Promise.all(jobs), aborted]).finally(stop);
}

function sizeNote(sizes, { h, w, c }) {
  let small = sizes[0], large = sizes[0];
  for (const s of sizes) {
    if (s[0] * s[1] < small[0] * small[1]) small = s;
    if (s[0] * s[1] > large[0] * large[1]) large = s;
  }
  const fmt = (s) => `${s[0]}×${s[1]}`;
  const square = sizes.every((s) => s[0] === s[1]);
  const to = `${w}×${h}${c === 1 ? " grey" : " RGB"}`;
  const range = small === large || fmt(small) === fmt(large) ? `all images were ${fmt(small)}` : `sizes ranged from ${fmt(small)} to ${fmt(large)}`;
  if (fmt(small) === fmt(large) && small[0] === w && small[1] === h) return `${range}, the network's input (${to}).`;
  return `${range}; all were ${square ? "" : "centre-cropped to a square and "}resized to ${to}.`;
}

/** The class folder → { source, notes }; `input` is the network's { c, h, w }. */
export async function readImageFolder(tree, { input, seed, valFraction, onProgress, signal }) {
  const plan = planFolder(tree);
  const files = [], classOf = [], paths = [];
  plan.classNames.forEach((cls, label) => {
    for (const e of plan.byClass.get(cls)) { files.push(e.file); classOf.push(label); paths.push(e.path); }
  });
  onProgress?.({ phase: "decoding", done: 0, total: files.length });
  const t0 = performance.now();
  const parts = await decode(files, input, { onProgress, signal });
  const seconds = (performance.now() - t0) / 1000;

  const ok = parts.flatMap((p) => p.ok);
  const failed = parts.flatMap((p) => p.failed);
  const notes = [...plan.skipped];
  if (failed.length) {
    const named = failed.map((f) => `${paths[f.index]} ${f.reason}`);
    notes.push(`${plural(failed.length, "image file")} could not be used and ${failed.length === 1 ? "was" : "were"} skipped: ${listNames(named, 3, "; ")}.`);
  }
  if (ok.length === 0) {
    throw new OwnDataError(`None of the ${plural(files.length, "image")} could be decoded. ${notes.join(" ")}`);
  }
  const counts = new Array(plan.classNames.length).fill(0);
  for (const i of ok) counts[classOf[i]]++;
  const kept = plan.classNames.map((_, k) => k).filter((k) => counts[k] > 0);
  const empty = plan.classNames.filter((_, k) => counts[k] === 0);
  if (kept.length < 2) {
    throw new OwnDataError(`Only the class “${plan.classNames[kept[0]]}” has images that decode; a classifier needs at least two. ${notes.join(" ")}`);
  }
  if (empty.length) notes.push(`${plural(empty.length, "class", "classes")} had no usable images and ${empty.length === 1 ? "was" : "were"} left out: ${listNames(empty)}.`);
  const newLabel = new Map(kept.map((k, i) => [k, i]));

  const pixels = new Uint8Array(ok.length * input.c * input.h * input.w);
  let at = 0;
  for (const p of parts) { const b = new Uint8Array(p.pixels); pixels.set(b, at); at += b.length; }
  const labels = Uint8Array.from(ok, (i) => newLabel.get(classOf[i]));
  notes.push(sizeNote(parts.flatMap((p) => p.sizes), input));
  notes.push(`Decoded ${plural(ok.length, "image")} in ${seconds.toFixed(1)} s on this machine; nothing was uploaded.`);
  return {
    notes,
    decodeSeconds: seconds,
    source: {
      kind: "pixels", name: "own", pixels, labels, c: input.c, h: input.h, w: input.w,
      classNames: kept.map((k) => plan.classNames[k]), valFraction, seed,
    },
  };
}
