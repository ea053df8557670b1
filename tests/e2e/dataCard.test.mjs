// End-to-end tests of the data card (www/views/dataCard.js): it fits at 1024×768 and 1366×768 with a
// 10-class summary open (no overflow, the charts keep their grid), it works from the keyboard (the
// own-data panel, the file chooser, the summary toggle, a built-in set), and folder names reach the
// page as text only, never as markup. Screenshots go to test-results/.

import { test } from "node:test";
import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { FOLDER_UPLOAD, chromiumOnly, openPage, screenshot, startSuite, waitReady } from "./helpers.mjs";
import { classFolder, cycleLabels, idxImages, idxLabels, tempDir } from "./ownDataFiles.mjs";

let server, browser;
startSuite((s, b) => { server = s; browser = b; });

const DIR = tempDir("data-card");
process.on("exit", () => rmSync(DIR, { recursive: true, force: true }));

const TRAP = "<img src=x onerror=window.__pwned=1>";
const NAMES = ["aeroplane", "a class with a rather long folder name", "bird", "cat", "deer", "dog", "frog", "horse", "ship", TRAP];
const TEN = classFolder(join(DIR, "ten"), NAMES, NAMES.map((_, k) => 6 + k), { sizes: [[48, 40]] });
const sorted = [...NAMES].sort((a, b) => (a < b ? -1 : 1));

const loads = (page) => page.evaluate(() => Number(document.getElementById("data-card").dataset.loads ?? 0));
const settled = (page, n) => page.waitForFunction((k) => Number(document.getElementById("data-card").dataset.loads ?? 0) > k, n, { timeout: 120000 });

/** Boxes and overflows of the card and the page. */
function layout(page) {
  return page.evaluate(() => {
    const card = document.getElementById("data-card");
    const r = card.getBoundingClientRect();
    const classes = card.querySelector(".dc-classes");
    const run = document.querySelector(".run").getBoundingClientRect();
    const cards = [...document.querySelectorAll(".charts > .card")].filter((c) => c.offsetParent).map((c) => c.getBoundingClientRect());
    return {
      card: { left: r.left, right: r.right, height: r.height, top: r.top },
      run: { left: run.left, right: run.right },
      pageOverflow: document.documentElement.scrollWidth - window.innerWidth,
      cardOverflow: card.scrollWidth - card.clientWidth,
      classesOverflow: classes.scrollWidth - classes.clientWidth,
      headOverflow: [...card.querySelectorAll(".dc-head > *")].some((e) => e.getBoundingClientRect().right > r.right + 0.5),
      rows: [...card.querySelectorAll(".dc-class")].map((row) => row.getBoundingClientRect()).filter((b) => b.height > 0).length,
      minChartWidth: Math.min(...cards.map((c) => c.width)),
      firstChartTop: Math.min(...cards.map((c) => c.top)),
    };
  });
}

test("the card with a 10-class summary fits at 1366×768 and 1024×768; names are text, never markup", async (t) => {
  if (chromiumOnly(t, FOLDER_UPLOAD)) return;
  const { context, page, problems } = await openPage(browser, server.url + "#seed=1", { width: 1366, height: 768 });
  try {
    await waitReady(page);
    const n = await loads(page);
    await page.setInputFiles("#data-card .dc-folder-input", TEN);
    await settled(page, n);
    const card = await page.evaluate(() => ({
      state: document.getElementById("data-card").dataset.state,
      names: [...document.querySelectorAll("#data-card .dc-name")].map((e) => e.textContent),
      markup: document.querySelectorAll("#data-card img, #data-card b").length,
      pwned: window.__pwned ?? null,
      current: document.querySelector("#data-card .dc-current").textContent,
    }));
    assert.equal(card.state, "ready");
    assert.deepEqual(card.names, sorted, "every class name shown as it is, the markup-looking one too");
    assert.equal(card.markup, 0, "no element made from a name");
    assert.equal(card.pwned, null);
    assert.match(card.current, /^Your own images \(“ten”\): 10 classes · 3×32×32 RGB · \d+ training \/ \d+ validation images$/);

    for (const [width, height] of [[1366, 768], [1024, 768]]) {
      await page.setViewportSize({ width, height });
      await page.evaluate(() => document.getElementById("data-card").scrollIntoView({ block: "start" }));
      await page.waitForTimeout(300);
      await screenshot(page, `data-card-${width}x${height}`);
      const box = await layout(page);
      console.log(`${width}×${height}:`, JSON.stringify(box));
      assert.ok(box.pageOverflow <= 0, `no horizontal scroll at ${width}: ${box.pageOverflow}`);
      assert.ok(box.cardOverflow <= 0 && box.classesOverflow <= 0 && !box.headOverflow, `nothing sticks out of the card at ${width}`);
      assert.ok(box.card.left >= box.run.left - 0.5 && box.card.right <= box.run.right + 0.5, "the card stays in the runs' column");
      assert.ok(box.card.height < 0.5 * height, `the open card takes under half the height: ${box.card.height}`);
      assert.ok(box.rows >= 10, "all ten class rows are laid out (some may scroll)");
      assert.ok(box.minChartWidth >= 320, `the charts keep their 320 px minimum: ${box.minChartWidth}`);
    }
    // Closed, the card is one line (or two) above the charts.
    await page.click("#data-card .dc-toggle");
    const closed = await layout(page);
    assert.ok(closed.card.height < 90, `closed card height ${closed.card.height}`);
    assert.deepEqual(problems.pageErrors, []);
    assert.deepEqual(problems.consoleErrors, []);
  } finally {
    await context.close();
  }
});

test("the card works from the keyboard: own-data panel, file chooser, summary toggle, a built-in set", async (t) => {
  if (chromiumOnly(t, FOLDER_UPLOAD)) return;
  const { context, page, problems } = await openPage(browser, server.url + "#seed=1", { width: 1024, height: 768 });
  // Listening early turns on Playwright's file-chooser interception before any key is pressed (set up
  // only while waiting, it can lose the race with a busy machine's Enter).
  const chooserOpened = new Promise((resolve) => page.once("filechooser", resolve));
  try {
    await waitReady(page);
    // From the Shapes button, Tab reaches the others in order.
    await page.focus('#data-card button[data-set="shapes"]');
    const order = [];
    for (let i = 0; i < 3; i++) {
      await page.keyboard.press("Tab");
      order.push(await page.evaluate(() => document.activeElement.dataset.set));
    }
    assert.deepEqual(order, ["mnist", "fashion-mnist", "own"]);

    // Enter on "Your own images…" opens the panel and moves to "Choose a folder…"; Enter there opens
    // the chooser.
    await page.keyboard.press("Enter");
    const panel = await page.evaluate(() => ({
      hidden: document.getElementById("dc-own").hidden,
      expanded: document.querySelector('#data-card button[data-set="own"]').getAttribute("aria-expanded"),
      focus: document.activeElement.className,
    }));
    assert.deepEqual(panel, { hidden: false, expanded: "true", focus: "dc-pick-folder" });
    const n = await loads(page);
    await page.keyboard.press("Enter");
    const chooser = await chooserOpened;
    assert.ok(chooser.isMultiple());
    await chooser.setFiles(TEN);
    await settled(page, n);
    assert.equal(await page.evaluate(() => document.getElementById("data-card").dataset.state), "ready");

    // The summary toggle: Tab to it, Space closes and opens it.
    await page.focus("#data-card .dc-toggle");
    await page.keyboard.press("Space");
    assert.equal(await page.evaluate(() => document.getElementById("dc-body").hidden), true);
    assert.equal(await page.getAttribute("#data-card .dc-toggle", "aria-expanded"), "false");
    await page.keyboard.press("Space");
    assert.equal(await page.evaluate(() => document.getElementById("dc-body").hidden), false);

    // Enter on MNIST loads it (progress while it comes), and the card shows its summary.
    const m = await loads(page);
    await page.focus('#data-card button[data-set="mnist"]');
    await page.keyboard.press("Enter");
    await page.waitForFunction(() => document.getElementById("data-card").dataset.state === "loading", null, { timeout: 5000 });
    assert.equal(await page.evaluate(() => document.querySelector("#data-card .dc-progress").hidden), false, "progress shows");
    await settled(page, m);
    const mnist = await page.evaluate(() => ({
      state: document.getElementById("data-card").dataset.state,
      error: document.querySelector("#data-card .dc-error").textContent,
      pressed: document.querySelector('#data-card button[aria-pressed="true"]')?.dataset.set,
      focus: document.activeElement.dataset.set,
      rows: document.querySelectorAll("#data-card .dc-class").length,
      current: document.querySelector("#data-card .dc-current").textContent,
    }));
    assert.equal(mnist.state, "ready", mnist.error);
    assert.equal(mnist.pressed, "mnist");
    assert.equal(mnist.focus, "mnist", "the focus stays where it was");
    assert.equal(mnist.rows, 10);
    assert.match(mnist.current, /^MNIST: 10 classes · 1×28×28 grey · 60,000 training \/ 10,000 validation images$/);
    await screenshot(page, "data-card-mnist-1024x768");
    assert.deepEqual(problems.pageErrors, []);
  } finally {
    await context.close();
  }
});

test("files dropped on the card load (IDX images and labels), the drop outline comes and goes, a drop beside it is ignored", async () => {
  const { context, page, problems } = await openPage(browser, server.url + "#seed=1", { width: 1024, height: 768 });
  try {
    await waitReady(page);
    const labels = cycleLabels(40, 4);
    const files = [["digits.idx", idxImages(labels, 16, 16)], ["digit-labels.idx", idxLabels(labels)]]
      .map(([name, bytes]) => [name, bytes.toString("base64")]);
    const n = await loads(page);
    const outlined = await page.evaluate((given) => {
      const dt = new DataTransfer();
      for (const [name, b64] of given) dt.items.add(new File([Uint8Array.from(atob(b64), (c) => c.charCodeAt(0))], name));
      const card = document.getElementById("data-card");
      // Dropped beside the card, the files are not opened by the browser in place of the page.
      const chart = document.getElementById("loss-card");
      const missed = !chart.dispatchEvent(new DragEvent("drop", { dataTransfer: dt, bubbles: true, cancelable: true }));
      card.dispatchEvent(new DragEvent("dragover", { dataTransfer: dt, bubbles: true, cancelable: true }));
      const during = card.classList.contains("dc-drop");
      card.dispatchEvent(new DragEvent("drop", { dataTransfer: dt, bubbles: true, cancelable: true }));
      return { missed, during, after: card.classList.contains("dc-drop") };
    }, files);
    assert.deepEqual(outlined, { missed: true, during: true, after: false });
    await settled(page, n);
    const s = await page.evaluate(() => window.trainlab.sandbox.dataSummary());
    const error = await page.evaluate(() => document.querySelector("#data-card .dc-error").textContent);
    assert.equal(await page.evaluate(() => document.getElementById("data-card").dataset.state), "ready", error);
    assert.deepEqual(s.shape, [1, 16, 16]);
    assert.deepEqual(s.classNames, ["0", "1", "2", "3"]);
    assert.equal(s.train + s.val, 40);
    assert.deepEqual(problems.pageErrors, []);
  } finally {
    await context.close();
  }
});

test("a link's data set shows in the card: its button pressed and its summary", async () => {
  const { context, page, problems } = await openPage(browser, server.url + "#data=fashion-mnist&seed=1", { width: 1366, height: 768 });
  try {
    await waitReady(page, 60000);
    await page.waitForFunction(() => document.getElementById("data-card").dataset.set === "fashion-mnist", null, { timeout: 60000 });
    const card = await page.evaluate(() => ({
      pressed: [...document.querySelectorAll('#data-card button[aria-pressed="true"]')].map((b) => b.dataset.set),
      current: document.querySelector("#data-card .dc-current").textContent,
      rows: [...document.querySelectorAll("#data-card .dc-name")].map((e) => e.textContent),
    }));
    const names = await page.evaluate(() => window.trainlab.sandbox.dataSummary().classNames);
    assert.deepEqual(card.pressed, ["fashion-mnist"]);
    assert.match(card.current, /^Fashion-MNIST: 10 classes · 1×28×28 grey · [\d,]+ training \/ [\d,]+ validation images$/);
    assert.deepEqual(card.rows, names);
    assert.deepEqual(problems.pageErrors, []);
  } finally {
    await context.close();
  }
});

test("Cancel stops decoding a large folder: no error, the set loaded before stays", async (t) => {
  if (chromiumOnly(t, FOLDER_UPLOAD)) return;
  const big = classFolder(join(DIR, "big"), ["a", "b"], [1000, 1000], { sizes: [[64, 64]] });
  const { context, page, problems } = await openPage(browser, server.url + "#seed=1", { width: 1024, height: 768 });
  try {
    await waitReady(page);
    const n = await loads(page);
    await page.setInputFiles("#data-card .dc-folder-input", big);
    await page.waitForFunction(() => /^Decoding images: [1-9][\d,]* of 2,000…$/.test(document.querySelector("#data-card .dc-progress-text").textContent),
      null, { timeout: 60000 });
    await page.focus("#data-card .dc-cancel");
    await page.keyboard.press("Enter");
    await settled(page, n);
    const card = await page.evaluate(() => ({
      state: document.getElementById("data-card").dataset.state, set: document.getElementById("data-card").dataset.set,
      error: document.querySelector("#data-card .dc-error").hidden, progress: document.querySelector("#data-card .dc-progress").hidden,
      data: window.trainlab.settings.data, summary: window.trainlab.sandbox.dataSummary(),
    }));
    assert.deepEqual(card, { state: "idle", set: "shapes", error: true, progress: true, data: "shapes", summary: null });
    assert.deepEqual(problems.pageErrors, []);
  } finally {
    await context.close();
  }
});
