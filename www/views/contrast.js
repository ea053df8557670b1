// WCAG 2 contrast arithmetic for the chart colours (pure, no DOM: the Node tests import it).
// https://www.w3.org/TR/WCAG21/#dfn-contrast-ratio — graphics need ≥ 3:1 against their background.

/** "#rrggbb" → [r, g, b] in 0..255. */
export function parseHex(hex) {
  const m = /^#([0-9a-f]{6})$/i.exec(hex);
  if (!m) throw new Error(`not a #rrggbb colour: ${JSON.stringify(hex)}`);
  const n = parseInt(m[1], 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

/** WCAG relative luminance of a "#rrggbb" colour, 0 (black) … 1 (white). */
export function luminance(hex) {
  const [r, g, b] = parseHex(hex).map((c) => {
    const s = c / 255;
    return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

/** Contrast ratio of two colours, 1 … 21, symmetric. */
export function contrastRatio(a, b) {
  const la = luminance(a), lb = luminance(b);
  return (Math.max(la, lb) + 0.05) / (Math.min(la, lb) + 0.05);
}

/** The opaque colour `fg` at opacity `alpha` becomes when painted over `bg` (how a faint dot looks). */
export function composite(fg, alpha, bg) {
  const f = parseHex(fg), b = parseHex(bg);
  return `#${f.map((c, i) => Math.round(c * alpha + b[i] * (1 - alpha)).toString(16).padStart(2, "0")).join("")}`;
}
