// The learning rate over steps for every run: the schedule's whole curve (sent when a run is created,
// so it shows before training starts) as a line, the rate each step actually used as small squares
// (one per report), both in the run's colour, and a dashed line at the current step.
// Lecture: "Learning rate decays over time" — step, cosine, linear, inverse sqrt, warm restarts.

import { axis, createRunSet, linePath, makeOverlayPlot, renderRunLegend, shortNumber, yPosClamped } from "./chart.js";
import { INK } from "./palette.js";

const MAX_POINTS = 2000;
const emptyRun = () => ({ curve: [[], []], used: [], step: 0 });
const toColumns = (points = []) => [points.map((p) => p[0]), points.map((p) => p[1])];

export function createLrChart(el) {
  const runs = createRunSet(emptyRun);
  let dirty = true;

  const now = () => {
    let s = 0;
    for (const [, d] of runs.drawn()) s = Math.max(s, d.step);
    return s;
  };
  const xMax = () => {
    let m = Math.max(now(), 1);
    for (const [, d] of runs.drawn()) m = Math.max(m, d.curve[0][d.curve[0].length - 1] ?? 0);
    return m;
  };
  const yMax = () => {
    let m = 0;
    for (const [, d] of runs.drawn()) {
      for (const v of d.curve[1]) if (Number.isFinite(v) && v > m) m = v;
      for (const [, v] of d.used) if (Number.isFinite(v) && v > m) m = v;
    }
    return m > 0 ? m * 1.08 : 1;
  };

  const chart = makeOverlayPlot(el, {
    xRange: () => [0, xMax()],
    yRange: () => [0, yMax()],
    yAxis: { y: axis({ size: 50, values: (u, ticks) => ticks.map(shortNumber) }) },
    paint,
  });

  function paint(u) {
    const ctx = u.ctx, dpr = devicePixelRatio, { top, height } = u.bbox;
    const drawn = runs.drawn();
    // Later runs' curves are drawn thinner, so identical schedules still show every colour.
    drawn.forEach(([run, d], i) => {
      ctx.strokeStyle = run.color;
      ctx.lineWidth = Math.max(1.5, 3.5 - i * 0.7) * dpr;
      ctx.stroke(linePath(u, d.curve[0], d.curve[1]));
    });
    const r = 3 * dpr;
    for (const [run, d] of drawn) {
      ctx.fillStyle = run.color;
      for (const [s, v] of d.used) {
        if (Number.isFinite(v)) ctx.fillRect(u.valToPos(s, "x", true) - r / 2, yPosClamped(u, v) - r / 2, r, r);
      }
    }
    const step = now();
    if (step > 0) {
      const x = Math.round(u.valToPos(step, "x", true)) + 0.5;
      ctx.strokeStyle = INK.now;
      ctx.lineWidth = dpr;
      ctx.setLineDash([4 * dpr, 3 * dpr]);
      ctx.beginPath();
      ctx.moveTo(x, top);
      ctx.lineTo(x, top + height);
      ctx.stroke();
      ctx.setLineDash([]);
    }
  }

  function setRuns(list) {
    runs.setRuns(list);
    renderRunLegend(el, runs.runs);
    dirty = true;
  }

  /** Clear one run (all with no id). */
  function reset(runId) {
    runs.clear(runId);
    dirty = true;
  }

  /** setCurve(runId, [[step, lr], ...]): a new schedule curve; the rates used so far are kept. */
  function setCurve(runId, points) {
    runs.data(runId).curve = toColumns(points);
    dirty = true;
  }

  /** push(runId, step, lr): the rate used at `step` (the last step of a report). */
  function push(runId, step, lr) {
    const d = runs.data(runId);
    d.step = step;
    d.used.push([step, lr]);
    if (d.used.length > MAX_POINTS) d.used = d.used.filter((_, i) => i % 2 === 0);
    dirty = true;
  }

  function draw() {
    if (!dirty) return;
    dirty = false;
    chart.redraw();
  }

  /** A run's schedule curve [[steps], [lr]] and the rates it used [[step, lr], ...]. */
  const curve = (runId = runs.firstId()) => runs.peek(runId)?.curve ?? [[], []];
  const used = (runId = runs.firstId()) => runs.peek(runId)?.used ?? [];

  return { setRuns, reset, setCurve, push, draw, curve, used };
}
