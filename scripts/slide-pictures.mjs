// The pictures the lecture's deck prints in place of its live sandboxes (slides/pictures/<slide>.png).
//
//   node scripts/slide-pictures.mjs              every sandbox slide of slides/index.html
//   node scripts/slide-pictures.mjs dropout ...  only these slides
//
// For each `<div class="sandbox" data-picture="<slide>">` it opens the frame's own link (embed.html#…)
// in headless Chromium at the frame's size on the slide (1240×520), lets it train to a fixed step —
// a scenario's own step (it stops there by itself), else the slide's data-picture-step (default 200)
// — pauses it, and screenshots the page. Runs are seeded, so a new build draws the same curves.
// Serves the production build like the e2e tests (tests/e2e/helpers.mjs): dist/ (or TRAINLAB_DIST),
// built first if missing. Commit the PNGs: the deck bundles them (slides/deck.js).

import { mkdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { ROOT, launchBrowser, startServer } from "../tests/e2e/helpers.mjs";
import { scenarioById } from "../www/scenarios.js";

const DECK = join(ROOT, "slides", "index.html");
const OUT = join(ROOT, "slides", "pictures");
const FRAME = { width: 1240, height: 520 };   // .reveal .sandbox in slides/deck.css
const DEFAULT_STEP = 200;
const TIMEOUT_MS = 10 * 60 * 1000;            // a 3-run scenario on a busy 2-core machine

/** The deck's sandboxes: [{ id, link, step }] in slide order. */
export function deckSandboxes(html) {
  const boxes = [];
  const re = /<div class="sandbox" data-picture="([\w-]+)"(?: data-picture-step="(\d+)")?>\s*<iframe[^>]*data-src="\.\.\/embed\.html#([^"]+)"/g;
  for (const [, id, step, link] of html.matchAll(re)) {
    const scenario = /(?:^|&)scenario=([\w-]+)/.exec(link.split("|")[0])?.[1];
    const at = scenario ? scenarioById(scenario)?.at : undefined;
    if (scenario && !at) throw new Error(`slide "${id}": its link names scenario "${scenario}", which www/scenarios.js does not have`);
    boxes.push({ id, link: link.replaceAll("&amp;", "&"), step: at ?? Number(step ?? DEFAULT_STEP) });
  }
  return boxes;
}

async function picture(browser, url, box) {
  const context = await browser.newContext({ viewport: FRAME });
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  try {
    await page.goto(`${url}embed.html#${box.link}`);
    // Done when every run is at the step, or has stopped by itself before it (diverged, or the
    // overfit test pausing at 100% training accuracy).
    await page.waitForFunction((step) => {
      const runs = window.trainlab?.runs;
      return runs?.length > 0 && runs.every((r) => r.step >= step || (r.step > 0 && ["paused", "diverged"].includes(r.state)));
    }, box.step, { timeout: TIMEOUT_MS, polling: 250 });
    // Pause (a scenario has paused itself at its step), then let the charts draw their last frame.
    await page.evaluate(() => window.trainlab.control.pause());
    await page.waitForFunction(() => window.trainlab.runs.every((r) => r.state !== "running"), null, { timeout: 30000 });
    // The frame's message lines (e.g. "the runs paused at step 100…") would cover the charts on paper.
    await page.addStyleTag({ content: "#messages { display: none !important; }" });
    await page.waitForTimeout(800);
    const steps = await page.evaluate(() => window.trainlab.runs.map((r) => r.step));
    const path = join(OUT, `${box.id}.png`);
    await page.screenshot({ path });
    if (errors.length) throw new Error(`slide "${box.id}": errors in the page: ${errors.join("; ")}`);
    return { path, steps };
  } finally {
    await context.close();
  }
}

async function main(only) {
  const boxes = deckSandboxes(readFileSync(DECK, "utf8")).filter((b) => !only.length || only.includes(b.id));
  const unknown = only.filter((id) => !boxes.some((b) => b.id === id));
  if (unknown.length) throw new Error(`no sandbox slide named ${unknown.join(", ")} in slides/index.html`);
  mkdirSync(OUT, { recursive: true });
  const server = await startServer();
  const browser = await launchBrowser();
  let total = 0;
  try {
    for (const box of boxes) {
      const t0 = Date.now();
      const { path, steps } = await picture(browser, server.url, box);
      const size = statSync(path).size;
      total += size;
      console.log(`${box.id}: step ${steps.join("/")} (asked ${box.step}), ${(size / 1024).toFixed(0)} KiB, ` +
        `${((Date.now() - t0) / 1000).toFixed(1)} s`);
    }
  } finally {
    await browser.close();
    await server.stop();
  }
  console.log(`${boxes.length} pictures in slides/pictures/, ${(total / 1024).toFixed(0)} KiB together`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main(process.argv.slice(2)).catch((e) => {
    console.error(`slide-pictures: ${e.message}`);
    process.exit(1);
  });
}
