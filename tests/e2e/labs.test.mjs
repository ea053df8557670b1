// End-to-end tests of the labs page (labs.html): the initialization lab and the activation
// explorer, against the production build served by `vite preview` (helpers.mjs starts it, building
// dist/ first if it is missing). Numbers are read from what the page prints, as a student reads them.
// Screenshots go to test-results/labs-*.png.

import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { DIST, ROOT, openPage, screenshot, startSuite } from "./helpers.mjs";

const LECTURE_ACTIVATIONS = ["sigmoid", "tanh", "step", "softplus", "relu", "softsign", "elu", "logsigmoid",
  "leakyrelu", "swish", "sinc", "mish"];

let server, browser;
startSuite((s, b) => { server = s; browser = b; });

const labsUrl = (hash = "") => `${server.url}labs.html${hash}`;

/** Wait until every requested init-lab row is computed (and the explorer has its plots). */
async function waitLabDone(page, timeout = 90000) {
  await page.waitForFunction(
    () => document.getElementById("init-lab").dataset.state === "done" &&
      document.getElementById("activations").dataset.state === "done",
    null, { timeout },
  );
}

/** Per-layer stds of one row as printed under its histograms ("std 0.297"), layer 1 first. */
async function printedStds(page, row) {
  const texts = await page.$$eval(`[data-row="${row}"] .il-cell .il-std`, (els) => els.map((e) => e.textContent));
  return texts.map((t) => {
    const m = /^std\s+([-−]?[\d.]+(?:e[-−+]?\d+)?)$/.exec(t.trim());
    assert.ok(m, `printed std "${t}" of row ${row}`);
    return Number(m[1].replace("−", "-"));
  });
}

async function messages(page) {
  return page.$$eval("#messages .message", (ms) => ms.map((m) => m.textContent));
}

/** Fraction of a canvas's pixels that are not transparent (it was drawn on). */
async function inkOf(page, selector) {
  return page.$$eval(selector, (cs) => cs.map((c) => {
    const d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
    let ink = 0;
    for (let i = 3; i < d.length; i += 4) if (d[i] > 0) ink++;
    return ink / (c.width * c.height);
  }));
}

test("labs page loads with no console errors and no request leaving localhost; links back to the sandbox", async () => {
  const { context, page, problems } = await openPage(browser, labsUrl());
  try {
    await waitLabDone(page);
    await page.waitForTimeout(300);
    assert.deepEqual(problems.pageErrors, [], "uncaught errors");
    assert.deepEqual(problems.consoleErrors, [], "console errors");
    assert.deepEqual(problems.failedRequests, [], "failed requests");
    assert.deepEqual(problems.foreignRequests, [], "requests to non-localhost hosts");
    assert.deepEqual(await messages(page), [], "no message on a clean load");
    assert.equal(await page.getAttribute("a.back", "href"), "./index.html");
    const res = await page.request.get(`${server.url}index.html`);
    assert.equal(res.status(), 200, "the link back leads to the sandbox page");
    await screenshot(page, "labs-init-1280x800");
  } finally {
    await context.close();
  }
});

test("init lab: Xavier stays scaled, σ = 0.01 collapses; numbers read from the page", async () => {
  const { context, page, problems } = await openPage(browser, labsUrl());
  try {
    await waitLabDone(page);
    const width = await page.inputValue("#il-width");
    const rows = {};
    for (const row of ["small", "xavier", "large", "xavier-relu", "kaiming"]) {
      rows[row] = await printedStds(page, row);
      assert.equal(rows[row].length, 6, `${row}: six layers printed`);
      // What is printed is what the core returned (data-std), to 3 decimals or 2 significant digits.
      const exact = await page.$$eval(`[data-row="${row}"] .il-cell`, (cs) => cs.map((c) => Number(c.dataset.std)));
      exact.forEach((v, i) => assert.ok(Math.abs(v - rows[row][i]) <= Math.max(0.0006, 0.05 * v), `${row} L${i + 1}: ${v} vs ${rows[row][i]}`));
    }
    console.log(`width ${width}:`, Object.entries(rows).map(([k, v]) => `${k} ${v.join(" ")}`).join(" | "));
    const xs = rows.xavier, ss = rows.small;
    assert.ok(xs[5] >= 0.2 && xs[5] <= 0.7, `Xavier's last-layer std ${xs[5]} in [0.2, 0.7]`);
    assert.ok(ss[5] < 0.1, `σ = 0.01: last-layer std ${ss[5]} below 0.1 ("activations tend to zero")`);
    assert.ok(ss[5] < ss[0], `σ = 0.01: last layer ${ss[5]} smaller than the first ${ss[0]}`);
    // Kaiming keeps ReLU's scale; Xavier under ReLU halves the variance at every layer.
    assert.ok(Math.min(...rows.kaiming) > 0.5, `Kaiming stds ${rows.kaiming}`);
    assert.ok(rows["xavier-relu"][5] < 0.5 * rows["xavier-relu"][0], `Xavier+ReLU shrinks: ${rows["xavier-relu"]}`);
    // The verdicts say so in the lecture's words.
    assert.match(await page.textContent('[data-row="small"] .il-verdict'), /tend to zero/);
    assert.match(await page.textContent('[data-row="xavier"] .il-verdict'), /[Jj]ust right/);
    // Every histogram was drawn.
    const ink = await inkOf(page, '.il-row:not([data-row="custom"]) canvas');
    assert.equal(ink.length, 30);
    assert.ok(ink.every((f) => f > 0.01), `all 30 histograms have ink: ${ink.map((f) => f.toFixed(2))}`);
    assert.deepEqual(problems.pageErrors, []);
  } finally {
    await context.close();
  }
});

test("init lab at the slide's size (4096): σ = 0.05 saturates, the page stays responsive", async () => {
  const { context, page, problems } = await openPage(browser, labsUrl());
  try {
    await waitLabDone(page);
    // Watch the main thread while the worker computes: its long tasks (> 50 ms), and for the log
    // the longest gap between animation frames (which also grows with the machine's load).
    await page.evaluate(() => {
      window.__long = [];
      new PerformanceObserver((list) => { for (const e of list.getEntries()) window.__long.push(e.duration); })
        .observe({ type: "longtask" });
      window.__gaps = { max: 0, last: performance.now(), on: true };
      const tick = (t) => {
        const g = window.__gaps;
        g.max = Math.max(g.max, t - g.last);
        g.last = t;
        if (g.on) requestAnimationFrame(tick);
      };
      requestAnimationFrame(tick);
    });
    const t0 = Date.now();
    await page.selectOption("#il-width", "4096");
    await page.waitForFunction(() => document.getElementById("init-lab").dataset.state === "running");
    await waitLabDone(page, 120000);
    const maxGap = await page.evaluate(() => { window.__gaps.on = false; return window.__gaps.max; });
    const longTasks = await page.evaluate(() => window.__long.map(Math.round));
    const seconds = (Date.now() - t0) / 1000;
    assert.equal(await page.textContent("#il-code-width"), "4096");
    assert.match(new URL(page.url()).hash, /width=4096/);
    const xs = await printedStds(page, "xavier"), ss = await printedStds(page, "small");
    const sat = await page.$$eval('[data-row="large"] .il-cell', (cs) => cs.map((c) => Number(c.dataset.saturated)));
    const satText = await page.$$eval('[data-row="large"] .il-extra.sat', (es) => es.map((e) => e.textContent));
    console.log(`4096 in ${seconds.toFixed(1)} s, main-thread long tasks [${longTasks}] ms, longest frame gap ` +
      `${maxGap.toFixed(0)} ms; xavier ${xs.join(" ")}; ` +
      `σ=0.01 ${ss.join(" ")}; σ=0.05 ${satText.join(" ")}`);
    assert.ok(xs.every((v) => v >= 0.2 && v <= 0.7), `Xavier every layer in [0.2, 0.7]: ${xs}`);
    assert.ok(ss.every((v, i) => i === 0 || v < ss[i - 1]) && ss[5] < 0.1, `σ = 0.01 shrinks at every layer to < 0.1: ${ss}`);
    assert.ok(sat.every((f) => f > 0.25), `σ = 0.05 more than a quarter saturated in every layer: ${sat}`);
    assert.equal(satText.length, 6, "the saturated share is printed under every layer");
    assert.match(await page.textContent('[data-row="large"] .il-verdict'), /saturate.*no learning/s);
    // The worker computes, the page only draws: no main-thread task near the ~1 s a row takes.
    // (Generous bound: on a loaded 2-core machine a 30 ms task can be stretched.)
    assert.ok(longTasks.every((d) => d < 200), `main-thread long tasks ${longTasks} ms`);
    await page.locator("#init-lab").scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(ROOT, "test-results", "labs-init-4096-full.png"), fullPage: true });
    assert.deepEqual(problems.pageErrors, []);
    assert.deepEqual(problems.consoleErrors, []);
  } finally {
    await context.close();
  }
});

test("bad σ gives a message naming the value; the page keeps working", async () => {
  const { context, page, problems } = await openPage(browser, labsUrl());
  try {
    await waitLabDone(page);
    for (const bad of ["-1", "abc", "0"]) {
      await page.fill("#il-sigma", bad);
      await page.press("#il-sigma", "Enter");
      await page.waitForSelector('#messages .message[data-id="sigma"]');
      const text = await page.textContent('#messages .message[data-id="sigma"]');
      assert.ok(text.includes(`"${bad}"`), `message names ${bad}: ${text}`);
      assert.equal(await page.getAttribute("#il-sigma", "aria-invalid"), "true");
      assert.equal(await page.getAttribute('[data-row="custom"]', "data-state"), "off", "no row for a bad σ");
    }
    await screenshot(page, "labs-bad-sigma");
    // Run with a bad σ typed: still reported, the five lecture rows still run.
    await page.fill("#il-sigma", "abc");
    await page.click("#il-run");
    await waitLabDone(page);
    assert.ok((await page.textContent('#messages .message[data-id="sigma"]')).includes('"abc"'));
    assert.equal(await page.getAttribute('[data-row="xavier"]', "data-state"), "done");
    // A good σ: the message goes, a sixth row appears with its numbers.
    await page.fill("#il-sigma", "0.001");
    await page.press("#il-sigma", "Enter");
    await page.waitForFunction(() => document.querySelector('[data-row="custom"]').dataset.state === "done");
    assert.equal(await page.$('#messages .message[data-id="sigma"]'), null, "message dismissed");
    const cs = await printedStds(page, "custom");
    assert.ok(cs[5] < cs[0] && cs[5] < 0.01, `σ = 0.001 collapses: ${cs}`);
    assert.match(new URL(page.url()).hash, /sigma=0\.001/);
    // A bad value in a link is named too, and the rest of the link applies.
    await page.goto("about:blank");   // a real load, not just a hash change
    await page.goto(labsUrl("#sigma=-1&width=999&seed=3"));
    await waitLabDone(page);
    const ms = (await messages(page)).join("\n");
    assert.ok(ms.includes('"-1"') && ms.includes('"999"'), ms);
    assert.equal(await page.inputValue("#il-seed"), "3");
    assert.deepEqual(problems.pageErrors, [], "the page never died");
  } finally {
    await context.close();
  }
});

test("a σ so large that ReLU activations overflow 32-bit floats is called an overflow, not a collapse", async () => {
  const { context, page, problems } = await openPage(browser, labsUrl("#sigma=1e6&act=relu"));
  try {
    await waitLabDone(page);
    const verdict = await page.textContent('[data-row="custom"] .il-verdict');
    console.log(`σ = 1e6, ReLU, width 1024: ${verdict}`);
    assert.match(verdict, /Overflow/);
    const flags = await page.$$eval('[data-row="custom"] .il-cell', (cs) => cs.map((c) => c.dataset.overflow === "1"));
    assert.ok(flags.some(Boolean) && !flags[0], `overflow flagged after layer 1: ${flags}`);
    assert.match(await page.textContent('[data-row="custom"] .il-cell[data-overflow="1"] .il-stats'), /Inf \/ NaN/);
    await page.locator('[data-row="custom"]').first().scrollIntoViewIfNeeded();
    await screenshot(page, "labs-overflow");
    // Beyond f32 altogether: refused up front, named.
    await page.fill("#il-sigma", "1e39");
    await page.press("#il-sigma", "Enter");
    await page.waitForSelector('#messages .message[data-id="sigma"]');
    assert.ok((await page.textContent('#messages .message[data-id="sigma"]')).includes('"1e39"'));
    assert.deepEqual(problems.pageErrors, []);
    assert.deepEqual(problems.consoleErrors, []);
  } finally {
    await context.close();
  }
});

test("activation explorer: 12 plots of f and f′ with the lecture's notes", async () => {
  const { context, page, problems } = await openPage(browser, labsUrl());
  try {
    await waitLabDone(page);
    const kinds = await page.$$eval("#act-grid .act-card", (cs) => cs.map((c) => c.dataset.kind));
    assert.deepEqual([...kinds].sort(), [...LECTURE_ACTIVATIONS].sort());
    assert.equal(await page.$$eval('#act-grid .act-card[data-drawn="1"]', (cs) => cs.length), 12);
    const ink = await inkOf(page, "#act-grid .act-card canvas");
    assert.ok(ink.length >= 12 && ink.every((f) => f > 0.005), `12 drawn plots: ${ink.map((f) => f.toFixed(3))}`);
    // The lecture's notes are beside the plots.
    const notes = await page.$$eval("#act-grid .act-card", (cs) => Object.fromEntries(cs.map((c) => [c.dataset.kind, c.querySelector(".act-notes").textContent])));
    assert.match(notes.sigmoid, /kill.*gradients/s);
    assert.match(notes.sigmoid, /zero-centred/);
    assert.match(notes.sigmoid, /exp\(\)/);
    assert.match(notes.relu, /[Dd]oes not saturate/);
    assert.match(notes.leakyrelu, /dying ReLU/);
    // Hover ReLU right of 0: f′ = 1.
    const plot = page.locator('.act-card[data-kind="relu"] .u-over');
    await plot.scrollIntoViewIfNeeded();
    const box = await plot.boundingBox();
    await page.mouse.move(box.x + box.width * 0.8, box.y + box.height / 2);
    await page.waitForFunction(() => document.querySelector('.act-card[data-kind="relu"] .act-readout').textContent.includes("f′"));
    const readout = await page.textContent('.act-card[data-kind="relu"] .act-readout');
    assert.match(readout, /f′ = 1\b/, readout);
    await page.locator("#activations").scrollIntoViewIfNeeded();
    await screenshot(page, "labs-activations-1280x800");
    // f′ can be hidden and shown again.
    await page.uncheck("#act-derivative");
    await page.check("#act-derivative");
    assert.deepEqual(problems.pageErrors, []);
    assert.deepEqual(problems.consoleErrors, []);
  } finally {
    await context.close();
  }
});

test("slide size (800×500) and show= for embedding", async () => {
  const { context, page, problems } = await openPage(browser, labsUrl("#show=init"), { width: 800, height: 500 });
  try {
    await waitLabDone(page);
    assert.equal(await page.isVisible("#activations"), false, "show=init hides the explorer");
    assert.equal(await page.isVisible("#il-grid"), true);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(overflow <= 0, `no horizontal scroll at 800 px (${overflow} px)`);
    await screenshot(page, "labs-init-800x500");
    await page.goto("about:blank");
    await page.goto(labsUrl("#show=activations"));
    await waitLabDone(page);
    assert.equal(await page.isVisible("#init-lab"), false, "show=activations hides the init lab");
    await screenshot(page, "labs-activations-800x500");
    // fn= picks the functions a slide is about; an unknown name is named.
    await page.goto("about:blank");
    await page.goto(labsUrl("#show=activations&fn=relu,leakyrelu,relu6"));
    await waitLabDone(page);
    const shown = await page.$$eval("#act-grid .act-card", (cs) => cs.filter((c) => !c.hidden).map((c) => c.dataset.kind));
    assert.deepEqual(shown, ["relu", "leakyrelu"]);
    assert.ok((await messages(page)).some((m) => m.includes('"relu6"')), "unknown fn named");
    await page.click('#messages .message[data-id="fn"] .message-close');
    await page.waitForTimeout(200);
    await screenshot(page, "labs-relu-vs-leaky-800x500");
    assert.deepEqual(problems.pageErrors, []);
  } finally {
    await context.close();
  }
});

test("dist/sw.js caches the labs page and its assets", () => {
  const sw = readFileSync(join(ROOT, DIST, "sw.js"), "utf8");
  const assets = JSON.parse(/const ASSETS = (\[.*?\]);/s.exec(sw)[1]);
  assert.ok(assets.includes("./labs.html"), "labs.html listed");
  const html = readFileSync(join(ROOT, DIST, "labs.html"), "utf8");
  const refs = [...html.matchAll(/(?:src|href)="\.\/(assets\/[^"]+)"/g)].map((m) => `./${m[1]}`);
  assert.ok(refs.length >= 2, `labs.html references its assets: ${refs}`);
  for (const r of refs) assert.ok(assets.includes(r), `${r} cached`);
  const workers = assets.filter((a) => /\/worker-[^/]+\.js$/.test(a));
  assert.ok(workers.length >= 2, `both pages' workers cached: ${workers}`);
});

// www/sw.js answers an offline navigation with the cached copy of the page asked for (not always "./").
test("labs page works offline once loaded (service worker)", async () => {
  const { context, page } = await openPage(browser, labsUrl());
  try {
    await waitLabDone(page);
    await page.evaluate(() => navigator.serviceWorker.ready.then(() => true));
    await context.setOffline(true);
    await page.reload();
    assert.match(await page.title(), /labs/, "the labs page, not the sandbox");
    await waitLabDone(page);
    assert.equal(await page.$$eval('#act-grid .act-card[data-drawn="1"]', (cs) => cs.length), 12);
  } finally {
    await context.close();
  }
});
