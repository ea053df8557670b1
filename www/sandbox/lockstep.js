// Lock-step: runs are compared at equal steps. Each run's worker trains only up to a step limit,
// which is the slowest training run's step + SLACK_STEPS and is raised as that run reports; so a
// faster run (a smaller network, or one with more CPU) waits instead of racing ahead on the charts.
// With more runs than cores the OS time-shares the workers; the limit keeps them level.
// A scenario's `at` caps the limit: when every training run has reached it, all runs pause there.

/** How far (in steps) a run may get ahead of the slowest training run. */
export const SLACK_STEPS = 32;
/** The limit is raised in steps of at least this much (fewer messages), unless a run is waiting. */
const LIMIT_QUANTUM = 8;

/** The step limit for runs at `steps` (the training ones), never above `cap`; null if none train. */
export function lockStepLimit(steps, cap = Infinity) {
  if (!steps.length) return null;
  return Math.min(Math.min(...steps) + SLACK_STEPS, cap);
}

/**
 * The policy over the sandbox's runs (`ctx.entries`). `update(starting)` sets every run's limit;
 * `starting` are runs about to play (not training yet, but they count as the slowest).
 */
export function createLockStep(ctx) {
  let stopAt = Infinity;     // a scenario's `at`: the runs pause when they all reach it
  let holding = false;

  function update(starting = []) {
    // While every run is being paused, a run paused first must not raise the limit of the others.
    if (holding) return;
    const training = ctx.entries.filter((e) => ctx.isTraining(e) || starting.includes(e));
    // An ensemble's members are held at their next common step (www/sandbox/ensemble.js).
    const limit = lockStepLimit(training.map((e) => e.run.series.step), Math.min(stopAt, ctx.ensemble?.cap() ?? Infinity));
    if (limit === null) return;
    for (const e of ctx.entries) {
      const cur = e.run.limit;
      if (limit === cur) continue;
      if (limit > cur && limit - cur < LIMIT_QUANTUM && e.run.state !== "waiting") continue;
      e.run.setLimit(limit);
    }
    if (Number.isFinite(stopAt) && training.every((e) => e.run.series.step >= stopAt)) {
      const at = stopAt;
      ctx.pauseAll();
      stopAt = Infinity;
      const sc = ctx.scenario;
      if (sc) {
        // The table shows each run's last evaluation, which the worker schedules by time (5–40 steps
        // before the pause): evaluate every run where it stopped, so the figures on screen are those
        // of step `at`, the ones the scenario's claims and "what to look for" are about.
        for (const e of ctx.entries) if (e.run.series.lastEval?.step !== at) e.run.evaluate().catch(() => {});
        // What to look for is said once: the scenario's note says it when it shows (the page; a slide
        // whose link asks for the note); otherwise (a slide's frame without it) this message does.
        const note = ctx.$("scenario-note");
        const lookFor = note && note.getClientRects().length ? "" : `${sc.lookFor[1]} `;
        ctx.messages.show("scenario", `${sc.title}: the runs paused at step ${at}, where the scenario's effect shows — ` +
          `${lookFor}Press Play to train on.`, "info");
      }
    }
  }

  /** Run `fn` (pausing every run) with the limits frozen. */
  function hold(fn) {
    holding = true;
    try {
      fn();
    } finally {
      holding = false;
    }
  }

  return {
    update, hold,
    /** Pause every run when they all reach `step` (a scenario's `at`). */
    stopAt(step) { stopAt = step; },
  };
}
