// What a host page (www/embed/hostApi.js) and the frame itself can do with the sandbox: play, pause,
// reset, change settings, start a scenario, read the state, and hear about its runs. Settings are
// given as in a link ({ lr: "0.05" }), so a host writes what an instructor writes in a link.

import { SETTINGS, formatValue, parseHash } from "../state.js";
import { SCENARIOS, scenarioById } from "../scenarios.js";
import { serializeLink } from "../link.js";
import { showValue } from "../showValue.js";

/** The settings of `values` in link form: { lr: "0.01", … }. */
export function linkSettings(values) {
  return Object.fromEntries(SETTINGS.map((s) => [s.hash, formatValue(s, values[s.key])]));
}

/**
 * `play`/`pause` are the frame's own (www/embed.js): a frame that is not shown only remembers a Play
 * for when it is.
 */
export function createEmbedControl({ sandbox, isVisible, play, pause }) {
  const listeners = new Set();
  let ready = false;
  const emit = (ev) => { for (const fn of listeners) fn(ev); };

  sandbox.watch((e, ev) => {
    const runId = e.id;
    switch (ev.event) {
      case "created":
        if (!ready) { ready = true; emit({ event: "ready" }); }
        break;
      case "report": {
        const r = ev.report;
        emit({ event: "report", runId, step: r.step, loss: r.losses[r.losses.length - 1] });
        break;
      }
      case "eval":
        emit({ event: "eval", runId, step: ev.report.step, valAccuracy: ev.report.valAccuracy,
          trainAccuracy: ev.report.trainAccuracy, valLoss: ev.report.valLoss });
        break;
      case "diverged":
        emit({ event: "diverged", runId, step: ev.step, what: ev.what });
        break;
    }
  });

  async function set(settings) {
    if (!settings || typeof settings !== "object" || Array.isArray(settings)) {
      throw new Error(`settings must be an object such as { "lr": "0.05" }, got ${showValue(settings)}`);
    }
    const edited = sandbox.editing;
    if (!edited?.run.values) throw new Error("the sandbox has no run yet: wait for the ready event");
    const hash = Object.entries(settings)
      .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`).join("&");
    const { values, errors } = parseHash(hash, edited.values);
    if (errors.length) throw new Error(errors.map((x) => x.message).join(" "));
    let change = null;
    if (!sandbox.tryConfig(values, { applied: (p) => { change = p; } })) {
      throw new Error("the run is being rebuilt: try again in a moment");
    }
    await change;   // the reply means "applied"
  }

  async function scenario(id) {
    if (!scenarioById(String(id))) {
      throw new Error(`unknown scenario "${String(id).slice(0, 60)}" — known: ${SCENARIOS.map((s) => s.id).join(", ")}`);
    }
    sandbox.startScenario(String(id));
  }

  function state() {
    const entries = sandbox.entries;
    return {
      runs: entries.map((e) => {
        const last = e.run.series.lastEval;
        return {
          id: e.id, label: e.label, state: e.run.state, step: e.run.series.step,
          settings: e.values ? linkSettings(e.values) : null,
          lastEval: last ? { step: last.step, valAccuracy: last.valAccuracy, trainAccuracy: last.trainAccuracy, valLoss: last.valLoss } : null,
        };
      }),
      playing: sandbox.playing,
      visible: isVisible(),
      scenario: sandbox.scenario?.id ?? null,
      link: entries.every((e) => e.values) ? serializeLink(entries.map((e) => e.values)) : null,
    };
  }

  return {
    play: async () => play(),
    pause: async () => pause(),
    reset: async () => { sandbox.resetAll(); },
    set, scenario, state,
    onEvent(fn) { listeners.add(fn); return () => listeners.delete(fn); },
    /** A warning the frame showed: the host hears it too. */
    problem(text) { emit({ event: "problem", message: text }); },
  };
}
