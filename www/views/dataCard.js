// The data card (markup in www/sandbox.html, #data-card): which data set the sandbox trains on.
// Built-in sets load with sandbox.useData({ kind: "builtin", id }); "Your own images…" opens a folder
// or file chooser (or takes a drop on the card), reads the files here with www/data/ownData.js —
// nothing is uploaded — and loads the result the same way. While loading it shows progress; after,
// the set's summary (classes, counts per class, samples) and the loader's notes; a refusal shows its
// message and names the set that stays loaded. Every file, folder and class name goes in with
// textContent.
//
// `sandbox` is the page's sandbox (www/sandbox.js): useData(source, { onProgress }) → Promise<summary>,
// dataSummary() → summary | null, watch(fn) → stop (fn(entry, { type: "data", summary }) when the set
// changed), editing.values (the run's data, seed and preset).
// The card's state is on its element for tests: data-state="idle|loading|ready|error", data-set=id,
// data-loads = how many loads have settled.

import { fromDataTransfer, fromFileList, inputFor, readOwnData, withIdxFileNames } from "../data/ownData.js";
import { createDataSummary, summaryLine } from "./dataSummary.js";

export function createDataCard(root, sandbox, { doc = root.ownerDocument } = {}) {
  const $ = (sel) => root.querySelector(sel);
  const choices = [...root.querySelectorAll(".dc-choices button[data-set]")];
  const picks = [...root.querySelectorAll(".dc-own > button")];
  const titleOf = (id) => choices.find((b) => b.dataset.set === id)?.dataset.title ?? id;
  const ownPanel = $(".dc-own");
  const ownButton = choices.find((b) => b.dataset.set === "own");
  const folderInput = $(".dc-folder-input"), filesInput = $(".dc-files-input");
  const progress = $(".dc-progress"), bar = progress.querySelector("progress"), progressText = progress.querySelector(".dc-progress-text");
  const cancel = progress.querySelector(".dc-cancel");
  const error = $(".dc-error"), current = $(".dc-current"), body = $(".dc-body"), toggle = $(".dc-toggle");
  const summaryView = createDataSummary(body, { doc });
  const listeners = [];
  const on = (target, type, fn) => { target.addEventListener(type, fn); listeners.push(() => target.removeEventListener(type, fn)); };

  let shown = { id: sandbox.editing?.values?.data ?? "shapes", summary: sandbox.dataSummary?.() ?? null, notes: [], root: "" };
  let loading = null;   // { id, abort: AbortController }

  const setState = (state) => { root.dataset.state = state; };

  function setBodyOpen(open) {
    body.hidden = !open;
    toggle.setAttribute("aria-expanded", String(open));
    toggle.textContent = open ? "Hide classes" : "Show classes";
  }

  function displayName(view) {
    if (view.id === "own") return view.root ? `Your own images (“${view.root}”)` : "Your own images";
    return titleOf(view.id);
  }

  function render() {
    root.dataset.set = shown.id;
    for (const b of choices) b.setAttribute("aria-pressed", String(b.dataset.set === shown.id));
    ownButton.setAttribute("aria-expanded", String(!ownPanel.hidden));
    const s = shown.summary;
    current.textContent = s ? `${displayName(shown)}: ${summaryLine(s)}` : `${displayName(shown)}: 10 classes · 3×32×32 RGB · rendered from the seed`;
    current.title = current.textContent;
    toggle.hidden = !s;
    summaryView.render(s, shown.notes);
    if (!s) setBodyOpen(false);
  }

  function showProgress(text, done, total) {
    progress.hidden = false;
    progressText.textContent = text;
    if (total > 0) { bar.max = total; bar.value = done; } else bar.removeAttribute("value");
  }

  function showError(what, err) {
    error.hidden = false;
    const why = String(err?.message ?? err).replace(/\.$/, "");
    error.textContent = `${what}: ${why}. ${displayName(shown)} stays loaded.`;
    setState("error");
  }

  /** Load `source` (or what `prepare(signal)` builds) into the sandbox as set `id`. */
  async function load(id, prepare) {
    if (loading) return;
    loading = { id, abort: new AbortController() };
    // aria-disabled, not disabled: the focused button keeps the keyboard's focus while loading.
    for (const b of [...choices, ...picks]) b.setAttribute("aria-disabled", "true");
    error.hidden = true;
    setState("loading");
    cancel.hidden = id !== "own";
    showProgress(`Loading ${id === "own" ? "your files" : titleOf(id)}…`, 0, 0);
    let source = null;
    try {
      const prepared = await prepare(loading.abort.signal);
      source = prepared.source;
      const { notes, folder = "" } = prepared;
      cancel.hidden = true;   // the runs' workers load it now; that is not cancelled halfway
      showProgress(`Loading ${id === "own" ? "your images" : titleOf(id)} into the runs…`, 0, 0);
      const summary = await sandbox.useData(source, { onProgress: id === "own" ? undefined : fetched });
      shown = { id, summary: summary ?? sandbox.dataSummary?.() ?? null, notes, root: folder };
      setState("ready");
      ownPanel.hidden = true;
      if (shown.summary) setBodyOpen(true);
    } catch (err) {
      // Cancelled by the learner: nothing went wrong, the card goes back to what is loaded.
      if (loading.abort.signal.aborted) setState(shown.summary ? "ready" : "idle");
      else showError(`Could not load ${id === "own" ? "your data" : titleOf(id)}`, withIdxFileNames(String(err?.message ?? err), source));
    } finally {
      loading = null;
      progress.hidden = true;
      for (const b of [...choices, ...picks]) b.removeAttribute("aria-disabled");
      root.dataset.loads = String(Number(root.dataset.loads ?? 0) + 1);
      render();
    }
  }

  /** A built-in set's download: bytes received of total (0 when the server does not say). */
  function fetched(received, total) {
    const mb = (b) => (b / 1e6).toFixed(1);
    showProgress(`Fetching ${titleOf(loading?.id)}: ${mb(received)}${total ? ` of ${mb(total)}` : ""} MB…`, received, total);
  }

  /** `tree`: fromFileList's or fromDataTransfer's { root, entries, hidden } (or a promise of it). */
  function loadOwn(tree) {
    const values = sandbox.editing?.values ?? {};
    const count = (n) => n.toLocaleString("en-US");
    return load("own", async (signal) => {
      const given = await tree;
      const out = await readOwnData(given, {
        input: inputFor(values.preset), seed: values.seed ?? 1, signal,
        onProgress: ({ phase, done, total, name }) => showProgress(phase === "decoding"
          ? `Decoding images: ${count(done)} of ${count(total)}…` : `Reading ${name ?? "files"}…`, done, total),
      });
      return { ...out, folder: given.root };
    });
  }

  for (const b of choices) {
    on(b, "click", () => {
      if (loading) return;
      if (b === ownButton) {
        ownPanel.hidden = !ownPanel.hidden;
        render();
        if (!ownPanel.hidden) ownPanel.querySelector("button")?.focus();
        return;
      }
      ownPanel.hidden = true;
      load(b.dataset.set, async () => ({ source: { kind: "builtin", id: b.dataset.set }, notes: [] }));
    });
  }
  on($(".dc-pick-folder"), "click", () => { if (!loading) folderInput.click(); });
  on($(".dc-pick-files"), "click", () => { if (!loading) filesInput.click(); });
  for (const input of [folderInput, filesInput]) {
    on(input, "change", () => {
      const tree = fromFileList(input.files ?? [], { folder: input === folderInput });
      input.value = "";   // choosing the same folder again is a new choice
      loadOwn(tree);
    });
  }
  on(cancel, "click", () => loading?.abort.abort());
  // Space on a focused card button presses that button; the page's Space (play/pause) must not take it.
  on(root, "keydown", (e) => { if (e.key === " " && e.target.closest?.("button")) e.stopPropagation(); });
  on(toggle, "click", () => setBodyOpen(body.hidden));
  const isFiles = (e) => e.dataTransfer?.types?.includes("Files");   // not text or a link dragged over
  on(root, "dragover", (e) => {
    if (!isFiles(e)) return;
    e.preventDefault();
    root.classList.add("dc-drop");
  });
  on(root, "dragleave", (e) => { if (!root.contains(e.relatedTarget)) root.classList.remove("dc-drop"); });
  on(root, "drop", (e) => {
    e.preventDefault();
    root.classList.remove("dc-drop");
    if (loading) return;
    // The entries are taken inside the event (fromDataTransfer does so before awaiting).
    ownPanel.hidden = false;
    loadOwn(fromDataTransfer(e.dataTransfer));
  });

  // Files that miss the card must not make the browser open them in place of the page (and lose the
  // runs): a drop elsewhere does nothing.
  on(doc, "dragover", (e) => { if (isFiles(e)) e.preventDefault(); });
  on(doc, "drop", (e) => { if (isFiles(e) && !root.contains(e.target)) e.preventDefault(); });

  // A set loaded by other means (a link's data=, a compare run) while the card was not loading.
  const stopWatch = sandbox.watch?.((entry, event) => {
    if (event?.type !== "data" || loading) return;
    const id = event.summary?.name ?? sandbox.editing?.values?.data ?? "shapes";
    const same = id === shown.id;
    shown = { id, summary: event.summary ?? null, notes: same ? shown.notes : [], root: same ? shown.root : "" };
    render();
  });

  setBodyOpen(false);
  setState("idle");
  render();

  return {
    /** What the card shows now: { id, summary, notes }. */
    get shown() { return shown; },
    get loading() { return loading !== null; },
    destroy() {
      loading?.abort.abort();
      stopWatch?.();
      for (const off of listeners.splice(0)) off();
    },
  };
}
