// Every colour the charts draw with, in one place so tests/e2e/palette.test.mjs can check each against
// the card background (WCAG: graphics ≥ 3:1). Runs use the Okabe–Ito palette (Okabe & Ito 2008,
// "Color Universal Design"), chosen to stay distinct for the common forms of colour blindness;
// its yellow, orange and sky blue are left out because they are under 3:1 on white.

export const CARD_BG = "#ffffff";

/** Run colours in the order runs are added: blue, vermillion, bluish green, reddish purple. */
export const RUN_COLORS = ["#0072B2", "#D55E00", "#009E73", "#CC79A7"];

/** The colour of the i-th run (wraps around past 4, which the page does not allow). */
export function runColor(i) {
  return RUN_COLORS[((i % RUN_COLORS.length) + RUN_COLORS.length) % RUN_COLORS.length];
}

/** One run's weight layers on the update/weight chart: the run colours first, then dark neutrals. */
export const LAYER_COLORS = [...RUN_COLORS, "#000000", "#6B4E00", "#5D3A9B", "#6B7280", "#8B0000", "#00596E"];

/** Lines that are not a run: the lecture's target ratio, the "now" marker, axes and grid. */
export const INK = {
  target: "#111827",
  now: "#4B5563",
  axis: "#4B5563",
  grid: "#E5E7EB",    // grid lines are background structure, deliberately faint (not data)
  diagonal: "#4B5563",
};
