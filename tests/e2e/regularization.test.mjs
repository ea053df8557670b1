// End-to-end tests of the regularization and augmentation settings and of the preview of the batch
// the network sees ("What the network sees"): links with the new keys, soft labels under Mixup and
// label smoothing, a run with several regularizers, the resnet-mini preset, bad values, hide=.
// Server: `vite preview` serving the production build in dist/ on a free localhost port, started
// here and stopped at the end (see helpers.mjs; dist/ is built first if it is missing).

import { test } from "node:test";
import assert from "node:assert/strict";
import { messageTexts, openPage, sleep, startSuite, stat, waitReady } from "./helpers.mjs";

let server, browser;
startSuite((s, b) => { server = s; browser = b; });

/** Press Step and wait until the preview shows that step's batch; returns its cells. */
async function stepAndPreview(page) {
  const before = Number(await page.getAttribute("#preview", "data-step")) || 0;
  await page.click("#step");
  await page.waitForFunction((b) => Number(document.getElementById("preview").dataset.step) > b,
    before, { timeout: 30000 });
  return previewCells(page);
}

/** The visible preview cells: caption text, the label behind it, the image size. */
async function previewCells(page) {
  return page.$$eval("#preview .pv-cell:not([hidden])", (figs) => figs.map((f) => ({
    caption: f.querySelector("figcaption").textContent,
    label: JSON.parse(f.dataset.label),
    width: f.querySelector("canvas").width,
    height: f.querySelector("canvas").height,
    shown: f.getBoundingClientRect().width > 20,
  })));
}

const sum = (label) => label.reduce((a, [, w]) => a + w, 0);

async function playFor(page, ms) {
  await page.click("#playpause");
  await sleep(ms);
  await page.click("#playpause");
  await page.waitForFunction(() => document.body.dataset.runState === "paused");
  await sleep(300);   // stats are written at the next drawn frame
}

test("mixup link: the preview's captions name two classes whose weights add up to 1", async () => {
  const { context, page, problems } = await openPage(browser, server.url + "#mixup=1&seed=3");
  try {
    await waitReady(page);
    assert.equal(await page.inputValue("#setting-mixup"), "1");
    let cells = [];
    for (let i = 0; i < 4 && !cells.some((c) => c.label.length === 2); i++) cells = await stepAndPreview(page);
    console.log(`mixup preview (${await page.textContent("#preview-head")}):`, cells.slice(0, 4).map((c) => c.caption));
    assert.equal(cells.length, 16, "16 images");
    assert.equal(await page.getAttribute("#preview", "data-mix"), "mixup");
    for (const c of cells) {
      assert.ok(Math.abs(sum(c.label) - 1) < 0.02, `weights of ${c.caption} add up to ${sum(c.label)}`);
      assert.ok(c.label.length <= 2, `mixup without smoothing blends two images: ${c.caption}`);
      assert.equal(c.width, 32);
    }
    const two = cells.filter((c) => c.label.length === 2);
    assert.ok(two.length > 0, "some images blend two classes");
    for (const c of two) {
      assert.match(c.caption, /^[a-z]+ (0|1)\.\d\d \/ [a-z]+ 0\.\d\d$/, `caption "${c.caption}"`);
      const [[, a], [, b]] = c.label;
      assert.ok(Math.abs(a + b - 1) < 0.02);
    }
    assert.match(await page.textContent("#preview-note"), /Mixup blends/);
    assert.deepEqual(problems.pageErrors, []);
    assert.deepEqual(problems.consoleErrors, []);
  } finally {
    await context.close();
  }
});

test("label smoothing link: top weight 1 − 0.9·0.1 = 0.91 and 0.01 on each of the 9 other classes", async () => {
  const { context, page } = await openPage(browser, server.url + "#ls=0.1&seed=2");
  try {
    await waitReady(page);
    const cells = await stepAndPreview(page);
    console.log("label smoothing preview:", cells.slice(0, 3).map((c) => c.caption));
    assert.equal(cells.length, 16);
    for (const c of cells) {
      assert.equal(c.label.length, 10, "every class has a weight");
      assert.ok(Math.abs(c.label[0][1] - 0.91) < 0.001, `top weight ${c.label[0][1]}`);
      for (const [, w] of c.label.slice(1)) assert.ok(Math.abs(w - 0.01) < 0.001, `other weight ${w}`);
      assert.match(c.caption, /^[a-z]+ 0\.91 \+ 9 × 0\.01$/, `caption "${c.caption}"`);
    }
  } finally {
    await context.close();
  }
});

test("dropout, batch norm, flips and Cutout: trains with a finite loss and no console errors", async () => {
  const hash = "#dropout=0.5&bn=1&flip=0.5&cutout=1&cutsize=0.25&seed=4";
  const { context, page, problems } = await openPage(browser, server.url + hash);
  try {
    await waitReady(page);
    assert.equal(await page.inputValue("#setting-dropout"), "0.5");
    assert.equal(await page.isChecked("#setting-bn"), true);
    assert.equal(await page.isVisible("#setting-cutout"), true, "the Regularization section opens for a link that uses it");
    assert.match(await page.textContent('[data-group="regularization"] .group-count'), /^3 on$/);
    // At least 4 s and until 11 steps (up to 60 s): Firefox on a loaded machine made exactly 10 in 4 s.
    await page.click("#playpause");
    await sleep(4000);
    await page.waitForFunction(() => Number(document.getElementById("stat-step")?.dataset.value) > 10, null, { timeout: 60000 });
    await page.click("#playpause");
    await page.waitForFunction(() => document.body.dataset.runState === "paused");
    await sleep(300);   // stats are written at the next drawn frame
    const steps = await stat(page, "step"), loss = await stat(page, "loss");
    console.log(`regularized run: ${steps} steps, loss (avg) ${loss}, ${Math.round(await stat(page, "ips"))} images/s`);
    assert.ok(steps > 10, "step counter rises");
    assert.ok(Number.isFinite(loss) && loss > 0, `finite loss ${loss}`);
    const cells = await previewCells(page);
    assert.ok(cells.length > 0, "the preview shows the batch");
    assert.match(await page.textContent("#preview-note"), /Cutout's erased regions/);
    const url = new URL(page.url()).hash;
    for (const k of ["dropout=0.5", "bn=1", "flip=0.5", "cutout=1", "cutsize=0.25", "mixup=0", "crop=1,1"]) {
      assert.ok(url.includes(k), `${k} in ${url}`);
    }
    assert.deepEqual(problems.pageErrors, []);
    assert.deepEqual(problems.consoleErrors, []);
    assert.deepEqual(await messageTexts(page), []);
  } finally {
    await context.close();
  }
});

test("the resnet-mini preset (batch norm, residual blocks) with stochastic depth trains", async () => {
  const { context, page, problems } = await openPage(browser, server.url + "#preset=resnet-mini&droppath=0.2&seed=1");
  try {
    await waitReady(page);
    assert.equal(await page.inputValue("#setting-preset"), "resnet-mini");
    assert.equal(await page.$eval('[data-key="droppath"]', (r) => r.classList.contains("inactive")), false);
    await page.click("#playpause");
    await page.waitForFunction(() => Number(document.getElementById("stat-step")?.dataset.value) > 10, null, { timeout: 60000 });
    await page.click("#playpause");
    await page.waitForFunction(() => document.body.dataset.runState === "paused");
    await sleep(300);
    const steps = await stat(page, "step"), loss = await stat(page, "loss"), first = await stat(page, "firstloss");
    console.log(`resnet-mini: ${steps} steps, first loss ${first}, loss (avg) ${loss}, ${Math.round(await stat(page, "ips"))} images/s`);
    assert.ok(Number.isFinite(loss) && Number.isFinite(first));
    assert.deepEqual(problems.pageErrors, []);
    assert.deepEqual(problems.consoleErrors, []);
  } finally {
    await context.close();
  }
});

test("bad values in a link name the key and value; the rest applies and the page keeps working", async () => {
  const hash = "#dropout=1.5&mixup=-1&bn=maybe&crop=2,1&cutsize=3&flip=0.5&seed=2";
  const { context, page, problems } = await openPage(browser, server.url + hash);
  try {
    await waitReady(page);
    const text = (await messageTexts(page)).join("\n");
    console.log(text);
    for (const [k, v] of [["dropout", "1.5"], ["mixup", "-1"], ["bn", "maybe"], ["crop", "2,1"], ["cutsize", "3"]]) {
      assert.ok(text.includes(`Link setting "${k}" has a bad value "${v}"`), `message names ${k}=${v}`);
    }
    assert.match(text, /"dropout" has a bad value "1\.5": it must be a number ≥ 0 and < 1\. Using the default 0\./);
    assert.equal(await page.inputValue("#setting-dropout"), "0");
    assert.equal(await page.inputValue("#setting-mixup"), "0");
    assert.equal(await page.inputValue("#setting-flip"), "0.5", "good keys are kept");
    await playFor(page, 2000);
    assert.ok(await stat(page, "step") > 5, "trains");

    // A bad value typed into a control is refused the same way and the control reverts.
    assert.equal(await page.isVisible("#setting-ls"), false, "Regularization stays closed: nothing in it is on");
    await page.click('[data-group="regularization"] summary');
    await page.fill("#setting-ls", "1");
    await page.dispatchEvent("#setting-ls", "change");
    assert.match((await messageTexts(page)).join("\n"), /Label smoothing ε: "1" is not valid — it must be a number ≥ 0 and < 1/);
    assert.equal(await page.inputValue("#setting-ls"), "0");
    assert.deepEqual(problems.pageErrors, []);
  } finally {
    await context.close();
  }
});

test("a change in the panel starts a new run beside the trained one and goes into the link, which replays it", async () => {
  const { context, page } = await openPage(browser, server.url + "#seed=5&flip=0.5&crop=1,1.25&mixup=0.4&ls=0.1");
  let first, firstCells, link;
  try {
    await waitReady(page);
    await playFor(page, 1500);
    assert.ok(await stat(page, "step") > 0);
    // Label smoothing 0.1 → 0.2 in the panel: run 1 keeps its steps, a fresh run 2 (step 0) starts
    // beside it, and the link's second segment says what differs.
    await page.fill("#setting-ls", "0.2");
    await page.dispatchEvent("#setting-ls", "change");
    await page.waitForFunction(() => /\|ls=0\.2$/.test(location.hash));
    await waitReady(page);
    assert.ok(!(await stat(page, "step") > 0), "the panel and the stats now show the new run");
    assert.ok(await page.evaluate(() => window.trainlab.runs[0].step > 0), "the trained run is kept");
    // Crops in the two-number control: run 2 has not trained, so it is rebuilt with them.
    await page.fill('[name="crop"] >> nth=1', "1.5");
    await page.dispatchEvent('[name="crop"] >> nth=1', "change");
    await page.waitForFunction(() => /\|ls=0\.2&crop=1,1\.5$/.test(location.hash));
    await waitReady(page);
    assert.equal(await page.evaluate(() => window.trainlab.runs.length), 2);
    link = page.url();
    firstCells = await stepAndPreview(page);
    first = await stat(page, "firstloss");
  } finally {
    await context.close();
  }
  const again = await openPage(browser, link);
  try {
    await waitReady(again.page);
    // Show and edit run 2, as the first page did after the change.
    await again.page.evaluate(() => window.trainlab.sandbox.setEditing(window.trainlab.runs[1].id));
    await again.page.selectOption("#preview-run", String(await again.page.evaluate(() => window.trainlab.runs[1].id)));
    const cells = await stepAndPreview(again.page);
    assert.equal(await stat(again.page, "firstloss"), first, "same first loss");
    assert.deepEqual(cells.map((c) => c.label), firstCells.map((c) => c.label), "same batch, same soft labels");
    console.log(`replayed ${new URL(link).hash.slice(-40)}: first loss ${first}`);
  } finally {
    await again.context.close();
  }
});

test("hide= hides settings, whole sections and the preview", async () => {
  const { context, page } = await openPage(browser, server.url + "#hide=model,flip,preview&mixup=0.2&seed=1");
  try {
    await waitReady(page);
    assert.equal(await page.isVisible('[data-group="model"]'), false);
    assert.equal(await page.isVisible('[data-key="flip"]'), false);
    assert.equal(await page.isVisible("#preview-card"), false);
    assert.equal(await page.isVisible("#setting-mixup"), true);
    await page.click('[data-group="augmentation"] summary');
    assert.equal(await page.isVisible('[data-key="crop"]'), true);
    assert.ok(new URL(page.url()).hash.endsWith("hide=model,flip,preview"));
    // Training without the preview: the worker is told not to send it.
    await playFor(page, 1000);
    assert.equal(await page.getAttribute("#preview", "data-step"), "0");
  } finally {
    await context.close();
  }
});
