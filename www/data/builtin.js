// The built-in data sets (MNIST, Fashion-MNIST): fetched from the page's own origin and gunzipped.
// Runs in the training worker (no DOM). What exists is listed in data/datasets.json, written at build
// time by scripts/build-datasets.mjs; each set is four gzipped IDX files. The service worker caches
// them when first fetched (www/sw.js), so a set loaded once also loads offline.

const FILE_KEYS = ["trainImages", "trainLabels", "valImages", "valLabels"];
const GZIP_MAGIC = [0x1f, 0x8b];
// A file name in datasets.json: "<id>/<name>", plain characters only (never "..", never a full URL).
const SAFE_PATH = /^[\w-]+\/[\w.-]+$/;

/**
 * Load built-in set `id`.
 * - base: the site's root URL (where index.html is), e.g. the page sends `new URL("./", location.href).href`
 *   to the worker; the files are fetched only from its origin, which must be this context's origin.
 * - onProgress({ loaded, total }): bytes received so far, of the sum of the compressed sizes.
 * Returns { id, title, classNames, trainImages, trainLabels, valImages, valLabels } (raw IDX bytes).
 */
export async function loadBuiltin(id, { base, onProgress = () => {} } = {}) {
  const root = siteRoot(base);
  const index = new URL("data/datasets.json", root);
  const list = await fetchJson(index);
  const set = list.datasets?.find((d) => d.id === id);
  if (!set) {
    const ids = (list.datasets ?? []).map((d) => d.id).join(", ");
    throw new Error(`no built-in data set "${id}" in data/datasets.json (it has: ${ids || "none"})`);
  }
  const total = FILE_KEYS.reduce((sum, k) => sum + set.files[k].bytes, 0);
  const received = Object.fromEntries(FILE_KEYS.map((k) => [k, 0]));
  const report = () => onProgress({ loaded: FILE_KEYS.reduce((s, k) => s + received[k], 0), total });
  const bytes = await Promise.all(FILE_KEYS.map((k) => fetchFile(root, set.files[k], (n) => {
    received[k] = n;
    report();
  })));
  return {
    id: set.id,
    title: set.title,
    classNames: set.classNames,
    ...Object.fromEntries(FILE_KEYS.map((k, i) => [k, bytes[i]])),
  };
}

function siteRoot(base) {
  if (!base) throw new Error("loadBuiltin: `base` (the site's root URL) is required");
  const root = new URL(base, self.location.href);
  if (root.origin !== self.location.origin) {
    throw new Error(`loadBuiltin: data sets load only from this page's origin (${self.location.origin}), not ${root.origin}`);
  }
  return root;
}

async function get(url, what) {
  let res;
  try {
    res = await fetch(url);
  } catch (err) {
    const why = self.navigator?.onLine === false ? "the browser is offline and it is not in the offline cache"
      : err.message;
    throw new Error(`${what}: could not be fetched (${why})`);
  }
  if (!res.ok) throw new Error(`${what}: HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ""}`);
  return res;
}

async function fetchJson(url) {
  const res = await get(url, "data/datasets.json");
  try {
    return await res.json();
  } catch (err) {
    throw new Error(`data/datasets.json: not valid JSON (${err.message})`);
  }
}

/**
 * One file: fetched (with "?v=<sha256>", so a rebuilt file is never taken from an old cache entry),
 * counted for progress, gunzipped into a buffer of the listed raw size. A server that already undid
 * the gzip (Content-Encoding) hands over raw bytes; those are taken as they are.
 */
async function fetchFile(root, file, progress) {
  const what = `data/${file.path}`;
  if (!SAFE_PATH.test(file.path)) throw new Error(`${what}: not a file name datasets.json may list`);
  const url = new URL(`data/${file.path}?v=${file.sha256.slice(0, 16)}`, root);
  const res = await get(url, what);
  if (!res.body) throw new Error(`${what}: empty response`);
  let received = 0;
  let gzipped = null;
  const counted = res.body.pipeThrough(new TransformStream({
    transform(chunk, ctl) {
      // The first bytes tell gzip from already-decoded bytes (counted in proportion, for progress).
      gzipped ??= chunk[0] === GZIP_MAGIC[0] && chunk[1] === GZIP_MAGIC[1];
      received += chunk.length;
      progress(Math.min(file.bytes, Math.round(gzipped ? received : received * (file.bytes / file.rawBytes))));
      ctl.enqueue(chunk);
    },
  }));
  // Peek at the first chunk (through a tee) before choosing whether to gunzip.
  const [peek, body] = counted.tee();
  const reader = peek.getReader();
  await reader.read().catch(() => {});   // a failed read fails the other branch too, reported below
  reader.cancel().catch(() => {});
  const stream = gzipped ? body.pipeThrough(new DecompressionStream("gzip")) : body;
  let out;
  try {
    out = await readExactly(stream, file.rawBytes, what);
  } catch (err) {
    if (gzipped && received < file.bytes) {
      throw new Error(`${what}: truncated: received ${received} of ${file.bytes} bytes (${err.message})`);
    }
    throw err.message.startsWith(what) ? err : new Error(`${what}: could not be gunzipped (${err.message})`);
  }
  if (gzipped && received !== file.bytes) {
    throw new Error(`${what}: ${received} bytes received, datasets.json lists ${file.bytes}`);
  }
  progress(file.bytes);
  return out;
}

/** Read a stream into a new Uint8Array of exactly `size` bytes; more or fewer is an error. */
async function readExactly(stream, size, what) {
  const out = new Uint8Array(size);
  let at = 0;
  const reader = stream.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (at + value.length > size) {
      reader.cancel().catch(() => {});
      throw new Error(`${what}: larger than the ${size} bytes datasets.json lists`);
    }
    out.set(value, at);
    at += value.length;
  }
  if (at !== size) throw new Error(`${what}: truncated: ${at} of ${size} bytes of IDX data`);
  return out;
}
