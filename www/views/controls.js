// The settings panel and the run buttons, built from the settings table in state.js.
// A control reports raw text; main.js validates it with state.parseValue and decides what happens.

import { SETTINGS, describeRange, isHidden } from "../state.js";

export function createControls(root, { onSetting }) {
  const inputs = new Map();
  const rows = new Map();

  for (const s of SETTINGS) {
    const row = document.createElement("div");
    row.className = "setting";
    row.dataset.key = s.hash;
    const id = `setting-${s.hash}`;
    const label = document.createElement("label");
    label.htmlFor = id;
    label.textContent = s.label;

    let input;
    if (s.kind === "choice") {
      input = document.createElement("select");
      for (const c of s.choices) {
        const o = document.createElement("option");
        o.value = c;
        o.textContent = c;
        input.append(o);
      }
    } else {
      input = document.createElement("input");
      input.type = "number";
      input.inputMode = "decimal";
      input.min = String(s.min);
      input.max = String(s.max);
      input.step = s.kind === "int" ? "1" : String(s.step ?? "any");
    }
    input.id = id;
    input.name = s.hash;
    input.title = `${s.help} (${describeRange(s)})`;
    input.addEventListener("change", () => onSetting(s.key, input.value));

    const help = document.createElement("p");
    help.className = "help";
    help.textContent = s.help;

    row.append(label, input, help);
    root.append(row);
    inputs.set(s.key, input);
    rows.set(s.key, row);
  }

  /** Show `values` in the controls (after a run was created, or to undo a rejected change). */
  function setValues(values) {
    for (const [key, input] of inputs) input.value = String(values[key]);
  }

  function setHidden(hidden) {
    let shown = 0;
    for (const s of SETTINGS) {
      const h = isHidden(s, hidden);
      rows.get(s.key).hidden = h;
      if (!h) shown++;
    }
    root.hidden = shown === 0;
    return shown;
  }

  function setEnabled(enabled) {
    for (const input of inputs.values()) input.disabled = !enabled;
  }

  return { setValues, setHidden, setEnabled };
}
