// Drawing: every change only marks something dirty and schedules a frame; the frame writes the DOM
// and redraws the charts. Frames alternate between two halves of the views (the main charts; the
// rest), so each view redraws at most 10×/s and no single frame's task holds the main thread for all
// of them at once — with 4 runs training, a task over 50 ms would make the page feel stuck.

const DRAW_FPS = 20;

export function createFrameLoop(ctx) {
  const { win, views } = ctx;
  const { lossChart, accChart, lrChart, ratioChart, calChart, confusionView, diagnosis, preview, table } = views;
  /** Time spent per frame (window.trainlab.drawStats; the e2e tests read it). */
  const drawStats = { count: 0, totalMs: 0, maxMs: 0 };
  let queued = false, lastDraw = 0, frame = 0, half = 0;

  function scheduleDraw() {
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
    if (half === 1) scheduleDraw();   // the other half, next frame
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
