// The stats line and the train/val gap sentence, about the edited run only. Figures are queued as
// they arrive and written once per drawn frame (flush): a report every few ms must not cost a DOM
// write each.

import { pct } from "../views/stats.js";

const finite = (v) => (Number.isFinite(v) ? v : undefined);
// The averaged weights beside the raw ones (lecture: Polyak averaging, snapshot ensembles).
const emaTitle = (ev) => `Validation accuracy of the moving average of the weights (Polyak averaging): ` +
  `EMA ${pct(ev.ema.valAccuracy)} · raw ${pct(ev.valAccuracy)} at step ${ev.step}.`;
const snapTitle = (ev) => {
  const s = ev.snapshotEnsemble;
  return `Validation accuracy of the average of ${s.members} snapshot${s.members === 1 ? "" : "s"} (ends of cycles, ` +
    `steps ${(s.memberSteps ?? []).join(", ")}): ensemble ${pct(s.valAccuracy)} · last model ${pct(ev.valAccuracy)} · ` +
    `members ${s.memberAccuracies.map(pct).join(", ")}.`;
};
const gapSentence = (ev) => `Now at step ${ev.step}: train ${pct(ev.trainAccuracy)}, val ${pct(ev.valAccuracy)}, ` +
  `gap ${((ev.trainAccuracy - ev.valAccuracy) * 100).toFixed(1)} points.`;

export function createEditedStats(ctx) {
  const { $, views } = ctx;
  const queue = new Map();
  let gapText = "";

  function queueStat(key, value, title) {
    queue.set(key, [value, title]);
  }
  function queueFirstLoss(v) {
    // C from the edited run's data set (the core's class names), not a fixed 10.
    const c = ctx.dataInfo(ctx.editing).classes;
    queueStat("firstloss", v, `Loss of the very first step. For softmax with C classes it should be about ln(C) = ` +
      `${Math.log(c).toFixed(2)} for these ${c} classes.`);
  }

  /** Every stat from run `e`'s series (the edited run changed). */
  function refill(e) {
    views.stats.reset();
    queue.clear();
    const s = e.run.series, ev = s.lastEval;
    queueStat("step", s.step);
    queueStat("epoch", s.epoch);
    queueStat("lr", Number.isFinite(s.lr) ? s.lr : s.curve?.[0]?.[1] ?? e.values.learningRate);
    queueStat("ips", finite(s.imagesPerSecond));
    if (Number.isFinite(s.firstLoss)) queueFirstLoss(s.firstLoss);
    queueStat("loss", finite(views.lossChart.average(e.id)));
    queueStat("trainacc", ev?.trainAccuracy);
    queueStat("valacc", ev?.valAccuracy);
    queueAveraged(ev);
    gapText = ev && ev.step > 0 ? gapSentence(ev) : "";
    ctx.scheduleDraw();
  }

  /** A training report `r` of the edited run `e`. */
  function onReport(e, r) {
    if (r.firstStep === 1 && r.losses.length) queueFirstLoss(r.losses[0]);
    queueStat("step", r.step);
    queueStat("epoch", r.epoch);
    queueStat("lr", r.lr);
    queueStat("ips", finite(e.run.series.imagesPerSecond));
    queueStat("loss", views.lossChart.average(e.id));
  }

  /** The EMA's and the snapshot ensemble's figures of evaluation `ev` (hidden when it has none). */
  function queueAveraged(ev) {
    queueStat("emaacc", ev?.ema ? finite(ev.ema.valAccuracy) : undefined, ev?.ema ? emaTitle(ev) : "");
    const snap = ev?.snapshotEnsemble;
    queueStat("snapacc", snap ? finite(snap.valAccuracy) : undefined, snap ? snapTitle(ev) : "");
  }

  /** An evaluation of the edited run. */
  function onEval(ev) {
    queueStat("trainacc", ev.trainAccuracy);
    queueStat("valacc", ev.valAccuracy);
    queueAveraged(ev);
    if (ev.step > 0 && Number.isFinite(ev.trainAccuracy - ev.valAccuracy)) gapText = gapSentence(ev);
  }

  function flush() {
    for (const [key, [value, title]] of queue) views.stats.set(key, value, title);
    queue.clear();
    const gapEl = $("gap");
    if (gapEl && gapEl.textContent !== gapText) gapEl.textContent = gapText;
  }

  return { refill, onReport, onEval, flush };
}
