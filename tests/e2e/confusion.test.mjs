// End-to-end test of the "What it gets wrong" card: after training to the first evaluations it
// shows a K×K matrix (K = the run's class count) whose counts are the validation images and whose
// diagonal is the reported validation accuracy; the gallery shows wrong images only, labelled true
// → predicted; clicking a cell filters the gallery to that cell. Screenshots at 1366×768 and
// 1024×768 go to test-results/.

import { test } from "node:test";
import assert from "node:assert/strict";
import { openPage, screenshot, sleep, startSuite, waitReady } from "./helpers.mjs";

let server, browser;
startSuite((s, b) => { server = s; browser = b; });

/** What the card shows: the matrix's counts by row, class names, and the gallery's items. */
function readCard(page) {
  return page.evaluate(() => {
    const card = document.getElementById("confusion-card");
    const cells = [...card.querySelectorAll(".cm-cell")];
    const k = Math.round(Math.sqrt(cells.length));
    const matrix = Array.from({ length: k }, (_, t) => cells.slice(t * k, (t + 1) * k).map((c) => Number(c.dataset.count)));
    const items = [...card.querySelectorAll(".cm-item")].map((f) => ({
      t: Number(f.dataset.true), p: Number(f.dataset.predicted), caption: f.querySelector("figcaption").textContent,
      canvas: f.querySelector("canvas").width, shown: f.getBoundingClientRect().width > 20,
    }));
    const rowNames = [...card.querySelectorAll(".cm-row")].map((s) => s.textContent);
    return { k, matrix, items, rowNames, note: card.querySelector(".cm-note").textContent };
  });
}

async function trainToEvaluations(page, count) {
  await page.click("#playpause");
  await page.waitForFunction((n) => (window.trainlab.runs[0]?.evals ?? 0) >= n, count, { timeout: 60000 });
  await page.click("#playpause");
  await page.waitForFunction(() => document.body.dataset.runState === "paused", null, { timeout: 30000 });
  await sleep(500);   // the card is drawn at the next frame
}

test("the card shows the K×K validation matrix, wrong images only, and filters by cell", async () => {
  const { context, page, problems } = await openPage(browser, server.url + "#seed=4", { width: 1366, height: 768 });
  try {
    await waitReady(page);
    assert.match(await page.textContent("#confusion-card .cm-note"), /No evaluation yet/);
    await trainToEvaluations(page, 2);
    const ev = await page.evaluate(() => window.trainlab.lastEval);
    const classNames = await page.evaluate(() => window.trainlab.sandbox.editing.run.info.classNames);
    const card = await readCard(page);
    console.log(`matrix ${card.k}×${card.k} at step ${ev.step}, val accuracy ${ev.valAccuracy}; ${card.items.length} wrong shown;`,
      card.items.slice(0, 3).map((i) => i.caption));
    assert.equal(card.k, classNames.length, "one row and one column per class of the data set");
    assert.deepEqual(card.rowNames, classNames);
    assert.deepEqual(card.matrix, ev.confusion, "the cells show the evaluation's counts");
    const total = card.matrix.flat().reduce((a, b) => a + b, 0);
    const trace = card.matrix.reduce((a, row, i) => a + row[i], 0);
    assert.ok(total > 0);
    assert.ok(Math.abs(trace / total - ev.valAccuracy) < 1e-9, `diagonal ${trace}/${total} is valAccuracy ${ev.valAccuracy}`);

    assert.ok(card.items.length > 0 && card.items.length <= total - trace, `${card.items.length} wrong images`);
    for (const item of card.items) {
      assert.notEqual(item.t, item.p, `a right answer in the gallery: ${item.caption}`);
      assert.ok(item.caption.includes(`true: ${classNames[item.t]}`) && item.caption.includes(`predicted: ${classNames[item.p]}`),
        `caption "${item.caption}"`);
      assert.match(item.caption, /\d+%$/);
      assert.ok(item.canvas > 0 && item.shown, "a visible thumbnail");
    }
    // The card comes after the six earlier ones (a third row at these sizes): scroll it into view.
    await page.evaluate(() => document.getElementById("confusion-card").scrollIntoView({ block: "end" }));
    await screenshot(page, "confusion-1366x768");

    // The cell of the first gallery image: the gallery keeps only that cell's images.
    const { t, p } = card.items[0];
    const expected = card.items.filter((i) => i.t === t && i.p === p).length;
    await page.click(`#confusion-card .cm-cell[data-true="${t}"][data-predicted="${p}"]`);
    const filtered = await readCard(page);
    assert.equal(filtered.items.length, expected);
    assert.ok(filtered.items.every((i) => i.t === t && i.p === p), "only the clicked cell's images");
    assert.match(filtered.note, new RegExp(`${classNames[t]} predicted as ${classNames[p]}`));
    // A diagonal cell has no images in the list, and the note says so.
    await page.click(`#confusion-card .cm-cell[data-true="0"][data-predicted="0"]`);
    const diagonal = await readCard(page);
    assert.equal(diagonal.items.length, 0);
    assert.match(diagonal.note, /mistakes only/);
    // Clicking it again shows them all.
    await page.click(`#confusion-card .cm-cell[data-true="0"][data-predicted="0"]`);
    assert.equal((await readCard(page)).items.length, card.items.length);

    await page.setViewportSize({ width: 1024, height: 768 });
    await sleep(500);
    await page.evaluate(() => document.getElementById("confusion-card").scrollIntoView({ block: "end" }));
    await screenshot(page, "confusion-1024x768");
    const box = await page.evaluate(() => {
      const c = document.getElementById("confusion-card").getBoundingClientRect();
      const grid = document.querySelector("#confusion-card .cm-grid").getBoundingClientRect();
      return { cw: c.width, ch: c.height, gw: grid.width, gh: grid.height, gr: grid.right, cr: c.right };
    });
    assert.ok(box.gw > 100 && box.gh > 100 && box.gr <= box.cr, `the matrix fits its card at 1024×768: ${JSON.stringify(box)}`);
    assert.deepEqual(problems.pageErrors, []);
    assert.deepEqual(problems.consoleErrors, []);
  } finally {
    await context.close();
  }
});

test("a slide frame with charts=confusion shows the card alone, filled, without scrolling", async () => {
  const { context, page, problems } = await openPage(browser, server.url + "embed.html#charts=confusion&autoplay&seed=4",
    { width: 960, height: 540 });
  try {
    await page.waitForFunction(() => (window.trainlab.runs[0]?.evals ?? 0) >= 1, null, { timeout: 60000 });
    await page.waitForFunction(() => document.querySelectorAll("#confusion-card .cm-item").length > 0, null, { timeout: 10000 });
    const m = await page.evaluate(() => {
      const card = document.getElementById("confusion-card").getBoundingClientRect();
      return {
        card: { w: card.width, h: card.height, bottom: card.bottom },
        cells: document.querySelectorAll("#confusion-card .cm-cell").length,
        k: window.trainlab.sandbox.editing.run.info.classNames.length,
        lossHidden: document.getElementById("loss-card").hidden,
        font: parseFloat(getComputedStyle(document.querySelector("#confusion-card .cm-cell")).fontSize),
        scroll: document.documentElement.scrollHeight - window.innerHeight,
      };
    });
    await screenshot(page, "confusion-embed-960x540");
    console.log("embed:", JSON.stringify(m));
    assert.equal(m.cells, m.k * m.k);
    assert.equal(m.lossHidden, true, "only the named card");
    assert.ok(m.card.w > 600 && m.card.h > 300 && m.card.bottom <= 540, `the card fills the frame: ${JSON.stringify(m.card)}`);
    assert.ok(m.font >= 13, `matrix counts readable on a slide (${m.font}px)`);
    assert.ok(m.scroll <= 0, `the frame does not scroll (${m.scroll} px over)`);
    assert.deepEqual(problems.pageErrors, []);
    assert.deepEqual(problems.consoleErrors, []);
  } finally {
    await context.close();
  }
});
