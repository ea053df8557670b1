// www/sandbox/frameLoop.js without a browser: frames take turns over the view groups, and every
// change reaches every group, the preview included, however the turns fall.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createFrameLoop } from "../../www/sandbox/frameLoop.js";

/** A loop over stub views whose draws are counted; frames run by hand (`runFrames`). */
function harness() {
  const calls = [];
  const view = (name) => ({ draw: () => calls.push(name), lastStep: () => 0 });
  const queue = [];
  let now = 0;
  const win = { requestAnimationFrame: (f) => queue.push(f), cancelAnimationFrame: () => {} };
  const ctx = {
    win, destroyed: false, previewShown: true, entries: [], editing: {},
    syncRunsNow: () => {}, toolbarNow: () => {}, editedStats: { flush: () => {} },
    views: {
      lossChart: view("loss"), accChart: view("acc"), lrChart: view("lr"), ratioChart: view("ratio"),
      calChart: view("cal"), diagnosis: view("diagnosis"), preview: view("preview"),
      confusionView: { draw: () => calls.push("confusion") }, table: null,
    },
  };
  const loop = createFrameLoop(ctx);
  const runFrames = () => {
    // 60 ms apart: every frame is past the loop's 20-per-second limit.
    while (queue.length) { now += 60; queue.shift()(now); }
  };
  return { ctx, loop, calls, runFrames };
}

test("frame loop: one change draws every group once, then the loop stops", () => {
  const { loop, calls, runFrames } = harness();
  loop.scheduleDraw();
  runFrames();
  assert.deepEqual(calls, ["loss", "acc", "lr", "ratio", "cal", "diagnosis", "loss", "acc", "preview"]);
});

test("frame loop: a new evaluation takes the preview's turn, and the preview still comes in the next round", () => {
  for (let shift = 0; shift < 4; shift++) {
    const { ctx, loop, calls, runFrames } = harness();
    // Put the turn anywhere in the round first.
    for (let i = 0; i < shift; i++) { loop.scheduleDraw(); runFrames(); }
    calls.length = 0;
    ctx.editing.confusion = { step: 0 };   // an evaluation arrived with the step's preview
    loop.scheduleDraw();
    runFrames();
    assert.ok(calls.includes("confusion"), `shift ${shift}: the confusion view is drawn: ${calls}`);
    assert.ok(calls.indexOf("preview") > calls.indexOf("confusion"),
      `shift ${shift}: the preview is drawn after the confusion view, not left for the next change: ${calls}`);
  }
});
