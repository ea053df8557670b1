// The update/weight ratio ‖ΔW‖/‖W‖ of the weight tensors (sent with each report), over steps, on a log
// scale, with the lecture's target 1e-3 drawn as a dashed line.
// One run: one line per weight tensor. Several runs: one line per run in its colour, the geometric
// mean over its tensors (the ratios span decades, so the arithmetic mean would follow the largest).
// Lecture: "ratio between the updates and values: ~ 0.0002 / 0.02 = 0.01 (about okay);
// want this to be somewhere around 0.001 or so".

import { axis, createRunSet, linePath, makeOverlayPlot, renderRunLegend } from "./chart.js";
import { INK, LAYER_COLORS } from "./palette.js";
import { geometricMean } from "./seriesMath.js";

const MAX_POINTS = 2000;
export const TARGET = 1e-3;
const emptyRun = () => ({ xs: [], layers: [], mean: [] });
const positiveOrNull = (v) => (Number.isFinite(v) && v > 0 ? v : null);

/** "1e-3" for a power of ten, "" for other ticks. */
function logTick(v) {
  const e = Math.round(Math.log10(v));
  return Math.abs(v - 10 ** e) < 1e-12 * 10 ** e ? `1e${e}` : "";
}

/** Labels at powers of ten, skipping any that would sit within 14 px of the last one drawn (a
 * diverged run spans a dozen decades in a 50 px tall chart). */
function decadeLabels(u, ticks) {
  let last = -Infinity;
  return ticks.map((t) => {
    const label = t > 0 ? logTick(t) : "";
    if (!label) return "";
    const y = u.valToPos(t, "y");
    if (Math.abs(y - last) < 14) return "";
    last = y;
    return label;
  });
}

export function createRatioChart(el, { legend } = {}) {
  const runs = createRunSet(emptyRun);
  let dirty = true;
  let legendKey = "";

  const perLayer = () => runs.drawn().length <= 1;
  const xMax = () => {
    let m = 1;
    for (const [, d] of runs.drawn()) if (d.xs.length) m = Math.max(m, d.xs[d.xs.length - 1]);
    return m;
  };
  const yRange = () => {
    let lo = TARGET, hi = TARGET;
    const widen = (v) => { if (v > 0) { if (v < lo) lo = v; if (v > hi) hi = v; } };
    for (const [, d] of runs.drawn()) {
      if (perLayer()) { for (const s of d.layers) for (const v of s) widen(v); } else for (const v of d.mean) widen(v);
    }
    return [10 ** Math.floor(Math.log10(lo) - 0.01), 10 ** Math.ceil(Math.log10(hi) + 0.01)];
  };

  const chart = makeOverlayPlot(el, {
    xRange: () => [0, xMax()],
    yRange,
    yScale: { distr: 3, log: 10 },
    yAxis: { y: axis({ size: 50, values: decadeLabels }) },
    paint,
  });

  function paint(u) {
    const ctx = u.ctx, dpr = devicePixelRatio, { left, top, width, height } = u.bbox;
    const drawn = runs.drawn();
    ctx.lineWidth = (perLayer() ? 1.5 : 2) * dpr;
    if (perLayer()) {
      for (const [, d] of drawn) {
        d.layers.forEach((s, i) => {
          ctx.strokeStyle = LAYER_COLORS[i % LAYER_COLORS.length];
          ctx.stroke(linePath(u, d.xs, s));
        });
      }
    } else {
      for (const [run, d] of drawn) {
        ctx.strokeStyle = run.color;
        ctx.stroke(linePath(u, d.xs, d.mean));
      }
    }
    const y = Math.round(u.valToPos(TARGET, "y", true)) + 0.5;
    if (y < top || y > top + height) return;
    ctx.strokeStyle = INK.target;
    ctx.lineWidth = dpr;
    ctx.setLineDash([6 * dpr, 4 * dpr]);
    ctx.beginPath();
    ctx.moveTo(left, y);
    ctx.lineTo(left + width, y);
    ctx.stroke();
    ctx.setLineDash([]);
  }

  /** The legend: weight tensors 1…n for one run, the runs' colours for several. */
  function updateLegend() {
    const drawn = runs.drawn();
    const n = drawn.length === 1 ? drawn[0][1].layers.length : 0;
    const key = perLayer() ? `layers ${n}` : `runs ${runs.runs.map((r) => `${r.id}:${r.label}:${r.color}`).join("|")}`;
    if (key === legendKey) return;
    legendKey = key;
    if (legend) {
      legend.replaceChildren(...(perLayer() ? Array.from({ length: n }, (_, i) => {
        const s = document.createElement("span");
        const line = document.createElement("i");
        line.className = "line";
        line.style.background = LAYER_COLORS[i % LAYER_COLORS.length];
        s.append(line, String(i + 1));
        s.title = `weight tensor ${i + 1}`;
        return s;
      }) : []));
      legend.title = perLayer() ? "one line per weight tensor" : "geometric mean over each run's weight tensors";
    }
    renderRunLegend(el, perLayer() ? [] : runs.runs);
  }

  function setRuns(list) {
    runs.setRuns(list);
    dirty = true;
  }

  function reset(runId) {
    runs.clear(runId);
    dirty = true;
  }

  /** push(runId, step, ratios): one ratio per weight tensor after `step`. */
  function push(runId, step, ratios) {
    if (!ratios?.length) return;
    const d = runs.data(runId);
    if (d.layers.length !== ratios.length) d.layers = ratios.map(() => d.xs.map(() => null));
    d.xs.push(step);
    ratios.forEach((v, i) => d.layers[i].push(positiveOrNull(v)));
    d.mean.push(positiveOrNull(geometricMean(ratios)));
    if (d.xs.length > MAX_POINTS) {
      const keep = (_, i) => i % 2 === 0;
      d.xs = d.xs.filter(keep);
      d.layers = d.layers.map((s) => s.filter(keep));
      d.mean = d.mean.filter(keep);
    }
    dirty = true;
  }

  function draw() {
    if (!dirty) return;
    dirty = false;
    updateLegend();
    chart.redraw();
  }

  /** A run's latest ratio of every tensor, and how many reports it has. */
  const last = (runId = runs.firstId()) => (runs.peek(runId)?.layers ?? []).map((s) => s[s.length - 1]);
  const length = (runId = runs.firstId()) => runs.peek(runId)?.xs.length ?? 0;

  return { setRuns, reset, push, draw, last, length };
}
