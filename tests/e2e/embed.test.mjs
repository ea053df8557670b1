// The sandbox inside a frame (embed.html), driven from a host page as a course site or a deck would
// hold it: layout at slide sizes, lazy start, pausing when scrolled away, the deck keys, bad links,
// no IndexedDB, and a kept run across a reload of the frame. The reveal.js deck itself is
// tests/e2e/deck.test.mjs; the host API's messages are tests/e2e/host-page.test.mjs.

import { test } from "node:test";
import assert from "node:assert/strict";
import { fromHarness, openPage, screenshot, sleep, startSuite } from "./helpers.mjs";

let server, browser;
startSuite((s, b) => { server = s; browser = b; });

/** A host page at the server's origin holding one frame of `width`×`height`, `spacer` px below the top. */
async function hostPage(frameHash, { width = 960, height = 540, spacer = 0, viewport = { width: 1280, height: 800 } } = {}) {
  const url = `${server.url}__host-${Math.random().toString(36).slice(2)}.html`;
  const { context, page, problems } = await openPage(browser, "about:blank", viewport);
  await context.route(url, (route) => route.fulfill({
    contentType: "text/html",
    body: `<!doctype html><body style="margin:0">
      <div id="spacer" style="height:${spacer}px"></div>
      <iframe id="f" src="./embed.html#${frameHash}" style="width:${width}px;height:${height}px;border:0"></iframe>
      <div style="height:2000px"></div></body>`,
  }));
  page.on("pageerror", (e) => { if (!fromHarness(String(e))) problems.pageErrors.push(String(e)); });
  const posted = [];
  await page.exposeFunction("__posted", (d) => posted.push(d));
  await page.addInitScript(() => window.addEventListener("message", (ev) => window.__posted(ev.data)));
  await page.goto(url);
  const handle = await page.waitForSelector("#f");
  const frame = await handle.contentFrame();
  await frame.waitForFunction(() => window.trainlab !== undefined);
  return { context, page, frame, problems, posted };
}

const step = (frame) => frame.evaluate(() => window.trainlab.runs[0]?.step ?? 0);

test("embed: at 960×540 and 1920×1080 the named cards fill the frame, nothing scrolls, text is lecture-hall size", async () => {
  for (const [w, h] of [[960, 540], [1920, 1080]]) {
    const { context, frame, page, problems } = await hostPage("lr=0.05&show=lr,warmup&charts=loss,lr&autoplay",
      { width: w, height: h, viewport: { width: w + 20, height: h + 20 } });
    await frame.waitForFunction(() => window.trainlab.runs[0]?.step > 20, null, { timeout: 60000 });
    const m = await frame.evaluate(() => {
      const box = (id) => document.getElementById(id).getBoundingClientRect();
      const shownSettings = [...document.querySelectorAll(".setting")].filter((s) => s.offsetParent !== null)
        .map((s) => s.querySelector("label").textContent.trim());
      return {
        scroll: document.documentElement.scrollHeight - window.innerHeight,
        lr: box("lr-card"), loss: box("loss-card"), accHidden: document.getElementById("acc-card").hidden,
        header: document.querySelector("header") !== null, shownSettings,
        font: parseFloat(getComputedStyle(document.body).fontSize),
        h2: parseFloat(getComputedStyle(document.querySelector("#lr-card h2")).fontSize),
        chartFont: parseFloat(getComputedStyle(document.documentElement).getPropertyValue("--chart-font")),
        openFull: document.getElementById("open-full").getBoundingClientRect().height > 0,
      };
    });
    await screenshot(page, `embed-${w}x${h}`);
    const s = w / 960;
    assert.ok(m.scroll <= 0, `the frame does not scroll (${m.scroll} px over)`);
    assert.equal(m.header, false, "no page header in a frame");
    assert.equal(m.accHidden, true, "only the named cards");
    assert.deepEqual(m.shownSettings, ["Learning rate", "Warmup steps"]);
    assert.ok(m.lr.height >= 300 * s && m.lr.bottom <= h, `the LR chart is shown at slide size (${JSON.stringify(m.lr)})`);
    assert.ok(Math.abs(m.lr.top - m.loss.top) < 2, "two cards side by side in a wide frame");
    assert.ok(m.font >= 18 * s - 0.5, `body text ${m.font}px at ${w}×${h}`);
    assert.ok(m.h2 >= 19 * s - 0.5, `card titles ${m.h2}px`);
    assert.ok(m.chartFont >= 15 * s - 0.5, `chart labels ${m.chartFont}px`);
    assert.ok(m.openFull, "the open-full-sandbox link is there");
    assert.deepEqual(problems.pageErrors, []);
    await context.close();
  }
});

test("embed: nothing loads until the frame is scrolled into view; it pauses when scrolled away and resumes", async () => {
  const { context, page, frame, problems } = await hostPage("charts=loss&autoplay", { spacer: 2000 });
  const wasm = [];
  context.on("request", (r) => { if (r.url().endsWith(".wasm")) wasm.push(r.url()); });
  await sleep(1500);
  assert.equal(await frame.evaluate(() => window.trainlab.started), false, "not started off-screen");
  assert.deepEqual(wasm, [], "no WebAssembly downloaded off-screen");
  const shownAt = Date.now();
  await page.evaluate(() => document.getElementById("f").scrollIntoView());
  await frame.waitForFunction(() => window.trainlab.runs[0]?.step > 0, null, { timeout: 60000 });
  console.log(`# first load: frame shown → first step in ${Date.now() - shownAt} ms`);
  assert.ok(wasm.length >= 1, "the core was fetched once shown");
  await frame.waitForFunction(() => window.trainlab.runs[0].step > 30, null, { timeout: 60000 });
  await page.evaluate(() => window.scrollTo(0, 0));
  await frame.waitForFunction(() => !window.trainlab.visible);
  await sleep(500);
  const parked = await step(frame);
  await sleep(3000);
  assert.equal(await step(frame), parked, "no training step while off-screen");
  await page.evaluate(() => document.getElementById("f").scrollIntoView());
  await frame.waitForFunction((s) => window.trainlab.runs[0].step > s, parked, { timeout: 30000 });
  assert.deepEqual(problems.pageErrors, []);
  await context.close();
});

test("embed: deck keys go to the host after a click into the frame; Space plays only the shown frame", async () => {
  const { context, page, frame, posted } = await hostPage("charts=loss");
  await frame.waitForFunction(() => window.trainlab.runs[0]?.state === "paused", null, { timeout: 60000 });
  await frame.click("#loss-chart");
  for (const key of ["ArrowRight", "PageDown", "ArrowLeft", "PageUp"]) await page.keyboard.press(key);
  await sleep(300);
  const methods = posted.filter((d) => typeof d === "string" && d.startsWith("{")).map((d) => JSON.parse(d).method);
  assert.deepEqual(methods, ["right", "next", "left", "prev"]);
  await page.keyboard.press(" ");
  await frame.waitForFunction(() => window.trainlab.sandbox.playing, null, { timeout: 10000 });
  // A deck says the slide was left: the frame pauses, and Space now advances the deck instead.
  await page.evaluate(() => document.getElementById("f").contentWindow.postMessage("slide:stop", "*"));
  await frame.waitForFunction(() => !window.trainlab.sandbox.playing);
  posted.length = 0;
  await page.keyboard.press(" ");
  await sleep(300);
  assert.ok(posted.includes(JSON.stringify({ method: "next", args: [] })), "Space on a hidden slide goes to the deck");
  assert.equal(await frame.evaluate(() => window.trainlab.sandbox.playing), false);
  await page.evaluate(() => document.getElementById("f").contentWindow.postMessage("slide:start", "*"));
  await frame.waitForFunction(() => window.trainlab.sandbox.playing, null, { timeout: 10000 });
  await context.close();
});

test("embed: a malformed link is named in the frame, which still trains", async () => {
  const { context, frame, problems } = await hostPage("lr=abc&charts=loss,bogus&scenario=nope&origin=notanorigin");
  const texts = async () => frame.$$eval("#messages .message p", (ps) => ps.map((p) => p.textContent).join("\n"));
  await frame.waitForFunction(() => window.trainlab.runs[0]?.state === "paused", null, { timeout: 60000 });
  const t = await texts();
  assert.match(t, /"lr" has a bad value "abc"/);
  assert.match(t, /"charts" names "bogus"/);
  assert.match(t, /scenario "nope", which does not exist/);
  assert.match(t, /"origin" names "notanorigin"/);
  await frame.click("#playpause");
  await frame.waitForFunction(() => window.trainlab.runs[0].step > 5, null, { timeout: 30000 });
  assert.deepEqual(problems.pageErrors, []);
  await context.close();
});

test("embed: a frame without IndexedDB says it will not keep its run, and trains", async () => {
  const context = await browser.newContext({ viewport: { width: 1000, height: 600 } });
  await context.addInitScript(() => Object.defineProperty(window, "indexedDB", { value: undefined }));
  const page = await context.newPage();
  await page.goto(`${server.url}embed.html#charts=loss&autoplay`);
  await page.waitForFunction(() => window.trainlab.runs[0]?.step > 5, null, { timeout: 60000 });
  const t = await page.$$eval("#messages .message p", (ps) => ps.map((p) => p.textContent).join("\n"));
  assert.match(t, /will not keep its run when the slide is left: this browser gives the frame no IndexedDB/);
  await context.close();
});

test("embed: a full storage is said in the frame, which trains on", async () => {
  const context = await browser.newContext({ viewport: { width: 1000, height: 600 } });
  await context.addInitScript(() => {
    IDBObjectStore.prototype.put = function () { throw new DOMException("quota", "QuotaExceededError"); };
  });
  const page = await context.newPage();
  await page.goto(`${server.url}embed.html#charts=loss&autoplay`);
  await page.waitForFunction(() => [...document.querySelectorAll("#messages .message p")]
    .some((p) => p.textContent.includes("storage for this site is full")), null, { timeout: 60000 });
  const at = await page.evaluate(() => window.trainlab.runs[0].step);
  await page.waitForFunction((s) => window.trainlab.runs[0].step > s + 5, at, { timeout: 30000 });
  await context.close();
});

test("embed: \"open full sandbox\" opens the page with the frame's runs as they are", async () => {
  const { context, frame } = await hostPage("lr=0.05&show=lr&charts=loss|lr=0.01");
  await frame.waitForFunction(() => window.trainlab.runs.length === 2 && window.trainlab.runs.every((r) => r.state === "paused"),
    null, { timeout: 60000 });
  const href = await frame.evaluate(() => {
    const a = document.getElementById("open-full");
    a.addEventListener("click", (ev) => ev.preventDefault());
    a.click();
    return a.getAttribute("href");
  });
  assert.match(href, /^\.\/index\.html#/);
  assert.match(href, /(^|[#&])lr=0\.05(&|\|)/);
  assert.match(href, /\|lr=0\.01$/);
  assert.doesNotMatch(href, /hide=|charts=/, "the full page shows everything");
  await context.close();
});

test("embed: a frame reloaded (reveal.js unloads data-src frames) finds its run where it was", async () => {
  const { context, page, frame } = await hostPage("charts=loss,acc&id=keep-test&autoplay");
  await frame.waitForFunction(() => window.trainlab.runs[0]?.evals >= 2, null, { timeout: 90000 });
  await frame.click("#playpause");     // pause: kept at once
  await frame.waitForFunction(() => !window.trainlab.sandbox.playing);
  await sleep(800);
  const before = await frame.evaluate(() => window.trainlab.runs[0]);
  // The deck leaves the slide: the frame is unloaded, then loaded again when the slide comes back.
  await page.evaluate(() => { const f = document.getElementById("f"); f.dataset.src = f.src; f.removeAttribute("src"); });
  await sleep(300);
  await page.evaluate(() => { const f = document.getElementById("f"); f.src = f.dataset.src; });
  const again = await (await page.waitForSelector("#f")).contentFrame();
  await again.waitForFunction(() => window.trainlab?.runs[0]?.step > 0, null, { timeout: 60000 });
  const back = await again.evaluate(() => window.trainlab.runs[0]);
  assert.equal(back.step, before.step, "same step");
  assert.deepEqual(back.losses, before.losses, "same curve");
  assert.equal(back.evals, before.evals, "same evaluations");
  assert.equal(back.state, "paused", "it was paused, so it stays paused");
  await again.click("#playpause");
  await again.waitForFunction((s) => window.trainlab.runs[0].step > s + 5, before.step, { timeout: 30000 });
  await context.close();
});
