// The initialization lab's rows: the lecture's experiment (six layers of width D, random inputs,
// batch 16) with the weight std chosen four ways, plus Xavier under ReLU (why Kaiming exists) and
// the student's own σ. Each row has a verdict computed from the numbers the core returns, in the
// lecture's words, so the text never claims what the histograms do not show (e.g. σ = 0.05 at
// width 1024 hardly saturates: it is the slide's width 4096 that makes it too large).

export const SLIDE_WIDTH = 4096;
export const WIDTHS = [256, 1024, SLIDE_WIDTH];
export const DEFAULT_WIDTH = 1024;
export const BATCH = 16;
export const LAYERS = 6;
export const BINS = 50;

/** Rows in display order. `custom` is only run when the student has entered a σ. */
export const ROWS = [
  {
    id: "small",
    scheme: "small",
    activation: "tanh",
    color: "#0891b2",
    title: "σ too small",
    rule: "σ = 0.01",
    code: "W = 0.01 * np.random.randn(Din, Dout)",
  },
  {
    id: "xavier",
    scheme: "xavier",
    activation: "tanh",
    color: "#16a34a",
    title: "Xavier",
    rule: "σ = 1/√Din",
    code: "W = np.random.randn(Din, Dout) / np.sqrt(Din)",
  },
  {
    id: "large",
    scheme: "large",
    activation: "tanh",
    color: "#dc2626",
    title: "σ too large",
    rule: "σ = 0.05",
    code: "W = 0.05 * np.random.randn(Din, Dout)",
  },
  {
    id: "xavier-relu",
    scheme: "xavier",
    activation: "relu",
    color: "#9333ea",
    title: "Xavier with ReLU",
    rule: "σ = 1/√Din",
    code: "x = np.maximum(0, x.dot(W))",
  },
  {
    id: "kaiming",
    scheme: "kaiming",
    activation: "relu",
    color: "#2563eb",
    title: "Kaiming (He) for ReLU",
    rule: "σ = √(2/Din)",
    code: "W = np.random.randn(Din, Dout) * np.sqrt(2 / Din)",
  },
  {
    id: "custom",
    scheme: "custom",
    activation: "tanh",   // replaced by the student's choice
    color: "#d97706",
    title: "Your σ",
    rule: "",
    code: "",
  },
];

export const rowById = (id) => ROWS.find((r) => r.id === id);

const pct = (f) => `${f >= 0.095 ? Math.round(f * 100) : +(f * 100).toFixed(1)}%`;
/** A std for print: 3 decimals in the usual range, 2 significant digits when tiny, 3 when huge. */
export const fmtStd = (v) => (v === 0 ? "0" : v >= 100 ? v.toPrecision(3).replace("e+", "e") : v >= 0.01 ? v.toFixed(3) : v.toPrecision(2));

/** The largest 32-bit float: the core computes in f32. */
export const F32_MAX = 3.4028234663852886e38;

/**
 * The first layer (1-based) whose activations left the range of 32-bit floats, or 0. The core
 * counts the pre-activations that overflowed (`overflow`, a fraction); a layer with non-finite
 * statistics counts too. ReLU maps the resulting NaN to 0, so such a layer would otherwise look
 * like a collapse, which the page must not call it.
 */
export function overflowLayer(report) {
  for (const l of report.layers) {
    const finite = [l.mean, l.std, l.histogram.lo, l.histogram.hi].every(Number.isFinite);
    if (!finite || l.overflow > 0) return l.layer;
  }
  return 0;
}

/**
 * What the lecture would say about a finished row, judged from its numbers:
 * { tone: "bad" | "good" | "meh", text }.
 */
export function verdict(row, report) {
  const ls = report.layers;
  const first = ls[0], last = ls[ls.length - 1];
  const spread = `std ${fmtStd(first.std)} in layer 1 → ${fmtStd(last.std)} in layer ${last.layer}`;
  const gain = report.sigma * Math.sqrt(report.width);
  const shrinking = ls.every((l, i) => i === 0 || l.std < ls[i - 1].std);
  const maxSat = Math.max(...ls.map((l) => l.saturated));
  const relu = report.activation === "relu";
  const over = overflowLayer(report);

  if (over) {
    return {
      tone: "bad",
      text: `Overflow: from layer ${over} the activations exceed the largest 32-bit float (${F32_MAX.toPrecision(2)}) and ` +
        `become Inf or NaN (the numbers shown there are not real). This is how the loss explodes to Inf or NaN — bad initialization.`,
    };
  }

  if (!relu && maxSat > 0.25) {
    return {
      tone: "bad",
      text: `All activations saturate: ${pct(last.saturated)} of layer ${last.layer}'s are beyond ±0.99, where tanh's ` +
        `local gradient 1 − a² is below 0.02. Local gradients all zero, no learning.`,
    };
  }
  if (shrinking && (last.std < 0.1 || last.std < 0.3 * first.std)) {
    const why = relu && report.scheme === "xavier"
      ? " Xavier assumes a zero-centred activation function; ReLU zeroes half of every layer, so each layer halves the variance."
      : row.id === "large"
        ? ` At width ${report.width}, σ·√Din = ${gain.toFixed(2)} is below 1: 0.05 is too small here. It is the slide's width ${SLIDE_WIDTH} that makes it too large (σ·√Din = 3.2).`
        : "";
    return {
      tone: "bad",
      text: `Activations tend to zero for deeper network layers (${spread}).${why} ` +
        `The gradients dL/dW are then all near zero: no learning.`,
    };
  }
  if (relu && last.std > 3 * first.std) {
    return {
      tone: "bad",
      text: `Activations grow layer after layer (${spread}): ReLU does not saturate, so nothing stops them. ` +
        `In a deeper network they overflow and the loss explodes to Inf or NaN — bad initialization.`,
    };
  }
  if (row.id === "large" && gain < 2.5) {
    return {
      tone: "meh",
      text: `At width ${report.width}, σ·√Din = ${gain.toFixed(1)}: only mildly too large, ${pct(maxSat)} saturated at most. ` +
        `The slide's width ${SLIDE_WIDTH} makes σ = 0.05 a σ·√Din of 3.2 — choose “${SLIDE_WIDTH} (slide's size)”, ` +
        `or set your σ to ${(3.2 / Math.sqrt(report.width)).toPrecision(2)} for the same σ·√Din here.`,
    };
  }
  if (relu) {
    return {
      tone: "good",
      text: `Just right for ReLU: activations are nicely scaled for all layers (${spread}). ` +
        `About ${pct(last.zero)} of them are exactly 0 — ReLU's inactive half, not saturation.`,
    };
  }
  return {
    tone: "good",
    text: `“Just right”: activations are nicely scaled for all layers (${spread}).`,
  };
}
