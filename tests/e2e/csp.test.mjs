// The pages under their strict Content-Security-Policy (vite.config.js, CSP), and the boot guard
// (public/boot.js).
//
// - Every built page declares the policy in a <meta>, and `vite preview` (make preview) sends it as a
//   header, on the pages and on the scripts, workers and service worker alike.
// - Every page of the production build, used as a student uses it (a run trained for a few steps,
//   the Runs… dialog, an ensemble, the labs computing, the deck's sandbox training inside its frame),
//   raises no `securitypolicyviolation`: a listener is installed in every frame before the page's
//   scripts run (addInitScript) and the test fails on any.
// - A link carrying markup (<img src=x onerror=…>) is shown as text, never parsed as HTML.
// - Boot: an invalid navigator.language ("C", as WebKit reports under LANG=C.UTF-8) is replaced;
//   WebAssembly refused by a policy, no SIMD and an error while the modules load each give a visible
//   message naming the cause; without IndexedDB the page names it and still trains.

import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { DIST, RESULTS, ROOT, browserName, sleep, startSuite, stat, waitReady } from "./helpers.mjs";
import { cifarBatch, cycleLabels, tempDir } from "./ownDataFiles.mjs";

let server, browser;
startSuite((s, b) => { server = s; browser = b; });

// Every input of the build (vite.config.js, build.rolldownOptions.input).
const PAGES = ["index.html", "embed.html", "labs.html", "search.html", "transfer.html", "slides/index.html",
  "examples/host.html"];

const MARKUP = "<img src=x onerror=window.__pwned=1>";

/** Installed in every frame before its scripts: records each policy violation. */
function recordViolations() {
  const seen = [];
  Object.defineProperty(window, "__cspViolations", { value: seen });
  document.addEventListener("securitypolicyviolation", (e) => {
    const v = `${e.effectiveDirective} blocked ${e.blockedURI || "(inline)"} at ${e.sourceFile}:${e.lineNumber} ` +
      `"${(e.sample || "").slice(0, 80)}"`;
    seen.push(v);
    console.error(`CSP violation: ${v}`);
  }, true);
}

/**
 * A screenshot, taken after the page's violations were checked: in Firefox (BiDi) Playwright adds a
 * <style> to the page for a screenshot, which the policy refuses (not the page's own violation).
 */
async function screenshot(page, name) {
  mkdirSync(RESULTS, { recursive: true });
  const path = join(RESULTS, `${name}.png`);
  await page.screenshot({ path, caret: "initial" });
  return path;
}

/** A fresh context and page with the violation recorder (and any extra init script) installed. */
async function open(url, { init = [], size = { width: 1280, height: 800 }, route = null } = {}) {
  const context = await browser.newContext({ viewport: size });
  await context.addInitScript(recordViolations);
  for (const s of init) await context.addInitScript(s);
  if (route) await context.route(route.match, route.handler);
  const page = await context.newPage();
  const found = { violations: [], errors: [] };
  page.on("console", (m) => {
    if (m.type() === "error" && m.text().startsWith("CSP violation:")) found.violations.push(m.text());
  });
  page.on("pageerror", (e) => found.errors.push(String(e)));
  await page.goto(url);
  return { context, page, found };
}

/** The boot guard's messages on the page: [{ missing, text }]. */
function bootMessages(page) {
  return page.$$eval(".boot-message", (ps) => ps.map((p) => ({ missing: p.dataset.missing, text: p.textContent })));
}

async function assertClean(page, found, what) {
  // Violations are reported asynchronously: give the last ones a moment to arrive.
  await sleep(300);
  assert.deepEqual(found.violations, [], `${what}: no policy violation`);
  assert.deepEqual(found.errors, [], `${what}: no page error`);
  assert.deepEqual(await bootMessages(page), [], `${what}: no boot message`);
}

test("csp: every built page declares the policy; vite preview sends it as a header on pages, scripts and workers", async () => {
  let policy = null;
  for (const p of PAGES) {
    const res = await fetch(server.url + p);
    assert.equal(res.status, 200, p);
    const html = await res.text();
    const meta = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html);
    assert.ok(meta, `${p} has the policy's meta`);
    policy ??= meta[1];
    assert.equal(meta[1], policy, `${p}: the same policy as the others`);
    assert.equal(res.headers.get("content-security-policy"), policy, `${p}: the header is the meta's policy`);
    // The meta comes before the first script, so it governs every one.
    assert.ok(html.indexOf(meta[0]) < html.indexOf("<script"), `${p}: the meta precedes the scripts`);
    assert.match(html, /<script src="(\.\.\/|\.\/)boot\.js"><\/script>/, `${p}: loads the boot guard`);
    assert.ok(html.indexOf("boot.js") < html.indexOf('type="module"'), `${p}: the boot guard before the modules`);
    assert.doesNotMatch(html, /\son[a-z]+=|\sstyle=|<style|<script>/i, `${p}: no inline handler, style or script`);
  }
  const directives = new Map(policy.split(";").map((d) => d.trim().split(/\s+/)).map(([k, ...v]) => [k, v]));
  assert.deepEqual(directives.get("script-src"), ["'self'", "'wasm-unsafe-eval'"]);
  assert.deepEqual(directives.get("style-src"), ["'self'"]);
  assert.deepEqual(directives.get("object-src"), ["'none'"]);
  assert.ok(!/unsafe-inline|'unsafe-eval'/.test(policy), policy);
  // Workers take their policy from their own response, not from the page's meta.
  const index = await (await fetch(server.url + "index.html")).text();
  const entry = /src="\.\/(assets\/main-[\w-]+\.js)"/.exec(index)[1];
  const workers = readdirSync(join(ROOT, DIST, "assets")).filter((f) => /[wW]orker-[\w-]+\.js$/.test(f));
  assert.ok(workers.length >= 3, `the build's workers: ${workers.join(", ")}`);
  for (const f of ["sw.js", "boot.js", entry, ...workers.map((w) => `assets/${w}`)]) {
    const res = await fetch(server.url + f);
    assert.equal(res.status, 200, f);
    assert.equal(res.headers.get("content-security-policy"), policy, `${f}: the header`);
  }
});

test("csp: the training page — a run trained a few steps, the Runs… dialog, an ensemble — raises no violation", async () => {
  const { context, page, found } = await open(`${server.url}index.html`, { size: { width: 1024, height: 768 } });
  try {
    await waitReady(page, 60000);
    await page.click("#playpause");
    await page.waitForFunction(() => Number(document.getElementById("stat-step")?.dataset.value) >= 5, null,
      { timeout: 60000 });
    await page.click("#playpause");
    assert.ok((await stat(page, "step")) >= 5);
    await page.click("#runs-open");
    await page.waitForFunction(() => document.getElementById("runs-dialog").open);
    await sleep(500);
    await page.click("#runs-close");
    // The update-ratio legend: one swatch per weight tensor, each with its colour (set from script).
    const swatches = await page.$$eval("#ratio-legend i.line", (is) => is.map((i) => getComputedStyle(i).backgroundColor));
    assert.ok(swatches.length >= 2, `ratio legend swatches: ${swatches.length}`);
    for (const c of swatches) assert.notEqual(c, "rgba(0, 0, 0, 0)", "a swatch has its colour");
    await assertClean(page, found, "index.html");
    console.log(`main page under the policy: ${await screenshot(page, "csp-main")}`);
  } finally {
    await context.close();
  }
  const ens = await open(`${server.url}index.html#steps=60&train=500|member=1`);
  try {
    await ens.page.waitForSelector(".legend i.line", { timeout: 60000 });
    await ens.page.waitForFunction(() => document.querySelector("#ensemble-card, .ensemble-chart") !== null, null,
      { timeout: 60000 });
    const colour = await ens.page.$eval(".ensemble-chart", (c) => getComputedStyle(
      c.closest("figure, section, div.card, [id]").querySelector(".legend i.line")).backgroundColor);
    assert.notEqual(colour, "rgba(0, 0, 0, 0)", "the ensemble legend's line has its colour");
    await assertClean(ens.page, ens.found, "index.html (ensemble)");
  } finally {
    await ens.context.close();
  }
});

test("csp: embed, labs, search, transfer, the host example and the deck's sandbox raise no violation", async () => {
  const cases = [
    ["embed.html#steps=50", async (page) => {
      await page.waitForFunction(() => window.trainlab?.runs?.[0]?.step > 0 || document.body.dataset.runState === "paused",
        null, { timeout: 60000 });
    }],
    ["labs.html", async (page) => {
      await page.waitForFunction(() => document.getElementById("init-lab").dataset.state === "done" &&
        document.getElementById("activations").dataset.state === "done", null, { timeout: 90000 });
    }, { width: 1024, height: 768 }, "csp-labs"],
    ["search.html", async (page) => {
      await page.waitForFunction(() => document.body.dataset.state === "ready", null, { timeout: 60000 });
    }],
    ["transfer.html", async (page) => {
      await page.waitForFunction(() => document.body.dataset.state !== undefined && document.body.dataset.state !== "loading",
        null, { timeout: 60000 });
    }],
    ["examples/host.html", async (page) => {
      await page.waitForLoadState("networkidle");
      await sleep(2000);
    }],
    ["slides/index.html#/activations", async (page) => {
      await page.waitForFunction(() => document.querySelector("#activations iframe")?.getAttribute("src"), null,
        { timeout: 30000 });
      const frame = await (await page.$("#activations iframe")).contentFrame();
      await frame.waitForFunction(() => window.trainlab?.runs?.[0]?.step > 2, null, { timeout: 90000 });
    }, { width: 1280, height: 720 }],
  ];
  for (const [path, ready, size, shot] of cases) {
    const { context, page, found } = await open(server.url + path, { size });
    try {
      await ready(page);
      await assertClean(page, found, path);
      if (shot) console.log(`${path} under the policy: ${await screenshot(page, shot)}`);
    } finally {
      await context.close();
    }
  }
});

test("csp: markup in a link (data set, unknown key, scenario, labs setting, frame key) is shown as text", async () => {
  const enc = encodeURIComponent(MARKUP);
  const links = [
    `index.html#data=${enc}&${enc}=1&lr=${enc}`,
    `index.html#scenario=${enc}`,
    `index.html#seed=1|${enc}=2`,
    `embed.html#lr=${enc}&charts=${enc}`,
    `labs.html#sigma=${enc}&act=${enc}`,
  ];
  for (const path of links) {
    const { context, page, found } = await open(server.url + path);
    try {
      await page.waitForSelector("#messages .message", { timeout: 60000 });
      await sleep(1000);
      const state = await page.evaluate(() => ({
        pwned: window.__pwned === 1,
        injected: document.querySelectorAll('img[src="x"]').length,
        text: document.getElementById("messages").textContent,
      }));
      assert.equal(state.pwned, false, `${path}: the handler did not run`);
      assert.equal(state.injected, 0, `${path}: no <img> was made from the link`);
      assert.ok(state.text.includes("<img src=x"), `${path}: the markup is shown as text (${state.text.slice(0, 300)})`);
      await assertClean(page, found, path);
    } finally {
      await context.close();
    }
  }
});

test("csp: a learner's data set whose class and file names carry markup, and a checkpoint downloaded and opened again: text only, no violation", async () => {
  const dir = tempDir("csp");
  try {
    // CIFAR-10 batches whose class names (batches.meta.txt) and an extra file's name carry markup.
    // Given as files (the files input), not as a folder: Firefox over BiDi cannot set a folder input.
    const files = {
      "data_batch_1.bin": cifarBatch(cycleLabels(30, 3)), "test_batch.bin": cifarBatch(cycleLabels(9, 3)),
      "batches.meta.txt": `${MARKUP}\nplain\n<b>bold</b>\n`, [`${MARKUP}.html`]: "<p>downloaded</p>",
    };
    for (const [name, bytes] of Object.entries(files)) writeFileSync(join(dir, name), bytes);
    const { context, page, found } = await open(`${server.url}index.html#seed=2&train=500`);
    try {
      await waitReady(page, 60000);
      const loads = await page.evaluate(() => Number(document.getElementById("data-card").dataset.loads ?? 0));
      await page.setInputFiles("#data-card .dc-files-input", Object.keys(files).map((f) => join(dir, f)),
        { timeout: 120000 });
      await page.waitForFunction((n) => Number(document.getElementById("data-card").dataset.loads ?? 0) > n, loads,
        { timeout: 120000 });
      const shown = await page.evaluate(() => ({
        card: document.getElementById("data-card").textContent,
        injected: document.querySelectorAll('img[src="x"]').length,
        pwned: window.__pwned === 1,
      }));
      assert.equal(shown.injected, 0, "no <img> made from a folder or file name");
      assert.equal(shown.pwned, false);
      assert.equal(await page.$$eval("#data-card b", (b) => b.length), 0, "no <b> made from a class name");
      assert.ok(shown.card.includes(`${MARKUP}.html`), "the ignored file is named, as text");
      assert.ok(shown.card.includes("<img src=x") && shown.card.includes("<b>bold</b>"),
        `the class names are shown as text: ${shown.card.slice(0, 300)}`);
      assert.deepEqual(await page.evaluate(() => window.trainlab.sandbox.dataSummary().classNames),
        [MARKUP, "plain", "<b>bold</b>"], "the class names as given");
      // Train a little on it, then a checkpoint: downloaded (a blob: link) and opened as a run.
      await page.waitForFunction(() => document.body.dataset.runState === "paused" && !window.trainlab.sandbox.editing?.run.busy,
        null, { timeout: 60000 });
      await page.click("#playpause");
      await page.waitForFunction(() => window.trainlab.runs[0]?.step > 5, null, { timeout: 60000 });
      await page.click("#playpause");
      await page.click("#runs-open");
      await page.waitForSelector("#portable .portable-actions button");
      // The file's bytes are read from the blob the page makes (Firefox over BiDi reports no download
      // of a blob: URL); Chromium also shows the download itself.
      await page.evaluate(() => {
        const make = URL.createObjectURL;
        URL.createObjectURL = (blob) => { window.__lastBlob = blob; return make.call(URL, blob); };
      });
      const click = () => page.click('#portable button:text-is("Download checkpoint (.safetensors)")');
      let name = "checkpoint.safetensors";
      if (browserName() === "chromium") {
        const [download] = await Promise.all([page.waitForEvent("download", { timeout: 60000 }), click()]);
        name = download.suggestedFilename();
        assert.ok(readFileSync(await download.path()).length > 1000, "the download has the checkpoint");
      } else {
        await click();
      }
      await page.waitForFunction(() => window.__lastBlob !== undefined, null, { timeout: 60000 });
      const bytes = Buffer.from(await page.evaluate(async () => [...new Uint8Array(await window.__lastBlob.arrayBuffer())]));
      assert.ok(bytes.length > 1000, `a checkpoint of ${bytes.length} bytes`);
      await page.setInputFiles("#portable-file", { name, mimeType: "application/octet-stream", buffer: bytes });
      await page.waitForFunction(() => window.trainlab.runs.length === 2, null, { timeout: 60000 });
      await assertClean(page, found, "own images and a checkpoint");
    } finally {
      await context.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("boot: navigator.language \"C\" (WebKit under LANG=C.UTF-8) becomes en-US and the page trains", async () => {
  const { context, page, found } = await open(`${server.url}index.html`, {
    init: [() => Object.defineProperty(navigator, "language", { configurable: true, get: () => "C" })],
  });
  try {
    // Without the guard, Intl refuses "C" and uPlot's module would throw at load.
    assert.equal(await page.evaluate(() => { try { new Intl.NumberFormat("C"); return "accepted"; } catch (e) { return e.name; } }),
      "RangeError");
    await waitReady(page, 60000);
    assert.equal(await page.evaluate(() => navigator.language), "en-US");
    await assertClean(page, found, "locale C");
  } finally {
    await context.close();
  }
});

test("boot: WebAssembly refused by a site's policy, no SIMD, a missing script, an error while loading: each named on screen", async () => {
  // A course site whose policy lacks 'wasm-unsafe-eval': the page's HTML (meta and header) without it.
  const blocked = await open(`${server.url}index.html`, {
    route: {
      match: (u) => u.pathname.endsWith("/index.html"),
      handler: async (route) => {
        const res = await route.fetch();
        const strip = (t) => t.replaceAll(" 'wasm-unsafe-eval'", "");
        await route.fulfill({
          response: res, body: strip(await res.text()),
          headers: { ...res.headers(), "content-security-policy": strip(res.headers()["content-security-policy"]) },
        });
      },
    },
  });
  try {
    await blocked.page.waitForSelector('.boot-message[data-missing="wasm-csp"]', { state: "visible", timeout: 15000 });
    const [m] = (await bootMessages(blocked.page)).filter((x) => x.missing === "wasm-csp");
    assert.match(m.text, /WebAssembly is blocked by this site's Content-Security-Policy: its script-src needs 'wasm-unsafe-eval'/);
  } finally {
    await blocked.context.close();
  }

  // No SIMD: the browser's validator refuses the SIMD probe (as an engine without SIMD does).
  const noSimd = await open(`${server.url}index.html`, {
    init: [() => {
      const validate = WebAssembly.validate;
      WebAssembly.validate = (bytes) => !new Uint8Array(bytes).includes(0xfd) && validate(bytes);
    }],
  });
  try {
    await noSimd.page.waitForSelector('.boot-message[data-missing="wasm-simd"]', { state: "visible", timeout: 15000 });
    const [m] = await bootMessages(noSimd.page);
    assert.match(m.text, /no SIMD instructions/);
  } finally {
    await noSimd.context.close();
  }

  // The page's script that does not arrive (a host that lost a file): named with the file.
  const missing = await open(`${server.url}index.html`, {
    route: { match: (u) => /\/assets\/main-[\w-]+\.js$/.test(u.pathname), handler: (route) => route.fulfill({ status: 404 }) },
  });
  try {
    await missing.page.waitForSelector(".boot-message", { state: "visible", timeout: 15000 });
    const texts = (await bootMessages(missing.page)).map((x) => x.text).join(" ");
    assert.match(texts, /The page hit an error: http:\/\/[^ ]+\/assets\/main-[\w-]+\.js/);
  } finally {
    await missing.context.close();
  }

  // An error while the modules load (what the invalid locale did): named, not a silent "Loading…".
  const broken = await open(`${server.url}index.html`, {
    init: [() => {
      const Real = Intl.NumberFormat;
      Intl.NumberFormat = function () { throw new RangeError("Incorrect locale information provided (test)"); };
      Intl.NumberFormat.supportedLocalesOf = Real.supportedLocalesOf;
    }],
  });
  try {
    await broken.page.waitForSelector(".boot-message", { state: "visible", timeout: 15000 });
    const texts = (await bootMessages(broken.page)).map((x) => x.text).join(" ");
    assert.match(texts, /The page hit an error: .*Incorrect locale information provided \(test\)/);
  } finally {
    await broken.context.close();
  }
});

test("boot: without IndexedDB the page names it and still trains", async () => {
  const { context, page, found } = await open(`${server.url}index.html`, {
    init: [() => { Object.defineProperty(window, "indexedDB", { configurable: true, get: () => undefined }); }],
  });
  try {
    await page.waitForFunction(() => [...document.querySelectorAll("#messages .message p")]
      .some((p) => /no IndexedDB/.test(p.textContent)), null, { timeout: 30000 });
    const text = await page.$$eval("#messages .message p", (ps) => ps.map((p) => p.textContent).join(" "));
    assert.match(text, /Your runs are not kept on this computer: this browser gives the page no IndexedDB .*The page trains as usual/);
    await waitReady(page, 60000);
    await page.click("#playpause");
    await page.waitForFunction(() => Number(document.getElementById("stat-step")?.dataset.value) >= 3, null,
      { timeout: 60000 });
    await assertClean(page, found, "no IndexedDB");
  } finally {
    await context.close();
  }
});
