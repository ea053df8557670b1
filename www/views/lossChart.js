// Training loss per step for every run: each step's loss as a small square, its moving average as a
// line, in the run's colour. Lecture: "Losses may be noisy, use a scatter plot and also plot moving
// average to see trends better."
//
// Every step's loss arrives. To keep drawing cheap however long the run, each run keeps at most
// MAX_POINTS points: when full it drops every other point and from then on keeps only steps that are
// multiples of a doubled stride. The moving average is computed on every step before thinning, so
// the line is exact at the points that remain.
//
// The y axis: linear from 0 or logarithmic (the "log" box in the card head), its top from a robust
// percentile (seriesMath.robustLossRange) so an early spike does not fix the axis for the whole run;
// points beyond it are drawn at the edge.

import { linePath, makeOverlayPlot, axis, createRunSet, renderRunLegend, shortNumber, yPosClamped } from "./chart.js";
import { CARD_BG } from "./palette.js";
import { logTicks, robustLossRange } from "./seriesMath.js";

const MAX_POINTS = 3000;
const POINT_SIZE = 2;   // CSS pixels: small, opaque (a translucent dot falls under 3:1 on white)
export const AVG_WINDOW = 50;

function emptyRun() {
  return {
    xs: [], ys: [], avg: [], stride: 1,
    ring: new Float64Array(AVG_WINDOW), ringN: 0, ringSum: 0, ringPos: 0, lastAvg: NaN,
  };
}

export function createLossChart(el, { logToggle } = {}) {
  const runs = createRunSet(emptyRun);
  let dirty = true;
  let log = false;
  let maxStepHint = 0;
  const toggle = logToggle ?? el.closest(".card")?.querySelector("input.log-toggle");

  const xMax = () => {
    let m = Math.max(maxStepHint, 1);
    for (const [, d] of runs.drawn()) if (d.xs.length) m = Math.max(m, d.xs[d.xs.length - 1]);
    return m;
  };
  const yRange = () => {
    const avgs = [], losses = [];
    for (const [, d] of runs.drawn()) { avgs.push(...d.avg); losses.push(...d.ys); }
    return robustLossRange(avgs, losses, { log });
  };

  let chart = build();
  function build() {
    return makeOverlayPlot(el, {
      xRange: () => [0, xMax()],
      yRange,
      yScale: log ? { distr: 3, log: 10 } : {},
      yAxis: {
        y: axis({
          size: 50,
          values: (u, ticks) => ticks.map(shortNumber),
          ...(log ? { splits: (u) => logTicks(u.scales.y.min, u.scales.y.max) } : {}),
        }),
      },
      paint,
    });
  }

  function paint(u) {
    const ctx = u.ctx, dpr = devicePixelRatio;
    const side = POINT_SIZE * dpr, half = side / 2;
    const drawn = runs.drawn();
    // All scatters first, then all averages on top, so no run's dots hide another's trend.
    for (const [run, d] of drawn) {
      const path = new Path2D();
      for (let i = 0; i < d.xs.length; i++) {
        const y = d.ys[i];
        if (y == null || (log && y <= 0)) continue;
        path.rect(u.valToPos(d.xs[i], "x", true) - half, yPosClamped(u, y) - half, side, side);
      }
      ctx.fillStyle = run.color;
      ctx.fill(path);
    }
    ctx.lineJoin = "round";
    drawn.forEach(([run, d], i) => {
      const path = linePath(u, d.xs, log ? d.avg.map((v) => (v > 0 ? v : null)) : d.avg);
      // Later runs are drawn thinner, so where two runs' averages coincide (same seed, same batches,
      // a regularizer that has not acted yet) both colours still show.
      const width = Math.max(1.5, 3.5 - 0.7 * i);
      // A background-coloured casing separates the first line from the dots of the same colour under it.
      if (i === 0) {
        ctx.strokeStyle = CARD_BG;
        ctx.lineWidth = (width + 2) * dpr;
        ctx.stroke(path);
      }
      ctx.strokeStyle = run.color;
      ctx.lineWidth = width * dpr;
      ctx.stroke(path);
    });
  }

  function setLog(on) {
    if (on === log) return;
    log = on;
    chart.plot.destroy();
    chart = build();
    dirty = true;
  }
  if (toggle) toggle.addEventListener("change", () => { setLog(toggle.checked); draw(); });

  function setRuns(list) {
    runs.setRuns(list);
    renderRunLegend(el, runs.runs);
    dirty = true;
  }

  /** Clear one run (or all with no id). */
  function reset(runId) {
    runs.clear(runId);
    maxStepHint = 0;
    dirty = true;
  }

  /** push(runId, firstStep, losses): the losses of steps firstStep, firstStep+1, ... */
  function push(runId, firstStep, losses) {
    const d = runs.data(runId);
    for (let i = 0; i < losses.length; i++) {
      const step = firstStep + i;
      const l = losses[i];
      // Running mean over the last AVG_WINDOW steps; a NaN/Inf loss poisons it, as it should.
      if (d.ringN === AVG_WINDOW) d.ringSum -= d.ring[d.ringPos]; else d.ringN++;
      d.ring[d.ringPos] = l;
      d.ringSum += l;
      d.ringPos = (d.ringPos + 1) % AVG_WINDOW;
      d.lastAvg = d.ringSum / d.ringN;
      if (step % d.stride !== 0) continue;
      d.xs.push(step);
      d.ys.push(Number.isFinite(l) ? l : null);
      d.avg.push(Number.isFinite(d.lastAvg) ? d.lastAvg : null);
      if (d.xs.length > MAX_POINTS) thin(d);
    }
    dirty = true;
  }

  function thin(d) {
    d.stride *= 2;
    const keep = (_, i) => d.xs[i] % d.stride === 0;
    const ys = d.ys.filter(keep), avg = d.avg.filter(keep);
    d.xs = d.xs.filter(keep); d.ys = ys; d.avg = avg;
  }

  /** Redraw if something changed; `maxStep` (optional) widens the step axis to match other charts. */
  function draw(maxStep = 0) {
    if (!dirty && maxStep === maxStepHint) return;
    dirty = false;
    maxStepHint = maxStep;
    chart.redraw();
  }

  /** A run's last moving average (NaN before its first step). */
  const average = (runId = runs.firstId()) => runs.peek(runId)?.lastAvg ?? NaN;
  /** A run's last step with a loss; with no id, the last step of any listed run (the shared x axis). */
  function lastStep(runId) {
    if (runId !== undefined) {
      const d = runs.peek(runId);
      return d?.xs.length ? d.xs[d.xs.length - 1] : 0;
    }
    let m = 0;
    for (const [, d] of runs.drawn()) if (d.xs.length) m = Math.max(m, d.xs[d.xs.length - 1]);
    return m;
  }

  return { setRuns, reset, push, draw, average, lastStep, setLog, get log() { return log; } };
}
