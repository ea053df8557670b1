// The learning rate over steps: the schedule's whole curve (trainer.scheduleCurve, sent by the
// worker when a run is created, so it shows before training starts), the rate each step actually
// used (from the reports, one point per chunk) and a vertical line at the current step.
// Lecture: "Learning rate decays over time" — step, cosine, linear, inverse sqrt, warm restarts.

import { COLORS, axis, makePlot, shortNumber, stepAxis } from "./chart.js";

const MAX_POINTS = 2000;
const USED = "#b91c1c";

export function createLrChart(el) {
  let curve = [[], []];          // [steps], [lr]
  let used = [];                  // [step, lr]
  let step = 0;
  let dirty = true;

  const xMax = () => Math.max(curve[0][curve[0].length - 1] ?? 1, step, 1);
  const yMax = () => {
    let m = 0;
    for (const v of curve[1]) if (Number.isFinite(v) && v > m) m = v;
    for (const [, v] of used) if (Number.isFinite(v) && v > m) m = v;
    return m > 0 ? m * 1.08 : 1;
  };

  const plot = makePlot(el, {
    scales: { x: { time: false, range: () => [0, xMax()] }, y: { range: () => [0, yMax()] } },
    series: [{}, { label: "schedule", stroke: COLORS.train, width: 2, points: { show: false } }],
    axes: [stepAxis(), axis({ size: 50, values: (u, ticks) => ticks.map(shortNumber) })],
    cursor: { show: false },
    hooks: {
      draw: [(u) => {
        const ctx = u.ctx, { left, top, width, height } = u.bbox;
        ctx.save();
        ctx.beginPath();
        ctx.rect(left, top, width, height);
        ctx.clip();
        // The rate each step actually used.
        ctx.fillStyle = USED;
        const r = 2 * devicePixelRatio;
        for (const [s, v] of used) {
          if (!Number.isFinite(v)) continue;
          ctx.fillRect(u.valToPos(s, "x", true) - r / 2, u.valToPos(v, "y", true) - r / 2, r, r);
        }
        // The current step.
        if (step > 0) {
          const x = Math.round(u.valToPos(step, "x", true)) + 0.5;
          ctx.strokeStyle = "rgba(17, 24, 39, 0.55)";
          ctx.lineWidth = devicePixelRatio;
          ctx.setLineDash([4 * devicePixelRatio, 3 * devicePixelRatio]);
          ctx.beginPath();
          ctx.moveTo(x, top);
          ctx.lineTo(x, top + height);
          ctx.stroke();
        }
        ctx.restore();
      }],
    },
  }, curve);

  /** A new run: its schedule curve [[step, lr], ...]. */
  function reset(points = []) {
    curve = [points.map((p) => p[0]), points.map((p) => p[1])];
    used = [];
    step = 0;
    dirty = true;
  }

  /** The schedule changed mid-run (while paused): a new curve, the rates used so far are kept. */
  function setCurve(points = []) {
    curve = [points.map((p) => p[0]), points.map((p) => p[1])];
    dirty = true;
  }

  /** The rate used at `s` (the last step of a report). */
  function push(s, lr) {
    step = s;
    used.push([s, lr]);
    if (used.length > MAX_POINTS) used = used.filter((_, i) => i % 2 === 0);
    dirty = true;
  }

  function draw() {
    if (!dirty) return;
    dirty = false;
    plot.setData(curve);
  }

  return { reset, setCurve, push, draw, get curve() { return curve; }, get used() { return used; } };
}
