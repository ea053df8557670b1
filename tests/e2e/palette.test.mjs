// The chart colours against the card background (WCAG 2: graphics ≥ 3:1). Node only, no browser.
// Issue 7 measured the old page: loss dots (#2563eb at 35% opacity) 2.33:1, validation orange 3.19:1.

import { test } from "node:test";
import assert from "node:assert/strict";
import { composite, contrastRatio, luminance, parseHex } from "../../www/views/contrast.js";
import { CARD_BG, INK, LAYER_COLORS, RUN_COLORS, runColor } from "../../www/views/palette.js";

test("contrast arithmetic matches the WCAG definition", () => {
  assert.equal(contrastRatio("#000000", "#ffffff"), 21);
  assert.equal(contrastRatio("#777777", "#777777"), 1);
  assert.equal(contrastRatio("#0072B2", CARD_BG), contrastRatio(CARD_BG, "#0072B2"));
  // WCAG's own example threshold: #767676 is the lightest grey with 4.5:1 on white.
  assert.ok(contrastRatio("#767676", "#ffffff") >= 4.5 && contrastRatio("#777777", "#ffffff") < 4.5);
  assert.equal(luminance("#ffffff"), 1);
  assert.throws(() => parseHex("blue"), /not a #rrggbb colour: "blue"/);
});

test("a translucent dot is judged by the colour it paints, which is how the old loss dots failed", () => {
  // The old loss scatter: #2563eb at 35% opacity (its legend dot 55%). Opaque it would pass.
  assert.ok(contrastRatio("#2563eb", CARD_BG) >= 3);
  for (const alpha of [0.35, 0.55]) {
    const painted = composite("#2563eb", alpha, CARD_BG);
    assert.ok(contrastRatio(painted, CARD_BG) < 3, `#2563eb at ${alpha}: ${contrastRatio(painted, CARD_BG)}`);
  }
  assert.equal(composite("#000000", 0.5, "#ffffff"), "#808080");
});

test("every run colour, layer colour and marker line is ≥ 3:1 against the card", () => {
  const report = [];
  for (const [name, list] of [["run", RUN_COLORS], ["layer", LAYER_COLORS], ["ink", [INK.target, INK.now, INK.axis, INK.diagonal]]]) {
    for (const c of list) {
      const r = contrastRatio(c, CARD_BG);
      report.push(`${name} ${c} ${r.toFixed(2)}:1`);
      assert.ok(r >= 3, `${name} colour ${c} is only ${r.toFixed(2)}:1 against ${CARD_BG}`);
    }
  }
  console.log(report.join("\n"));
});

test("four distinct run colours, and runColor cycles through them", () => {
  assert.equal(RUN_COLORS.length, 4);
  assert.equal(new Set(RUN_COLORS.map((c) => c.toLowerCase())).size, 4);
  assert.deepEqual([0, 1, 2, 3, 4].map(runColor), [...RUN_COLORS, RUN_COLORS[0]]);
  // Runs must also differ from each other, not only from the background (lightness apart or hue apart):
  // no two run colours closer than 1.1:1 in luminance AND sharing a dominant channel.
  for (let i = 0; i < 4; i++) {
    for (let j = i + 1; j < 4; j++) {
      const a = parseHex(RUN_COLORS[i]), b = parseHex(RUN_COLORS[j]);
      const dominant = (c) => c.indexOf(Math.max(...c));
      assert.ok(contrastRatio(RUN_COLORS[i], RUN_COLORS[j]) >= 1.1 || dominant(a) !== dominant(b),
        `${RUN_COLORS[i]} and ${RUN_COLORS[j]} are too alike`);
    }
  }
});
