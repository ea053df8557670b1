// Shared uPlot plumbing for the views: axes, sizing to the container, the set of runs a chart
// overlays, and the per-run legend in the card head.
//
// The multi-run charts let uPlot do what it is good at (scales, ticks, axes, sizing) and paint the
// runs themselves in a draw hook: runs have their own step grids (and their own thinning strides),
// so aligning them into one uPlot table on every frame would cost more than drawing them.

import uPlot from "uplot";
import { INK, runColor } from "./palette.js";

/** The tick labels' size in px: 11 on the page; a slide's frame sets `--chart-font` (www/embed.css). */
export function chartFontPx(doc = globalThis.document) {
  const v = doc ? parseFloat(getComputedStyle(doc.documentElement).getPropertyValue("--chart-font")) : NaN;
  return Number.isFinite(v) && v > 0 ? v : 11;
}

/** An axis; its `size`/`labelSize` (px at the page's 11 px labels) grow with larger labels. */
export function axis(extra = {}) {
  const px = chartFontPx();
  const k = px / 11;
  const font = `${px}px system-ui, sans-serif`;
  const scaled = {};
  for (const key of ["size", "labelSize"]) if (typeof extra[key] === "number") scaled[key] = Math.round(extra[key] * k);
  return {
    stroke: INK.axis,
    grid: { stroke: INK.grid, width: 1 },
    ticks: { stroke: INK.grid, width: 1 },
    font,
    labelFont: font,
    ...extra,
    ...scaled,
  };
}

/** Tick labels short enough for a 44 px axis, however large the loss gets before it turns NaN. */
export function shortNumber(v) {
  const a = Math.abs(v);
  if (a === 0) return "0";
  if (a >= 1e6 || a < 1e-3) return v.toExponential(0).replace("e+", "e");
  if (a >= 1e3) return `${+(v / 1e3).toPrecision(3)}k`;
  return String(+v.toPrecision(3));
}

/** x axis in steps: whole-number ticks only. */
const STEP_INCRS = [1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1e3, 2e3, 2.5e3, 5e3, 1e4, 2e4, 2.5e4, 5e4,
  1e5, 2e5, 2.5e5, 5e5, 1e6, 2e6, 5e6, 1e7];
export function stepAxis() {
  return axis({ label: "step", labelSize: 18, size: 30, incrs: STEP_INCRS, values: (u, ticks) => ticks.map(shortNumber) });
}

/** Make a uPlot that fills `el` and follows its size; `plot.destroy()` also stops following. */
export function makePlot(el, opts, data) {
  const size = () => ({
    width: Math.max(120, Math.floor(el.clientWidth)),
    height: Math.max(80, Math.floor(el.clientHeight)),
  });
  const plot = new uPlot({ ...opts, ...size(), legend: { show: false } }, data, el);
  let last = size();
  const observer = new ResizeObserver(() => {
    const s = size();
    if (s.width !== last.width || s.height !== last.height) {
      last = s;
      plot.setSize(s);
    }
  });
  observer.observe(el);
  const destroy = plot.destroy.bind(plot);
  plot.destroy = () => { observer.disconnect(); destroy(); };
  return plot;
}

/**
 * A plot whose runs are painted by `paint(u)` (inside the plot area, clipped) rather than by uPlot
 * series. `xRange()` / `yRange()` give the scales; uPlot gets one invisible series spanning them so
 * that it lays out the axes even before there is data. Returns { plot, redraw }.
 */
export function makeOverlayPlot(el, { xRange, yRange, yScale = {}, yAxis, paint }) {
  // The ranges are computed once per redraw (a robust range sorts every point) and handed to uPlot.
  let xr = [0, 1], yr = [0, 1];
  const data = () => {
    xr = xRange();
    yr = yRange();
    return [[xr[0], xr[1]], [yr[0], yr[1]]];
  };
  const plot = makePlot(el, {
    scales: {
      x: { time: false, range: () => xr },
      y: { ...yScale, range: () => yr },
    },
    series: [{}, { stroke: "transparent", width: 0, paths: () => null, points: { show: false } }],
    axes: [stepAxisOr(yAxis.x), yAxis.y],
    cursor: { show: false },
    hooks: {
      draw: [(u) => {
        const { left, top, width, height } = u.bbox;
        u.ctx.save();
        u.ctx.beginPath();
        u.ctx.rect(left, top, width, height);
        u.ctx.clip();
        paint(u);
        u.ctx.restore();
      }],
    },
  }, data());
  return { plot, redraw: () => plot.setData(data()) };
}

function stepAxisOr(x) {
  return x ?? stepAxis();
}

/** y in canvas pixels, held inside the plot area: outliers are drawn at the edge, not dropped. */
export function yPosClamped(u, v) {
  const { top, height } = u.bbox;
  const y = u.valToPos(v, "y", true);
  return y < top ? top : y > top + height ? top + height : y;
}

/**
 * The runs a chart overlays, and each run's data (made by `makeData()` on first use). Until
 * setRuns() is called the chart lists one run, id 0. Data pushed for a run not (yet) listed is kept
 * but not drawn; setRuns drops the data of runs no longer listed.
 */
export function createRunSet(makeData) {
  let runs = [{ id: 0, label: "", color: runColor(0) }];
  const data = new Map();
  return {
    get runs() { return runs; },
    /** [{ id, label, color }] in display order. */
    setRuns(list) {
      runs = list.map((r, i) => ({ ...r, color: r.color ?? runColor(i) }));
      for (const id of [...data.keys()]) if (!runs.some((r) => r.id === id)) data.delete(id);
    },
    /** A run's data, created empty if there is none yet. */
    data(id) {
      let d = data.get(id);
      if (!d) { d = makeData(); data.set(id, d); }
      return d;
    },
    peek(id) { return data.get(id); },
    /** Forget one run's data, or every run's with no id. */
    clear(id) {
      if (id === undefined) data.clear(); else data.delete(id);
    },
    /** The listed runs that have data, in display order: [[run, data], ...]. */
    drawn() {
      const out = [];
      for (const r of runs) { const d = data.get(r.id); if (d) out.push([r, d]); }
      return out;
    },
    firstId() { return runs[0]?.id ?? 0; },
  };
}

/**
 * The card's run legend (an element with class "run-legend" in the chart's card): one swatch and
 * label per run, hidden while there is a single unlabelled run (unless `always`). `extra(run)` adds
 * text per run (the calibration chart's ECE).
 */
export function renderRunLegend(chartEl, runs, extra = () => "", { always = false } = {}) {
  const el = chartEl.closest(".card")?.querySelector(".run-legend");
  if (!el) return;
  // Rebuilt only when its text changes: a DOM change costs a style and layout pass of the page.
  const key = JSON.stringify([always, runs.map((r) => [r.id, r.label, r.color, extra(r)])]);
  if (el.dataset.key === key) return;
  el.dataset.key = key;
  const shown = runs.length > 0 && (always || runs.length > 1 || runs.some((r) => r.label));
  el.hidden = !shown;
  if (!shown) { el.replaceChildren(); return; }
  el.replaceChildren(...runs.map((r) => {
    const item = document.createElement("span");
    item.className = "run-key";
    const sw = document.createElement("i");
    sw.className = "swatch";
    sw.style.background = r.color;
    item.append(sw, `${r.label || (runs.length > 1 ? `run ${r.id}` : "")}${extra(r)}`);
    return item;
  }));
}

/** A polyline through (xs[i], ys[i]) with gaps at null, in canvas pixels, clamped to the plot area. */
export function linePath(u, xs, ys) {
  const path = new Path2D();
  let pen = false;
  for (let i = 0; i < xs.length; i++) {
    const y = ys[i];
    if (y == null) { pen = false; continue; }
    const px = u.valToPos(xs[i], "x", true), py = yPosClamped(u, y);
    if (pen) path.lineTo(px, py); else path.moveTo(px, py);
    pen = true;
  }
  return path;
}
