// Training and validation accuracy over steps for every run, from the evaluation reports: validation
// solid, train dashed, both in the run's colour.
// Lecture: "Huge train / val gap means overfitting! Increase regularization, get more data.
// No or small gap between train / val means underfitting: train longer, use a bigger model,
// maybe higher LR."
// The axis starts at 0 until most evaluations are high, then zooms in (seriesMath.accuracyRange);
// earlier, lower points are drawn at its bottom edge.
// Early stopping (lecture: "always a good idea"): each run's best validation evaluation so far is
// marked with a ring and a dashed line, the snapshot the core keeps and "Use best" restores.
// After training (lecture: Polyak averaging, snapshot ensembles): a run with an EMA of its weights
// has a dotted validation curve of the averaged weights, one with a snapshot ensemble a dash-dot
// curve (with diamonds) of the ensemble of its cycle-end snapshots; both in the run's colour, named
// in a key under the run legend.

import { axis, createRunSet, linePath, makeOverlayPlot, renderRunLegend, yPosClamped } from "./chart.js";
import { accuracyRange } from "./seriesMath.js";
import { renderAveragedLegend } from "./averagedLegend.js";

/** Dash patterns (CSS pixels) of the averaged curves: EMA round dots, snapshot ensemble dash-dot. */
export const EMA_DASH = [0.5, 5];
export const SNAPSHOT_DASH = [11, 4, 2, 4];

const emptyRun = () => ({ xs: [], train: [], val: [], ema: [], snap: [], members: 0, best: null });
const finiteOrNull = (v) => (Number.isFinite(v) ? v : null);

export function createAccuracyChart(el) {
  const runs = createRunSet(emptyRun);
  let dirty = true;
  let xMax = 0;   // the step axis follows the loss chart's (draw(maxStep)), so the two line up

  const lastX = () => {
    let m = Math.max(xMax, 1);
    for (const [, d] of runs.drawn()) if (d.xs.length) m = Math.max(m, d.xs[d.xs.length - 1]);
    return m;
  };

  const chart = makeOverlayPlot(el, {
    xRange: () => [0, lastX()],
    yRange: () => {
      const all = [];
      for (const [, d] of runs.drawn()) all.push(...d.train, ...d.val, ...d.ema, ...d.snap);
      return accuracyRange(all);
    },
    yAxis: { y: axis({ size: 50, values: (u, ticks) => ticks.map((t) => `${Math.round(t * 100)}%`) }) },
    paint,
  });

  function paint(u) {
    const ctx = u.ctx, dpr = devicePixelRatio;
    const { top, height } = u.bbox;
    runs.drawn().forEach(([run, d], k) => {
      // Later runs thinner, so coinciding curves still show every colour.
      const width = Math.max(1.5, 3 - 0.5 * k) * dpr;
      ctx.strokeStyle = run.color;
      ctx.fillStyle = run.color;
      ctx.lineWidth = width;
      ctx.setLineDash([6 * dpr, 4 * dpr]);
      ctx.stroke(linePath(u, d.xs, d.train));
      ctx.setLineDash([]);
      ctx.stroke(linePath(u, d.xs, d.val));
      paintAveraged(ctx, u, d, dpr);
      ctx.lineWidth = width;
      // Points: validation filled discs, train hollow squares (the shapes tell them apart in grey too).
      for (let i = 0; i < d.xs.length; i++) {
        const x = u.valToPos(d.xs[i], "x", true);
        if (d.val[i] != null) {
          ctx.beginPath();
          ctx.arc(x, yPosClamped(u, d.val[i]), 2.8 * dpr, 0, 2 * Math.PI);
          ctx.fill();
        }
        if (d.train[i] != null) {
          ctx.lineWidth = 1.5 * dpr;
          ctx.strokeRect(x - 2.5 * dpr, yPosClamped(u, d.train[i]) - 2.5 * dpr, 5 * dpr, 5 * dpr);
          ctx.lineWidth = width;
        }
      }
      if (d.best) {
        const x = u.valToPos(d.best.step, "x", true), y = yPosClamped(u, d.best.valAccuracy);
        ctx.lineWidth = 1.5 * dpr;
        ctx.setLineDash([3 * dpr, 3 * dpr]);
        ctx.beginPath();
        ctx.moveTo(x, top);
        ctx.lineTo(x, top + height);
        ctx.stroke();
        ctx.setLineDash([]);
        ctx.lineWidth = 2 * dpr;
        ctx.beginPath();
        ctx.arc(x, y, 6.5 * dpr, 0, 2 * Math.PI);
        ctx.stroke();
      }
    });
  }

  /** The EMA's dotted curve, the snapshot ensemble's dash-dot curve with a diamond per evaluation. */
  function paintAveraged(ctx, u, d, dpr) {
    ctx.lineWidth = 2.5 * dpr;
    ctx.lineCap = "round";
    ctx.setLineDash(EMA_DASH.map((v) => v * dpr));
    ctx.stroke(linePath(u, d.xs, d.ema));
    ctx.lineCap = "butt";
    ctx.setLineDash(SNAPSHOT_DASH.map((v) => v * dpr));
    ctx.stroke(linePath(u, d.xs, d.snap));
    ctx.setLineDash([]);
    ctx.lineWidth = 1.5 * dpr;
    const r = 3.5 * dpr;
    for (let i = 0; i < d.xs.length; i++) {
      if (d.snap[i] == null) continue;
      const x = u.valToPos(d.xs[i], "x", true), y = yPosClamped(u, d.snap[i]);
      ctx.beginPath();
      ctx.moveTo(x, y - r);
      ctx.lineTo(x + r, y);
      ctx.lineTo(x, y + r);
      ctx.lineTo(x - r, y);
      ctx.closePath();
      ctx.stroke();
    }
  }

  /** The key of the averaged curves drawn: which runs have an EMA or a snapshot-ensemble curve. */
  function renderKey() {
    const drawn = runs.drawn();
    const named = (run) => (drawn.length > 1 ? `${run.label || `run ${run.id}`}: ` : "");
    const entries = [];
    const points = (list) => list.filter((v) => v != null).length;
    for (const [run, d] of drawn) {
      if (points(d.ema)) {
        entries.push({ curve: "ema", run: run.id, points: points(d.ema), color: run.color, dash: EMA_DASH, round: true,
          label: `${named(run)}val (EMA)` });
      }
      if (d.members > 0) {
        entries.push({ curve: "snapshots", run: run.id, points: points(d.snap), color: run.color, dash: SNAPSHOT_DASH,
          round: false, label: `${named(run)}val (snapshot ens. ${d.members})` });
      }
    }
    renderAveragedLegend(el, entries);
  }

  function setRuns(list) {
    runs.setRuns(list);
    renderRunLegend(el, runs.runs);
    dirty = true;
  }

  function reset(runId) {
    runs.clear(runId);
    renderKey();
    xMax = 0;
    dirty = true;
  }

  /**
   * push(runId, evalReport): fields step, trainAccuracy, valAccuracy, bestValAccuracy, bestStep, and
   * ema { valAccuracy } and snapshotEnsemble { members, valAccuracy } when the run has them.
   */
  function push(runId, ev) {
    const d = runs.data(runId);
    // A second evaluation at the same step (e.g. pause right after an epoch) replaces the first.
    if (d.xs.length && d.xs[d.xs.length - 1] === ev.step) {
      for (const list of [d.xs, d.train, d.val, d.ema, d.snap]) list.pop();
    }
    d.xs.push(ev.step);
    d.train.push(finiteOrNull(ev.trainAccuracy));
    d.val.push(finiteOrNull(ev.valAccuracy));
    d.ema.push(finiteOrNull(ev.ema?.valAccuracy));
    d.snap.push(finiteOrNull(ev.snapshotEnsemble?.valAccuracy));
    if (ev.snapshotEnsemble) d.members = ev.snapshotEnsemble.members;
    // Step 0 has no snapshot worth restoring: the core's best starts with the first evaluation.
    if (Number.isFinite(ev.bestValAccuracy) && ev.bestStep > 0) {
      d.best = { step: ev.bestStep, valAccuracy: ev.bestValAccuracy };
    }
    dirty = true;
  }

  /** Redraw if new evaluations arrived or the step axis grew to `maxStep`. */
  function draw(maxStep = 0) {
    if (!dirty && maxStep === xMax) return;
    dirty = false;
    xMax = maxStep;
    renderKey();
    chart.redraw();
  }

  /** A run's best validation evaluation { step, valAccuracy }, or null. */
  const best = (runId = runs.firstId()) => runs.peek(runId)?.best ?? null;

  return { setRuns, reset, push, draw, best };
}
