// The three wasm builds chosen at load (issue 13; www/build.js, www/buildKeys.js) in the production
// build served like `make preview` (COOP/COEP headers): the page is cross-origin isolated and runs the
// best build it can, a link forces one, the header names it and why, a frame of a page that is not
// isolated falls back to one thread and says why, and the builds agree on a seed's losses.
//
// pkg-threads/ (scripts/pkg-threads.sh, nightly) may not be built: the tests that need it skip and say
// so. Whether a package made it into the build is read from the build itself: a missing package is
// bundled as a stand-in (vite.config.js missingBuilds()).

import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { DIST, ROOT, chromiumOnly, messageTexts, openPage, screenshot, sleep, startSuite, waitReady } from "./helpers.mjs";
import { AUTO_POOL_MAX } from "../../www/buildKeys.js";

let server, browser;
startSuite((s, b) => { server = s; browser = b; });

/** Is package `dir` (pkg-relaxed, pkg-threads) in the served build, or only its stand-in? */
const built = (dir) => !readdirSync(join(ROOT, DIST, "assets")).some((f) => f.includes(`missing-build_${dir}`));
const NO_THREADS = "pkg-threads/ is not built (scripts/pkg-threads.sh needs the nightly toolchain): no threads build to pick";

// relaxed-simd against simd128: fused multiply-adds round once instead of twice, so losses may differ
// in the last bits and the difference grows with the steps. Over the first 20 steps of a seed:
const RELAXED_REL_TOL = 1e-4;
const STEPS = 20;
// The bit-identity check needs layers big enough for the threads build to split
// (src/parallel.rs, MIN_PARALLEL_WORK = 16 M multiply-adds): cifar-convnetjs's convs at batch 32
// are 39 M and more, while the default network's stay on one thread and would compare nothing.
const SPLIT_RUN = "#seed=7&preset=cifar-convnetjs";

/** The build line's data once the core started: { build, threads, why, backend, text }. */
async function buildOf(target, timeout = 60000) {
  // The kernels (data-backend) come with the build (buildInfo) or with the first trainer (backend()).
  await target.waitForFunction(() => document.getElementById("build-line")?.dataset.backend, null, { timeout });
  return target.evaluate(() => {
    const line = document.getElementById("build-line");
    return { ...line.dataset, threads: Number(line.dataset.threads), text: line.textContent.replace(/\s+/g, " ").trim() };
  });
}

/** The first STEPS losses of the page's run for `hash` (trained with Play, then paused). */
async function firstLosses(hash) {
  const { context, page, problems } = await openPage(browser, `${server.url}${hash}`);
  try {
    await waitReady(page, 60000);
    const info = await buildOf(page);
    await page.click("#playpause");
    await page.waitForFunction((n) => window.trainlab.runs[0]?.step >= n, STEPS, { timeout: 120000 });
    await page.click("#playpause");
    const losses = await page.evaluate(() => window.trainlab.runs[0].losses);
    assert.deepEqual(problems.pageErrors, []);
    return { info, losses: losses.slice(0, STEPS) };
  } finally {
    await context.close();
  }
}

test("builds: the page is cross-origin isolated and, by default, runs the threads build on min(cores, 8) threads", async (t) => {
  if (chromiumOnly(t, "the expected default build is Chromium's")) return;
  if (!built("pkg-threads")) { t.skip(NO_THREADS); return; }
  const { context, page, problems } = await openPage(browser, `${server.url}#seed=1`);
  try {
    assert.equal(await page.evaluate(() => crossOriginIsolated), true, "COOP/COEP make the page isolated");
    const info = await buildOf(page);
    const cores = await page.evaluate(() => navigator.hardwareConcurrency);
    assert.equal(info.build, "threads", info.why);
    assert.equal(info.threads, Math.min(cores, AUTO_POOL_MAX));
    assert.match(info.text, new RegExp(`^wasm threads · ${info.threads} threads — cross-origin isolated`));
    assert.deepEqual(problems.pageErrors, []);
  } finally {
    await context.close();
  }
});

test("builds: without the threads build the isolated page runs relaxed-simd and says why", async (t) => {
  if (chromiumOnly(t, "Chromium has relaxed SIMD")) return;
  if (built("pkg-threads")) { t.skip("pkg-threads/ is built: the page runs it (the test above)"); return; }
  const { context, page, problems } = await openPage(browser, `${server.url}#seed=1`);
  try {
    assert.equal(await page.evaluate(() => crossOriginIsolated), true, "COOP/COEP make the page isolated");
    const info = await buildOf(page);
    const expected = built("pkg-relaxed") ? "relaxed-simd" : "simd128";
    assert.equal(info.build, expected, info.why);
    assert.equal(info.threads, 1);
    assert.equal(info.why, "pkg-threads/ not built");
    assert.ok(info.text.startsWith(`wasm ${expected} · 1 thread — `), info.text);
    assert.deepEqual(problems.pageErrors, []);
  } finally {
    await context.close();
  }
});

test("builds: build=simd128 and build=relaxed-simd in the link force their build; the header names it", async (t) => {
  if (chromiumOnly(t, "relaxed SIMD is Chromium's")) return;
  for (const build of ["simd128", "relaxed-simd"]) {
    const { context, page, problems } = await openPage(browser, `${server.url}#seed=1&build=${build}`);
    try {
      const info = await buildOf(page);
      if (build === "relaxed-simd" && !built("pkg-relaxed")) {
        assert.equal(info.build, "simd128");
        assert.equal(info.why, "build=relaxed-simd asked for, but pkg-relaxed/ not built");
      } else {
        assert.equal(info.build, build, info.why);
        assert.equal(info.why, `build=${build} in the link`);
        assert.equal(info.text, `wasm ${build} · 1 thread — build=${build} in the link`);
      }
      assert.ok(info.backend, "the kernels are named in the line's tooltip");
      // The page writes its whole link into the address bar once the run is built; the build it was
      // asked for stays in it, so a reload runs the same build.
      await page.waitForFunction(() => location.hash.includes("preset="), null, { timeout: 30000 });
      assert.match(await page.evaluate(() => location.hash), new RegExp(`&build=${build}(&|$)`));
      await page.reload();
      assert.equal((await buildOf(page)).build, info.build, "the reloaded page runs the same build");
      assert.deepEqual(problems.pageErrors, []);
    } finally {
      await context.close();
    }
  }
});

test("builds: threads=1 and threads=2 force the threads build with that pool", async (t) => {
  if (chromiumOnly(t, "wasm threads as Chromium runs them")) return;
  if (!built("pkg-threads")) { t.skip(NO_THREADS); return; }
  for (const n of [1, 2]) {
    const { context, page } = await openPage(browser, `${server.url}#seed=1&threads=${n}`);
    try {
      const info = await buildOf(page);
      assert.equal(info.build, "threads", info.why);
      assert.equal(info.threads, n);
      assert.equal(info.why, `threads=${n} in the link`);
    } finally {
      await context.close();
    }
  }
});

test("builds: a seed's first losses are bit-identical on simd128 and threads (1 and 2 threads), and close on relaxed-simd", async (t) => {
  if (chromiumOnly(t, "one engine for every build")) return;
  const base = await firstLosses(`${SPLIT_RUN}&build=simd128`);
  assert.equal(base.info.build, "simd128");
  assert.equal(base.losses.length, STEPS);
  assert.ok(base.losses.every(Number.isFinite), `finite losses: ${base.losses}`);

  const relaxed = await firstLosses(`${SPLIT_RUN}&build=relaxed-simd`);
  assert.equal(relaxed.info.build, built("pkg-relaxed") ? "relaxed-simd" : "simd128");
  relaxed.losses.forEach((l, i) => {
    const rel = Math.abs(l - base.losses[i]) / Math.max(1, Math.abs(base.losses[i]));
    assert.ok(rel <= RELAXED_REL_TOL, `step ${i + 1}: relaxed-simd ${l} vs simd128 ${base.losses[i]} (relative ${rel})`);
  });
  const differing = relaxed.losses.filter((l, i) => l !== base.losses[i]).length;
  const worst = Math.max(...relaxed.losses.map((l, i) => Math.abs(l - base.losses[i]) / Math.max(1, Math.abs(base.losses[i]))));
  console.log(`relaxed-simd vs simd128: ${differing} of ${STEPS} losses differ in any bit, largest relative difference ${worst.toExponential(2)}`);

  if (!built("pkg-threads")) { t.skip(`${NO_THREADS}; simd128 and relaxed-simd compared`); return; }
  for (const n of [1, 2]) {
    const threaded = await firstLosses(`${SPLIT_RUN}&threads=${n}`);
    assert.equal(threaded.info.build, "threads");
    assert.equal(threaded.info.threads, n);
    assert.deepEqual(threaded.losses, base.losses, `threads at ${n} thread(s) = simd128, bit for bit`);
  }
});

test("builds: a bad build= or threads= value is named and the page picks the build itself", async () => {
  const { context, page } = await openPage(browser, `${server.url}#seed=1&build=fast&threads=0x2`);
  try {
    const info = await buildOf(page);
    assert.ok(["simd128", "relaxed-simd", "threads"].includes(info.build));
    assert.doesNotMatch(info.why, /link/, "no link key chose it");
    await page.waitForFunction(() => [...document.querySelectorAll("#messages .message p")]
      .some((p) => p.textContent.includes('"build" has a bad value')), null, { timeout: 10000 });
    const texts = (await messageTexts(page)).join("\n");
    assert.match(texts, /Link setting "build" has a bad value "fast": it must be one of simd128, relaxed-simd, threads\./);
    assert.match(texts, /Link setting "threads" has a bad value "0x2": it is not a decimal number/);
    assert.doesNotMatch(texts, /Unknown link setting "(build|threads)"/);
  } finally {
    await context.close();
  }
});

test("builds: a frame of a page that is not cross-origin isolated falls back to one thread and says why", async (t) => {
  if (chromiumOnly(t, "the host page trick (a data file opened under the other origin) is Chromium's")) return;
  // Another origin's page without COOP/COEP (a data file, served without them, under the server's
  // other name) framing the sandbox: the frame cannot be isolated, whatever its own headers say.
  const other = server.url.replace("://127.0.0.1:", "://localhost:");
  const { context, page, problems } = await openPage(browser, `${other}data/datasets.json`);
  try {
    await page.setContent(`<!doctype html><title>host</title>
      <iframe id="f" src="${server.url}embed.html#seed=1&build=threads" width="960" height="540"></iframe>`);
    const frame = await (await page.$("#f")).contentFrame();
    assert.equal(await frame.evaluate(() => crossOriginIsolated), false);
    const info = await buildOf(frame);
    assert.equal(info.threads, 1);
    assert.notEqual(info.build, "threads");
    assert.match(info.why, /^build=threads asked for, but not cross-origin isolated/);
    assert.equal(await frame.evaluate(() => document.getElementById("build-line").title.split("\n")[0]), `${info.text}`);
    const shot = await screenshot(page, "builds-foreign-frame");
    console.log(`foreign frame: ${info.text} (${shot})`);
    assert.deepEqual(problems.pageErrors, []);
  } finally {
    await context.close();
  }
});

test("builds: the header is readable at 1024×768 and in the deck's frames (screenshots)", async () => {
  const { context, page } = await openPage(browser, `${server.url}#seed=1`, { width: 1024, height: 768 });
  try {
    const info = await buildOf(page);
    // The whole line is inside the window and the header keeps one row for title and navigation.
    const box = await page.$eval("#build-line", (el) => { const r = el.getBoundingClientRect(); return { right: r.right, left: r.left, h: r.height }; });
    assert.ok(box.right <= 1024 && box.left >= 0, `inside the window: ${JSON.stringify(box)}`);
    assert.ok(box.h <= 3 * 17, `at most three short lines: ${box.h}px`);
    console.log(`1024×768: ${info.text} → ${await screenshot(page, "builds-header-1024")}`);
  } finally {
    await context.close();
  }
  const deck = await openPage(browser, `${server.url}slides/index.html#/activations`, { width: 1280, height: 720 });
  try {
    let frame;
    for (let i = 0; i < 100 && !frame; i++) {
      frame = deck.page.frames().find((f) => f.url().includes("id=deck-activations"));
      if (!frame) await sleep(100);
    }
    assert.ok(frame, "the slide's sandbox frame");
    const info = await buildOf(frame);
    assert.equal(await frame.evaluate(() => crossOriginIsolated), true, "a frame of the isolated deck is isolated too");
    const visible = await frame.$eval("#build-line", (el) => { const r = el.getBoundingClientRect(); return r.width > 0 && r.height > 0; });
    assert.ok(visible, "the frame shows its build line");
    console.log(`deck frame: ${info.text} → ${await screenshot(deck.page, "builds-deck")}`);
  } finally {
    await deck.context.close();
  }
});

/**
 * Each build's .wasm in the served build: { simd128: "trainlab_bg-….wasm", … } (a package not built is
 * absent). From dist/sw.js: simd128's is the one it precaches, the others' are in its BUILDS lists
 * (vite.config.js). Not by comparing with the packages (pkg/ and the others): in a shared checkout
 * they may be rebuilt after the served build. Whether the names are right shows offline: a wrong
 * file cached would make the page fall back from its build.
 */
function wasmFiles() {
  const sw = readFileSync(join(ROOT, DIST, "sw.js"), "utf8");
  const assets = JSON.parse(/const ASSETS = (\[.*?\]);/s.exec(sw)[1]);
  const builds = JSON.parse(/const BUILDS = (\{.*?\});/s.exec(sw)[1]);
  const name = (f) => f.split("/").pop();
  const precached = assets.filter((f) => f.endsWith(".wasm")).map(name);
  assert.equal(precached.length, 1, `one wasm precached (simd128's): ${precached}`);
  const out = { simd128: precached[0] };
  for (const [build, files] of Object.entries(builds)) {
    const own = files.filter((f) => f.endsWith(".wasm")).map(name);
    assert.equal(own.length, 1, `${build}: one wasm listed: ${own}`);
    out[build] = own[0];
  }
  // Every wasm of the build is one build's: none is precached unnoticed.
  const served = readdirSync(join(ROOT, DIST, "assets")).filter((f) => f.endsWith(".wasm")).sort();
  assert.deepEqual(served, Object.values(out).sort(), "every built .wasm belongs to one build");
  assert.equal(served.length, 1 + ["pkg-relaxed", "pkg-threads"].filter(built).length, "one .wasm per build");
  return out;
}

/** The file names of every entry of the page's app caches (trainlab-<version>; not the data sets' cache). */
const cachedFiles = (page) => page.evaluate(async () => {
  const names = (await caches.keys()).filter((k) => k.startsWith("trainlab-") && k !== "trainlab-data");
  const keys = (await Promise.all(names.map(async (k) => (await caches.open(k)).keys()))).flat();
  return keys.map((r) => new URL(r.url).pathname.split("/").pop());
});

/** Steps rise by more than 5 with Play (then paused again). */
async function trains(page) {
  await waitReady(page, 60000);
  const step = () => page.evaluate(() => window.trainlab.runs[0]?.step ?? 0);
  const before = await step();
  await page.click("#playpause");
  await page.waitForFunction((b) => window.trainlab.runs[0]?.step > b + 5, before, { timeout: 60000 });
  await page.click("#playpause");
  return (await step()) - before;
}

/**
 * Load `url` afresh in `page`. Not page.reload(): once its run is created the page writes its link
 * into the address bar (www/sandbox/history.js), without build=, so a reload would not ask for the
 * link's build.
 */
async function reopen(page, url) {
  await page.goto("about:blank");
  await page.goto(url);
}

/**
 * First visit to `hash`: once the service worker is active and its cache holds the build the page
 * runs, the cache has that build's wasm and simd128's (the fallback, precached) and no other build's;
 * then offline, the link opened again runs the same build and trains. Returns the page, still offline.
 */
async function offlineVisit(hash) {
  const wasm = wasmFiles();
  assert.ok(wasm.simd128, "pkg/'s wasm is in the build");
  const opened = await openPage(browser, `${server.url}${hash}`);
  const { context, page, problems } = opened;
  const online = await buildOf(page);
  await page.evaluate(() => navigator.serviceWorker.ready.then(() => true));
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: 30000 });
  // The page tells the service worker which build it runs (www/offline.js); the build's files arrive
  // in the cache shortly after.
  const want = wasm[online.build];
  const until = Date.now() + 30000;
  let files = await cachedFiles(page);
  while (!files.includes(want) && Date.now() < until) {
    await sleep(200);
    files = await cachedFiles(page);
  }
  assert.ok(files.includes(want), `the ${online.build} build's ${want} is cached: ${files.filter((f) => f.endsWith(".wasm"))}`);
  assert.ok(files.includes(wasm.simd128), "simd128, the fallback, is precached");
  for (const [build, file] of Object.entries(wasm)) {
    if (build !== online.build && build !== "simd128") assert.ok(!files.includes(file), `${build} (not run here) is not cached`);
  }
  const wasmBytes = Object.entries(wasm).filter(([, f]) => files.includes(f))
    .reduce((n, [, f]) => n + statSync(join(ROOT, DIST, "assets", f)).size, 0);
  console.log(`offline cache after a visit running ${online.build}: ${files.length} files, ${(wasmBytes / 1e6).toFixed(2)} MB of wasm`);

  await context.setOffline(true);
  await reopen(page, `${server.url}${hash}`);
  const offline = await buildOf(page);
  assert.equal(offline.build, online.build, `offline, the same build: ${offline.why}`);
  assert.equal(offline.why, online.why, "chosen for the same reason, not as a fallback");
  assert.equal(await page.evaluate(() => crossOriginIsolated), true, "the cached page keeps its COOP/COEP headers");
  assert.ok(await trains(page) > 5, "trains offline");
  assert.deepEqual(problems.pageErrors, []);
  assert.deepEqual(problems.consoleErrors, []);
  return { ...opened, wasm, online };
}

test("builds: the offline cache holds the build the page runs (not the others), and offline the page runs it and trains", async () => {
  const { context } = await offlineVisit("#seed=1");
  await context.close();
});

test("builds: offline, a link's build that was run online loads from the cache; one that was not falls back to a cached one and says why", async (t) => {
  if (chromiumOnly(t, "relaxed SIMD is Chromium's")) return;
  if (!built("pkg-relaxed")) { t.skip("pkg-relaxed/ is not built: no relaxed-simd build to cache"); return; }
  const { context, page, online } = await offlineVisit("#seed=1&build=relaxed-simd");
  try {
    assert.equal(online.build, "relaxed-simd", online.why);
    if (!built("pkg-threads")) { t.skip(`${NO_THREADS}; relaxed-simd checked`); return; }
    // Still offline: threads was never run here, so it is not cached; www/build.js falls back to
    // relaxed-simd, which is.
    await reopen(page, `${server.url}#seed=1&build=threads`);
    const info = await buildOf(page);
    assert.equal(info.build, "relaxed-simd", info.why);
    assert.match(info.why, /^build=threads asked for, but threads failed to start: /);
    assert.ok(await trains(page) > 5, "trains offline on the fallback");
  } finally {
    await context.close();
  }
});
