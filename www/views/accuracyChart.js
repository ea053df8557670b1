// Training and validation accuracy over steps, from the worker's evaluate() reports.
// Lecture: "Huge train / val gap means overfitting! Increase regularization, get more data.
// No or small gap between train / val means underfitting: train longer, use a bigger model,
// maybe higher LR."
// Early stopping (lecture: "always a good idea"): the best validation accuracy so far is marked
// with a dashed line and a ring, the snapshot the core keeps and "Use best snapshot" restores.

import { COLORS, axis, makePlot, stepAxis } from "./chart.js";

export function createAccuracyChart(el) {
  let xs = [], train = [], val = [];
  let best = null;   // { step, accuracy } of the best validation evaluation so far
  let dirty = false;
  let xMax = 0;

  const plot = makePlot(el, {
    // The x range follows the loss chart's (xMax), so the two charts share one step axis.
    // (From our own arrays: with a single point uPlot pads min/max before calling range.)
    scales: { x: { time: false, range: () => [0, Math.max(xMax, xs[xs.length - 1] ?? 0, 1)] }, y: { range: [0, 1] } },
    series: [
      {},
      { label: "train", stroke: COLORS.train, width: 2, points: { show: true, size: 5, fill: COLORS.train } },
      { label: "val", stroke: COLORS.val, width: 2, points: { show: true, size: 5, fill: COLORS.val } },
    ],
    axes: [
      stepAxis(),
      axis({ size: 50, values: (u, ticks) => ticks.map((t) => `${Math.round(t * 100)}%`) }),
    ],
    cursor: { show: false },
    hooks: { draw: [drawBest] },
  }, [[], [], []]);

  function drawBest(u) {
    if (!best) return;
    const ctx = u.ctx, dpr = devicePixelRatio;
    const x = u.valToPos(best.step, "x", true), y = u.valToPos(best.accuracy, "y", true);
    const { left, top, width, height } = u.bbox;
    if (x < left - 1 || x > left + width + 1) return;
    ctx.save();
    ctx.strokeStyle = COLORS.best;
    ctx.lineWidth = 1.5 * dpr;
    ctx.setLineDash([4 * dpr, 3 * dpr]);
    ctx.beginPath();
    ctx.moveTo(x, top);
    ctx.lineTo(x, top + height);
    ctx.stroke();
    ctx.setLineDash([]);
    ctx.lineWidth = 2 * dpr;
    ctx.beginPath();
    ctx.arc(x, y, 6 * dpr, 0, 2 * Math.PI);
    ctx.stroke();
    ctx.restore();
  }

  function reset() {
    xs = []; train = []; val = []; xMax = 0; best = null;
    dirty = true;
  }

  function push(ev) {
    // A second evaluation at the same step (e.g. pause right after an epoch) replaces the first.
    if (xs.length && xs[xs.length - 1] === ev.step) { xs.pop(); train.pop(); val.pop(); }
    xs.push(ev.step);
    train.push(Number.isFinite(ev.trainAccuracy) ? ev.trainAccuracy : null);
    val.push(Number.isFinite(ev.valAccuracy) ? ev.valAccuracy : null);
    // Step 0 has no snapshot worth restoring: the core's best starts with the first evaluation.
    if (Number.isFinite(ev.bestValAccuracy) && ev.bestStep > 0) best = { step: ev.bestStep, accuracy: ev.bestValAccuracy };
    dirty = true;
  }

  /** Redraw if new evaluations arrived or the step axis grew to `maxStep`. */
  function draw(maxStep = 0) {
    if (!dirty && maxStep === xMax) return;
    dirty = false;
    xMax = maxStep;
    plot.setData([xs, train, val]);
  }

  return { reset, push, draw, get best() { return best; } };
}
