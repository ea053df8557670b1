// One layer's activation histogram on a small canvas (the init lab's small multiples).
//
// x: tanh on [−1, 1], the same for every layer, so a collapse shows as a spike narrowing onto 0
// and saturation as mass piling into the end bins (drawn darker); ReLU on [0, xmax] with xmax
// shared by the row, so layers compare at one scale. y: each panel scaled to its own tallest bar
// (the shape matters, the count does not). ReLU's exact zeros (about half of all units) would
// dwarf every other bar, so they are taken out of the first bin and drawn as a grey bar off the
// scale at x = 0; the cell's caption gives their share.

const AXIS = "#9ca3af";
const LABEL = "#6b7280";
const ZERO = "#9ca3af";

/** Draw `layer` ({ histogram: { lo, hi, counts }, zero, saturated }) into `canvas`. */
export function drawHistogram(canvas, layer, { activation, xmax, color, note = "" }) {
  const dpr = window.devicePixelRatio || 1;
  const w = canvas.clientWidth, h = canvas.clientHeight;
  if (!w || !h) return;
  if (canvas.width !== Math.round(w * dpr) || canvas.height !== Math.round(h * dpr)) {
    canvas.width = Math.round(w * dpr);
    canvas.height = Math.round(h * dpr);
  }
  const ctx = canvas.getContext("2d");
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.clearRect(0, 0, w, h);

  const relu = activation === "relu";
  const x0 = relu ? 0 : -1, x1 = relu ? Math.max(xmax, 1e-12) : 1;
  const padX = 4, padTop = 2, padBottom = 12;
  const pw = w - 2 * padX, ph = h - padTop - padBottom;
  const sx = (v) => padX + ((v - x0) / (x1 - x0)) * pw;
  const base = padTop + ph;

  if (!layer) {   // not computed yet, or (note) no real numbers to draw
    ctx.fillStyle = "#f3f4f6";
    ctx.fillRect(padX, padTop, pw, ph);
    if (note) {
      ctx.fillStyle = "#7f1d1d";
      ctx.font = "600 11px system-ui, sans-serif";
      ctx.textAlign = "center";
      ctx.textBaseline = "middle";
      ctx.fillText(note, padX + pw / 2, padTop + ph / 2);
      ctx.textAlign = "start";
      return;
    }
    drawAxis(ctx, sx, base, relu, x1);
    return;
  }

  const { lo, hi, counts } = layer.histogram;
  const total = counts.reduce((a, b) => a + b, 0) || 1;
  const bars = counts.slice();
  const zeros = relu ? Math.min(bars[0], Math.round(layer.zero * total)) : 0;
  bars[0] -= zeros;
  const ymax = Math.max(1, ...bars);
  const bw = (hi - lo) / bars.length;

  for (let i = 0; i < bars.length; i++) {
    if (!bars[i]) continue;
    const a = sx(lo + i * bw), b = sx(lo + (i + 1) * bw);
    const bh = Math.max(1, (bars[i] / ymax) * ph);
    // tanh's end bins hold the saturated units (|a| near 1): darker, so the rails stand out.
    const rail = !relu && (i === 0 || i === bars.length - 1) && layer.saturated > 0.01;
    ctx.fillStyle = rail ? "#7f1d1d" : color;
    ctx.fillRect(a, base - bh, Math.max(1, b - a - (b - a > 3 ? 0.5 : 0)), bh);
  }
  if (zeros > 0) {
    ctx.fillStyle = ZERO;
    ctx.fillRect(sx(0), padTop, 2.5, ph);
  }
  drawAxis(ctx, sx, base, relu, x1);
}

function drawAxis(ctx, sx, base, relu, x1) {
  ctx.strokeStyle = AXIS;
  ctx.lineWidth = 1;
  ctx.beginPath();
  ctx.moveTo(sx(relu ? 0 : -1), base + 0.5);
  ctx.lineTo(sx(x1), base + 0.5);
  if (!relu) {   // a tick at 0: where a collapsed layer's spike sits
    ctx.moveTo(Math.round(sx(0)) + 0.5, base);
    ctx.lineTo(Math.round(sx(0)) + 0.5, base + 3);
  }
  ctx.stroke();
  ctx.fillStyle = LABEL;
  ctx.font = "9.5px system-ui, sans-serif";
  ctx.textBaseline = "top";
  const ticks = relu ? [[0, "0"], [x1, tickLabel(x1)]] : [[-1, "−1"], [0, "0"], [1, "1"]];
  for (const [v, label] of ticks) {
    const x = sx(v);
    const tw = ctx.measureText(label).width;
    const left = v === ticks[0][0] ? x : v === ticks[ticks.length - 1][0] ? x - tw : x - tw / 2;
    ctx.fillText(label, left, base + 2);
  }
}

function tickLabel(v) {
  if (v >= 1e5) return v.toPrecision(2).replace("e+", "e");
  return v >= 10 ? v.toFixed(0) : v >= 1 ? v.toFixed(1) : v.toPrecision(2);
}
