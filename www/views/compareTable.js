// The comparison table: one row per run with its colour and label (what differs from the first run),
// its step, speed, losses (training: mean of the last 50 steps; validation; maximum over the first 50
// steps), accuracies, gap, best validation and calibration, and buttons to pause/resume it, edit its
// settings in the panel, show its images in the preview, or remove it. A scenario's `watch` figure is
// one of the columns' keys. When the runs are a model ensemble, a last row gives the ensemble's
// validation loss and accuracy (the mean of the members' probabilities) at their last common step.
// Cells are written only when their text changes (a DOM write costs a layout on the main thread).

import { pct } from "./stats.js";

/** img/s in at most five characters: a fast machine's 12,345 would widen the table at 1024 px. */
export function imagesPerSecond(v) {
  if (v < 9999.5) return Math.round(v).toLocaleString("en-US");
  return v < 99950 ? `${(v / 1000).toFixed(1)}k` : `${Math.round(v / 1000)}k`;
}

const points = (v) => `${(v * 100).toFixed(1)}`;
// At most 4 characters (0.57, 23.4, 812, 1.2e+4): 0.01 resolves the scenarios' loss differences, and
// the table must fit 1024 px.
const lossText = (v) => {
  const a = Math.abs(v);
  return a >= 1000 ? v.toExponential(1) : v.toFixed(a >= 100 ? 0 : a >= 10 ? 1 : 2);
};
const COLUMNS = [
  { key: "step", head: "step", title: "Training steps done", fmt: (v) => String(v) },
  { key: "imagesPerSecond", head: "img/s", title: "Training images per second", fmt: imagesPerSecond },
  // Two-line heads: with eleven figures the table must still fit 1024 px.
  { key: "trainLoss", head: "train\nloss", title: "Training loss: mean of the last 50 steps", fmt: lossText },
  { key: "valLoss", head: "val\nloss", title: "Validation loss at the last evaluation", fmt: lossText },
  {
    key: "earlyLossMax", head: "early\nmax",
    title: "Highest step loss in the first 50 steps: a spike there means warm-up or a lower learning rate is needed",
    fmt: lossText,
  },
  { key: "trainAccuracy", head: "train", title: "Training accuracy at the last evaluation", fmt: pct },
  { key: "valAccuracy", head: "val", title: "Validation accuracy at the last evaluation", fmt: pct },
  { key: "gap", head: "gap", title: "Train − validation accuracy, in points: large means overfitting", fmt: points },
  { key: "bestValAccuracy", head: "best\nval", title: "Best validation accuracy so far (early stopping's snapshot)", fmt: pct },
  { key: "valConfidence", head: "conf.", title: "Mean top-1 probability on validation images: label smoothing lowers it", fmt: pct },
  { key: "valEce", head: "ECE", title: "Expected calibration error on validation: the gap between confidence and accuracy", fmt: pct },
];
const DASH = "–";

/** The text of one cell: "–" for a missing or non-finite value. */
export function cellText(key, value) {
  const c = COLUMNS.find((col) => col.key === key);
  if (!c) throw new Error(`compareTable: no column "${key}"`);
  return value == null || (typeof value === "number" && !Number.isFinite(value)) ? DASH : c.fmt(value);
}

export function createCompareTable(el, { onRemove, onTogglePause, onEdit, onPreview } = {}) {
  const table = document.createElement("table");
  table.className = "runs-table";
  const caption = document.createElement("caption");
  caption.className = "sr-only";
  caption.textContent = "Runs side by side";
  const head = document.createElement("tr");
  head.append(th("run", "The run's colour on every chart, and what differs from the first run"));
  for (const c of COLUMNS) { const h = th(c.head, c.title); h.dataset.col = c.key; head.append(h); }
  head.append(th("", "Pause or resume this run alone, edit its settings, show its images, remove it"));
  const thead = document.createElement("thead");
  thead.append(head);
  const tbody = document.createElement("tbody");
  const tfoot = document.createElement("tfoot");
  table.append(caption, thead, tbody, tfoot);
  el.replaceChildren(table);

  const rows = new Map();   // runId -> { tr, cells: Map(key -> td), status, pause, edit, preview, remove }
  let highlighted = null;

  function th(text, title) {
    const h = document.createElement("th");
    h.scope = "col";
    // "\n" in a head breaks the line (the cells are nowrap).
    text.split("\n").forEach((part, i) => { if (i) h.append(document.createElement("br")); h.append(part); });
    if (title) h.title = title;
    return h;
  }

  function button(text, title, onClick) {
    const b = document.createElement("button");
    b.type = "button";
    b.className = "small";
    b.textContent = text;
    b.title = title;
    b.addEventListener("click", onClick);
    return b;
  }

  function buildRow(run) {
    const tr = document.createElement("tr");
    tr.dataset.run = String(run.id);
    const name = document.createElement("th");
    name.scope = "row";
    name.className = "run-name";
    const sw = document.createElement("i");
    sw.className = "swatch";
    const label = document.createElement("span");
    label.className = "run-label";
    const status = document.createElement("span");
    status.className = "run-status";
    name.append(sw, label, status);
    tr.append(name);
    const cells = new Map();
    for (const c of COLUMNS) {
      const td = document.createElement("td");
      td.dataset.col = c.key;
      td.classList.toggle("watch", c.key === highlighted);
      td.textContent = DASH;
      cells.set(c.key, td);
      tr.append(td);
    }
    const actions = document.createElement("td");
    actions.className = "run-actions";
    const id = run.id;
    const pause = button("Pause", "Pause or resume this run alone", () => onTogglePause?.(id));
    const edit = button("Edit", "Show this run's settings in the panel; a change applies to this run", () => onEdit?.(id));
    const preview = button("Images", "Show this run's training images in \"What the network sees\"", () => onPreview?.(id));
    const remove = button("×", "Remove this run", () => onRemove?.(id));
    remove.setAttribute("aria-label", "Remove this run");
    remove.classList.add("remove");
    actions.append(pause, edit, preview, remove);
    tr.append(actions);
    return { tr, sw, label, status, cells, pause, edit, remove, values: {} };
  }

  /** runs: [{ id, label, color, editing, paused }] in display order. */
  function setRuns(runs) {
    for (const [id, r] of rows) if (!runs.some((run) => run.id === id)) { r.tr.remove(); rows.delete(id); }
    runs.forEach((run, i) => {
      let r = rows.get(run.id);
      if (!r) { r = buildRow(run); rows.set(run.id, r); }
      if (tbody.children[i] !== r.tr) tbody.insertBefore(r.tr, tbody.children[i] ?? null);
      r.sw.style.background = run.color;
      setText(r.label, run.label || (runs.length > 1 ? `run ${run.id}` : "this run"));
      r.tr.classList.toggle("editing", Boolean(run.editing));
      r.tr.classList.toggle("paused", Boolean(run.paused));
      r.edit.setAttribute("aria-pressed", String(Boolean(run.editing)));
      // "Play", the toolbar's word, not "Resume": 20 px narrower, which the table needs at 1024 px.
      setText(r.pause, run.paused ? "Play" : "Pause");
      r.remove.disabled = runs.length <= 1;
    });
    el.dataset.runs = String(runs.length);
  }

  /** The latest figures of one run; missing fields show "–". `status`: a short word ("diverged"). */
  function update(runId, row) {
    const r = rows.get(runId);
    if (!r) return;
    for (const c of COLUMNS) {
      if (!(c.key in row)) continue;
      const td = r.cells.get(c.key);
      setText(td, cellText(c.key, row[c.key]));
      setValue(td, row[c.key]);
    }
    if ("status" in row) setText(r.status, row.status ? ` ${row.status}` : "");
  }

  /**
   * The ensemble's row: { members, step, valAccuracy, valLoss, best } at the members' last common step,
   * or null for none (the runs are not an ensemble, or not yet evaluated at one step).
   */
  function setEnsemble(e) {
    if (!e) { tfoot.replaceChildren(); return; }
    let tr = tfoot.firstElementChild;
    if (!tr) {
      tr = document.createElement("tr");
      tr.className = "ensemble-row";
      const name = document.createElement("th");
      name.scope = "row";
      name.className = "run-name";
      name.title = "The average of the members' predicted probabilities, at a step every member was evaluated";
      tr.append(name);
      for (const c of COLUMNS) {
        const td = document.createElement("td");
        td.dataset.col = c.key;
        td.textContent = DASH;
        tr.append(td);
      }
      tr.append(document.createElement("td"));
      tfoot.append(tr);
    }
    setText(tr.firstElementChild, `ensemble of ${e.members}`);
    for (const [key, value] of [["step", e.step], ["valLoss", e.valLoss], ["valAccuracy", e.valAccuracy]]) {
      const td = tr.querySelector(`td[data-col="${key}"]`);
      setText(td, cellText(key, value));
      setValue(td, value);
    }
  }

  /** Mark the column a scenario asks to watch (a COLUMNS key), or none with null. */
  function highlight(metricName) {
    highlighted = COLUMNS.some((c) => c.key === metricName) ? metricName : null;
    for (const cell of table.querySelectorAll("[data-col]")) cell.classList.toggle("watch", cell.dataset.col === highlighted);
  }

  return { setRuns, update, setEnsemble, highlight, get highlighted() { return highlighted; } };
}

function setText(node, text) {
  if (node.textContent !== text) node.textContent = text;
}

/** A cell's exact number in data-value (the tests read it), written only when it changed: every
 * attribute write dirties the style of the table. */
function setValue(td, value) {
  if (typeof value !== "number") { if ("value" in td.dataset) delete td.dataset.value; return; }
  const text = String(value);
  if (td.dataset.value !== text) td.dataset.value = text;
}
