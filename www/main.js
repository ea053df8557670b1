// Boot of the training page: one sandbox (www/sandbox.js) over the whole document, started from the
// URL hash, and the offline cache. The sandbox owns the runs, the views and the keys.
//
// window.trainlab is the hook of the end-to-end tests (and of curious students): the runs, and the
// edited run's figures under the names the single-run page had.

import "uplot/dist/uPlot.min.css";
import { SLACK_STEPS, createSandbox } from "./sandbox.js";
import { createKeepRuns } from "./sandbox/keepRuns.js";
import { attachPortable } from "./views/portable.js";
import { registerOffline } from "./offline.js";

// Small embeds start with the settings drawer closed; the charts matter more there.
const drawer = document.getElementById("settings-drawer");
if (drawer && (window.innerWidth < 900 || window.innerHeight < 600)) drawer.open = false;

const sandbox = createSandbox(document.body);
// The runs are kept across reloads (www/sandbox/keepRuns.js): it starts the sandbox, with the kept runs for this link.
const keepRuns = createKeepRuns({ win: window, sandbox });
keepRuns.restoreOrStart();
// This run's files in the "Runs…" dialog: checkpoint download and upload, the PyTorch export.
attachPortable(sandbox);

// The offline cache (production builds): the service worker, told which wasm build this page runs.
registerOffline();

const edited = () => sandbox.editing;
const { lossChart, accChart, lrChart, ratioChart, diagnosis, preview } = sandbox.views;

window.trainlab = {
  sandbox, keepRuns,
  /** Every run: id, label, state, step, settings, first loss, last evaluation, evaluations so far. */
  get runs() {
    return sandbox.entries.map((e) => ({
      id: e.id, label: e.label, color: e.color, state: e.run.state, step: e.run.series.step, limit: e.run.limit,
      values: e.values, firstLoss: e.run.series.firstLoss, lastEval: e.run.series.lastEval,
      evals: e.run.series.evals.length, losses: e.run.series.losses.slice(0, 20),
      average: lossChart.average(e.id), pausedAlone: e.pausedAlone, evaluating: e.run.series.evaluating,
    }));
  },
  // The edited run, as on the single-run page.
  get settings() { return edited()?.values ?? null; },
  get running() { return sandbox.entries.some((e) => e.run.state === "running" || e.run.state === "waiting"); },
  get firstLoss() { return edited()?.run.series.firstLoss ?? NaN; },
  get preview() { return preview.data; },
  get lrCurve() { return edited() ? lrChart.curve(edited().id) : [[], []]; },
  get lrUsed() { return edited() ? lrChart.used(edited().id) : []; },
  get ratios() { return edited() ? ratioChart.last(edited().id) : []; },
  get ratioPoints() { return edited() ? ratioChart.length(edited().id) : 0; },
  get findings() { return diagnosis.findings; },
  get lrFind() { return sandbox.lrFind; },
  get best() { return edited() ? accChart.best(edited().id) : null; },
  get lastEval() { return edited()?.run.series.lastEval ?? null; },
  drawStats: sandbox.drawStats,
  /** Lock-step: how many steps a run may get ahead of the slowest. */
  slack: SLACK_STEPS,
  tryConfig: (partial) => sandbox.tryConfig(partial),
};
