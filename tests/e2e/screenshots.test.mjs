// Screenshots for a person to look at (test-results/*.png), at the lecture-hall size (1280×800) and at
// a small embedded size (800×500), plus a few layout checks a screenshot would show broken: nothing
// overflows sideways and both charts have a usable size.
// Server: `vite preview` serving the production build in dist/ on a free localhost port, started
// here and stopped at the end (see helpers.mjs; dist/ is built first if it is missing).

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { statSync } from "node:fs";
import { launchBrowser, openPage, screenshot, sleep, startServer, waitReady } from "./helpers.mjs";

let server, browser;
before(async () => {
  server = await startServer();
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

async function layoutChecks(page, name) {
  const m = await page.evaluate(() => {
    const box = (id) => document.getElementById(id).getBoundingClientRect();
    const canvas = (id) => document.querySelector(`#${id} canvas`)?.getBoundingClientRect();
    return {
      overflowX: document.documentElement.scrollWidth - window.innerWidth,
      loss: canvas("loss-chart"), acc: canvas("acc-chart"), toolbar: box("playpause"),
      viewport: { w: window.innerWidth, h: window.innerHeight },
    };
  });
  assert.ok(m.overflowX <= 0, `${name}: page overflows sideways by ${m.overflowX}px`);
  for (const k of ["loss", "acc"]) {
    assert.ok(m[k] && m[k].width >= 250 && m[k].height >= 120, `${name}: ${k} chart too small: ${JSON.stringify(m[k])}`);
    assert.ok(m[k].bottom <= m.viewport.h + 1, `${name}: ${k} chart is cut off below the window`);
  }
  return m;
}

async function shoot(page, name) {
  const path = await screenshot(page, name);
  assert.ok(statSync(path).size > 10000, `${path} looks empty`);
  console.log(`screenshot: ${path}`);
}

test("8. screenshots: trained run at 1280×800 and 800×500, NaN, bad link, hidden controls", async () => {
  // Lecture-hall size, after a few seconds of training.
  {
    const { context, page } = await openPage(browser, server.url + "#seed=1", { width: 1280, height: 800 });
    await waitReady(page);
    await page.click("#playpause");
    await sleep(6000);
    await page.click("#playpause");
    await sleep(300);
    await layoutChecks(page, "1280x800");
    await shoot(page, "1280x800-training");
    await context.close();
  }
  // Small embedded size.
  {
    const { context, page } = await openPage(browser, server.url + "#seed=1", { width: 800, height: 500 });
    await waitReady(page);
    await page.click("#playpause");
    await sleep(6000);
    await page.click("#playpause");
    await sleep(300);
    await layoutChecks(page, "800x500");
    await shoot(page, "800x500-training");
    await page.click("#settings-drawer summary");
    await sleep(200);
    await shoot(page, "800x500-settings-open");
    await context.close();
  }
  // NaN after a too-high learning rate.
  {
    const { context, page } = await openPage(browser, server.url + "#lr=50", { width: 1280, height: 800 });
    await waitReady(page);
    await page.click("#playpause");
    await page.waitForFunction(() => document.querySelector('#messages [data-id="nan"]'), null, { timeout: 60000 });
    await sleep(300);
    await shoot(page, "1280x800-nan");
    await context.close();
  }
  // A malformed link, small size.
  {
    const { context, page } = await openPage(browser, server.url + "#lr=abc&preset=nope&unknown=1", { width: 800, height: 500 });
    await waitReady(page);
    await shoot(page, "800x500-bad-link");
    await context.close();
  }
  // An instructor's embed with the settings hidden.
  {
    const { context, page } = await openPage(browser, server.url + "#hide=all&seed=3", { width: 800, height: 500 });
    await waitReady(page);
    await page.click("#playpause");
    await sleep(4000);
    await layoutChecks(page, "800x500 hide=all");
    await shoot(page, "800x500-hide-all");
    await context.close();
  }
});

/** The preview shows whole images of a useful size inside its card, each with a caption. */
async function previewChecks(page, name) {
  const m = await page.evaluate(() => {
    const card = document.getElementById("preview-card").getBoundingClientRect();
    const cells = [...document.querySelectorAll("#preview .pv-cell:not([hidden]):not(.pv-over)")].map((f) => {
      const c = f.querySelector("canvas").getBoundingClientRect();
      const cap = f.querySelector("figcaption").getBoundingClientRect();
      return { w: c.width, h: c.height, bottom: cap.bottom, right: c.right, caption: f.querySelector("figcaption").textContent };
    });
    return { card: { bottom: card.bottom, right: card.right }, cells };
  });
  assert.ok(m.cells.length >= 6, `${name}: only ${m.cells.length} preview images fit`);
  for (const c of m.cells) {
    assert.ok(c.w >= 48 && Math.abs(c.w - c.h) < 1, `${name}: preview image ${c.w}×${c.h}`);
    assert.ok(c.bottom <= m.card.bottom + 1 && c.right <= m.card.right + 1, `${name}: a preview cell sticks out of its card`);
    assert.ok(c.caption.length > 0, `${name}: a preview image without caption`);
  }
  return m;
}

test("9. screenshots: the preview with Mixup and with Cutout at 1280×800 and 800×500; the regularization panel", async () => {
  const runs = [
    ["mixup", "#mixup=1&seed=3"],
    ["cutout", "#cutout=1&flip=0.5&crop=1,1.25&ls=0.1&seed=2"],
  ];
  for (const [what, hash] of runs) {
    for (const [width, height] of [[1280, 800], [800, 500]]) {
      const name = `${width}x${height}-preview-${what}`;
      const { context, page, problems } = await openPage(browser, server.url + hash, { width, height });
      await waitReady(page);
      await page.click("#playpause");
      await sleep(4000);
      await page.click("#playpause");
      await page.waitForFunction(() => Number(document.getElementById("preview").dataset.step) > 0, null, { timeout: 30000 });
      await sleep(300);
      await layoutChecks(page, name);
      const m = await previewChecks(page, name);
      console.log(`${name}: ${m.cells.length} images of ${Math.round(m.cells[0].w)} px; "${m.cells[0].caption}"`);
      await shoot(page, name);
      assert.deepEqual(problems.consoleErrors, []);
      await context.close();
    }
  }
  // The settings panel with its Regularization and Data augmentation sections open.
  {
    const { context, page } = await openPage(browser, server.url + "#dropout=0.5&bn=1&mixup=0.2&ls=0.1&flip=0.5&crop=1,1.25&seed=1",
      { width: 1280, height: 800 });
    await waitReady(page);
    await page.click('[data-group="model"] summary');
    await sleep(200);
    await shoot(page, "1280x800-settings-regularization");
    await page.locator('[data-group="augmentation"]').scrollIntoViewIfNeeded();
    await sleep(200);
    await shoot(page, "1280x800-settings-augmentation");
    await context.close();
  }
});
