// The numbers above the charts: step, epoch, learning rate, images per second, the first loss
// (the lecture's step 1: it should be about log(C)), the loss moving average and the accuracies.
// Each value also sits in a data-value attribute, unrounded, for the end-to-end tests.
// Optional figures (the EMA's and the snapshot ensemble's validation accuracy) are shown only while
// the run has them.

const FIELDS = [
  { key: "step", label: "Step", fmt: (v) => String(v) },
  { key: "epoch", label: "Epoch", fmt: (v) => (Number.isInteger(v) ? String(v) : v.toFixed(2)) },
  { key: "lr", label: "Learning rate", fmt: (v) => fmtNum(v) },
  { key: "ips", label: "Images / s", fmt: (v) => Math.round(v).toLocaleString("en-US") },
  { key: "firstloss", label: "First loss", fmt: (v) => v.toFixed(3), hint: "" },
  { key: "loss", label: "Loss (avg)", fmt: (v) => fmtLoss(v) },
  { key: "trainacc", label: "Train acc", fmt: (v) => pct(v) },
  { key: "valacc", label: "Val acc", fmt: (v) => pct(v) },
  { key: "emaacc", label: "EMA val", fmt: (v) => pct(v), optional: true },
  { key: "snapacc", label: "Snapshot ens.", fmt: (v) => pct(v), optional: true },
];

/** An accuracy as "93.1%". */
export function pct(v) { return `${(v * 100).toFixed(1)}%`; }
function fmtNum(v) {
  if (v === 0) return "0";
  return Math.abs(v) >= 0.01 && Math.abs(v) < 1000 ? String(+v.toPrecision(4)) : v.toExponential(2);
}
function fmtLoss(v) {
  return Number.isFinite(v) ? fmtNum(v) : String(v);
}

export function createStats(root) {
  const els = new Map();
  for (const f of FIELDS) {
    const box = document.createElement("div");
    box.className = "stat";
    const label = document.createElement("span");
    label.className = "stat-label";
    label.textContent = f.label;
    const value = document.createElement("span");
    value.className = "stat-value";
    value.id = `stat-${f.key}`;
    value.textContent = "–";
    box.append(label, value);
    root.append(box);
    // Not the hidden attribute: the stylesheet's display of .stat would override it.
    if (f.optional) box.style.display = "none";
    els.set(f.key, { value, box, fmt: f.fmt, optional: f.optional });
  }

  function set(key, v, title) {
    const e = els.get(key);
    if (v === undefined || v === null || (typeof v === "number" && Number.isNaN(v) && key !== "loss")) {
      e.value.textContent = "–";
      delete e.value.dataset.value;
    } else {
      // Touch the DOM only on change: each change costs a layout and a paint.
      const text = e.fmt(v);
      if (e.value.textContent !== text) e.value.textContent = text;
      if (e.value.dataset.value !== String(v)) e.value.dataset.value = String(v);
    }
    if (title !== undefined && e.box.title !== title) e.box.title = title;
    if (e.optional) {
      const display = e.value.dataset.value === undefined ? "none" : "";
      if (e.box.style.display !== display) e.box.style.display = display;
    }
  }

  function reset() {
    for (const key of els.keys()) set(key, undefined);
  }

  return { set, reset };
}
