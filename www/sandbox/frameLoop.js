// Drawing: every change only marks something dirty and schedules a frame; the frame writes the DOM
// and redraws the charts. Frames take turns over three groups of views — the main charts (every other
// frame, so 10×/s), the side charts, and the views that rebuild DOM (the preview's captions, or the
// confusion matrix and its gallery: ~400 elements per evaluation) — so no single frame's task holds
// the main thread for all of them at once. With 4 runs training at 1366×768 the frame that drew all
// of the second half at once (an evaluation's calibration legend, confusion rebuild and preview, and
// the layout they force) took 52–61 ms of CPU; a task over 50 ms makes the page feel stuck
// (bench/frame.mjs measures it).
// A change owes every group a redraw, whichever group the next frame draws: otherwise a change made
// just before another group's frame would reach the main charts only with the next change (after
// a restored run's curves were replayed, that was the next Play).

const DRAW_FPS = 20;

export function createFrameLoop(ctx) {
  const { win, views } = ctx;
  const { lossChart, accChart, lrChart, ratioChart, calChart, confusionView, diagnosis, preview, table } = views;
  /** Time spent per frame (window.trainlab.drawStats; the e2e tests read it). */
  const drawStats = { count: 0, totalMs: 0, maxMs: 0 };
  // The turns: main, side, main, rebuild; each group's draw is a no-op when nothing of it changed.
  const GROUPS = [drawMain, drawSide, drawMain, drawRebuilt];
  let queued = false, lastDraw = 0, frame = 0, turn = 0;
  let owed = 0;   // frames still to draw since the last change (one full round: every group once)

  function scheduleDraw() {
    owed = GROUPS.length;
    queueFrame();
  }

  function drawMain() {
    lossChart.draw();
    accChart.draw(lossChart.lastStep());
  }

  function drawSide() {
    lrChart.draw();
    ratioChart.draw();
    calChart?.draw();
    diagnosis.draw();
  }

  // The confusion view rebuilds its matrix and gallery for each evaluation of the edited run; that
  // and the preview's 16 captions (and the layout each forces) make a frame of their own each: a
  // new evaluation's turn draws only it, the preview waits for the next turn.
  let confusionShown;
  function drawRebuilt() {
    const confusion = ctx.editing?.confusion;   // the edited run's latest evaluation
    if (confusionView && confusion !== confusionShown) {
      confusionShown = confusion;
      confusionView.draw(confusion);
      // The preview in the next round: four more frames, after this one's own decrement below.
      // (GROUPS.length alone ran out one frame short, at the main charts' turn, and the preview
      // waited for the next change: a Step pressed as the first evaluation arrived showed none.)
      owed = Math.max(owed, GROUPS.length + 1);
      return;
    }
    if (ctx.previewShown) preview.draw();
  }

  function queueFrame() {
    if (queued || ctx.destroyed) return;
    queued = true;
    frame = win.requestAnimationFrame(drawFrame);
  }

  function drawFrame(now) {
    if (ctx.destroyed) return;
    if (now - lastDraw < 1000 / DRAW_FPS) { frame = win.requestAnimationFrame(drawFrame); return; }
    queued = false;
    lastDraw = now;
    const t0 = performance.now();
    ctx.syncRunsNow();
    ctx.toolbarNow();
    GROUPS[turn]();
    turn = (turn + 1) % GROUPS.length;
    owed = Math.max(0, owed - 1);
    if (owed > 0) queueFrame();   // the other groups, in the next frames
    // uPlot redraws in a microtask queued by setData; the DOM text is written after it, so a canvas
    // draw never meets a dirty style tree.
    queueMicrotask(() => {
      for (const e of ctx.entries) {
        if (!e.rowDirty) continue;
        e.rowDirty = false;
        table?.update(e.id, e.row);
      }
      ctx.editedStats.flush();
      const ms = performance.now() - t0;
      drawStats.count++;
      drawStats.totalMs += ms;
      drawStats.maxMs = Math.max(drawStats.maxMs, ms);
    });
  }

  function stop() {
    if (frame) win.cancelAnimationFrame(frame);
  }

  return { scheduleDraw, stop, drawStats };
}
