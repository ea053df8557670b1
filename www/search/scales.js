// Axis math of the search figure (www/search/plane.js): a hyperparameter's range on a log or linear
// scale mapped to [0, 1] and back, tick values, short number labels, and the accuracy colour map.

/** An axis over [min, max] in `scale` ("log" | "linear"): pos(v) ∈ [0, 1] and its inverse. */
export function axis({ min, max, scale }) {
  const log = scale === "log";
  const f = log ? Math.log10 : (v) => v;
  const a = f(min), b = f(max);
  return {
    min, max, scale,
    pos: (v) => (f(v) - a) / (b - a),
    value: (u) => (log ? 10 ** (a + u * (b - a)) : a + u * (b - a)),
    ticks: () => (log ? logTicks(min, max) : linearTicks(min, max)),
  };
}

/** m × 10^e parsed from its decimal form: exact where 10 ** -4 is 0.00009999999999999999. */
const decade = (m, e) => Number(`${m}e${e}`);

/** Decades inside [min, max]; when fewer than two fit, 1-2-5 steps instead. */
function logTicks(min, max) {
  const out = [];
  for (let e = Math.ceil(Math.log10(min) - 1e-9); decade(1, e) <= max * (1 + 1e-9); e++) out.push(decade(1, e));
  if (out.length >= 2) return thin(out, 6);
  const fine = [];
  for (let e = Math.floor(Math.log10(min)); decade(1, e) <= max; e++) {
    for (const m of [1, 2, 5]) {
      const v = decade(m, e);
      if (v >= min * (1 - 1e-9) && v <= max * (1 + 1e-9)) fine.push(v);
    }
  }
  return fine.length >= 2 ? fine : [min, max];
}

/** Three to six round values (steps of 1, 2 or 5 × 10^k, at most five of them) inside [min, max]. */
function linearTicks(min, max) {
  const raw = (max - min) / 5;
  const p = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * p).find((s) => s >= raw) ?? 10 * p;
  const out = [];
  for (let v = Math.ceil(min / step - 1e-9) * step; v <= max + step * 1e-9; v += step) out.push(Number(v.toPrecision(12)));
  return out;
}

function thin(values, most) {
  if (values.length <= most) return values;
  const every = Math.ceil(values.length / most);
  return values.filter((_, i) => i % every === 0);
}

/** A hyperparameter value as a short label: 0.001 → "1e-3", 0.25 → "0.25", 3e-5 → "3e-5". */
export function shortNumber(v) {
  if (v === 0) return "0";
  const abs = Math.abs(v);
  if (abs >= 1e-2 && abs < 1e4) return String(Number(v.toPrecision(3)));
  const [m, e] = v.toExponential(2).split("e");
  return `${Number(m)}e${Number(e)}`;
}

/** A value for a range field: three significant digits, small ones as 4.84e-4 (fits the field). */
export function fieldNumber(v) {
  const abs = Math.abs(v);
  if (v !== 0 && (abs < 1e-2 || abs >= 1e4)) {
    const [m, e] = v.toExponential(2).split("e");
    return `${Number(m)}e${Number(e)}`;
  }
  return String(Number(v.toPrecision(3)));
}

// Viridis at five stops (perceptually uniform, readable in grey and by the common colour-blind
// forms); low accuracy dark purple, high accuracy yellow.
const STOPS = [[68, 1, 84], [59, 82, 139], [33, 145, 140], [94, 201, 98], [253, 231, 37]];

/** The colour of t ∈ [0, 1] (clamped) on the accuracy map, as "rgb(r, g, b)". */
export function accuracyColor(t) {
  const x = Math.min(1, Math.max(0, Number.isFinite(t) ? t : 0)) * (STOPS.length - 1);
  const i = Math.min(STOPS.length - 2, Math.floor(x));
  const f = x - i;
  const c = STOPS[i].map((s, k) => Math.round(s + f * (STOPS[i + 1][k] - s)));
  return `rgb(${c.join(", ")})`;
}

/** The CSS gradient of the whole map (for the legend). */
export function accuracyGradient() {
  return `linear-gradient(90deg, ${STOPS.map((c) => `rgb(${c.join(", ")})`).join(", ")})`;
}

/**
 * The best accuracy per bin along one axis: `bins` equal bins of [0, 1] in the axis' own scale,
 * each { lo, hi, best } (best null when no finished trial fell in it). `points`: [{ u, acc }].
 */
export function bestPerBin(points, bins) {
  const out = Array.from({ length: bins }, (_, i) => ({ lo: i / bins, hi: (i + 1) / bins, best: null }));
  for (const { u, acc } of points) {
    if (!Number.isFinite(acc)) continue;
    const b = out[Math.min(bins - 1, Math.max(0, Math.floor(u * bins)))];
    if (b.best === null || acc > b.best) b.best = acc;
  }
  return out;
}
