// The toolbar: Play/Pause, Step, Reset, "+ Compare" and the preview's run select act on the runs; the
// status line and the buttons' enabled states show the sandbox's overall state.
// The state attribute (data-run-state on the root) and the buttons' enabled states are set at once,
// together: a page that says "paused" must take a press of Play at that moment. (Enabling the buttons
// at the next drawn frame lost a Play or Step pressed right after ready: the button was still
// disabled, for 110-180 ms in WebKit, whose frames come late.) The texts follow at the next drawn
// frame, once however many runs changed state meanwhile.

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
    const now = overallState();
    if (root.dataset.runState !== now.state) root.dataset.runState = now.state;
    setButtons(now);
    dirty = true;
    ctx.scheduleDraw();
  }

  /** The buttons' enabled states for the sandbox's state `now` (overallState()). */
  function setButtons({ state, anyTraining, building, ready }) {
    const { editing } = ctx;
    const paused = editing && !ctx.isTraining(editing) && editing.run.values && !editing.run.busy;
    setDisabled(playBtn, !ready || (building && !anyTraining));
    setDisabled(stepBtn, state !== "paused");
    setDisabled(resetBtn, !ready);
    setDisabled($("findlr"), !paused || state === "running");
    setDisabled($("overfit"), !ready);
  }

  /** Write `disabled` only when it changes (updateToolbar runs at every run's state change). */
  function setDisabled(el, off) {
    if (el && el.disabled !== Boolean(off)) el.disabled = Boolean(off);
  }

  /** Write the buttons and the status line, if anything changed since the last frame. */
  function toolbarNow() {
    if (!dirty) return;
    dirty = false;
    const { entries } = ctx;
    const now = overallState();
    const { state, anyTraining } = now;
    setButtons(now);
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
