// The run history in the "Runs…" dialog (#saved-runs): the saved runs, newest first, each with its
// name, data set, best validation accuracy, steps, date and size, and Open / Compare / Rename /
// Delete; how much storage the site uses and whether the browser keeps it for sure (persistent).
// The actions come from www/sandbox/keepRuns.js; this view only draws and asks. It is drawn each
// time the dialog opens and after each action, never while the dialog is closed. A run on the
// learner's own images says in its data cell whether its images are kept with it; when they are not,
// Open and Compare are disabled with the reason.

import { formatBytes } from "../store/quota.js";
import { pct } from "./stats.js";

/**
 * `list()` → { runs, problems, dataSets: Set of the kept own sets' keys }; `storage()` → { usage,
 * quota, persisted }; `currentIds()` → Set of the saved ids on the page; `whyNotOpen(record, kept)`
 * and `whyNotCompare(record, kept)` → why Open / Compare cannot put it on the page now, or null;
 * open/compare/rename/remove(id[, name]) → promises rejecting with a sentence.
 */
export function createSavedRuns(section, {
  doc, list, storage, currentIds, whyNotOpen = () => null, whyNotCompare = () => null, open, compare, rename, remove,
}) {
  const el = (tag, props = {}, ...kids) => {
    const n = doc.createElement(tag);
    Object.assign(n, props);
    n.append(...kids);
    return n;
  };
  const head = el("div", { className: "saved-runs-head" }, el("h3", { textContent: "Saved runs" }));
  const usage = el("p", { className: "saved-runs-usage" });
  const note = el("p", { className: "saved-runs-note", role: "status" });
  const body = el("div", { className: "saved-runs-list" });
  head.append(usage);
  section.replaceChildren(head, note, body);
  let renaming = null;
  // How many times the list was drawn, on the section: a script (or test) that opens the dialog can
  // wait for the next drawing instead of reading the rows of the previous one.
  let drawn = 0;

  function say(text, kind = "info") {
    note.textContent = text;
    note.dataset.kind = kind;
  }

  async function act(what, fn) {
    try {
      await fn();
    } catch (e) {
      say(`${what}: ${e.message}.`, "error");
    }
    await refresh({ keepNote: true });
  }

  function button(text, onClick, { title = "", disabled = false, cls = "" } = {}) {
    const b = el("button", { type: "button", textContent: text, title, disabled, className: `small ${cls}`.trim() });
    b.addEventListener("click", onClick);
    return b;
  }

  function nameCell(r) {
    if (renaming !== r.id) return el("td", { className: "saved-runs-name", textContent: r.name, title: r.name });
    const input = el("input", { type: "text", value: r.name, className: "saved-runs-rename", maxLength: 80 });
    input.setAttribute("aria-label", `New name for "${r.name}"`);
    const done = (keep) => {
      renaming = null;
      const name = input.value.trim();
      if (!keep || !name || name === r.name) return refresh({ keepNote: true });
      return act("Renaming", async () => { await rename(r.id, name); say(`Renamed to "${name}".`); });
    };
    input.addEventListener("keydown", (ev) => {
      if (ev.key === "Enter") { ev.preventDefault(); done(true); }
      if (ev.key === "Escape") { ev.preventDefault(); done(false); }
    });
    input.addEventListener("blur", () => { if (renaming === r.id) done(true); });
    queueMicrotask(() => { input.focus(); input.select(); });
    return el("td", { className: "saved-runs-name" }, input);
  }

  /** The data cell: the set's name; for own images, whether they are kept with the run. */
  function dataCell(r, kept, cannot) {
    if (r.dataset !== "own") return el("td", { textContent: r.dataset });
    const td = el("td", { textContent: "own images", className: "saved-runs-data" });
    const isKept = Boolean(r.dataHash) && kept.has(r.dataHash);
    const how = !isKept ? "not kept" : cannot ? "damaged" : "kept";
    td.append(el("br"), el("small", { textContent: how }));
    td.title = cannot ?? "Your own images are kept with this run on this computer (never uploaded); they are deleted with the last run that uses them";
    return td;
  }

  /** A run's row; `cannot`: why it cannot be put back on the page (whyNotOpen), or null. */
  function row(r, current, kept, cannot) {
    const date = new Date(r.savedAt);
    const whyCompare = cannot ?? whyNotCompare(r, kept);
    const tr = el("tr", {},
      nameCell(r),
      dataCell(r, kept, cannot),
      el("td", { className: "num", textContent: Number.isFinite(r.bestVal) ? pct(r.bestVal) : "—" }),
      el("td", { className: "num", textContent: String(r.step) }),
      el("td", { textContent: date.toLocaleString([], { dateStyle: "short", timeStyle: "short" }), title: date.toString() }),
      el("td", { className: "num", textContent: formatBytes(r.stateBytes) }),
    );
    tr.dataset.id = r.id;
    if (current) tr.classList.add("current");
    const actions = el("td", { className: "saved-runs-actions" },
      button("Open", () => act(`Opening "${r.name}"`, async () => { await open(r.id); say(`Opened "${r.name}" at step ${r.step}.`); }),
        { title: cannot ?? "Replace the page's runs with this one (they stay here, saved)", disabled: cannot !== null }),
      button("Compare", () => act(`Comparing "${r.name}"`, async () => { await compare(r.id); say(`"${r.name}" trains beside the page's runs.`); }),
        { title: whyCompare ?? "Add this run beside the page's runs", disabled: whyCompare !== null }),
      button("Rename", () => { renaming = r.id; refresh({ keepNote: true }); }),
      button("Delete", () => act(`Deleting "${r.name}"`, async () => { await remove(r.id); say(`Deleted "${r.name}".`); }), {
        disabled: current, cls: "danger",
        title: current ? "This run is on the page: remove it from the page (or open another run) to delete it" : "Delete this saved run",
      }),
    );
    if (current) actions.prepend(el("span", { className: "saved-runs-badge", textContent: "on the page" }));
    tr.append(actions);
    return tr;
  }

  /** A run's row, and under it, when it cannot be put back on the page, a line saying why. */
  function rowsOf(r, current, kept) {
    const why = whyNotOpen(r, kept);
    if (!why) return [row(r, current, kept, why)];
    // style.css lets this sentence wrap (the table's other cells do not).
    const cell = el("td", { colSpan: 7 }, el("small", { textContent: `Cannot be opened: ${why}.` }));
    const note = el("tr", { className: "saved-runs-why" }, cell);
    note.dataset.for = r.id;
    return [row(r, current, kept, why), note];
  }

  function damagedRow({ id, problem }) {
    const tr = el("tr", { className: "damaged" },
      el("td", { colSpan: 6, textContent: `Cannot be opened: ${problem}.` }),
      el("td", { className: "saved-runs-actions" },
        button("Delete", () => act("Deleting a damaged run", async () => { await remove(id); say("Deleted the damaged run."); }), { cls: "danger" })));
    tr.dataset.id = id;
    return tr;
  }

  async function refresh({ keepNote = false } = {}) {
    if (!keepNote) say("");
    let runs, problems, dataSets;
    try {
      ({ runs, problems, dataSets = new Set() } = await list());
    } catch (e) {
      body.replaceChildren(el("p", { className: "saved-runs-empty", textContent: `The saved runs could not be read: ${e.message}.` }));
      section.dataset.drawn = String(++drawn);
      return;
    }
    const current = currentIds();
    if (!runs.length && !problems.length) {
      body.replaceChildren(el("p", { className: "saved-runs-empty", textContent:
        "No saved runs yet. Runs are kept here by themselves once they have trained, and come back after a reload." }));
    } else {
      const th = (t, cls = "") => el("th", { textContent: t, className: cls });
      const table = el("table", { className: "saved-runs-table" },
        el("thead", {}, el("tr", {}, th("Name"), th("Data"), th("Best val.", "num"), th("Steps", "num"), th("Saved"), th("Size", "num"), th(""))),
        el("tbody", {}, ...runs.flatMap((r) => rowsOf(r, current.has(r.id), dataSets)), ...problems.map(damagedRow)));
      body.replaceChildren(table);
    }
    const { usage: used, quota, persisted } = await storage();
    const sets = dataSets.size ? ` (with ${dataSets.size} set${dataSets.size === 1 ? "" : "s"} of your own images)` : "";
    usage.textContent = `${runs.length} run${runs.length === 1 ? "" : "s"}${sets} · ${formatBytes(used)} used of ${formatBytes(quota)} · ` +
      (persisted ? "persistent: the browser keeps them" : "not persistent: the browser may clear them when the disk is full");
    section.dataset.drawn = String(++drawn);
  }

  return { refresh, say };
}
