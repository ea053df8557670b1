// The three ways trained side by side: one run client (www/run.js) per way, so three workers train
// in parallel, each stopped at the same budget (the worker's step limit) and evaluated there.
//
//   const cmp = createComparison({ onUpdate: (rows) => …, onError: (message) => …, onBuild: (info) => … });
//   (onBuild: a worker's core started, www/build.js { build, backend, threads, why })
//   await cmp.start({ target, perClass, budget, weights });  cmp.stop();
//
// rows[i] = { way, status, step, budget, curve: [[step, valAccuracy]], final, best }; final is the
// validation accuracy at the budget (null until then), best the highest of any evaluation.

import { BUILD_REQUEST, createRun } from "../run.js";

// The three ways train side by side, one worker each: a worker takes the threaded build only when the
// link forces it (build=, threads=).
const SIDE_BY_SIDE = { ...BUILD_REQUEST, single: "the three ways train side by side, one worker each" };
import { WAYS, wayValues } from "./ways.js";

export function createComparison({ onUpdate = () => {}, onError = () => {}, onBuild = () => {} } = {}) {
  // The same source object every time: run.js reloads the set only when the source changes.
  const sources = new Map();
  const dataSource = (name) => {
    if (!sources.has(name)) sources.set(name, { kind: "builtin", id: name });
    return sources.get(name);
  };
  let rows = [];
  let generation = 0;
  const runs = WAYS.map((way, i) => createRun({
    id: i + 1, preview: false, dataSource, build: SIDE_BY_SIDE,
    onEvent: (run, ev) => (ev.event === "build" ? onBuild(ev.info) : onEvent(i, ev)),
  }));

  function update() { onUpdate(rows); }

  function onEvent(i, ev) {
    const row = rows[i];
    if (!row) return;
    if (ev.event === "report") {
      row.step = ev.report.step;
      update();
    } else if (ev.event === "eval") {
      const acc = ev.report.valAccuracy;
      if (Number.isFinite(acc)) {
        row.curve.push([ev.report.step ?? runs[i].series.step, acc]);
        row.best = Math.max(row.best ?? 0, acc);
      }
      update();
    } else if (ev.event === "state" && runs[i].state === "waiting" && row.status === "training") {
      finish(i, generation);
    } else if (ev.event === "diverged" || ev.event === "fatal" || ev.event === "crash") {
      row.status = ev.event;
      onError(`${row.way.title}: ${ev.message ?? ev.what ?? ev.event}`);
      update();
    }
  }

  /** At the budget: pause, evaluate the final weights, record them. */
  async function finish(i, gen) {
    const row = rows[i];
    row.status = "evaluating";
    update();
    try {
      await runs[i].pause();
      const report = await runs[i].evaluate();
      if (gen !== generation) return;
      row.final = report?.valAccuracy ?? row.curve.at(-1)?.[1] ?? null;
      row.status = "done";
    } catch (e) {
      if (gen !== generation) return;
      row.status = "failed";
      onError(`${row.way.title}: ${e.message}`);
    }
    update();
  }

  async function start(settings) {
    const gen = ++generation;
    rows = WAYS.map((way) => ({ way, status: "starting", step: 0, budget: settings.budget, curve: [], final: null, best: null }));
    update();
    for (const run of runs) run.setLimit(settings.budget);
    await Promise.all(runs.map((run, i) => run.start(wayValues(WAYS[i], settings))));
    if (gen !== generation) return;
    for (const row of rows) row.status = "training";
    update();
    for (const run of runs) run.play();
  }

  function stop() {
    generation++;
    for (const [i, run] of runs.entries()) {
      if (run.state === "running" || run.state === "waiting") run.pause();
      if (rows[i] && rows[i].status !== "done") rows[i].status = "stopped";
    }
    update();
  }

  return { start, stop, get rows() { return rows; }, runs };
}
