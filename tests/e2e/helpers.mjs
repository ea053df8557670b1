// Shared helpers for the end-to-end tests (not a test file itself).
//
// Server: the tests run against the PRODUCTION build, served by `vite preview` from dist/ on a free
// localhost port, because that is what students get (service worker included). If dist/ is missing
// it is built first with `vite build`. Set TRAINLAB_E2E_URL to test an already running server instead,
// or TRAINLAB_DIST to build and serve another folder than dist/ (several checkouts testing at once).
// Browser: TRAINLAB_BROWSER=chromium (default: the system Chromium over CDP) or firefox (Debian's
// firefox-esr over WebDriver BiDi), both driven by playwright-core; Playwright's own browser
// downloads do not work here. playwright-core is pinned to 1.64.1: 1.65 sends a BiDi command
// (emulation.setMediaFeaturesOverride) at every newContext that Firefox ESR 153 does not know.

import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { after, before } from "node:test";
import { chromium, firefox } from "playwright-core";

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const RESULTS = join(ROOT, "test-results");
const VITE = join(ROOT, "node_modules", ".bin", "vite");
export const DIST = process.env.TRAINLAB_DIST || "dist";

export const CHROMIUM_ARGS = [
  "--no-sandbox", "--headless=new", "--disable-gpu", "--disable-background-networking",
  "--disable-component-update", "--disable-sync", "--no-first-run",
];

/** A free TCP port on 127.0.0.1 (also the WebKit smoke suite's driver port). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

async function waitForHttp(url, child, timeoutMs = 30000) {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (child.exitCode !== null) throw new Error(`server exited early with code ${child.exitCode}`);
    try {
      const res = await fetch(url);
      if (res.ok) return;
    } catch { /* not up yet */ }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`server at ${url} did not answer within ${timeoutMs} ms`);
}

/** Start `vite preview` on dist/ (building it if needed). Returns { url, stop }. */
export async function startServer() {
  if (process.env.TRAINLAB_E2E_URL) return { url: process.env.TRAINLAB_E2E_URL, stop: async () => {} };
  if (!existsSync(join(ROOT, DIST, "index.html"))) {
    const b = spawnSync(VITE, ["build", "--outDir", DIST], { cwd: ROOT, stdio: "inherit" });
    if (b.status !== 0) throw new Error("vite build failed");
  }
  const port = await freePort();
  const child = spawn(VITE, ["preview", "--outDir", DIST, "--host", "127.0.0.1", "--port", String(port), "--strictPort"], {
    cwd: ROOT, stdio: ["ignore", "pipe", "pipe"], detached: true,
  });
  let log = "";
  child.stdout.on("data", (d) => { log += d; });
  child.stderr.on("data", (d) => { log += d; });
  const url = `http://127.0.0.1:${port}/`;
  try {
    await waitForHttp(url, child);
  } catch (e) {
    try { process.kill(-child.pid, "SIGTERM"); } catch { /* gone */ }
    throw new Error(`${e.message}\n${log}`);
  }
  return {
    url,
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once("exit", r));
      try { process.kill(-child.pid, "SIGTERM"); } catch { /* gone */ }
      await Promise.race([exited, new Promise((r) => setTimeout(r, 3000))]);
    },
  };
}

/** A suite's server and browser: started before its first test, given to `set(server, browser)`, stopped after its last. */
export function startSuite(set) {
  let server, browser;
  before(async () => {
    server = await startServer();
    browser = await launchBrowser();
    set(server, browser);
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });
}

const BROWSERS = ["chromium", "firefox"];

/** The browser this run tests in: "chromium" or "firefox" (TRAINLAB_BROWSER). */
export function browserName() {
  const name = process.env.TRAINLAB_BROWSER || "chromium";
  if (!BROWSERS.includes(name)) {
    throw new Error(`TRAINLAB_BROWSER is "${name}"; expected one of ${BROWSERS.join(", ")}`);
  }
  return name;
}

/** Skip test `t` with `reason` unless the run is in Chromium; true when skipped (the caller returns). */
export function chromiumOnly(t, reason) {
  if (browserName() === "chromium") return false;
  t.skip(`${reason} (Chromium only; this run is ${browserName()})`);
  return true;
}

/** Why a test that picks a folder skips itself in Firefox (for chromiumOnly). */
export const FOLDER_UPLOAD = "it picks a folder (webkitdirectory), and WebDriver BiDi's input.setFiles refuses a directory " +
  "in Firefox (NS_ERROR_FILE_IS_DIRECTORY)";

export function launchBrowser() {
  if (browserName() === "firefox") {
    return firefox.launch({
      channel: "moz-firefox", executablePath: process.env.FIREFOX ?? "/usr/bin/firefox-esr", headless: true,
    });
  }
  return chromium.launch({ executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium", args: CHROMIUM_ARGS });
}

// Firefox over BiDi: every screenshot makes the browser insert a <style> of its own into the page,
// which the page's policy (style-src 'self') blocks and reports as a page error. It is always the
// same style, so its hash names it; nothing of the page's own is dropped.
// fromHarness(text): true for that report (tests with their own listeners use it too).
const SCREENSHOT_STYLE = "sha256-YjaKGiklmzC6wjXA513HAMmzus8VE61XCOT+SmwNZWA=";
export const fromHarness = (text) => browserName() === "firefox" && text.includes(SCREENSHOT_STYLE) &&
  text.includes("style-src-elem");

/**
 * Firefox over BiDi (playwright-core 1.64.1): page.fill on an <input type="number"> appends to the
 * text instead of replacing it ("32" filled with "16" reads "3216"), as it cannot select inside a
 * number input. So a number input is emptied first (no event: the page sees only fill's input).
 */
function emptyNumberInputsBeforeFill(page) {
  const fill = page.fill.bind(page);
  page.fill = async (selector, value, options) => {
    await page.$eval(selector, (e) => { if (e instanceof HTMLInputElement && e.type === "number") e.value = ""; })
      .catch(() => { /* fill itself names a missing element */ });
    return fill(selector, value, options);
  };
}

/**
 * A fresh page (own context) that records console errors, page errors, failed requests and
 * requests to hosts other than localhost.
 */
export async function openPage(browser, url, { width = 1280, height = 800 } = {}) {
  const context = await browser.newContext({ viewport: { width, height } });
  const page = await context.newPage();
  const problems = { consoleErrors: [], pageErrors: [], failedRequests: [], foreignRequests: [] };
  page.on("console", (m) => { if (m.type() === "error" && !fromHarness(m.text())) problems.consoleErrors.push(m.text()); });
  page.on("pageerror", (e) => { if (!fromHarness(String(e))) problems.pageErrors.push(String(e)); });
  context.on("requestfailed", (r) => problems.failedRequests.push(`${r.url()} ${r.failure()?.errorText}`));
  context.on("response", (r) => { if (r.status() >= 400) problems.failedRequests.push(`${r.url()} HTTP ${r.status()}`); });
  context.on("request", (r) => {
    const u = new URL(r.url());
    if (!["http:", "https:", "ws:", "wss:"].includes(u.protocol)) return;   // data:, blob:
    if (!["127.0.0.1", "localhost", "[::1]"].includes(u.hostname)) problems.foreignRequests.push(r.url());
  });
  if (browserName() === "firefox") emptyNumberInputsBeforeFill(page);
  await page.goto(url);
  return { context, page, problems };
}

/** Wait until the page has a run and is paused (ready to play). */
export async function waitReady(page, timeout = 30000) {
  await page.waitForFunction(() => document.body.dataset.runState === "paused", null, { timeout });
}

/** A numeric stat from the page (data-value of #stat-<key>), or NaN. */
export async function stat(page, key) {
  return page.evaluate((k) => {
    const v = document.getElementById(`stat-${k}`)?.dataset.value;
    return v === undefined ? NaN : Number(v);
  }, key);
}

export async function messageTexts(page) {
  return page.$$eval("#messages .message p", (ps) => ps.map((p) => p.textContent));
}

/** Wait until a message on the page starts with `prefix`, and return its text. */
export async function waitForMessage(page, prefix, timeout = 30000) {
  await page.waitForFunction((pre) => [...document.querySelectorAll("#messages .message p")]
    .some((p) => p.textContent.startsWith(pre)), prefix, { timeout });
  return (await messageTexts(page)).find((t) => t.startsWith(prefix));
}

export async function screenshot(page, name) {
  mkdirSync(RESULTS, { recursive: true });
  const path = join(RESULTS, `${name}.png`);
  await page.screenshot({ path });
  return path;
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Top-level tasks of the page's main thread in a Chrome trace's events: [{ wall, cpu }] in ms. */
export function mainThreadTasks(events) {
  const main = events.filter((e) => e.name === "thread_name" && e.args?.name === "CrRendererMain")
    .map((e) => `${e.pid}:${e.tid}`);
  // `tdur` is the thread's own CPU time; `dur` also counts the time the OS kept the thread off a core.
  return events.filter((e) => e.name === "RunTask" && e.ph === "X" && main.includes(`${e.pid}:${e.tid}`) && e.dur > 0)
    .map((e) => ({ wall: e.dur / 1000, cpu: (e.tdur ?? e.dur) / 1000 }));
}

/**
 * The main thread's tasks while `during()` runs, from a Chrome trace: [{ wall, cpu }] in ms.
 * Why CPU time: with more busy workers than cores (4 runs on 2 CPUs that other work shares), the OS
 * can deschedule the main thread in the middle of a 10 ms redraw and stretch it to 100 ms of wall
 * time; that is not the page blocking. The CPU time is what the page's own code costs.
 */
export async function traceMainThread(browser, page, during) {
  if (browserName() !== "chromium") throw new Error("traceMainThread needs Chromium's tracing (skip the test first)");
  await browser.startTracing(page, { categories: ["devtools.timeline", "disabled-by-default-devtools.timeline"] });
  let failure = null;
  try {
    await during();
  } catch (err) {
    failure = err;
  }
  // Tracing is stopped even when `during` failed: the browser allows one trace at a time.
  const trace = await browser.stopTracing();
  if (failure) throw failure;
  return mainThreadTasks(JSON.parse(trace.toString()).traceEvents);
}

/**
 * Run `action` (which makes the page save a file) and return the saved file: { name, bytes }.
 * Chromium: Playwright's download event. Firefox over BiDi (playwright-core 1.64.1, ESR 153) reports
 * downloads of data: URLs but never those of blob: URLs, which is how the page saves files
 * (www/portable/files.js). So in Firefox the page's <a download> clicks are watched in the page
 * itself: the link's name and its blob's bytes are what the browser would have saved.
 */
export async function expectDownload(page, action, timeout = 60000) {
  if (browserName() === "chromium") {
    const [download] = await Promise.all([page.waitForEvent("download", { timeout }), action()]);
    return { name: download.suggestedFilename(), bytes: readFileSync(await download.path()) };
  }
  await page.evaluate(() => {
    window.__savedFiles = [];
    if (window.__savedFilesHooked) return;
    window.__savedFilesHooked = true;
    // The Blob behind each object URL, kept by the URL: reading it needs no fetch (which the
    // page's connect-src could refuse) and works after the page revokes the URL.
    const blobs = new Map();
    const createObjectURL = URL.createObjectURL;
    URL.createObjectURL = (obj) => {
      const url = createObjectURL.call(URL, obj);
      if (obj instanceof Blob) blobs.set(url, obj);
      return url;
    };
    const click = HTMLAnchorElement.prototype.click;
    HTMLAnchorElement.prototype.click = function hooked() {
      const blob = this.hasAttribute("download") ? blobs.get(this.href) : undefined;
      if (blob) window.__savedFiles.push({ name: this.download, bytes: blob.arrayBuffer() });
      return click.call(this);
    };
  });
  await action();
  await page.waitForFunction(() => window.__savedFiles.length > 0, null, { timeout });
  const file = await page.evaluate(async () => {
    const { name, bytes } = window.__savedFiles.shift();
    const u8 = new Uint8Array(await bytes);
    let s = "";
    for (let i = 0; i < u8.length; i += 0x8000) s += String.fromCharCode(...u8.subarray(i, i + 0x8000));
    return { name, base64: btoa(s) };
  });
  return { name: file.name, bytes: Buffer.from(file.base64, "base64") };
}

/**
 * Opens the "Runs…" dialog (if closed) and waits for its saved-runs list to be drawn afresh
 * (#saved-runs[data-drawn] counts the drawings): the rows of the previous opening stay in the
 * dialog until then, and reading them would race the new list.
 */
export async function openSavedRuns(page) {
  if (await page.evaluate(() => document.getElementById("runs-dialog").open)) return;
  const before = Number(await page.getAttribute("#saved-runs", "data-drawn")) || 0;
  await page.click("#runs-open");
  await page.waitForFunction((b) => Number(document.getElementById("saved-runs").dataset.drawn) > b, before);
}
