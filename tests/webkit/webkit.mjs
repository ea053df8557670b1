// WebKit (Safari's engine) for the smoke suite: Debian's WebKitWebDriver (webkit2gtk-driver) drives
// WebKitGTK's MiniBrowser over classic WebDriver, through selenium-webdriver. playwright-core cannot
// drive WebKitGTK (it speaks only to Playwright's own patched WebKit builds).
//
// MiniBrowser has no headless mode: run the suite under `xvfb-run -a` (scripts/test.sh does).
// WEBKIT_WEBDRIVER and WEBKIT_BROWSER override the Debian paths.

import { spawn } from "node:child_process";
import { Builder } from "selenium-webdriver";
import { freePort } from "../e2e/helpers.mjs";

const DRIVER = process.env.WEBKIT_WEBDRIVER ?? "/usr/bin/WebKitWebDriver";
const BROWSER = process.env.WEBKIT_BROWSER ?? "/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser";

async function waitForDriver(url, child, timeoutMs = 20000) {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (child.exitCode !== null) throw new Error(`${DRIVER} exited early with code ${child.exitCode}`);
    try {
      if ((await fetch(`${url}/status`)).ok) return;
    } catch { /* not up yet */ }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${DRIVER} did not answer at ${url} within ${timeoutMs} ms`);
}

/** Start WebKitWebDriver and a MiniBrowser session. Returns { driver, quit }. */
export async function launchWebKit({ width = 1280, height = 800 } = {}) {
  if (!process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) {
    throw new Error("no display: WebKitGTK's MiniBrowser needs one; run under `xvfb-run -a`");
  }
  const port = await freePort();
  const child = spawn(DRIVER, [`--port=${port}`, "--host=127.0.0.1"], { stdio: ["ignore", "pipe", "pipe"] });
  let log = "";
  child.stdout.on("data", (d) => { log += d; });
  child.stderr.on("data", (d) => { log += d; });
  const url = `http://127.0.0.1:${port}`;
  const stopDriver = async () => {
    if (child.exitCode !== null) return;
    const exited = new Promise((r) => child.once("exit", r));
    child.kill("SIGTERM");
    await Promise.race([exited, new Promise((r) => setTimeout(r, 3000))]);
  };
  let driver;
  try {
    await waitForDriver(url, child);
    driver = await new Builder().usingServer(url).withCapabilities({
      browserName: "MiniBrowser",
      "webkitgtk:browserOptions": { binary: BROWSER, args: ["--automation"] },
    }).build();
    await driver.manage().window().setRect({ width, height });
  } catch (e) {
    await stopDriver();
    throw new Error(`${e.message}\n${log}`);
  }
  return {
    driver,
    quit: async () => {
      try { await driver.quit(); } finally { await stopDriver(); }
    },
  };
}

/** Poll `fn` in the page (a function's source with a return) until it is truthy; return its value. */
export async function waitInPage(driver, body, timeoutMs, what) {
  const until = Date.now() + timeoutMs;
  let last;
  while (Date.now() < until) {
    last = await driver.executeScript(body);
    if (last) return last;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${what}: not within ${timeoutMs} ms (last answer ${JSON.stringify(last)})`);
}
