// A learner's own data set kept in the store (store `datasets`, www/store/db.js), so that a run on
// it survives a reload: exactly what the runs' workers were given (the source of www/data/ownData.js:
// decoded images or IDX / CIFAR bytes, labels, class names, split fraction and seed) and the core's
// summary of it. The key is a content hash of the source, so the runs on one set — and the same
// folder loaded again — share one copy; the run records name it in `dataHash`.
//
//   datasets/<hash>: { v, hash, name, kind, source, summary, bytes, savedAt }
//
// In the record each byte array of the source is a Blob: IndexedDB keeps a Blob's bytes apart from
// the record, so keeping a set does not clone megabytes of pixels on the main thread (a 12 MB set as
// typed arrays was a 120 ms task there). A record is checked on read like the others (its version,
// its fields) and its bytes against its hash, so a damaged copy is named instead of training a run on
// wrong images.

import { PLURAL, versionProblem } from "./records.js";

export const DATASET_VERSION = 1;
const KINDS = ["pixels", "idx", "cifar"];

/**
 * The byte arrays of `source` in a fixed order, and a JSON text of the rest with each array replaced
 * by its length: together they describe the set whatever the order of the object's keys.
 */
function describe(source) {
  const parts = [];
  const walk = (x) => {
    if (ArrayBuffer.isView(x)) {
      parts.push(new Uint8Array(x.buffer, x.byteOffset, x.byteLength));
      return { bytes: x.byteLength };
    }
    if (Array.isArray(x)) return x.map(walk);
    if (x && typeof x === "object") return Object.fromEntries(Object.keys(x).sort().map((k) => [k, walk(x[k])]));
    return x ?? null;
  };
  return { text: JSON.stringify(walk(source)), parts };
}

const hex = (buf) => [...new Uint8Array(buf)].map((b) => b.toString(16).padStart(2, "0")).join("");

/**
 * SHA-256 of the set's description and of each of its byte arrays (each array is hashed where it
 * lies: a 300 MB file is never copied for this). Rejects when the browser gives no crypto.subtle
 * (a page served over plain http from another machine).
 */
export async function contentHash(source, subtle = globalThis.crypto?.subtle) {
  if (!subtle) throw new Error("this page is not served from a secure address (https or localhost), so the browser gives it no way to hash your images");
  const { text, parts } = describe(source);
  const digests = await Promise.all(parts.map((p) => subtle.digest("SHA-256", p)));
  const head = new TextEncoder().encode(text);
  const all = new Uint8Array(head.length + 32 * digests.length);
  all.set(head);
  digests.forEach((d, i) => all.set(new Uint8Array(d), head.length + 32 * i));
  return `sha256-${hex(await subtle.digest("SHA-256", all))}`;
}

// One hash per source object: the page hands the same object to every run, and hashing it again at
// each save would cost a pass over all its bytes.
const hashes = new WeakMap();
/**
 * The content hash of `source`, computed once per source object. Without crypto.subtle (plain http
 * from another machine) a random key stands in: the set is still kept, only not shared with the
 * same images loaded again.
 */
export function hashOf(source, subtle = globalThis.crypto?.subtle) {
  if (!hashes.has(source)) {
    const p = subtle ? contentHash(source, subtle)
      : Promise.resolve(`local-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`);
    hashes.set(source, p);
    p.catch(() => hashes.delete(source));
  }
  return hashes.get(source);
}
/** A source read back from the store, its hash already checked. */
export function rememberHash(source, hash) {
  hashes.set(source, Promise.resolve(hash));
}

/** How many bytes the set's arrays hold (what keeping it costs, about). */
export const sourceBytes = (source) => describe(source).parts.reduce((n, p) => n + p.byteLength, 0);

/** Is `source` a learner's own set (one the store keeps), not a built-in or generated one? */
export const isOwnSource = (source) => Boolean(source) && KINDS.includes(source.kind);

/** `source` with each byte array as a Blob (its bytes copied once; the page's arrays stay as they are). */
export function packSource(x) {
  if (ArrayBuffer.isView(x)) return new Blob([x]);
  if (Array.isArray(x)) return x.map(packSource);
  if (x && typeof x === "object") return Object.fromEntries(Object.entries(x).map(([k, v]) => [k, packSource(v)]));
  return x;
}

/** A packed source back as the workers take it: each Blob a Uint8Array (rejects when one cannot be read). */
export async function unpackSource(x) {
  if (typeof Blob !== "undefined" && x instanceof Blob) return new Uint8Array(await x.arrayBuffer());
  if (Array.isArray(x)) return Promise.all(x.map(unpackSource));
  if (x && typeof x === "object" && !ArrayBuffer.isView(x)) {
    return Object.fromEntries(await Promise.all(Object.entries(x).map(async ([k, v]) => [k, await unpackSource(v)])));
  }
  return x;
}

/** The record of a set to keep (its source packed). */
export function dataSetRecord({ hash, source, summary }) {
  return {
    v: DATASET_VERSION, hash, name: source.name, kind: source.kind, source: packSource(source), summary,
    bytes: sourceBytes(source), savedAt: Date.now(),
  };
}

/** The fields each kind of source must have as byte arrays (ownData.js, www/worker.js buildData). */
function missingBytes(source) {
  const u8 = (x) => x instanceof Uint8Array;
  switch (source.kind) {
    case "pixels": return ["pixels", "labels"].filter((k) => !u8(source[k]));
    case "idx": return ["trainImages", "trainLabels"].filter((k) => !u8(source[k]))
      .concat(["valImages", "valLabels"].filter((k) => source[k] != null && !u8(source[k])));
    case "cifar": return Array.isArray(source.files) && source.files.length && source.files.every((f) => u8(f?.bytes)) ? [] : ["files"];
    default: return ["kind"];
  }
}

const whatSet = (hash) => `your own images kept for the saved runs (set ${String(hash).slice(0, 15)}…)`;

/** What is wrong with the fields of a dataset record, or null (its source unpacked; the bytes are checked by checkDataSet). */
export function dataSetProblem(r, hash) {
  const what = whatSet(hash);
  const version = versionProblem(r, what, DATASET_VERSION, PLURAL);
  if (version) return version;
  const s = r.source;
  const missing = !s || typeof s !== "object" ? ["the images"] : missingBytes(s).map((k) => `its ${k}`);
  if (!r.summary || typeof r.summary !== "object" || !Array.isArray(r.summary.classNames)) missing.push("the summary of its classes");
  if (r.hash !== hash) missing.push(`its key (${JSON.stringify(r.hash)})`);
  return missing.length ? `${what} are damaged: ${missing.join(", ")} ${missing.length > 1 ? "are" : "is"} missing or wrong` : null;
}

/**
 * A record as read from the store → { record } with its source unpacked, when it is whole, else
 * { problem } naming what is wrong (checkDataSet).
 */
export async function readDataSet(r, hash, subtle = globalThis.crypto?.subtle) {
  let rec = r;
  if (r && typeof r === "object" && r.v === DATASET_VERSION && r.source && typeof r.source === "object") {
    try {
      rec = { ...r, source: await unpackSource(r.source) };
    } catch (e) {
      return { problem: `${whatSet(hash)} are damaged: their bytes cannot be read (${e?.message ?? e})` };
    }
  }
  const problem = await checkDataSet(rec, hash, subtle);
  return problem ? { problem } : { record: rec };
}

/**
 * Resolves with null when the record is whole — its fields, and its bytes still those it was kept
 * with — else with a sentence naming what is wrong.
 */
export async function checkDataSet(r, hash, subtle = globalThis.crypto?.subtle) {
  const p = dataSetProblem(r, hash);
  if (p) return p;
  // Without crypto.subtle the bytes cannot be checked; the core still checks their shape when loading.
  if (!subtle || !hash.startsWith("sha256-")) return null;
  const now = await contentHash(r.source, subtle);
  return now === hash ? null : `${whatSet(hash)} are damaged: their bytes are not those that were kept`;
}
