// The comparison's table: per way what trains, the validation accuracy at the budget, the best of
// any evaluation, and the steps taken.

import { runColor } from "../views/palette.js";

const pct = (v) => (Number.isFinite(v) ? `${(v * 100).toFixed(1)}%` : "–");

const STATUS = {
  starting: "starting…", training: "", evaluating: "evaluating…", done: "", stopped: "stopped",
  diverged: "diverged", failed: "failed", fatal: "failed", crash: "restarted",
};

export function renderTable(tbody, rows) {
  const best = Math.max(...rows.map((r) => (Number.isFinite(r.final) ? r.final : -1)));
  tbody.replaceChildren(...rows.map((row, i) => {
    const tr = document.createElement("tr");
    tr.dataset.mode = row.way.mode;
    tr.dataset.status = row.status;
    const cells = [
      row.way.title, row.way.trains, pct(row.final), pct(row.best),
      `${row.step} / ${row.budget}${STATUS[row.status] ? ` · ${STATUS[row.status]}` : ""}`,
    ];
    cells.forEach((text, k) => {
      const td = document.createElement(k === 0 ? "th" : "td");
      if (k === 0) {
        td.scope = "row";
        const sw = document.createElement("span");
        sw.className = "swatch";
        sw.style.background = runColor(i);
        td.append(sw);
      }
      td.append(text);
      if (k === 2) {
        td.className = "final";
        if (row.final === best && best >= 0 && rows.every((r) => r.status === "done")) td.classList.add("winner");
      }
      tr.append(td);
    });
    return tr;
  }));
}
