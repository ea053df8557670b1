// The settings panel, built from the settings table in state.js: one collapsible section per group
// (Model & optimizer, Regularization, Data augmentation), one row per setting.
// A control reports raw text; main.js validates it with state.parseValue and decides what happens.

import {
  GROUPS, SETTINGS, describeRange, formatValue, groupSettings, inactiveReason, isChanged, isHidden, settingHelp,
} from "../state.js";

export function createControls(root, { onSetting }) {
  const inputs = new Map();      // key -> { read(), write(value), all: [elements] }
  const rows = new Map();
  const groups = new Map();      // id -> { details, count }
  const helps = new Map();       // key -> { s, help, inputs } of settings whose help depends on the data
  let touchedGroups = false;     // once the student opens or closes a section, leave it as they set it
  const controlled = SETTINGS.filter((s) => s.group);   // the data set has the data card, not a row

  for (const g of GROUPS) {
    const details = document.createElement("details");
    details.className = "group";
    details.dataset.group = g.id;
    details.open = Boolean(g.open);
    const summary = document.createElement("summary");
    const title = document.createElement("span");
    title.className = "group-title";
    title.textContent = g.label;
    const count = document.createElement("span");
    count.className = "group-count";
    summary.append(title, count);
    details.append(summary);
    if (g.help) {
      const p = document.createElement("p");
      p.className = "group-help";
      p.textContent = g.help;
      details.append(p);
    }
    const body = document.createElement("div");
    body.className = "group-body";
    details.append(body);
    summary.addEventListener("click", () => { touchedGroups = true; });
    root.append(details);
    groups.set(g.id, { details, body, count });

    for (const s of groupSettings(g.id)) body.append(buildRow(s));
  }

  function buildRow(s) {
    const row = document.createElement("div");
    row.className = `setting kind-${s.kind}`;
    row.dataset.key = s.hash;
    const id = `setting-${s.hash}`;
    const label = document.createElement("label");
    label.htmlFor = id;
    label.textContent = s.label;
    const title = `${settingHelp(s)} (${describeRange(s)}; link key "${s.hash}")`;

    let control, io;
    if (s.kind === "choice") {
      const select = document.createElement("select");
      for (const c of s.choices) {
        const o = document.createElement("option");
        o.value = c;
        o.textContent = c;
        select.append(o);
      }
      select.addEventListener("change", () => onSetting(s.key, select.value));
      control = select;
      io = { write: (v) => { select.value = String(v); }, all: [select] };
    } else if (s.kind === "bool") {
      const box = document.createElement("input");
      box.type = "checkbox";
      box.addEventListener("change", () => onSetting(s.key, box.checked ? "1" : "0"));
      const wrap = document.createElement("span");
      wrap.className = "check";
      wrap.append(box);
      control = wrap;
      box.id = id;
      io = { write: (v) => { box.checked = Boolean(v); }, all: [box] };
    } else if (s.kind === "range") {
      const lo = numberInput(s), hi = numberInput(s);
      lo.setAttribute("aria-label", `${s.label}: min`);
      hi.setAttribute("aria-label", `${s.label}: max`);
      const send = () => onSetting(s.key, `${lo.value},${hi.value}`);
      lo.addEventListener("change", send);
      hi.addEventListener("change", send);
      const wrap = document.createElement("span");
      wrap.className = "pair";
      const dash = document.createElement("span");
      dash.textContent = "–";
      dash.className = "pair-sep";
      wrap.append(lo, dash, hi);
      control = wrap;
      lo.id = id;
      io = { write: (v) => { lo.value = String(v[0]); hi.value = String(v[1]); }, all: [lo, hi] };
    } else if (s.kind === "boxsize") {
      const text = document.createElement("input");
      text.type = "text";
      text.spellcheck = false;
      text.placeholder = "0.25 or 16px";
      text.addEventListener("change", () => onSetting(s.key, text.value));
      control = text;
      io = { write: (v) => { text.value = formatValue(s, v); }, all: [text] };
    } else if (s.toggle !== undefined) {
      // A number whose 0 means off (Mixup α, CutMix α): a switch beside it sets the recipe's value
      // (s.toggle) or 0, so a student need not know a sensible α to try the technique.
      const input = numberInput(s);
      input.addEventListener("change", () => onSetting(s.key, input.value));
      const box = document.createElement("input");
      box.type = "checkbox";
      box.className = "toggle";
      box.id = `${id}-on`;
      box.name = `${s.hash}-on`;
      box.setAttribute("aria-label", `${s.label.replace(/ α$/, "")} on/off (on sets ${s.toggle})`);
      box.addEventListener("change", () => onSetting(s.key, box.checked ? String(s.toggle) : "0"));
      const wrap = document.createElement("span");
      wrap.className = "toggled";
      wrap.append(box, input);
      control = wrap;
      input.id = id;
      io = {
        write: (v) => { input.value = String(v); box.checked = Number(v) > 0; },
        all: [box, input],
      };
    } else {
      const input = numberInput(s);
      input.addEventListener("change", () => onSetting(s.key, input.value));
      control = input;
      io = { write: (v) => { input.value = String(v); }, all: [input] };
    }
    if (!control.id && io.all.length === 1) io.all[0].id = id;
    for (const el of io.all) {
      el.name ||= s.hash;
      el.title = title;
    }

    const help = document.createElement("p");
    help.className = "help";
    help.textContent = settingHelp(s);
    if (typeof s.help === "function") helps.set(s.key, { s, help, inputs: io.all });
    const why = document.createElement("p");
    why.className = "why";

    row.append(label, control, help, why);
    inputs.set(s.key, io);
    rows.set(s.key, { row, why });
    return row;
  }

  function numberInput(s) {
    const input = document.createElement("input");
    input.type = "number";
    input.inputMode = "decimal";
    input.min = String(s.min);
    input.max = String(s.max);
    input.step = s.kind === "int" ? "1" : String(s.step ?? "any");
    return input;
  }

  /**
   * Show `values` in the controls (after a run was created, or to undo a rejected change), mark the
   * settings that have no effect with them, and count the changed settings of each section. A
   * section with a changed setting opens, until the student opens or closes one by hand.
   */
  function setValues(values) {
    for (const [key, io] of inputs) io.write(values[key]);
    for (const s of controlled) {
      const { row, why } = rows.get(s.key);
      const reason = inactiveReason(s, values);
      row.classList.toggle("inactive", Boolean(reason));
      why.textContent = reason ? `No effect now: ${reason}.` : "";
      row.title = reason ? `No effect now: ${reason}.` : "";
      row.classList.toggle("changed", isChanged(s, values, dataDefaults));
    }
    for (const g of GROUPS) {
      const { details, count } = groups.get(g.id);
      const n = groupSettings(g.id).filter((s) => isChanged(s, values, dataDefaults)).length;
      count.textContent = n ? `${n} ${g.id === "model" ? "changed" : "on"}` : "";
      if (n && !touchedGroups && g.id !== "model") details.open = true;
    }
  }

  function setHidden(hidden) {
    let shown = 0;
    for (const g of GROUPS) {
      let inGroup = 0;
      for (const s of groupSettings(g.id)) {
        const h = isHidden(s, hidden);
        rows.get(s.key).row.hidden = h;
        if (!h) inGroup++;
      }
      groups.get(g.id).details.hidden = inGroup === 0;
      shown += inGroup;
    }
    root.hidden = shown === 0;
    return shown;
  }

  function setEnabled(enabled) {
    for (const io of inputs.values()) for (const el of io.all) el.disabled = !enabled;
  }

  /**
   * The data set trained on ({ classes, title, defaults }): the help texts that quote its class count
   * follow, and a setting counts as changed when it is away from the set's defaults (MNIST's lenet).
   */
  let dataDefaults = null;
  function setData(data) {
    dataDefaults = data.defaults ?? null;
    for (const { s, help, inputs: els } of helps.values()) {
      const text = settingHelp(s, data);
      help.textContent = text;
      for (const el of els) el.title = `${text} (${describeRange(s)}; link key "${s.hash}")`;
    }
  }


  return { setValues, setHidden, setEnabled, setData };
}
