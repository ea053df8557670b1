// The frame's layout: which cards show, in how many columns, and how large everything is. Sizes are
// chosen for a 960×540 frame and grow with it (www/embed.css says which), so a frame on a 1920×1080
// slide reads like the same slide projected larger.

import { CARDS, chosenCharts, columnsFor } from "./embedLink.js";

const BASE_W = 960, BASE_H = 540;
/** Tick labels at scale 1, in px. */
const CHART_FONT = 15;

/** The frame's scale: 1 up to 960×540, then the factor by which both sides fit. */
export function frameScale(w, h) {
  return Math.max(1, Math.min(w / BASE_W, h / BASE_H));
}

export function applyLayout({ doc, win, charts, runCount, showOverfit }) {
  const root = doc.documentElement;
  const body = doc.body;
  const chosen = chosenCharts(charts, runCount);
  const cards = chosen.filter((c) => CARDS[c]);
  for (const [name, id] of Object.entries(CARDS)) {
    const el = doc.getElementById(id);
    if (el) el.hidden = !cards.includes(name);
  }
  // The order the link names them in.
  cards.forEach((name, i) => { const el = doc.getElementById(CARDS[name]); if (el) el.style.order = String(i); });
  for (const part of ["table", "stats", "note"]) body.classList.toggle(`show-${part}`, chosen.includes(part));
  body.classList.toggle("show-overfit", showOverfit);
  body.classList.toggle("no-preview", !cards.includes("preview"));

  function size() {
    const s = frameScale(win.innerWidth, win.innerHeight);
    root.style.setProperty("--s", String(s));
    root.style.setProperty("--chart-font", String(Math.round(CHART_FONT * s)));
    root.style.setProperty("--columns", String(columnsFor(cards.length, win.innerWidth, win.innerHeight)));
  }
  size();
  win.addEventListener("resize", size);
  return { cards, chosen };
}
