// A pool of training workers for a search: `size` runs (www/run.js clients, each its own Web Worker,
// so `navigator.hardwareConcurrency` of them use every core), fed from one queue of trials. A trial
// builds a run with its settings, trains it to its step budget (the run's step limit) and evaluates
// it there: its result is that evaluation's validation accuracy.
//
//   const pool = createPool({ size, dataSource, onBuild });  // onBuild(info): a worker's core started
//                                                           // (www/build.js: { build, backend, threads, why })
//   pool.submit(job, [{ trial, values, steps }], onTrial)   // onTrial(job, trial, result) per finished trial
//   pool.cancel(job)                                        // drop its queued trials, stop its training ones
//
// result: { state: "done" | "diverged" | "failed", acc, loss, ms, phases: { create, train, evaluate } (ms),
// error }.

import { BUILD_REQUEST, createRun } from "../run.js";

// One worker per core already uses every core: a worker takes the threaded build only when the link
// forces it (build=, threads=).
const ONE_PER_CORE = { ...BUILD_REQUEST, single: "the search trains one worker per core" };

export function createPool({ size, dataSource = () => null, onBuild = () => {} }) {
  const queue = [];                       // { job, item, onTrial }
  const cancelled = new WeakSet();
  let started = 0;                        // trials begun, cancelled ones included (tests: no trial twice)
  const slots = Array.from({ length: size }, (_, i) => {
    const slot = { busy: false, listener: null, job: null, stop: null };
    slot.run = createRun({ id: i + 1, preview: false, dataSource, build: ONE_PER_CORE, onEvent: (run, ev) => {
      if (ev.event === "build") onBuild(ev.info);
      slot.listener?.(ev);
    } });
    return slot;
  });

  function submit(job, items, onTrial) {
    for (const item of items) queue.push({ job, item, onTrial });
    for (const slot of slots) if (!slot.busy) work(slot);
  }

  function cancel(job) {
    cancelled.add(job);
    for (let i = queue.length - 1; i >= 0; i--) if (queue[i].job === job) queue.splice(i, 1);
    // A trial of the job that is training stops now (its worker pauses and takes the next one); one
    // being built or evaluated finishes that short part first, and its result is ignored.
    for (const slot of slots) if (slot.job === job) slot.stop?.();
  }

  async function work(slot) {
    slot.busy = true;
    while (queue.length) {
      const { job, item, onTrial } = queue.shift();
      if (cancelled.has(job)) continue;
      started++;
      onTrial(job, item.trial, { state: "running" });
      slot.job = job;
      const result = await train(slot, item);
      slot.job = null;
      if (!cancelled.has(job)) onTrial(job, item.trial, result);
    }
    slot.busy = false;
  }

  async function train(slot, { values, steps }) {
    const { run } = slot;
    const t0 = performance.now();
    try {
      run.setLimit(steps);
      await run.start(values);
      const t1 = performance.now();
      // Trained to the limit ("waiting"), exploded ("diverged"), or the core crashed.
      const outcome = await new Promise((resolve) => {
        slot.stop = () => resolve("cancelled");
        if (cancelled.has(slot.job)) resolve("cancelled");
        slot.listener = (ev) => {
          if (ev.event === "diverged") resolve("diverged");
          else if (ev.event === "crash") resolve(`the training core crashed (${ev.message})`);
          else if (ev.event === "fatal") resolve(ev.message);
          else if (ev.event === "state" && run.state === "waiting") resolve("done");
        };
        run.play();
      });
      slot.listener = null;
      slot.stop = null;
      if (outcome === "cancelled") {
        await run.pause();
        return { state: "cancelled", ms: performance.now() - t0 };
      }
      if (outcome !== "done" && outcome !== "diverged") return { state: "failed", error: outcome, ms: performance.now() - t0 };
      const t2 = performance.now();
      await run.pause();
      const report = await run.evaluate();
      if (!report) throw new Error("its final evaluation was abandoned");
      const t3 = performance.now();
      return {
        state: outcome, acc: report.valAccuracy, loss: report.valLoss, ms: t3 - t0,
        phases: { create: t1 - t0, train: t2 - t1, evaluate: t3 - t2 },
      };
    } catch (e) {
      slot.listener = null;
      slot.stop = null;
      return { state: "failed", error: e.message, ms: performance.now() - t0 };
    }
  }

  return {
    submit, cancel,
    get size() { return slots.length; },
    get busy() { return slots.filter((s) => s.busy).length; },
    get queued() { return queue.length; },
    get started() { return started; },
  };
}
