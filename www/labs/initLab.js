// The initialization lab's view: small multiples of per-layer activation histograms (rows = the
// weight std scheme, columns = layers 1–6) with each layer's mean and std printed under its
// histogram, a verdict per row in the lecture's words, and one chart of std by layer for all rows
// on a log scale. It only draws: main.js runs the experiments in the worker and hands the reports
// over with setReport().
//
// For the tests and for anyone reading the DOM: every row is [data-row=<id>] with data-state
// (pending | running | done | error | off), every cell [data-layer=<1..6>] carries data-mean,
// data-std, data-saturated and data-zero once its row is done.

import uPlot from "uplot";
import { drawHistogram } from "./histogram.js";
import { LAYERS, ROWS, fmtStd, overflowLayer, verdict } from "./schemes.js";

const el = (tag, cls, text) => {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
};

const pct = (f) => (f >= 0.095 ? `${Math.round(f * 100)}%` : `${+(f * 100).toFixed(1)}%`);
const fmtMean = (v) => {
  if (Math.abs(v) < 0.0005) return "0.000";
  return (v < 0 ? "−" : "") + (Math.abs(v) >= 100 ? fmtStd(Math.abs(v)) : Math.abs(v).toFixed(3));
};

export function createInitLab({ grid, chartEl }) {
  const rows = new Map();   // id -> { row, head, cells: [{ cell, canvas, stats }], report, state, custom }

  // ---- the grid ----------------------------------------------------------------------------
  grid.append(el("div", "il-corner", "weights · activation"));
  for (let l = 1; l <= LAYERS; l++) grid.append(el("div", "il-colhead", `Layer ${l}`));

  for (const def of ROWS) {
    const row = el("div", "il-row");
    row.dataset.row = def.id;
    row.dataset.state = def.id === "custom" ? "off" : "pending";
    row.style.setProperty("--row-color", def.color);

    const head = el("div", "il-head");
    const title = el("div", "il-title");
    title.append(el("b", null, def.title), el("span", "il-act", ""));
    const rule = el("div", "il-rule", def.rule);
    const sigma = el("div", "il-sigma", "");
    const note = el("p", "il-verdict", def.id === "custom" ? "Enter a σ above to add your own row." : "");
    head.append(title, rule, sigma, note);
    row.append(head);

    const cells = [];
    for (let l = 1; l <= LAYERS; l++) {
      const cell = el("div", "il-cell");
      cell.dataset.layer = String(l);
      const canvas = el("canvas");
      canvas.setAttribute("role", "img");
      canvas.setAttribute("aria-label", `${def.title}, layer ${l}: activation histogram`);
      const stats = el("div", "il-stats");
      cell.append(canvas, stats);
      row.append(cell);
      cells.push({ cell, canvas, stats });
    }
    grid.append(row);
    rows.set(def.id, { def, row, head, title, rule, sigma, note, cells, report: null, activation: def.activation });
  }

  // ---- the std-by-layer chart --------------------------------------------------------------
  // Plotted as log10(std) on a linear axis labelled in powers of ten: uPlot's own log axis gives
  // up beyond ~1e17 (an exploding ReLU row reaches 1e36), and then draws no ticks at all.
  const STD_FLOOR = 1e-4;   // a std of (almost) 0 is drawn at the floor
  const pow10Label = (t) => (t === 0 ? "1" : t === 1 ? "10" : t < 0 ? `1e−${-t}` : `1e${t}`);
  const chart = new uPlot({
    width: 320,
    height: 200,
    scales: {
      x: { time: false, range: [0, LAYERS] },
      y: { range: (u, min, max) => [Math.min(-4, Math.floor(min)), Math.max(0.5, Math.ceil(max + 0.1))] },
    },
    axes: [
      {
        stroke: "#4b5563", grid: { stroke: "#e5e7eb" }, ticks: { stroke: "#e5e7eb" },
        font: "11px system-ui, sans-serif", labelFont: "11px system-ui, sans-serif",
        incrs: [1], values: (u, ts) => ts.map((t) => (t === 0 ? "input" : `L${t}`)),
        label: "layer", labelSize: 16, size: 28,
      },
      {
        stroke: "#4b5563", grid: { stroke: "#e5e7eb" }, ticks: { stroke: "#e5e7eb" },
        font: "11px system-ui, sans-serif", labelFont: "11px system-ui, sans-serif",
        label: "std of activations (log)", labelSize: 16, size: 44,
        incrs: [1, 2, 3, 5, 10, 20], values: (u, ts) => ts.map((t) => (Number.isInteger(t) ? pow10Label(t) : "")),
      },
    ],
    series: [
      { label: "layer" },
      ...ROWS.map((def) => ({
        label: def.title, stroke: def.color, width: 2, show: def.id !== "custom",
        points: { show: true, size: 5, fill: def.color },
      })),
    ],
    legend: { show: true, live: false },
    cursor: { show: false },
  }, [Array.from({ length: LAYERS + 1 }, (_, i) => i), ...ROWS.map(() => Array(LAYERS + 1).fill(null))], chartEl);

  function chartData() {
    const xs = Array.from({ length: LAYERS + 1 }, (_, i) => i);
    return [xs, ...ROWS.map((def) => {
      const r = rows.get(def.id).report;
      if (!r || rows.get(def.id).row.dataset.state !== "done") return Array(LAYERS + 1).fill(null);
      // layer 0: the input x ~ N(0, 1), std 1 by construction; overflowed layers are gaps
      const over = overflowLayer(r);
      return [0, ...r.layers.map((l) => (over && l.layer >= over ? null : Math.log10(Math.max(STD_FLOOR, l.std))))];
    })];
  }

  let lastSize = "";
  function sizeChart() {
    const w = Math.max(240, Math.floor(chartEl.clientWidth));
    const h = Math.max(160, Math.floor(chartEl.clientHeight - legendHeight()));
    const key = `${w}x${h}`;
    if (key !== lastSize) { lastSize = key; chart.setSize({ width: w, height: h }); }
  }
  function legendHeight() {
    const lg = chartEl.querySelector(".u-legend");
    return lg ? lg.offsetHeight + 4 : 0;
  }

  // ---- drawing -----------------------------------------------------------------------------
  function drawRow(id) {
    const r = rows.get(id);
    const report = r.row.dataset.state === "done" ? r.report : null;
    // ReLU: one x scale for the row, so a collapse shows as bars crowding onto 0 — unless the
    // activations grow by orders of magnitude (a σ far too large), where one scale would leave the
    // first layers as a single bar: then each layer gets its own (its tick label says which).
    const over = report ? overflowLayer(report) : 0;
    const ok = (l) => !over || l.layer < over;
    const his = report ? report.layers.filter(ok).map((l) => l.histogram.hi) : [1];
    if (!his.length) his.push(1);
    const shared = Math.max(...his) <= 20 * Math.min(...his);
    r.cells.forEach(({ canvas }, i) => {
      const layer = report?.layers[i];
      const xmax = shared ? Math.max(...his) : his[Math.min(i, his.length - 1)];
      drawHistogram(canvas, layer && ok(layer) ? layer : null, {
        activation: r.activation, xmax, color: r.def.color, note: layer && !ok(layer) ? "Inf / NaN" : "",
      });
    });
  }

  function drawAll() {
    for (const id of rows.keys()) drawRow(id);
    sizeChart();
  }

  // Redraw only the rows whose canvases changed size (a longer verdict makes its own row taller;
  // redrawing all 36 canvases each time cost the main thread a long task on a loaded machine).
  const rowOfCanvas = new Map();
  for (const [id, r] of rows) for (const { canvas } of r.cells) rowOfCanvas.set(canvas, id);
  const resized = new Set();
  let raf = 0;
  const canvasObserver = new ResizeObserver((entries) => {
    for (const e of entries) resized.add(rowOfCanvas.get(e.target));
    cancelAnimationFrame(raf);
    raf = requestAnimationFrame(() => {
      for (const id of resized) drawRow(id);
      resized.clear();
    });
  });
  for (const canvas of rowOfCanvas.keys()) canvasObserver.observe(canvas);
  new ResizeObserver(() => requestAnimationFrame(sizeChart)).observe(chartEl);

  // ---- state changes -----------------------------------------------------------------------
  function describeSigma(r, sigma, width) {
    const gain = sigma * Math.sqrt(width);
    const big = (v, digits) => v.toPrecision(digits).replace("e+", "e");
    const s = sigma >= 0.001 && sigma < 1000 ? sigma.toFixed(4) : big(sigma, 3);
    const g = gain < 1e4 ? gain.toPrecision(2) : big(gain, 2);
    r.sigma.textContent = `σ = ${s} · σ·√Din = ${g}`;
    r.sigma.title = `Din = ${width}: each layer's pre-activations have std ≈ σ·√Din × the std of its input`;
  }

  /** Rows about to run: cleared, marked pending, with their σ as far as it is known. */
  function setPending(ids, { width, custom }) {
    for (const id of ids) {
      const r = rows.get(id);
      r.row.dataset.state = "pending";
      r.report = null;
      if (id === "custom") {
        r.activation = custom.activation;
        r.rule.textContent = `σ = ${custom.std} (${custom.activation})`;
        describeSigma(r, custom.std, width);
      } else {
        const sigma = { small: 0.01, large: 0.05, xavier: 1 / Math.sqrt(width), kaiming: Math.sqrt(2 / width) }[r.def.scheme];
        describeSigma(r, sigma, width);
      }
      r.title.querySelector(".il-act").textContent = ` · ${r.activation}`;
      r.note.textContent = "waiting…";
      r.note.className = "il-verdict";
      for (const { cell, stats } of r.cells) {
        stats.replaceChildren();
        for (const k of ["mean", "std", "saturated", "zero", "overflow"]) delete cell.dataset[k];
      }
      drawRow(id);
    }
    chart.setData(chartData());
  }

  function setRunning(id) {
    const r = rows.get(id);
    r.row.dataset.state = "running";
    r.note.textContent = "computing…";
  }

  function setReport(id, report, ms) {
    const r = rows.get(id);
    r.report = report;
    r.activation = report.activation;
    r.row.dataset.state = "done";
    describeSigma(r, report.sigma, report.width);
    const v = verdict(r.def, report);
    r.note.textContent = v.text;
    r.note.className = `il-verdict tone-${v.tone}`;
    r.note.title = `${v.text}\n\n${report.layers.length} layers of ${report.batch}×${report.width} · ${report.width}×${report.width} in ${(ms / 1000).toFixed(2)} s`;
    const over = overflowLayer(report);
    report.layers.forEach((l, i) => {
      const { cell, stats } = r.cells[i];
      if (over && l.layer >= over) {   // not real numbers: say so instead of printing them
        for (const k of ["mean", "std", "saturated", "zero"]) cell.dataset[k] = "NaN";
        cell.dataset.overflow = "1";
        stats.replaceChildren(el("span", "il-std overflow", "Inf / NaN"), el("span", "il-extra sat", "overflow"));
        cell.title = `Layer ${l.layer}: beyond 32-bit floats`;
        return;
      }
      delete cell.dataset.overflow;
      cell.dataset.mean = String(l.mean);
      cell.dataset.std = String(l.std);
      cell.dataset.saturated = String(l.saturated);
      cell.dataset.zero = String(l.zero);
      const mean = el("span", "il-mean", `mean ${fmtMean(l.mean)}`);
      const std = el("span", "il-std", `std ${fmtStd(l.std)}`);
      stats.replaceChildren(mean, std);
      if (report.activation === "tanh" && l.saturated >= 0.005) {
        stats.append(el("span", "il-extra sat", `sat ${pct(l.saturated)}`));
      } else if (report.activation === "relu") {
        stats.append(el("span", "il-extra zero", `zero ${pct(l.zero)}`));
      }
      cell.title = `Layer ${l.layer}: mean ${l.mean.toPrecision(3)}, std ${l.std.toPrecision(3)}, ` +
        `${(l.saturated * 100).toFixed(1)}% with |a| > 0.99, ${(l.zero * 100).toFixed(1)}% exactly 0`;
    });
    drawRow(id);
    chart.setSeries(1 + ROWS.findIndex((d) => d.id === id), { show: true });
    chart.setData(chartData());
  }

  function setError(id, text) {
    const r = rows.get(id);
    r.row.dataset.state = "error";
    r.report = null;
    r.note.textContent = text;
    r.note.className = "il-verdict tone-error";
    for (const { stats } of r.cells) stats.replaceChildren();
    drawRow(id);
    chart.setData(chartData());
  }

  /** The custom row without a σ: greyed, with a prompt. */
  function setCustomOff(text = "Enter a σ above to add your own row.") {
    const r = rows.get("custom");
    r.row.dataset.state = "off";
    r.report = null;
    r.rule.textContent = "";
    r.sigma.textContent = "";
    r.title.querySelector(".il-act").textContent = "";
    r.note.textContent = text;
    r.note.className = "il-verdict";
    for (const { cell, stats } of r.cells) {
      stats.replaceChildren();
      for (const k of ["mean", "std", "saturated", "zero", "overflow"]) delete cell.dataset[k];
    }
    drawRow("custom");
    chart.setSeries(1 + ROWS.findIndex((d) => d.id === "custom"), { show: false });
    chart.setData(chartData());
  }

  return { setPending, setRunning, setReport, setError, setCustomOff, redraw: drawAll };
}
