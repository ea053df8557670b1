// Training loss per step: every step's loss as a scatter, its moving average as a line.
// Lecture: "Losses may be noisy, use a scatter plot and also plot moving average to see trends better."
//
// Every step's loss arrives (report.losses). To keep drawing cheap however long the run, the chart
// keeps at most MAX_POINTS points: when full it drops every other point and from then on keeps only
// steps that are multiples of a doubled stride. The moving average is computed on every step before
// thinning, so the line is exact at the points that remain.

import { COLORS, axis, makePlot, shortNumber, stepAxis } from "./chart.js";

const MAX_POINTS = 3000;
const POINT_SIZE = 3;   // CSS pixels

// A scatter drawn as small filled squares in one path: several times cheaper than uPlot's round
// points (one arc each), which matters because the main thread must never block while training.
function squares(size) {
  return (u, seriesIdx, idx0, idx1) => {
    const path = new Path2D();
    const xs = u.data[0], ys = u.data[seriesIdx];
    const side = size * devicePixelRatio, half = side / 2;
    for (let i = idx0; i <= idx1; i++) {
      const y = ys[i];
      if (y == null) continue;
      path.rect(u.valToPos(xs[i], "x", true) - half, u.valToPos(y, "y", true) - half, side, side);
    }
    return { stroke: null, fill: path, clip: null, flags: 0 };
  };
}
export const AVG_WINDOW = 50;

export function createLossChart(el) {
  let xs = [], ys = [], avg = [];
  let stride = 1;
  const ring = new Float64Array(AVG_WINDOW);
  let ringN = 0, ringSum = 0, ringPos = 0;
  let lastAvg = NaN;
  let dirty = false;

  const plot = makePlot(el, {
    scales: {
      x: { time: false, range: () => [0, Math.max(xs[xs.length - 1] ?? 1, 1)] },
      y: { range: (u, min, max) => [0, niceMax(max)] },
    },
    series: [
      {},
      {
        label: "loss (one step)", stroke: COLORS.loss, fill: COLORS.loss, width: 0,
        paths: squares(POINT_SIZE), points: { show: false },
      },
      { label: `moving average (${AVG_WINDOW} steps)`, stroke: COLORS.lossAvg, width: 2, points: { show: false } },
    ],
    axes: [stepAxis(), axis({ size: 50, values: (u, ticks) => ticks.map(shortNumber) })],
    cursor: { show: false },
  }, [[], [], []]);

  function niceMax(max) {
    if (!Number.isFinite(max) || max <= 0) return 2.5;
    return max * 1.05;
  }

  function reset() {
    xs = []; ys = []; avg = [];
    stride = 1;
    ring.fill(0); ringN = 0; ringSum = 0; ringPos = 0;
    lastAvg = NaN;
    dirty = true;
  }

  /** Add the losses of steps firstStep, firstStep+1, ... */
  function push(firstStep, losses) {
    for (let i = 0; i < losses.length; i++) {
      const step = firstStep + i;
      const l = losses[i];
      // Running mean over the last AVG_WINDOW steps; a NaN/Inf loss poisons it, as it should.
      if (ringN === AVG_WINDOW) ringSum -= ring[ringPos]; else ringN++;
      ring[ringPos] = l;
      ringSum += l;
      ringPos = (ringPos + 1) % AVG_WINDOW;
      lastAvg = ringSum / ringN;
      if (step % stride !== 0) continue;
      xs.push(step);
      ys.push(Number.isFinite(l) ? l : null);
      avg.push(Number.isFinite(lastAvg) ? lastAvg : null);
      if (xs.length > MAX_POINTS) thin();
    }
    dirty = true;
  }

  function thin() {
    stride *= 2;
    const keep = (_, i) => xs[i] % stride === 0;
    const nx = xs.filter(keep), ny = ys.filter(keep), na = avg.filter(keep);
    xs = nx; ys = ny; avg = na;
  }

  function draw() {
    if (!dirty) return;
    dirty = false;
    plot.setData([xs, ys, avg]);
  }

  /** The last step with a loss (the x range the accuracy chart follows). */
  const lastStep = () => (xs.length ? xs[xs.length - 1] : 0);

  return { reset, push, draw, average: () => lastAvg, lastStep };
}
