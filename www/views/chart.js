// Shared uPlot plumbing for the views: sizing to the container, colors, and a draw throttle.

import uPlot from "uplot";

export const COLORS = {
  loss: "rgba(37, 99, 235, 0.35)",
  lossAvg: "#b91c1c",
  train: "#2563eb",
  val: "#d97706",
  best: "#059669",
  grid: "#e5e7eb",
  axis: "#4b5563",
};

export function axis(extra = {}) {
  return {
    stroke: COLORS.axis,
    grid: { stroke: COLORS.grid, width: 1 },
    ticks: { stroke: COLORS.grid, width: 1 },
    font: "11px system-ui, sans-serif",
    labelFont: "11px system-ui, sans-serif",
    ...extra,
  };
}

/** Tick labels short enough for a 44 px axis, however large the loss gets before it turns NaN. */
export function shortNumber(v) {
  const a = Math.abs(v);
  if (a === 0) return "0";
  if (a >= 1e6 || a < 1e-3) return v.toExponential(0).replace("e+", "e");
  if (a >= 1e3) return `${+(v / 1e3).toPrecision(3)}k`;
  return String(+v.toPrecision(3));
}

/** x axis in steps: whole-number ticks only. */
const STEP_INCRS = [1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1e3, 2e3, 2.5e3, 5e3, 1e4, 2e4, 2.5e4, 5e4,
  1e5, 2e5, 2.5e5, 5e5, 1e6, 2e6, 5e6, 1e7];
export function stepAxis() {
  return axis({ label: "step", labelSize: 18, size: 30, incrs: STEP_INCRS, values: (u, ticks) => ticks.map(shortNumber) });
}

/** Make a uPlot that fills `el` and follows its size. */
export function makePlot(el, opts, data) {
  const size = () => ({
    width: Math.max(120, Math.floor(el.clientWidth)),
    height: Math.max(80, Math.floor(el.clientHeight)),
  });
  const plot = new uPlot({ ...opts, ...size(), legend: { show: false } }, data, el);
  let last = size();
  new ResizeObserver(() => {
    const s = size();
    if (s.width !== last.width || s.height !== last.height) {
      last = s;
      plot.setSize(s);
    }
  }).observe(el);
  return plot;
}
