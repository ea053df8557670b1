// Model ensembles (lecture: "train multiple independent models; at test time average their predicted
// probabilities, then take the argmax — enjoy 2% extra performance").
//
// The runs are an ensemble whenever there are two or more and their settings differ only in `member`
// (each member once), however they came: "Ensemble ×N", a shared link, settings typed by hand. Each
// member trains in its own worker; at a common step every member is evaluated, their validation
// probabilities are gathered (run.valProbabilities) and averaged in one member's worker
// (run.combineEnsemble). The result goes to the comparison table's ensemble row and the ensemble card.
//
// Common steps: the workers evaluate on their own clocks, so their evaluations rarely fall on the same
// step. While the members play, `cap()` (read by lockstep.js) holds them at the next checkpoint (one
// epoch apart, within bounds); once all wait there, the members not yet evaluated at that step are
// asked to, and the combination follows their evaluations. Paused members whose last evaluations
// share a step are combined too.

import { MAX_RUNS } from "../link.js";
import { SETTINGS, overfitTrainSize, sameValue } from "../state.js";
import { createEnsembleCard } from "../views/ensembleCard.js";

/** Steps between checkpoints: one epoch, but at least this (an evaluation costs a pause) ... */
const MIN_EVERY = 25;
/** ... and at most this (a long epoch, e.g. MNIST's 1,875 steps, would leave the chart empty). */
const MAX_EVERY = 250;

/** Are these runs' settings an ensemble: two or more, differing only in `member`, each member once? */
export function isEnsemble(valuesList) {
  if (valuesList.length < 2 || valuesList.some((v) => !v)) return false;
  const [first] = valuesList;
  const members = new Set(valuesList.map((v) => v.member ?? 0));
  return members.size === valuesList.length &&
    valuesList.every((v) => SETTINGS.every((s) => s.key === "member" || sameValue(s, v[s.key], first[s.key])));
}

/** Steps between two checkpoints of an ensemble trained with `values`. */
export function checkpointEvery(values) {
  const images = values.overfit ? overfitTrainSize(values) : values.trainSize;
  const epoch = Math.ceil(images / Math.max(1, values.batchSize));
  return Math.min(MAX_EVERY, Math.max(MIN_EVERY, epoch));
}

/** The first checkpoint strictly after `step`. */
export function nextCheckpoint(step, every) {
  return (Math.floor(step / every) + 1) * every;
}

/** The `n` member numbers of an ensemble that keeps `kept` (numbers already taken): the smallest free ones. */
export function memberNumbers(n, kept) {
  const out = kept.slice(0, n);
  for (let m = 0; out.length < n; m++) if (!out.includes(m)) out.push(m);
  return out;
}

export function createEnsemble(ctx) {
  const { $, messages } = ctx;
  const card = $("ensemble-card") ? createEnsembleCard($("ensemble-card")) : null;
  let groupKey = "";        // which runs (ids, members, settings) the history belongs to
  let holdAt = null;        // the checkpoint the members train to, then wait at
  let asked = null;         // the checkpoint whose evaluations were requested
  let combinedStep = -1;    // the last step combined
  let gathering = null;     // the combination under way (a promise)
  let history = [];         // [{ step, accuracy, loss, best, memberAccuracies }]

  /** The runs of the ensemble (every run of the page), or null when they are not one. */
  function members() {
    const { entries } = ctx;
    return isEnsemble(entries.map((e) => e.values)) ? entries : null;
  }

  /** Forget the history when the ensemble changed (another member, another setting, a rebuilt run). */
  function sync() {
    const ms = members();
    const key = ms ? JSON.stringify(ms.map((e) => [e.id, e.values])) : "";
    if (key === groupKey) return ms;
    groupKey = key;
    holdAt = null;
    asked = null;
    combinedStep = -1;
    history = [];
    ctx.views.table?.setEnsemble?.(null);
    card?.setMembers(ms ? ms.map((e) => ({ id: e.id, member: e.values.member ?? 0, color: e.color })) : null);
    return ms;
  }

  /** The step lock-step may not pass (Infinity: no hold), read by lockstep.js at every update. */
  function cap() {
    const ms = members();
    if (!ms || !ctx.playing || ms.some((e) => !e.run.values || e.pausedAlone || e.awaitingChange || e.run.state === "diverged")) {
      return Infinity;
    }
    const steps = ms.map((e) => e.run.series.step);
    const every = checkpointEvery(ms[0].values);
    const max = Math.max(...steps);
    if (holdAt === null || max > holdAt) holdAt = nextCheckpoint(max, every);
    return holdAt;
  }

  /** All members wait at the checkpoint: ask those not evaluated there to evaluate, then combine. */
  function atCheckpoint(ms) {
    const at = holdAt;
    if (at === null || asked === at || !ms.every((e) => e.run.series.step === at)) return;
    asked = at;
    const key = groupKey;
    const evaluated = ms.map((e) => (e.run.series.lastEval?.step === at ? null : e.run.evaluate().catch(() => null)));
    Promise.all(evaluated).then(async () => {
      await maybeCombine(ms);
      // An evaluation abandoned or refused: skip this checkpoint rather than hold the members forever.
      if (holdAt === at && combinedStep < at && groupKey === key) {
        holdAt = nextCheckpoint(at, checkpointEvery(ms[0].values));
        ctx.lockStep.update();
      }
    });
  }

  /** Combine the members' probabilities when their last evaluations share a step not yet combined. */
  function maybeCombine(ms) {
    if (gathering) return gathering;
    const steps = ms.map((e) => e.run.series.lastEval?.step);
    const step = steps[0];
    // Never across different steps: members at different steps are different moments of training,
    // and their average says nothing about an ensemble one could have stopped at. (A restored best
    // snapshot is evaluated at the run's step but holds the weights of an earlier one: not combined.)
    if (step === undefined || step <= combinedStep || steps.some((s) => s !== step) ||
      ms.some((e) => e.run.series.lastEval.restored)) return Promise.resolve();
    gathering = combine(ms, step).finally(() => { gathering = null; });
    return gathering;
  }

  async function combine(ms, step) {
    const key = groupKey;
    try {
      const probs = await Promise.all(ms.map((e) => e.run.valProbabilities()));
      // A member may have trained and evaluated again meanwhile: the same step is checked on what came back.
      if (key !== groupKey || probs.some((p) => !p || p.step !== step)) return;
      const r = await ms[0].run.combineEnsemble(probs.map((p) => p.probs), probs[0].labels, probs[0].classes);
      if (key !== groupKey) return;
      combinedStep = step;
      const best = Math.max(...r.memberAccuracies);
      history.push({ step, accuracy: r.accuracy, loss: r.loss, best, memberAccuracies: r.memberAccuracies });
      ctx.views.table?.setEnsemble?.({ members: r.members, step, valAccuracy: r.accuracy, valLoss: r.loss, best });
      card?.push({ step, accuracy: r.accuracy, best, memberAccuracies: r.memberAccuracies });
      messages.dismiss("ensemble-error");
    } catch (err) {
      messages.show("ensemble-error", `The ensemble could not be combined at step ${step}: ${err.message}`, "warn");
      return;
    }
    if (step === holdAt) {
      holdAt = nextCheckpoint(step, checkpointEvery(ms[0].values));
      ctx.lockStep.update();
    }
  }

  function onEvent(e, ev) {
    // A member rebuilt (Reset, a crash's restart) starts again from step 0: so does the history.
    if (ev.event === "created") groupKey = "";
    const ms = sync();
    updateButton();
    if (!ms || !ms.includes(e)) return;
    if (ev.event === "eval") maybeCombine(ms);
    else if (ev.event === "state" || ev.event === "report") atCheckpoint(ms);
  }

  /**
   * "Ensemble ×n": the page's runs become n copies of the edited run, members 0…n−1. The edited run
   * keeps its weights and steps (and its member number); members of it already on the page are kept;
   * other runs make room when they have not trained yet (named in the message); a trained one is
   * never removed for it: then nothing changes and the message says which to remove first.
   */
  function makeEnsemble(n) {
    const from = ctx.editing;
    if (!Number.isInteger(n) || n < 2 || n > MAX_RUNS) {
      messages.show("ensemble", `An ensemble here has 2 to ${MAX_RUNS} members (the page trains at most ${MAX_RUNS} runs at ` +
        `once): ×${n} was not made. The runs are unchanged.`, "warn");
      return false;
    }
    if (!from?.run.values) return false;
    const same = (e) => isEnsemble([from.values, e.values]);
    const kept = [from, ...ctx.entries.filter((e) => e !== from && same(e))].slice(0, n);
    const removed = ctx.entries.filter((e) => !kept.includes(e));
    // The ensemble is all of the page's runs; one that has trained is not thrown away for it.
    const trained = removed.filter((e) => e.run.series.step > 0);
    if (trained.length) {
      const names = trained.map((e) => `${ctx.runName(e)} (step ${e.run.series.step})`).join(", ");
      messages.show("ensemble", `An ensemble is all the runs on the page, and ${names} ${trained.length > 1 ? "are" : "is"} ` +
        `not a member: remove ${trained.length > 1 ? "them" : "it"} first (× in the table) to make an ensemble of ${n}. ` +
        "The runs are unchanged.", "warn");
      return false;
    }
    const gone = removed.map((e) => ctx.runName(e));
    for (const e of removed) ctx.removeEntry(e, { quiet: true });
    const numbers = memberNumbers(n, kept.map((e) => e.values.member ?? 0));
    for (const m of numbers.slice(kept.length)) {
      const e = ctx.addEntry({ ...from.values, member: m });
      ctx.startEntry(e, e.values);
    }
    ctx.setEditing(from, { quiet: true });
    messages.show("ensemble", `Ensemble of ${n}: the runs are members ${numbers.join(", ")} of the same settings ` +
      `(same images, their own initial weights and batch order); at each common step their averaged prediction is ` +
      `measured.${gone.length ? ` Removed to make room: ${gone.join(", ")}.` : ""}`, "info");
    ctx.writeHash(true);
    ctx.syncRuns();
    ctx.lockStep.update();
    return true;
  }

  // The control: "Ensemble ×N" with N = 2…MAX_RUNS.
  const button = $("ensemble");
  const count = $("ensemble-n");
  if (count && !count.options.length) {
    for (let k = 2; k <= MAX_RUNS; k++) count.append(new Option(`×${k}`, String(k), k === 3, k === 3));
  }
  function updateButton() {
    if (button) button.disabled = !ctx.editing?.run.values;
  }
  if (button) ctx.on(button, "click", () => makeEnsemble(Number(count?.value ?? 3)));
  ctx.watchers.push(onEvent);

  return {
    makeEnsemble,
    ensemble: { cap, get history() { return history.slice(); }, members },
  };
}
