// Reliability diagram of the validation set for every run: for each confidence bin (10 equal-width
// bins of the top-1 probability) a bar as high as the accuracy of the images in it, one colour per
// run, against the diagonal of a perfectly calibrated network. Bars below the diagonal: the network
// is more confident than it is right (overconfident, the usual case); label smoothing pulls them up
// towards it. The legend gives each run's expected calibration error (ECE, the count-weighted gap
// between bar and diagonal) and mean confidence.

import { axis, createRunSet, makeOverlayPlot, renderRunLegend } from "./chart.js";
import { CARD_BG, INK } from "./palette.js";
import { pct } from "./stats.js";

const emptyRun = () => ({ bins: [], confidence: NaN, ece: NaN, step: 0 });
const pctAxis = (label) => axis({
  label, labelSize: 18, size: label ? 30 : 50, incrs: [0.1, 0.2, 0.25, 0.5],
  values: (u, ticks) => ticks.map((t) => `${Math.round(t * 100)}%`),
});

export function createCalibrationChart(el) {
  const runs = createRunSet(emptyRun);
  let dirty = true;

  const chart = makeOverlayPlot(el, {
    xRange: () => [0, 1],
    yRange: () => [0, 1],
    yAxis: { x: pctAxis("confidence (validation)"), y: pctAxis("") },
    paint,
  });

  function paint(u) {
    const ctx = u.ctx, dpr = devicePixelRatio;
    const drawn = runs.drawn().filter(([, d]) => d.bins.length);
    const n = drawn.length;
    drawn.forEach(([run, d], k) => {
      ctx.fillStyle = run.color;
      for (const b of d.bins) {
        if (!(b.count > 0) || !Number.isFinite(b.accuracy)) continue;
        const w = (b.hi - b.lo) / n;
        const x0 = u.valToPos(b.lo + k * w, "x", true), x1 = u.valToPos(b.lo + (k + 1) * w, "x", true);
        const y = u.valToPos(b.accuracy, "y", true), y0 = u.valToPos(0, "y", true);
        ctx.fillRect(x0 + 0.5 * dpr, y, Math.max(dpr, x1 - x0 - dpr), y0 - y);
      }
    });
    // The diagonal over the bars, with a casing so it stays visible where it crosses one.
    const a = [u.valToPos(0, "x", true), u.valToPos(0, "y", true)], b = [u.valToPos(1, "x", true), u.valToPos(1, "y", true)];
    for (const [color, width] of [[CARD_BG, 3.5], [INK.diagonal, 1.5]]) {
      ctx.strokeStyle = color;
      ctx.lineWidth = width * dpr;
      ctx.setLineDash(color === CARD_BG ? [] : [6 * dpr, 4 * dpr]);
      ctx.beginPath();
      ctx.moveTo(...a);
      ctx.lineTo(...b);
      ctx.stroke();
    }
    ctx.setLineDash([]);
  }

  const legendText = (r) => {
    const d = runs.peek(r.id);
    if (!d || !Number.isFinite(d.ece)) return r.label ? "" : "not evaluated yet";
    return `${r.label ? ": " : ""}ECE ${pct(d.ece)}, confidence ${pct(d.confidence)}`;
  };

  function setRuns(list) {
    runs.setRuns(list);
    dirty = true;
  }

  function reset(runId) {
    runs.clear(runId);
    dirty = true;
  }

  /** push(runId, evalReport): the report's `reliability` bins, `valConfidence` and `valEce`.
   *  Each evaluation replaces the last. */
  function push(runId, ev) {
    const d = runs.data(runId);
    d.bins = Array.isArray(ev.reliability) ? ev.reliability : [];
    d.confidence = ev.valConfidence;
    d.ece = ev.valEce;
    d.step = ev.step;
    dirty = true;
  }

  function draw() {
    if (!dirty) return;
    dirty = false;
    renderRunLegend(el, runs.runs, legendText, { always: true });
    chart.redraw();
  }

  /** A run's last calibration figures { step, ece, confidence, bins }, or null. */
  function figures(runId = runs.firstId()) {
    const d = runs.peek(runId);
    return d ? { step: d.step, ece: d.ece, confidence: d.confidence, bins: d.bins } : null;
  }

  return { setRuns, reset, push, draw, figures };
}
