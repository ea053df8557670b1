// The update/weight ratio ‖ΔW‖/‖W‖ of every weight tensor (trainer.updateRatios(), sent with each
// report), over steps, on a log scale, with the lecture's target 1e-3 drawn as a horizontal line.
// Lecture: "ratio between the updates and values: ~ 0.0002 / 0.02 = 0.01 (about okay);
// want this to be somewhere around 0.001 or so".

import { axis, makePlot, stepAxis } from "./chart.js";

const MAX_POINTS = 2000;
export const TARGET = 1e-3;
const PALETTE = ["#2563eb", "#d97706", "#059669", "#7c3aed", "#db2777", "#0891b2", "#65a30d", "#dc2626",
  "#4b5563", "#ca8a04"];

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
  let xs = [], ys = [];           // ys[layer][i]
  let dirty = true;

  const plot = makePlot(el, {
    scales: {
      x: { time: false, range: () => [0, Math.max(xs[xs.length - 1] ?? 1, 1)] },
      y: {
        distr: 3, log: 10,
        range: () => {
          let lo = TARGET, hi = TARGET;
          for (const s of ys) for (const v of s) if (v > 0) { if (v < lo) lo = v; if (v > hi) hi = v; }
          return [10 ** Math.floor(Math.log10(lo) - 0.01), 10 ** Math.ceil(Math.log10(hi) + 0.01)];
        },
      },
    },
    series: [{}],
    axes: [stepAxis(), axis({ size: 50, values: decadeLabels })],
    cursor: { show: false },
    hooks: {
      draw: [(u) => {
        const ctx = u.ctx, { left, top, width, height } = u.bbox;
        const y = Math.round(u.valToPos(TARGET, "y", true)) + 0.5;
        if (y < top || y > top + height) return;
        ctx.save();
        ctx.strokeStyle = "#111827";
        ctx.lineWidth = devicePixelRatio;
        ctx.setLineDash([6 * devicePixelRatio, 4 * devicePixelRatio]);
        ctx.beginPath();
        ctx.moveTo(left, y);
        ctx.lineTo(left + width, y);
        ctx.stroke();
        ctx.restore();
      }],
    },
  }, [[]]);

  function setLayers(n) {
    while (plot.series.length - 1 > n) plot.delSeries(plot.series.length - 1);
    while (plot.series.length - 1 < n) {
      const i = plot.series.length - 1;
      plot.addSeries({ label: `weights ${i + 1}`, stroke: PALETTE[i % PALETTE.length], width: 1.5, points: { show: false } });
    }
    if (legend) {
      legend.replaceChildren(...Array.from({ length: n }, (_, i) => {
        const s = document.createElement("span");
        s.innerHTML = `<i class="line" style="background:${PALETTE[i % PALETTE.length]}"></i>${i + 1}`;
        s.title = `weight tensor ${i + 1}`;
        return s;
      }));
    }
  }

  function reset() {
    xs = []; ys = [];
    dirty = true;
  }

  /** updateRatios() after `step`: one number per weight tensor. */
  function push(step, ratios) {
    if (!ratios?.length) return;
    if (ys.length !== ratios.length) { ys = ratios.map(() => xs.map(() => null)); }
    xs.push(step);
    ratios.forEach((v, i) => ys[i].push(Number.isFinite(v) && v > 0 ? v : null));
    if (xs.length > MAX_POINTS) {
      const keep = (_, i) => i % 2 === 0;
      xs = xs.filter(keep);
      ys = ys.map((s) => s.filter(keep));
    }
    dirty = true;
  }

  function draw() {
    if (!dirty) return;
    dirty = false;
    if (plot.series.length - 1 !== ys.length) setLayers(ys.length);
    plot.setData([xs, ...ys]);
  }

  /** The last ratio of every tensor (for the tests and the caption). */
  const last = () => ys.map((s) => s[s.length - 1]);

  return { reset, push, draw, last, get length() { return xs.length; } };
}
