// Putting a kept run back on screen: the series a run saved (www/store/records.js, keptSeries) are replayed
// through the sandbox's own event handling, chunk by chunk, so every view, the table and the stats
// show the curves exactly as they were drawn before — without the views knowing about restores.

export function createReplay(ctx) {
  /** Give entry `e` (its trainer already restored to `saved.step`) the curves of `saved`. */
  function replaySeries(e, saved) {
    const run = e.run;
    run.series = { ...saved, curve: run.series.curve, preview: null, evaluating: false };
    const report = (fields) => ctx.onRunEvent(run, { event: "report", replayed: true, report: fields });
    let from = 0;
    saved.lrUsed.forEach(([step, lr], i) => {
      report({
        step, lr, epoch: saved.epoch, imagesPerSecond: NaN, ratios: saved.ratios[i]?.[1] ?? [],
        losses: saved.losses.slice(from, step), firstStep: from + 1,
      });
      from = step;
    });
    // Early stopping and overfit verdicts were told when they happened; a replay only draws.
    for (const ev of saved.evals) {
      ctx.onRunEvent(run, { event: "eval", replayed: true, report: { ...ev, shouldStop: false, restored: false } });
    }
  }
  return { replaySeries };
}
