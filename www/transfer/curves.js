// Validation accuracy against steps, one line per way (the run colours of the table's swatches).
// The ways evaluate at their own steps, so the lines share one x grid with gaps spanned.

import { axis, makePlot, stepAxis } from "../views/chart.js";
import { runColor } from "../views/palette.js";
import { WAYS } from "./ways.js";

export function createCurves(el) {
  const series = [{}, ...WAYS.map((way, i) => ({
    label: way.title, stroke: runColor(i), width: 2, spanGaps: true, points: { show: true, size: 4 },
  }))];
  const opts = {
    series,
    scales: { x: { time: false }, y: { range: [0, 1] } },
    axes: [stepAxis(), axis({ label: "val accuracy", labelSize: 18, size: 40, values: (u, t) => t.map((v) => `${Math.round(v * 100)}%`) })],
    cursor: { show: false },
  };
  const plot = makePlot(el, opts, [[], ...WAYS.map(() => [])]);

  function update(rows) {
    const xs = [...new Set(rows.flatMap((r) => r.curve.map(([s]) => s)))].sort((a, b) => a - b);
    const ys = rows.map((r) => {
      const at = new Map(r.curve);
      return xs.map((x) => (at.has(x) ? at.get(x) : null));
    });
    plot.setData([xs, ...ys]);
  }
  return { update, plot };
}
