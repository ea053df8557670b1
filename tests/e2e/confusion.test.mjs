// End-to-end test of the "What it gets wrong" card: after training to the first evaluations it
// shows a K×K matrix (K = the run's class count) whose counts are the validation images and whose
// diagonal is the reported validation accuracy; the gallery shows wrong images only, labelled true
// → predicted; clicking a cell shows that cell's own images from the worker (a mistake cell: its
// most confident mistakes, named by its classes; a diagonal cell: its least confident right
// answers, "right: name p%", ascending), clicking again the most wrong list. Screenshots at 1366×768
// and 1024×768 go to test-results/.

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
      t: Number(f.dataset.true), p: Number(f.dataset.predicted), index: Number(f.dataset.index),
      caption: f.querySelector("figcaption").textContent,
      canvas: f.querySelector("canvas").width, shown: f.getBoundingClientRect().width > 20,
    }));
    const rowNames = [...card.querySelectorAll(".cm-row")].map((s) => s.textContent);
    return { k, matrix, items, rowNames, note: card.querySelector(".cm-note").textContent };
  });
}

/** Clicks cell (t, p) and waits for the worker's answer (the note stops saying "getting"). */
async function clickCell(page, t, p) {
  await page.click(`#confusion-card .cm-cell[data-true="${t}"][data-predicted="${p}"]`);
  await page.waitForFunction(() => !/getting its images/.test(document.querySelector("#confusion-card .cm-note").textContent),
    null, { timeout: 10000 });
  return readCard(page);
}

/** The probability in percent a caption ends with. */
const percentOf = (caption) => Number(/(\d+)%$/.exec(caption)[1]);

async function trainToEvaluations(page, count) {
  await page.click("#playpause");
  await page.waitForFunction((n) => (window.trainlab.runs[0]?.evals ?? 0) >= n, count, { timeout: 60000 });
  await page.click("#playpause");
  await page.waitForFunction(() => document.body.dataset.runState === "paused", null, { timeout: 30000 });
  await sleep(500);   // the card is drawn at the next frame
}

test("the card shows the K×K validation matrix, wrong images only, and a clicked cell's own images", async () => {
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

    // An off-diagonal cell with the most mistakes: the gallery shows that cell's own images (up to
    // 12), each captioned with its classes, most confident first; the note names the cell and step.
    const k = card.k;
    let worst = { t: 0, p: 1, n: -1 };
    card.matrix.forEach((row, t) => row.forEach((n, p) => { if (t !== p && n > worst.n) worst = { t, p, n }; }));
    assert.ok(worst.n > 0, "some mistakes after two evaluations");
    const cell = await clickCell(page, worst.t, worst.p);
    console.log(`cell ${worst.t}→${worst.p} (${worst.n}): ${cell.items.length} images; note: ${cell.note}`);
    assert.equal(cell.items.length, Math.min(worst.n, 12), "the cell's images, at most 12");
    assert.equal(new Set(cell.items.map((i) => i.index)).size, cell.items.length, "no image twice");
    for (const item of cell.items) {
      assert.deepEqual([item.t, item.p], [worst.t, worst.p], `only the clicked cell's images: ${item.caption}`);
      assert.equal(item.caption, `true: ${classNames[worst.t]} → predicted: ${classNames[worst.p]} ${item.caption.split(" ").pop()}`);
      assert.ok(item.canvas > 0 && item.shown, "a visible thumbnail");
    }
    const wrongPercents = cell.items.map((i) => percentOf(i.caption));
    assert.deepEqual(wrongPercents, [...wrongPercents].sort((a, b) => b - a), "most confident first");
    assert.match(cell.note, new RegExp(`${classNames[worst.t]} predicted as ${classNames[worst.p]}: .*step ${ev.step}`));
    // The cell's images include those of the most wrong list in that cell.
    for (const i of card.items.filter((w) => w.t === worst.t && w.p === worst.p)) {
      assert.ok(cell.items.some((c) => c.index === i.index), `most wrong image ${i.index} among its cell's`);
    }

    // A diagonal cell: right answers, least confident first, "right: name p%".
    const d = card.matrix.findIndex((row, t) => row[t] > 0);
    const diagonal = await clickCell(page, d, d);
    console.log(`cell ${d}→${d}: ${diagonal.items.map((i) => i.caption).join(", ")}`);
    assert.equal(diagonal.items.length, Math.min(card.matrix[d][d], 12));
    for (const item of diagonal.items) {
      assert.deepEqual([item.t, item.p], [d, d]);
      assert.match(item.caption, new RegExp(`^right: ${classNames[d]} \\d+%$`));
    }
    const rightPercents = diagonal.items.map((i) => percentOf(i.caption));
    assert.deepEqual(rightPercents, [...rightPercents].sort((a, b) => a - b), "least confident first");
    assert.ok(rightPercents[0] >= Math.floor(100 / k), "a right answer is its row's argmax: at least 1/K");
    assert.match(diagonal.note, /least confident.*right answers.*right, but barely/);
    // Clicking it again shows the most wrong list.
    await page.click(`#confusion-card .cm-cell[data-true="${d}"][data-predicted="${d}"]`);
    const back = await readCard(page);
    assert.deepEqual(back.items.map((i) => i.index), card.items.map((i) => i.index));
    assert.match(back.note, /most confidently wrong/);

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
