// The scenario picker (#scenario-menu, filled with a <select> of www/scenarios.js) and the chosen
// scenario's shown parts: its two "look for" lines (#scenario-note) and its watched column in the
// comparison table.

import { SCENARIOS } from "../scenarios.js";

export function createScenarioPicker(ctx) {
  const { $, doc, on } = ctx;

  const menu = $("scenario-menu");
  if (menu) {
    const sel = doc.createElement("select");
    sel.id = "scenario-select";
    sel.setAttribute("aria-label", "Start a scenario: runs that compare one technique");
    const none = doc.createElement("option");
    none.value = "";
    none.textContent = "Scenarios…";
    sel.append(none, ...SCENARIOS.map((sc) => {
      const o = doc.createElement("option");
      o.value = sc.id;
      o.textContent = sc.title;
      return o;
    }));
    on(sel, "change", () => { if (sel.value) ctx.startScenario(sel.value); });
    menu.replaceChildren(sel);
  }

  /** Show scenario `sc` (or none, with null) as the current one. */
  function setScenario(sc) {
    ctx.scenario = sc;
    const note = $("scenario-note");
    if (note) {
      note.replaceChildren();
      if (sc) {
        const b = doc.createElement("b");
        b.textContent = `${sc.title}. `;
        const l1 = doc.createElement("span");
        l1.textContent = sc.lookFor[0];
        const l2 = doc.createElement("span");
        l2.textContent = ` ${sc.lookFor[1]}`;
        note.append(b, l1, doc.createElement("br"), l2);
      }
      note.hidden = !sc;
    }
    const sel = $("scenario-select");
    if (sel) sel.value = sc ? sc.id : "";
    ctx.views.table?.highlight(sc ? sc.watch : null);
    if (!sc) ctx.messages.dismiss("scenario");
  }

  return { setScenario };
}
