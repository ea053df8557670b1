// The accuracy card's key for the averaged weights' validation curves (Polyak averaging's EMA and
// the snapshot ensemble): one line sample per curve drawn, in its run's colour and with its own
// dash, so that "val (EMA)" and "val (snapshot ens. 3)" read apart from the raw validation line.
// Placed after the card's run legend; hidden while no run has such a curve.

const SVG = "http://www.w3.org/2000/svg";

/** A 22×8 line sample: `dash` as canvas setLineDash numbers (CSS pixels), round caps for dots. */
function sample(color, dash, round) {
  const svg = document.createElementNS(SVG, "svg");
  svg.setAttribute("width", "22");
  svg.setAttribute("height", "8");
  svg.setAttribute("aria-hidden", "true");
  const line = document.createElementNS(SVG, "line");
  for (const [k, v] of Object.entries({ x1: 2, y1: 4, x2: 20, y2: 4, stroke: color, "stroke-width": 2.5 })) {
    line.setAttribute(k, String(v));
  }
  line.setAttribute("stroke-dasharray", dash.join(" "));
  if (round) line.setAttribute("stroke-linecap", "round");
  svg.append(line);
  return svg;
}

/**
 * entries: [{ curve, run, points, color, dash, round, label }]. Rebuilt only when they change (a DOM change costs a
 * style and layout pass).
 */
export function renderAveragedLegend(chartEl, entries) {
  const card = chartEl.closest(".card");
  if (!card) return;
  let el = card.querySelector(".avg-legend");
  if (!el) {
    el = document.createElement("div");
    el.className = "avg-legend legend";
    el.style.cssText = "flex-wrap:wrap;gap:1px 12px;margin-top:2px";
    const after = card.querySelector(".run-legend") ?? chartEl.previousElementSibling;
    if (after) after.after(el); else chartEl.before(el);
  }
  const key = JSON.stringify(entries);
  if (el.dataset.key === key) return;
  el.dataset.key = key;
  // Not the hidden attribute: the inline display would override it.
  el.style.display = entries.length ? "flex" : "none";
  el.replaceChildren(...entries.map((e) => {
    const item = document.createElement("span");
    item.className = "avg-key";
    // Which curve of which run, and how many evaluations it has (for the end-to-end tests).
    Object.assign(item.dataset, { curve: e.curve, run: String(e.run), points: String(e.points) });
    item.append(sample(e.color, e.dash, e.round), e.label);
    return item;
  }));
}
