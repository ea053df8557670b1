// This run's files, in the "Runs…" dialog (#portable): for the edited run, Download checkpoint
// (.safetensors), Export as PyTorch (.zip: train.py, weights, data, README), and Open a checkpoint…
// (a file picked opens as a new run; www/portable/openCheckpoint.js). Results and refusals are said
// in the page's messages (and under the buttons while the dialog is open). Drawn each time the
// dialog opens (runsDialog.onOpen), never while it is closed.

import { fileBase, download, readFile } from "../portable/files.js";
import { madeByPage } from "../portable/settings.js";
import { openCheckpoint } from "../portable/openCheckpoint.js";
import { pytorchZip, readmeText } from "../portable/zip.js";
import { serializeHash } from "../state.js";
import { pct } from "./stats.js";

export function createPortable(section, { doc, sandbox, dialog }) {
  const el = (tag, props = {}, ...kids) => {
    const n = doc.createElement(tag);
    Object.assign(n, props);
    n.append(...kids);
    return n;
  };
  const button = (text, title, onClick) => {
    const b = el("button", { type: "button", textContent: text, title, className: "small" });
    b.addEventListener("click", onClick);
    return b;
  };
  const about = el("p", { className: "portable-run" });
  const saveBtn = button("Download checkpoint (.safetensors)",
    "The edited run's weights as a safetensors file (PyTorch's names and layouts, the settings inside)", () => act(saveCheckpoint));
  const zipBtn = button("Export as PyTorch (.zip)",
    "train.py (the same recipe in PyTorch), the weights, the run's images and a README", () => act(exportZip));
  const picker = el("input", { type: "file", accept: ".safetensors,application/octet-stream", hidden: true, id: "portable-file" });
  picker.setAttribute("aria-label", "A trainlab checkpoint (.safetensors) to open as a new run");
  const openBtn = button("Open a checkpoint…", "A .safetensors file from this page or train.py opens as a new run beside these",
    () => picker.click());
  picker.addEventListener("change", () => {
    const file = picker.files?.[0];
    picker.value = "";
    if (file) act(() => openFile(file));
  });
  const note = el("p", { className: "portable-note", role: "status" });
  section.replaceChildren(
    el("h3", { textContent: "This run's files" }), about,
    el("div", { className: "portable-actions" }, saveBtn, zipBtn, openBtn, picker), note,
  );
  let busy = false;

  function say(text, kind = "info") {
    note.textContent = text;
    note.dataset.kind = kind;
  }

  async function act(fn) {
    if (busy) return;
    busy = true;
    refresh({ keepNote: true });
    try {
      await fn();
    } finally {
      busy = false;
      refresh({ keepNote: true });
    }
  }

  /** The edited run, its values, step and last validation accuracy (null before it is built). */
  function edited() {
    const e = sandbox.editing;
    if (!e?.run.values) return null;
    const acc = e.run.series.lastEval?.valAccuracy;
    return { e, values: e.values, step: e.run.series.step, valAccuracy: Number.isFinite(acc) ? acc : null };
  }

  async function checkpointBytes(r) {
    return r.e.run.exportCheckpoint(r.valAccuracy, madeByPage(serializeHash(r.values)));
  }

  async function saveCheckpoint() {
    const r = edited();
    if (!r) return;
    try {
      const bytes = await checkpointBytes(r);
      const name = `${fileBase(r.values, r.step)}.safetensors`;
      download(doc, bytes, name);
      say(`Saved ${name} (${kb(bytes.length)}). "Open a checkpoint…" or PyTorch's load_state_dict takes it.`);
    } catch (e) {
      tell("checkpoint-save", `The checkpoint could not be made: ${e.message}.`);
    }
  }

  async function exportZip() {
    const r = edited();
    if (!r) return;
    let trainPy, data;
    try {
      [trainPy, data] = [await r.e.run.exportPytorch(), await r.e.run.exportData()];
    } catch (e) {
      tell("checkpoint-export", `Export as PyTorch failed: ${e.message}.`);
      return;
    }
    try {
      const weights = await checkpointBytes(r);
      const base = fileBase(r.values, r.step);
      const readme = readmeText({ base, preset: r.values.preset, dataset: r.values.data, steps: r.step, valAccuracy: r.valAccuracy });
      const zip = pytorchZip({ base, trainPy, weights, data, readme });
      download(doc, zip, `${base}-pytorch.zip`, "application/zip");
      say(`Saved ${base}-pytorch.zip (${kb(zip.length)}): train.py, weights.safetensors, data.safetensors, README.txt.`);
    } catch (e) {
      tell("checkpoint-export", `Export as PyTorch failed: ${e.message}.`);
    }
  }

  async function openFile(file) {
    say(`Opening ${file.name}…`);
    let bytes;
    try {
      bytes = await readFile(file);
      const { entry, info, report } = await openCheckpoint(sandbox, bytes);
      const where = `Run ${sandbox.entries.indexOf(entry) + 1}`;
      const val = report ? `; it evaluates to ${pct(report.valAccuracy)} validation accuracy here` : "";
      const was = Number.isFinite(info.valAccuracy) ? ` (${pct(info.valAccuracy)} when saved)` : "";
      sandbox.messages.dismiss("checkpoint-open");
      sandbox.messages.show("checkpoint-open", `Opened ${file.name} as ${where}: ${info.preset} trained ${info.steps} steps` +
        `${was}${val}. Play trains it on from these weights.`, "info");
      say(`Opened ${file.name} as ${where}.`);
      dialog?.close();
    } catch (e) {
      tell("checkpoint-open", `${file.name} was not opened: ${e.message}. The runs are as they were.`);
    }
  }

  /** A problem: in the page's messages and under the buttons. */
  function tell(id, text) {
    sandbox.messages.show(id, text, "error");
    say(text, "error");
  }

  function refresh({ keepNote = false } = {}) {
    const r = edited();
    if (!keepNote) say("");
    about.textContent = r
      ? `Run ${sandbox.entries.indexOf(r.e) + 1} (${r.e.label}): ${r.values.preset} on ${r.values.data}, step ${r.step}` +
        (r.valAccuracy !== null ? `, validation ${pct(r.valAccuracy)}` : ", not evaluated yet")
      : "No run is built yet.";
    saveBtn.disabled = zipBtn.disabled = busy || !r;
    openBtn.disabled = busy;
  }

  return { refresh };
}

const kb = (n) => (n >= 1e6 ? `${(n / 1e6).toFixed(1)} MB` : `${Math.max(1, Math.round(n / 1e3))} KB`);

/** The #portable section of `sandbox`'s "Runs…" dialog, refreshed each time it opens (none without the dialog). */
export function attachPortable(sandbox, doc = document) {
  const dialog = sandbox.runsDialog;
  const section = dialog?.section("portable");
  if (!section) return null;
  const view = createPortable(section, { doc, sandbox, dialog });
  dialog.onOpen(() => view.refresh());
  // While the dialog is open the runs can change under it (a saved run opened, an evaluation
  // finishing): the line naming the edited run follows them.
  sandbox.watch((e, ev) => {
    if (dialog.isOpen && ["created", "eval", "state"].includes(ev.event)) view.refresh({ keepNote: true });
  });
  return view;
}
