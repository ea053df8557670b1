// The bounded per-chunk history (www/chunkHistory.js), without a browser: a run of 100,000 chunks
// keeps at most the cap, evenly spread over the whole run, the newest chunk always last, and the
// parallel lists aligned.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createChunkHistory } from "../../www/chunkHistory.js";

function record(chunks, cap) {
  const h = createChunkHistory(cap);
  const steps = [], pairs = [];
  const lengths = [];
  for (let c = 0; c < chunks; c++) {
    h.append([steps, pairs], [c, [c, c * 2]]);
    lengths.push(steps.length);
    assert.equal(steps.at(-1), c, `the newest chunk (${c}) is the last entry`);
  }
  return { h, steps, pairs, lengths };
}

test("below the cap every chunk is kept", () => {
  const { steps } = record(500, 1000);
  assert.deepEqual(steps, Array.from({ length: 500 }, (_, i) => i));
});

test("100,000 chunks stay within the cap, evenly spread from the first chunk, aligned", () => {
  const cap = 2000;
  const { h, steps, pairs, lengths } = record(100000, cap);
  assert.ok(Math.max(...lengths) <= cap, `longest ${Math.max(...lengths)} > cap ${cap}`);
  assert.ok(steps.length > cap / 4, `kept ${steps.length}: thinning went too far`);
  assert.equal(steps[0], 0, "the run's first chunk is kept");
  // Every gap but the one before a provisional newest entry is the stride.
  const gaps = steps.slice(1).map((s, i) => s - steps[i]);
  const body = gaps.slice(0, -1);
  assert.ok(body.every((g) => g === h.stride), `uneven gaps: ${[...new Set(body)]} (stride ${h.stride})`);
  assert.ok(gaps.at(-1) >= 1 && gaps.at(-1) <= h.stride);
  assert.deepEqual(pairs.map(([c]) => c), steps, "the parallel list holds the same chunks");
  assert.ok(pairs.every(([c, v]) => v === c * 2));
});

test("small caps and every length around a thinning keep the invariants", () => {
  for (const cap of [2, 3, 4, 7, 16]) {
    for (let n = 1; n < 200; n++) {
      const { steps, lengths } = record(n, cap);
      assert.ok(Math.max(...lengths) <= cap, `cap ${cap}, ${n} chunks`);
      assert.equal(steps[0], 0);
      assert.ok(steps.every((s, i) => i === 0 || s > steps[i - 1]), `increasing: ${steps}`);
    }
  }
});
