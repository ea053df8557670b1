// The activation explorer: each of the lecture's 12 activation functions and its derivative on
// [−5, 5] (from the core's activationCurves, so the page shows exactly what the network computes),
// with the lecture's notes beside each plot. Hovering a plot reads off x, f(x) and f′(x).
//
// Every card is [data-kind=<name>] and gets data-drawn="1" once its plot exists.

import uPlot from "uplot";

/** The lecture's names (the core's kinds are lower-case identifiers). */
const NAMES = {
  sigmoid: "Sigmoid",
  tanh: "Tanh",
  step: "Step function",
  softplus: "Softplus",
  relu: "ReLU",
  softsign: "Softsign",
  elu: "ELU",
  logsigmoid: "Log of sigmoid",
  leakyrelu: "Leaky ReLU",
  swish: "Swish",
  sinc: "Sinc",
  mish: "Mish",
};

/** Which of the lecture's points a note makes, for a small tag in front of it. */
function tagOf(note) {
  const n = note.toLowerCase();
  if (/kill|saturat|gradient is 0|gradient 0|no gradient|dead|dying|derivative is 0|gradient is zero/.test(n)) {
    return n.includes("does not saturate") || n.includes("solves") ? ["good", "gradient"] : ["bad", "gradient"];
  }
  if (n.includes("zero-centred") || n.includes("zero centered") || n.includes("mean activation closer to zero")) {
    return n.includes("not zero") ? ["bad", "centring"] : ["good", "centring"];
  }
  if (/exp\(|computationally|ln\(\)/.test(n)) return n.includes("efficient") ? ["good", "cost"] : ["bad", "cost"];
  return null;
}

export const COLORS = { f: "#2563eb", df: "#d97706", zero: "#9ca3af" };

export function createActivationExplorer(root, { onReady } = {}) {
  const cards = [];   // { kind, card, plotEl, plot, readout, curve }
  let showDerivative = true;

  function build(curves) {
    root.replaceChildren();
    cards.length = 0;
    for (const curve of curves) {
      const card = document.createElement("article");
      card.className = "act-card";
      card.dataset.kind = curve.kind;

      const head = document.createElement("header");
      head.className = "act-head";
      const h3 = document.createElement("h3");
      h3.textContent = NAMES[curve.kind] ?? curve.kind;
      const formula = document.createElement("code");
      formula.className = "act-formula";
      formula.textContent = curve.formula;
      head.append(h3, formula);

      const body = document.createElement("div");
      body.className = "act-body";
      const plotWrap = document.createElement("div");
      plotWrap.className = "act-plot-wrap";
      const plotEl = document.createElement("div");
      plotEl.className = "act-plot";
      const readout = document.createElement("div");
      readout.className = "act-readout";
      plotWrap.append(plotEl, readout);

      const notes = document.createElement("ul");
      notes.className = "act-notes";
      for (const note of curve.notes) {
        const li = document.createElement("li");
        const tag = tagOf(note);
        if (tag) li.className = `note-${tag[0]}`;
        li.textContent = note;
        notes.append(li);
      }
      body.append(plotWrap, notes);
      card.append(head, body);
      root.append(card);
      cards.push({ kind: curve.kind, card, plotEl, readout, curve, plot: null });
    }
    // Plots after layout, so each knows its width.
    requestAnimationFrame(() => {
      for (const c of cards) makePlot(c);
      onReady?.(cards.length);
    });
  }

  const finite = (a) => Array.from(a, (v) => (Number.isFinite(v) ? v : null));

  function makePlot(c) {
    const { curve, plotEl, readout } = c;
    const xs = Array.from(curve.x), fs = finite(curve.f), dfs = finite(curve.df);
    const lo = Math.min(...fs.filter((v) => v !== null), ...dfs.filter((v) => v !== null));
    const hi = Math.max(...fs.filter((v) => v !== null), ...dfs.filter((v) => v !== null));
    const size = () => ({ width: Math.max(140, Math.floor(plotEl.clientWidth)), height: Math.max(100, Math.floor(plotEl.clientHeight)) });
    const axis = {
      stroke: "#4b5563", grid: { stroke: "#eef0f3", width: 1 }, ticks: { stroke: "#e5e7eb", width: 1 },
      font: "10px system-ui, sans-serif",
    };
    c.plot = new uPlot({
      ...size(),
      scales: {
        x: { time: false, range: [xs[0], xs[xs.length - 1]] },
        // Always show at least [−1, 1] around 0, so flat and tiny curves still read as such.
        y: { range: () => { const a = Math.min(lo, -1), b = Math.max(hi, 1), pad = 0.08 * (b - a); return [a - pad, b + pad]; } },
      },
      axes: [
        { ...axis, size: 22, incrs: [1, 2, 5], values: (u, ts) => ts.map((t) => String(t).replace("-", "−")) },
        { ...axis, size: 30, values: (u, ts) => ts.map((t) => String(+t.toFixed(2)).replace("-", "−")) },
      ],
      series: [
        {},
        { label: "f(x)", stroke: COLORS.f, width: 2, points: { show: false } },
        { label: "f′(x)", stroke: COLORS.df, width: 1.5, dash: [5, 3], points: { show: false }, show: showDerivative },
      ],
      legend: { show: false },
      cursor: { y: false, drag: { x: false, y: false }, points: { size: 6 } },
      hooks: {
        drawAxes: [(u) => {   // the axes through the origin, so "zero-centred" can be read off
          const { ctx } = u;
          const { left, top, width, height } = u.bbox;
          ctx.save();
          ctx.strokeStyle = COLORS.zero;
          ctx.lineWidth = 1 * devicePixelRatio;
          ctx.beginPath();
          const y0 = Math.round(u.valToPos(0, "y", true)) + 0.5, x0 = Math.round(u.valToPos(0, "x", true)) + 0.5;
          ctx.moveTo(left, y0); ctx.lineTo(left + width, y0);
          ctx.moveTo(x0, top); ctx.lineTo(x0, top + height);
          ctx.stroke();
          ctx.restore();
        }],
        setCursor: [(u) => {
          const i = u.cursor.idx;
          if (i == null) { readout.replaceChildren(); return; }
          const f = (v) => (v === null ? "–" : (+v.toFixed(3)).toString().replace("-", "−"));
          readout.replaceChildren();
          const parts = [["x", xs[i], "#374151"], ["f", fs[i], COLORS.f], ["f′", dfs[i], COLORS.df]];
          for (const [name, v, color] of parts) {
            const s = document.createElement("span");
            s.style.color = color;
            s.textContent = `${name} = ${f(v)}`;
            readout.append(s);
          }
        }],
      },
    }, [xs, fs, dfs], plotEl);
    let last = size();
    new ResizeObserver(() => {
      const s = size();
      if (s.width !== last.width || s.height !== last.height) { last = s; c.plot.setSize(s); }
    }).observe(plotEl);
    c.card.dataset.drawn = "1";
  }

  /** Show only these kinds (null: all). Returns the names it did not know. */
  function filter(kinds) {
    const unknown = kinds ? kinds.filter((k) => !cards.some((c) => c.kind === k)) : [];
    for (const c of cards) c.card.hidden = kinds !== null && !kinds.includes(c.kind);
    return unknown;
  }

  function setShowDerivative(on) {
    showDerivative = on;
    for (const c of cards) c.plot?.setSeries(2, { show: on });
  }

  return { build, filter, setShowDerivative, count: () => cards.length, kinds: () => cards.map((c) => c.kind) };
}
