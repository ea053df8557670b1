// Shared uPlot plumbing for the views: sizing to the container, colors, and a draw throttle.

import uPlot from "uplot";

export const COLORS = {
  loss: "rgba(37, 99, 235, 0.35)",
  lossAvg: "#b91c1c",
  train: "#2563eb",
  val: "#d97706",
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
