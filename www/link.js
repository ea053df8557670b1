// The URL hash of a comparison (docs/CONTRACT.md, "Link format for a comparison"):
//
//   #<run 1 settings>|<run 2 differences>|<run 3 differences>…
//
// Run 1 is an ordinary link (state.js's parseHash/serializeHash); each further segment lists only the
// settings where that run differs from run 1. `scenario=<id>` in run 1's segment loads a scenario's
// runs (www/scenarios.js); the segment's other keys then apply to each of them, and further segments
// add runs. Pure functions (node tests); the scenario table is passed in.

import {
  SETTINGS, clip, formatValue, parseHash, sameSettings, serializeHash, settingByKey,
} from "./state.js";

/** The most runs a page trains at once. */
export const MAX_RUNS = 4;
export const SCENARIO_KEY = "scenario";

/** Run 1's segment without its `scenario=`: { id (the last one), ids (all given), rest }. */
function splitScenario(segment) {
  const ids = [];
  const rest = segment.split("&").filter((part) => {
    const m = /^scenario=(.*)$/.exec(part);
    if (m) {
      try { ids.push(decodeURIComponent(m[1])); } catch { ids.push(m[1]); }
    }
    return !m;
  });
  return { id: ids.at(-1) ?? null, ids, rest: rest.join("&") };
}

/** "Run k: " before a state.js message (in a link of several runs), with "the default" of a further run meaning run 1's value. */
function runError(k, e, base, several = true) {
  let text = e.message;
  if (!several) return text;
  if (k > 1) {
    const s = SETTINGS.find((r) => r.hash === e.key);
    if (s) text = text.replace(/Using the default [^.]*\.$/, `Using run 1's ${formatValue(s, base[s.key])}.`);
  }
  return `Run ${k} of the link: ${text}`;
}

/**
 * Parse a comparison hash. Returns { runs, hidden, problems, scenario }:
 * runs: the settings of each run to start (at most MAX_RUNS); hidden: run 1's `hide=` set;
 * problems: messages, each naming the run and what is wrong (bad entries are ignored and the run keeps
 * its other settings; runs beyond MAX_RUNS are left out); scenario: the scenario named, or null.
 */
export function parseLink(hash, { scenarioById = () => undefined } = {}) {
  const text = hash.startsWith("#") ? hash.slice(1) : hash;
  const segments = text.split("|");
  const problems = [];
  const { id, ids, rest } = splitScenario(segments[0]);
  if (ids.length > 1) {
    problems.push(`Link setting "${SCENARIO_KEY}" is given ${ids.length} times (${ids.map((x) => `"${clip(x)}"`).join(", ")}); ` +
      "the last one is used.");
  }
  let scenario = null;
  let bases = [undefined];   // run 1 over the defaults (of the data set its link names)
  if (id !== null) {
    scenario = scenarioById(id) ?? null;
    if (!scenario) problems.push(`The link names scenario "${clip(id)}", which does not exist — ignored.`);
    else {
      const inner = parseLink(scenario.link);
      bases = inner.runs;
      problems.push(...inner.problems.map((p) => `Scenario "${id}": ${p}`));
    }
  }
  const first = parseHash(rest, bases[0]);
  const several = segments.length > 1 || bases.length > 1;
  for (const e of first.errors) problems.push(runError(1, e, undefined, several));
  // The segment's own keys apply to every run of the scenario: parse them over each run's settings.
  const runs = [first.values, ...bases.slice(1).map((b) => parseHash(rest, b).values)];
  segments.slice(1).forEach((segment, i) => {
    const k = bases.length + i + 1;   // the run's place in the link (left-out runs keep their numbers)
    const { values, errors } = parseHash(segment, runs[0]);
    for (const e of errors) {
      const s = SETTINGS.find((r) => r.hash === e.key);
      // A bad entry falls back to run 1's value; a note on a value that was used (`kept`) does not.
      if (s && !e.kept) values[s.key] = runs[0][s.key];
      problems.push(runError(k, e, runs[0]));
    }
    const refused = errors.filter((e) => !e.kept).length;
    if (values.data !== runs[0].data) {
      // One data set per page: every run trains on run 1's.
      problems.push(`Run ${k} of the link names data=${values.data}, but every run of a page trains on run 1's ` +
        `data set (${runs[0].data}) — it does too.`);
      values.data = runs[0].data;
    }
    if (refused && segment.split("&").filter(Boolean).length === refused) {
      problems.push(`Run ${k} of the link has no valid setting ("${clip(segment)}") — left out.`);
      return;
    }
    runs.push(values);
  });
  if (runs.length > MAX_RUNS) {
    const n = runs.length;
    problems.push(`The link has ${n} runs; the page trains at most ${MAX_RUNS} at once — ` +
      `run${n - MAX_RUNS > 1 ? "s" : ""} ${MAX_RUNS + 1}${n - MAX_RUNS > 1 ? `–${n}` : ""} left out.`);
    runs.length = MAX_RUNS;
  }
  return { runs, hidden: first.hidden, problems, scenario };
}

/** The segment of a further run: the settings where `values` differs from `base`. */
export function differenceSegment(values, base) {
  return SETTINGS.filter((s) => formatValue(s, values[s.key]) !== formatValue(s, base[s.key]))
    .map((s) => `${s.hash}=${encodeURIComponent(formatValue(s, values[s.key])).replace(/%2C/g, ",")}`)
    .join("&");
}

/** The hash of a comparison: run 1 in full (so a link does not depend on a build's defaults), then differences. */
export function serializeLink(valuesList, hidden = new Set()) {
  const [first, ...others] = valuesList;
  return [serializeHash(first, hidden), ...others.map((v) => differenceSegment(v, first))].join("|");
}

/** Do two lists of settings describe the same runs, in order? */
export function sameRuns(a, b) {
  return a.length === b.length && a.every((v, i) => sameSettings(v, b[i]));
}

// The Trainer config's names that are not a setting's own configKey: the schedule's and optimizer's
// fields are built from several rows (state.js scheduleConfig/optimizerConfig).
const CONFIG_FIELD_SETTINGS = {
  "schedule.warmupSteps": ["warmupSteps"], "schedule.totalSteps": ["totalSteps"],
  "schedule.milestones": ["totalSteps"], "schedule.T_0": ["totalSteps"], "schedule.period": ["totalSteps", "cycles"],
  "schedule.etaMin": ["etaMin"], "schedule.type": ["schedule"],
  "optimizer.betas": ["beta1", "beta2"], "optimizer.eps": ["eps", "adagradEps"], "optimizer.alpha": ["rmspropAlpha"],
  "optimizer.momentum": ["momentum", "rmspropMomentum"], "optimizer.weightDecay": ["weightDecay"],
  "optimizer.type": ["optimizer"],
};

/**
 * The settings a core rejection names ("schedule.warmupSteps: must be less than totalSteps (10), got 100"
 * → ["warmupSteps"]), among those that differ between `values` and `base`; [] if none can be told.
 */
export function settingsNamedBy(message, values, base) {
  const path = /^([A-Za-z_][\w.[\]]*)\s*:/.exec(String(message))?.[1]?.replace(/\[\d+\]/g, "");
  if (!path) return [];
  const keys = CONFIG_FIELD_SETTINGS[path]
    ?? SETTINGS.filter((s) => s.configKey === path || s.key === path).map((s) => s.key);
  return keys.filter((k) => formatValue(settingByKey(k), values[k]) !== formatValue(settingByKey(k), base[k]));
}

/** "warmup=100" for messages. */
export function settingText(key, values) {
  const s = settingByKey(key);
  return `${s.hash}=${formatValue(s, values[key])}`;
}
