// What the sandbox does with each run's events (www/run.js): a new trainer, training reports,
// evaluations, previews, state changes, divergence, crashes. Charts and the comparison table get
// every run's figures; the stats, diagnosis and "Use best" follow only the edited run.

import { overfitTrainSize } from "../state.js";
import { overfitIntro, overfitVerdict } from "../recipe.js";
import { pct } from "../views/stats.js";
import { confusionOf } from "../views/confusionView.js";
import { showBuild, showKernels } from "../buildLine.js";
import { BUILD_REQUEST } from "../run.js";

/** Steps scanned for the early loss maximum (tests/scenarios.rs's earlyLossMax). */
const EARLY_STEPS = 50;

export function createRunEvents(ctx) {
  const { messages, views } = ctx;
  const { lossChart, accChart, lrChart, ratioChart, calChart, diagnosis, preview } = views;

  function onRunEvent(run, ev) {
    const e = ctx.byId(run.id);
    if (!e || ctx.destroyed) return;
    switch (ev.event) {
      case "created": onCreated(e, ev.info); break;
      case "build":
        showBuild(ctx.doc, ev.info);
        // A bad build= or threads= in the link, named once (the page chose the build itself).
        if (BUILD_REQUEST.errors.length) messages.show("build-link", BUILD_REQUEST.errors.map((x) => x.message), "warn");
        break;
      case "report": onReport(e, ev.report); break;
      case "eval": onEval(e, ev.report); break;
      case "preview":
        if (e === ctx.previewEntry) { preview.push(ev.data); ctx.scheduleDraw(); }
        break;
      case "state":
        setRow(e, { status: statusWord(e) });
        // Play ends when the last run stops on its own (diverged, early stopping, a scenario's step).
        if (!ctx.isTraining(e) && ctx.playing && !ctx.entries.some(ctx.isTraining) && !ctx.entries.some((x) => x.run.busy)) {
          ctx.playing = false;
        }
        ctx.lockStep.update();
        ctx.updateToolbar();
        ctx.syncRuns();
        break;
      case "diverged":
        messages.show(`run${e.id}-diverged`, ctx.about(e, `loss ${ev.what} at step ${ev.step} ` +
          `— learning rate too high or bad initialization (lecture, step 2). ` +
          `${ctx.entries.length > 1 ? "It is paused; the other runs go on. " : ""}Lower the learning rate and press reset.`), "error");
        setRow(e, { status: "diverged" });
        break;
      case "crash":
        messages.show(`run${e.id}-crash`, ctx.about(e, `the training core stopped with an error (${ev.message}). ` +
          (ev.fallback ? "These settings crashed before, so the run was restarted with the default settings."
            : "The run was restarted with the same settings.")), "error");
        break;
      case "fatal":
        messages.show(`run${e.id}-fatal`, ctx.about(e, `${ev.message}. Reload the page to try again.`), "error");
        ctx.updateToolbar();
        break;
      case "error":
        messages.show(`run${e.id}-error`, ctx.about(e, ev.message), "error");
        break;
    }
    for (const watch of ctx.watchers) watch(e, ev);
  }

  function onCreated(e, info) {
    e.values = e.run.values;
    e.restored = null;
    e.confusion = null;
    e.row = {};
    for (const c of views.charts) c.reset(e.id);
    lrChart.setCurve(e.id, info.curve);
    setRow(e, { step: 0, status: "" });
    showKernels(ctx.doc, info.backend);
    messages.dismiss(`run${e.id}-diverged`);
    if (e.values.overfit) messages.show(`run${e.id}-overfit`, overfitIntro(overfitTrainSize(e.values)), "info");
    else messages.dismiss(`run${e.id}-overfit`);
    if (e === ctx.previewEntry) ctx.setPreviewRun(e);
    if (e === ctx.editing) ctx.setEditing(e, { quiet: true });
    ctx.syncRuns();
    // A run rebuilt while the others play joins them, unless it was paused alone or awaits a change.
    if (ctx.playing && !e.pausedAlone && !e.awaitingChange) {
      ctx.lockStep.update([e]);
      e.run.play();
    }
    ctx.updateToolbar();
  }

  function onReport(e, r) {
    lossChart.push(e.id, r.firstStep, r.losses);
    lrChart.push(e.id, r.step, r.lr);
    ratioChart.push(e.id, r.step, r.ratios);
    for (let i = 0; i < r.losses.length && r.firstStep + i <= EARLY_STEPS; i++) {
      if (!(r.losses[i] <= e.earlyMax)) e.earlyMax = Number.isNaN(e.earlyMax) ? r.losses[i] : Math.max(e.earlyMax, r.losses[i]);
    }
    setRow(e, {
      step: r.step, imagesPerSecond: e.run.series.imagesPerSecond,
      trainLoss: lossChart.average(e.id), earlyLossMax: e.earlyMax,
    });
    if (e === ctx.editing) ctx.editedStats.onReport(e, r);
    ctx.lockStep.update();
    ctx.scheduleDraw();
  }

  function onEval(e, ev) {
    accChart.push(e.id, ev);
    calChart?.push(e.id, ev);
    e.confusion = confusionOf(ev, e.run.info?.classNames);
    // The view keeps the latest images; the run's series (every evaluation, saved with kept runs)
    // keeps none, or each evaluation would hold ~50 kB of pixels.
    delete ev.mostWrong;
    setRow(e, {
      valLoss: ev.valLoss, trainAccuracy: ev.trainAccuracy, valAccuracy: ev.valAccuracy, gap: ev.trainAccuracy - ev.valAccuracy,
      bestValAccuracy: ev.bestValAccuracy, valConfidence: ev.valConfidence, valEce: ev.valEce,
    });
    if (ev.restored && e.restored) {
      messages.show(`run${e.id}-restored`, ctx.about(e, `restored the snapshot of step ${e.restored.step}: validation accuracy ` +
        `${pct(ev.valAccuracy)} (${pct(e.restored.valAccuracy)} when it was taken). Training continues from these weights.`), "info");
      e.restored = null;
    } else if (ev.shouldStop) {
      const n = e.values.patience;
      e.pausedAlone = true;
      messages.show(`run${e.id}-earlystop`, ctx.about(e, `early stopping: validation accuracy has not improved for ${n} ` +
        `evaluation${n === 1 ? "" : "s"} (patience). The best was ${pct(ev.bestValAccuracy)} at step ${ev.bestStep}; ` +
        `"Use best" puts those weights back.`), "info");
    }
    if (e.values.overfit) {
      const v = overfitVerdict(ev, e.run.series.epoch, overfitTrainSize(e.values));
      messages.show(`run${e.id}-overfit`, v.text, v.state === "failed" ? "warn" : "info");
      if (v.state !== "training" && ctx.isTraining(e)) {
        e.pausedAlone = true;
        e.run.pause();
      }
    }
    if (e === ctx.editing) {
      diagnosis.push(ev.findings);
      ctx.editedStats.onEval(ev);
    }
    ctx.updateBestButton();
    ctx.scheduleDraw();
  }

  /** The short word the table shows beside a run's label. */
  function statusWord(e) {
    switch (e.run.state) {
      case "diverged": return "diverged";
      case "waiting": return "waiting";
      case "creating": return "building";
      case "running": return "";
      default: return e.run.values ? "paused" : "";
    }
  }

  /** Merge `fields` into the run's table row; the table is written at the next drawn frame. */
  function setRow(e, fields) {
    Object.assign(e.row, fields);
    e.rowDirty = true;
    ctx.scheduleDraw();
  }

  return { onRunEvent };
}
