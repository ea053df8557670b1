// Drawing: every change only marks something dirty and schedules a frame; the frame writes the DOM
// and redraws the charts. Frames alternate between two halves of the views (the main charts; the
// rest), so each view redraws at most 10×/s and no single frame's task holds the main thread for all
// of them at once — with 4 runs training, a task over 50 ms would make the page feel stuck.
// A change owes both halves a redraw, whichever half the next frame draws: otherwise a change made
// just before the second half's frame would reach the main charts only with the next change (after
// a restored run's curves were replayed, that was the next Play).

const DRAW_FPS = 20;

export function createFrameLoop(ctx) {
  const { win, views } = ctx;
  const { lossChart, accChart, lrChart, ratioChart, calChart, confusionView, diagnosis, preview, table } = views;
  /** Time spent per frame (window.trainlab.drawStats; the e2e tests read it). */
  const drawStats = { count: 0, totalMs: 0, maxMs: 0 };
  let queued = false, lastDraw = 0, frame = 0, half = 0;
  let owed = 0;   // halves still to draw since the last change

  function scheduleDraw() {
    owed = 2;
    queueFrame();
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
    if (half === 0) {
      lossChart.draw();
      accChart.draw(lossChart.lastStep());
    } else {
      if (ctx.previewShown) preview.draw();
      lrChart.draw();
      ratioChart.draw();
      calChart?.draw();
      confusionView?.draw(ctx.editing?.confusion);   // the edited run's latest evaluation
      diagnosis.draw();
    }
    half ^= 1;
    owed = Math.max(0, owed - 1);
    if (owed > 0) queueFrame();   // the other half, next frame
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
