// Training and validation accuracy over steps, from the worker's evaluate() reports.
// Lecture: "Huge train / val gap means overfitting! Increase regularization, get more data.
// No or small gap between train / val means underfitting: train longer, use a bigger model,
// maybe higher LR."

import { COLORS, axis, makePlot } from "./chart.js";

export function createAccuracyChart(el) {
  let xs = [], train = [], val = [];
  let dirty = false;

  const plot = makePlot(el, {
    scales: { x: { time: false }, y: { range: [0, 1] } },
    series: [
      {},
      { label: "train", stroke: COLORS.train, width: 2, points: { show: true, size: 5, fill: COLORS.train } },
      { label: "val", stroke: COLORS.val, width: 2, points: { show: true, size: 5, fill: COLORS.val } },
    ],
    axes: [
      axis({ label: "step", labelSize: 18, size: 30 }),
      axis({ size: 44, values: (u, ticks) => ticks.map((t) => `${Math.round(t * 100)}%`) }),
    ],
    cursor: { show: false },
  }, [[], [], []]);

  function reset() {
    xs = []; train = []; val = [];
    dirty = true;
  }

  function push(ev) {
    // A second evaluation at the same step (e.g. pause right after an epoch) replaces the first.
    if (xs.length && xs[xs.length - 1] === ev.step) { xs.pop(); train.pop(); val.pop(); }
    xs.push(ev.step);
    train.push(Number.isFinite(ev.trainAccuracy) ? ev.trainAccuracy : null);
    val.push(Number.isFinite(ev.valAccuracy) ? ev.valAccuracy : null);
    dirty = true;
  }

  function draw() {
    if (!dirty) return;
    dirty = false;
    plot.setData([xs, train, val]);
  }

  return { reset, push, draw };
}
