// The toolbar: Play/Pause, Step, Reset, "+ Compare" and the preview's run select act on the runs; the
// status line and the buttons' enabled states show the sandbox's overall state.
// The state attribute (data-run-state on the root) is set at once, since tests and styles follow it;
// buttons and texts at the next drawn frame, once however many runs changed state meanwhile.

export function createToolbar(ctx) {
  const { $, root, on } = ctx;
  const playBtn = $("playpause"), stepBtn = $("step"), resetBtn = $("reset"), compareBtn = $("compare");
  let dirty = false;

  on(playBtn, "click", () => (ctx.entries.some(ctx.isTraining) ? ctx.pauseAll() : ctx.playAll()));
  on(stepBtn, "click", () => ctx.stepAll());
  on(resetBtn, "click", () => ctx.resetAll());
  if (compareBtn) on(compareBtn, "click", () => ctx.compare());
  const previewSel = $("preview-run");
  if (previewSel) on(previewSel, "change", () => ctx.setPreviewRun(ctx.byId(Number(previewSel.value))));

  /** The sandbox's state: running (any run trains), creating/booting, paused or fatal. */
  function overallState() {
    const { entries } = ctx;
    const anyTraining = entries.some(ctx.isTraining);
    const building = entries.some((e) => e.run.state === "creating" || e.run.state === "booting");
    const ready = entries.some((e) => e.run.values);
    const fatal = entries.length && entries.every((e) => e.run.state === "fatal");
    const state = fatal ? "fatal" : anyTraining ? "running" : building ? (ready ? "creating" : "booting") : ready ? "paused" : "booting";
    return { state, anyTraining, building, ready };
  }

  function updateToolbar() {
    const { state } = overallState();
    if (root.dataset.runState !== state) root.dataset.runState = state;
    dirty = true;
    ctx.scheduleDraw();
  }

  /** Write the buttons and the status line, if anything changed since the last frame. */
  function toolbarNow() {
    if (!dirty) return;
    dirty = false;
    const { entries, editing } = ctx;
    const { state, anyTraining, building, ready } = overallState();
    playBtn.disabled = !ready || (building && !anyTraining);
    stepBtn.disabled = state !== "paused";
    resetBtn.disabled = !ready;
    const paused = editing && !ctx.isTraining(editing) && editing.run.values && !editing.run.busy;
    $("findlr").disabled = !paused || state === "running";
    $("overfit").disabled = !ready;
    playBtn.querySelector(".label").textContent = anyTraining ? "Pause" : "Play";
    playBtn.setAttribute("aria-pressed", String(anyTraining));
    const waiting = entries.filter((e) => e.run.state === "waiting");
    const n = entries.length;
    const text = {
      booting: "Loading the WebAssembly core…",
      creating: "Building the network…",
      running: waiting.length && waiting.length < n
        ? `Training ${n} runs in lock-step (${waiting.map(ctx.runNo).map((i) => `run ${i}`).join(", ")} waiting for the slowest)…`
        : n > 1 ? `Training ${n} runs…` : "Training…",
      paused: "Paused",
      fatal: "Not available",
    }[state];
    const status = $("status");
    if (status.textContent !== text) status.textContent = text;
    ctx.updateBestButton();
  }

  return { updateToolbar, toolbarNow };
}
