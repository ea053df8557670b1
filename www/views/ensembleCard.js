// The ensemble card: shown while the runs are an ensemble (www/sandbox/ensemble.js). One sentence on
// what an ensemble is, each member's validation accuracy and the ensemble's at the last common step,
// and a chart of the ensemble against the best single member over the common steps.

import { axis, makePlot, stepAxis } from "./chart.js";
import { pct } from "./stats.js";

const ENSEMBLE_COLOR = "#111827";
const BEST_COLOR = "#6B7280";   // the legend's dashed line (style.css, --muted)

export function createEnsembleCard(el) {
  el.replaceChildren();
  const head = div("card-head");
  const title = document.createElement("h2");
  title.textContent = "Ensemble";
  const legend = document.createElement("span");
  legend.className = "legend";
  // Built as elements: a style="" attribute in innerHTML is refused by the page's policy (style-src 'self').
  const line = document.createElement("i");
  line.className = "line";
  line.style.background = ENSEMBLE_COLOR;
  const dashed = document.createElement("i");
  dashed.className = "line dashed";
  legend.append(line, "ensemble ", dashed, "best single member");
  head.append(title, legend);
  const explain = document.createElement("p");
  explain.className = "explain";
  explain.textContent = "An ensemble is several networks trained alike from different random starts; averaging their " +
    "predicted probabilities usually beats the best of them (the lecture: about 2% extra).";
  const figures = document.createElement("p");
  figures.className = "explain ensemble-figures";
  figures.textContent = "Waiting for the members' first common evaluation…";
  // Both paragraphs in full (.explain scrolls past 4 lines); the chart takes what is left.
  for (const p of [explain, figures]) p.style.maxHeight = "none";
  const chartEl = div("chart ensemble-chart");
  chartEl.style.minHeight = "120px";
  el.append(head, explain, figures, chartEl);

  let plot = null;
  let points = [];
  let members = [];

  function data() {
    return [points.map((p) => p.step), points.map((p) => p.accuracy), points.map((p) => p.best)];
  }

  function draw() {
    if (el.hidden) return;
    if (!plot) {
      plot = makePlot(chartEl, {
        scales: { x: { time: false }, y: { range: (u, lo, hi) => [Math.max(0, lo - 0.02), Math.min(1, hi + 0.02)] } },
        axes: [stepAxis(), axis({ size: 46, values: (u, ticks) => ticks.map((t) => `${Math.round(t * 100)}%`) })],
        series: [
          {},
          { label: "ensemble", stroke: ENSEMBLE_COLOR, width: 2, points: { show: true, size: 5 } },
          { label: "best single", stroke: BEST_COLOR, width: 1.5, dash: [6, 4], points: { show: true, size: 4 } },
        ],
      }, data());
    } else plot.setData(data());
  }

  /** The members ([{ id, member, color }]) of the ensemble now on the page; null hides the card. */
  function setMembers(list) {
    members = list ?? [];
    points = [];
    el.hidden = !list;
    figures.textContent = "Waiting for the members' first common evaluation…";
    if (plot) { plot.destroy(); plot = null; }
    draw();
  }

  /** One common step: { step, accuracy, best, memberAccuracies } (in the members' order). */
  function push(point) {
    points.push(point);
    const each = point.memberAccuracies.map((a, i) => `member ${members[i]?.member ?? i}: ${pct(a)}`).join(" · ");
    const gain = (point.accuracy - point.best) * 100;
    figures.textContent = `Step ${point.step} — ${each} · ensemble of ${point.memberAccuracies.length}: ` +
      `${pct(point.accuracy)} (${gain >= 0 ? "+" : "−"}${Math.abs(gain).toFixed(1)} points over the best member).`;
    draw();
  }

  setMembers(null);
  return { setMembers, push, get points() { return points.slice(); } };
}

function div(className) {
  const d = document.createElement("div");
  d.className = className;
  return d;
}
