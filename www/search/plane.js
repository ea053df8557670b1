// One panel of the search figure (the lecture's "grid layout" / "random layout" slide): every trial
// on the plane of the two hyperparameters (log axes where the scale is log), filled with the colour
// of its validation accuracy once trained; above the plane the marginal along the first
// hyperparameter and right of it the one along the second — every trial's accuracy against that
// parameter alone, with the best per bin as a bar. Dragging a rectangle on the plane selects a
// region (coarse to fine): onSelect gets its ranges.
//
// Drawn as SVG by hand: a scatter with per-point colours, two marginal strips sharing the plane's
// axes and a drag rectangle are one small drawing, where uPlot (the sandbox's line charts) would need
// a custom path builder per part.

import { accuracyColor, axis, bestPerBin, shortNumber } from "./scales.js";

const NS = "http://www.w3.org/2000/svg";
const W = 470, H = 400;
const L = 58, MT = 84, MR = 90, B = 42;                 // left axis, top marginal, right marginal, bottom axis
const PX0 = L, PX1 = W - MR - 6, PY0 = MT + 4, PY1 = H - B;  // the plane
const TOP0 = 16, TOP1 = MT - 10;                        // the top marginal's band (y)
const RX0 = PX1 + 12, RX1 = W - 8;                      // the right marginal's band (x)
const BINS = 8;
const MIN_BAR = 2;                                      // a bin at the lowest accuracy still shows
const MIN_DRAG = 6;                                     // px: a smaller rectangle is a click, not a region
const PAD = 0.04;                                       // the range's ends sit this far inside the plane's edges
const inset = (u) => PAD + u * (1 - 2 * PAD);
const outset = (p) => Math.min(1, Math.max(0, (p - PAD) / (1 - 2 * PAD)));

function el(name, attrs = {}, text) {
  const e = document.createElementNS(NS, name);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = text;
  return e;
}

/**
 * A panel in `root` for one method ("grid" | "random"). `labels`: key → axis title. `onSelect({ x:
 * [lo, hi], y: [lo, hi] })` after a drag, in the hyperparameters' values (x: the first parameter).
 */
export function createPlane(root, { method, labels, onSelect }) {
  const svg = el("svg", { viewBox: `0 0 ${W} ${H}`, class: "plane", role: "img", "data-method": method });
  root.append(svg);
  let current = null;          // { spec, trials } drawn now
  let axes = null;             // { x, y } of the current spec
  let drag = null;

  function draw(search, range) {
    current = search;
    svg.replaceChildren();
    if (!search) {
      axes = null;
      svg.append(el("rect", { x: PX0, y: PY0, width: PX1 - PX0, height: PY1 - PY0, class: "plane-bg" }));
      svg.append(el("text", { x: (PX0 + PX1) / 2, y: (PY0 + PY1) / 2, class: "plane-empty", "text-anchor": "middle" },
        `No ${method} search yet`));
      svg.dataset.points = "0";
      return;
    }
    const [pa, pb] = search.spec.params;
    axes = { x: axis(pa), y: axis(pb) };
    const X = (v) => PX0 + inset(axes.x.pos(v)) * (PX1 - PX0);
    const Y = (v) => PY1 - inset(axes.y.pos(v)) * (PY1 - PY0);
    const span = Math.max(range.hi - range.lo, 1e-9);
    const t = (acc) => (acc - range.lo) / span;
    const topY = (acc) => TOP1 - t(acc) * (TOP1 - TOP0);
    const rightX = (acc) => RX0 + t(acc) * (RX1 - RX0);

    svg.append(el("rect", { x: PX0, y: PY0, width: PX1 - PX0, height: PY1 - PY0, class: "plane-bg" }));
    svg.append(el("rect", { x: PX0, y: TOP0, width: PX1 - PX0, height: TOP1 - TOP0, class: "band-bg" }));
    svg.append(el("rect", { x: RX0, y: PY0, width: RX1 - RX0, height: PY1 - PY0, class: "band-bg" }));
    for (const v of axes.x.ticks()) {
      svg.append(el("line", { x1: X(v), x2: X(v), y1: PY0, y2: PY1, class: "grid" }));
      svg.append(el("text", { x: X(v), y: PY1 + 14, class: "tick", "text-anchor": "middle" }, shortNumber(v)));
    }
    for (const v of axes.y.ticks()) {
      svg.append(el("line", { x1: PX0, x2: PX1, y1: Y(v), y2: Y(v), class: "grid" }));
      svg.append(el("text", { x: PX0 - 5, y: Y(v) + 4, class: "tick", "text-anchor": "end" }, shortNumber(v)));
    }
    svg.append(el("text", { x: (PX0 + PX1) / 2, y: H - 8, class: "axis-title", "text-anchor": "middle" },
      `${labels[pa.key] ?? pa.key}${pa.scale === "log" ? " (log)" : ""}`));
    const yt = el("text", { x: 0, y: 0, class: "axis-title", "text-anchor": "middle",
      transform: `translate(14 ${(PY0 + PY1) / 2}) rotate(-90)` }, `${labels[pb.key] ?? pb.key}${pb.scale === "log" ? " (log)" : ""}`);
    svg.append(yt);
    // The marginals' accuracy scale, at their outer edges.
    svg.append(el("text", { x: PX0 - 5, y: TOP0 + 8, class: "tick", "text-anchor": "end" }, pct(range.hi)));
    svg.append(el("text", { x: PX0 - 5, y: TOP1, class: "tick", "text-anchor": "end" }, pct(range.lo)));
    svg.append(el("text", { x: PX0, y: TOP0 - 4, class: "band-title" }, `val. accuracy vs ${labels[pa.key] ?? pa.key}`));
    svg.append(el("text", { x: RX0, y: PY0 - 3, class: "tick", "text-anchor": "start" }, pct(range.lo)));
    svg.append(el("text", { x: RX1, y: PY0 - 3, class: "tick", "text-anchor": "end" }, pct(range.hi)));
    svg.append(el("text", { x: RX0, y: TOP1 - 14, class: "band-title corner" }, "val. acc. vs"));
    svg.append(el("text", { x: RX0, y: TOP1 - 3, class: "band-title corner" }, `${labels[pb.key] ?? pb.key} ↓`));

    // A diverged trial is scored too (its evaluation after the explosion, near chance): the marginal
    // then shows where the learning rate is too high.
    // Under the trials, so their tooltips show; a drag may start on a trial too.
    svg.append(el("rect", { x: PX0, y: PY0, width: PX1 - PX0, height: PY1 - PY0, class: "plane-hit" }));
    const done = search.trials.filter((tr) => Number.isFinite(tr.acc));
    const px = (tr) => tr.values[pa.key], py = (tr) => tr.values[pb.key];
    // Best per bin: a bar in each band where any trial fell.
    for (const b of bestPerBin(done.map((tr) => ({ u: axes.x.pos(px(tr)), acc: tr.acc })), BINS)) {
      if (b.best === null) continue;
      const x0 = PX0 + inset(b.lo) * (PX1 - PX0), x1 = PX0 + inset(b.hi) * (PX1 - PX0);
      const h = Math.max(MIN_BAR, TOP1 - topY(b.best));
      svg.append(el("rect", { x: x0 + 1, y: TOP1 - h, width: Math.max(1, x1 - x0 - 2), height: h, class: "bin-best",
        fill: accuracyColor(t(b.best)), "data-axis": "x", "data-best": b.best }));
    }
    for (const b of bestPerBin(done.map((tr) => ({ u: axes.y.pos(py(tr)), acc: tr.acc })), BINS)) {
      if (b.best === null) continue;
      const y1 = PY1 - inset(b.lo) * (PY1 - PY0), y0 = PY1 - inset(b.hi) * (PY1 - PY0);
      svg.append(el("rect", { x: RX0, y: y0 + 1, width: Math.max(MIN_BAR, rightX(b.best) - RX0), height: Math.max(1, y1 - y0 - 2), class: "bin-best",
        fill: accuracyColor(t(b.best)), "data-axis": "y", "data-best": b.best }));
    }
    for (const tr of done) {
      svg.append(el("circle", { cx: X(px(tr)), cy: topY(tr.acc), r: 2.6, class: "marginal-dot" }));
      svg.append(el("circle", { cx: rightX(tr.acc), cy: Y(py(tr)), r: 2.6, class: "marginal-dot" }));
    }
    // The trials on the plane: hollow while queued or training, filled with their accuracy when done.
    for (const tr of search.trials) {
      const attrs = { cx: X(px(tr)), cy: Y(py(tr)), r: 7, class: `trial trial-${tr.state}`, "data-index": tr.index,
        "data-state": tr.state, "data-x": px(tr), "data-y": py(tr) };
      if (Number.isFinite(tr.acc)) Object.assign(attrs, { fill: accuracyColor(t(tr.acc)), "data-acc": tr.acc });
      if (tr.phases) attrs["data-phases"] = JSON.stringify(tr.phases);
      const c = el("circle", attrs);
      c.append(el("title", {}, trialTitle(tr, pa.key, pb.key, labels)));
      svg.append(c);
      if (tr.state === "diverged") {
        const [cx, cy] = [attrs.cx, attrs.cy];
        svg.append(el("path", { d: `M${cx - 5} ${cy - 5}L${cx + 5} ${cy + 5}M${cx - 5} ${cy + 5}L${cx + 5} ${cy - 5}`, class: "diverged-x" }));
      }
    }
    svg.dataset.points = String(search.trials.length);
    svg.dataset.done = String(done.length);
  }

  // ---- drag a region (coarse to fine) ---------------------------------------------------------------
  function toSvg(ev) {
    const p = new DOMPoint(ev.clientX, ev.clientY).matrixTransform(svg.getScreenCTM().inverse());
    return { x: Math.min(PX1, Math.max(PX0, p.x)), y: Math.min(PY1, Math.max(PY0, p.y)) };
  }
  svg.addEventListener("pointerdown", (ev) => {
    const on = ev.target.classList;
    if (!axes || !(on?.contains("plane-hit") || on?.contains("trial"))) return;
    ev.preventDefault();
    svg.setPointerCapture(ev.pointerId);
    const p = toSvg(ev);
    const rect = el("rect", { x: p.x, y: p.y, width: 0, height: 0, class: "selection" });
    svg.append(rect);
    drag = { start: p, rect, end: p };
  });
  svg.addEventListener("pointermove", (ev) => {
    if (!drag) return;
    const p = toSvg(ev);
    drag.end = p;
    drag.rect.setAttribute("x", Math.min(p.x, drag.start.x));
    drag.rect.setAttribute("y", Math.min(p.y, drag.start.y));
    drag.rect.setAttribute("width", Math.abs(p.x - drag.start.x));
    drag.rect.setAttribute("height", Math.abs(p.y - drag.start.y));
  });
  const finish = () => {
    if (!drag) return;
    const { start, end, rect } = drag;
    drag = null;
    rect.remove();
    if (Math.abs(end.x - start.x) < MIN_DRAG || Math.abs(end.y - start.y) < MIN_DRAG) return;
    const ux = [start.x, end.x].map((x) => outset((x - PX0) / (PX1 - PX0))).sort((a, b) => a - b);
    const uy = [start.y, end.y].map((y) => outset((PY1 - y) / (PY1 - PY0))).sort((a, b) => a - b);
    if (ux[0] === ux[1] || uy[0] === uy[1]) return;
    onSelect?.({ x: ux.map(axes.x.value), y: uy.map(axes.y.value) });
  };
  svg.addEventListener("pointerup", finish);
  svg.addEventListener("pointercancel", () => { drag?.rect.remove(); drag = null; });

  draw(null);
  return { draw, get search() { return current; } };
}

function pct(v) {
  return `${(100 * v).toFixed(0)}%`;
}

function trialTitle(tr, ka, kb, labels) {
  const head = `trial ${tr.index + 1}: ${labels[ka] ?? ka} ${shortNumber(tr.values[ka])}, ${labels[kb] ?? kb} ${shortNumber(tr.values[kb])}`;
  if (tr.state === "done") return `${head} → ${(100 * tr.acc).toFixed(1)}% validation accuracy`;
  if (tr.state === "diverged") return `${head} → the loss diverged (${(100 * tr.acc).toFixed(1)}% after it)`;
  if (tr.state === "failed") return `${head} → failed: ${tr.error}`;
  return `${head} (${tr.state})`;
}
