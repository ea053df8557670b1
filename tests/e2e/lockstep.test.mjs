// The lock-step policy (www/sandbox/lockstep.js) over fake runs: the limit is the slowest training run's
// step + SLACK_STEPS, raised in quanta unless a run waits, capped by a scenario's step, where all runs
// pause; limits stay frozen while every run is being paused.

import { test } from "node:test";
import assert from "node:assert/strict";
import { SLACK_STEPS, createLockStep, lockStepLimit } from "../../www/sandbox/lockstep.js";

/**
 * A sandbox context with runs at `steps`, all training; pauseAll pauses them inside hold(). `note`:
 * whether the scenario's note is on the page (it says what to look for; the pause message then does not).
 */
function fakeSandbox(steps, { note = false } = {}) {
  const shown = [];
  const ctx = {
    entries: steps.map((step) => ({
      run: {
        state: "running", limit: Infinity, series: { step, lastEval: null }, sent: [], evaluatedAt: [],
        setLimit(n) { this.limit = n; this.sent.push(n); },
        evaluate() { this.evaluatedAt.push(this.series.step); return Promise.resolve(); },
      },
    })),
    $: (id) => (id === "scenario-note" && note ? { getClientRects: () => [{}] } : null),
    isTraining: (e) => e.run.state === "running" || e.run.state === "waiting",
    scenario: null,
    messages: { show: (key, text) => shown.push([key, text]) },
    pauseAll() {
      ctx.lockStep.hold(() => {
        for (const e of ctx.entries) {
          e.run.state = "paused";
          ctx.lockStep.update();   // a paused run's state event, while the others are still training
        }
      });
    },
  };
  ctx.lockStep = createLockStep(ctx);
  return { ctx, shown };
}

test("lockStepLimit: the slowest step + slack, capped; null without training runs", () => {
  assert.equal(lockStepLimit([100, 40, 70]), 40 + SLACK_STEPS);
  assert.equal(lockStepLimit([100, 40], 50), 50);
  assert.equal(lockStepLimit([]), null);
});

test("limits follow the slowest run, in quanta unless a run is waiting", () => {
  const { ctx } = fakeSandbox([10, 20]);
  ctx.lockStep.update();
  assert.deepEqual(ctx.entries.map((e) => e.run.limit), [10 + SLACK_STEPS, 10 + SLACK_STEPS]);
  ctx.entries[0].run.series.step = 13;             // +3: below the quantum, nobody waits
  ctx.lockStep.update();
  assert.deepEqual(ctx.entries[1].run.sent, [10 + SLACK_STEPS], "no message for a 3-step raise");
  ctx.entries[1].run.state = "waiting";
  ctx.lockStep.update();
  assert.equal(ctx.entries[1].run.limit, 13 + SLACK_STEPS, "a waiting run gets every raise");
  ctx.entries[0].run.series.step = 30;             // run 2 (step 20) is now the slowest
  ctx.lockStep.update();
  assert.deepEqual(ctx.entries.map((e) => e.run.limit), [20 + SLACK_STEPS, 20 + SLACK_STEPS]);
});

test("a scenario's step caps the limit and pauses every run there, once all reach it", () => {
  const { ctx, shown } = fakeSandbox([90, 95]);
  ctx.scenario = { title: "Warmup", lookFor: ["first", "second."] };
  ctx.lockStep.stopAt(100);
  ctx.lockStep.update();
  assert.deepEqual(ctx.entries.map((e) => e.run.limit), [100, 100]);
  ctx.entries[1].run.series.step = 100;
  ctx.lockStep.update();
  assert.ok(ctx.entries.every((e) => e.run.state === "running"), "one run at the step: nobody pauses yet");
  ctx.entries[0].run.series.step = 100;
  ctx.lockStep.update();
  assert.ok(ctx.entries.every((e) => e.run.state === "paused"), "all at the step: all paused");
  assert.deepEqual(ctx.entries.map((e) => e.run.limit), [100, 100]);
  assert.equal(shown.length, 1);
  assert.match(shown[0][1], /^Warmup: the runs paused at step 100/);
  assert.match(shown[0][1], /second\. Press Play/, "no note on the page: the message says what to look for");
  // The table shows each run's last evaluation: every run is evaluated at the step the claims are about.
  assert.deepEqual(ctx.entries.map((e) => e.run.evaluatedAt), [[100], [100]]);
  // The cap is gone: playing on raises the limit past the scenario's step.
  for (const e of ctx.entries) e.run.state = "running";
  ctx.lockStep.update();
  assert.deepEqual(ctx.entries.map((e) => e.run.limit), [100 + SLACK_STEPS, 100 + SLACK_STEPS]);
});

test("a scenario's pause: a run already evaluated at the step is not evaluated again; the note is not repeated", () => {
  const { ctx, shown } = fakeSandbox([99, 99], { note: true });
  ctx.scenario = { title: "Mixup", lookFor: ["first", "second."] };
  ctx.lockStep.stopAt(100);
  ctx.entries[0].run.series.lastEval = { step: 100 };
  for (const e of ctx.entries) e.run.series.step = 100;
  ctx.lockStep.update();
  assert.deepEqual(ctx.entries.map((e) => e.run.evaluatedAt), [[], [100]]);
  assert.equal(shown.length, 1);
  assert.doesNotMatch(shown[0][1], /second\./, "the note on the page says what to look for");
  assert.match(shown[0][1], /Press Play to train on\.$/);
});

test("pausing every run: the run paused first does not let the others' limit rise", () => {
  const { ctx } = fakeSandbox([10, 50]);
  ctx.lockStep.update();
  ctx.pauseAll();
  // Without hold(), run 1's pause would leave run 2 (step 50) as the slowest training run: limit 82.
  assert.deepEqual(ctx.entries.map((e) => e.run.limit), [10 + SLACK_STEPS, 10 + SLACK_STEPS]);
});
