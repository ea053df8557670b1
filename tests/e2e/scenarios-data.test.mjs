// The scenario list (www/scenarios.js) on its own, in Node: no browser. Every scenario's link must
// parse into 2–4 runs that differ only where the link says, its claims must name runs and figures
// that exist, and tests/scenarios.json (what tests/scenarios.rs trains) must be up to date.

import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { METRICS, SCENARIOS, parseScenarioLink, scenarioById } from "../../www/scenarios.js";
import { SETTINGS, parseHash, sameValue, toConfig } from "../../www/state.js";

const SCRIPT = fileURLToPath(new URL("../../scripts/scenarios.mjs", import.meta.url));

/** The setting keys a link segment names. */
function keysOf(segment) {
  return Object.keys(parseHash(segment, {}).values);
}

test("scenarios: tests/scenarios.json is what scripts/scenarios.mjs writes", () => {
  // Throws (with the script's message on stderr) when the file is stale.
  const out = execFileSync(process.execPath, [SCRIPT, "--check"], { encoding: "utf8" });
  assert.match(out, /up to date/);
});

test("scenarios: ids are unique and scenarioById finds each", () => {
  const ids = SCENARIOS.map((s) => s.id);
  assert.equal(new Set(ids).size, ids.length, `duplicate id in ${ids.join(", ")}`);
  for (const s of SCENARIOS) assert.equal(scenarioById(s.id), s);
  assert.equal(scenarioById("no-such-scenario"), undefined);
});

test("scenarios: every scenario is complete and parses into 2–4 runs", () => {
  for (const s of SCENARIOS) {
    for (const f of ["id", "title", "technique", "link", "watch", "outcome"]) {
      assert.ok(typeof s[f] === "string" && s[f] !== "", `${s.id}: ${f}`);
    }
    assert.ok(Number.isInteger(s.at) && s.at >= 50 && s.at <= 1500, `${s.id}: at ${s.at} (50–1500 keeps it under 60 s)`);
    assert.equal(s.lookFor.length, 2, `${s.id}: lookFor has two lines`);
    assert.ok(s.lookFor.every((l) => typeof l === "string" && l.length > 20), `${s.id}: lookFor lines are sentences`);
    assert.ok(METRICS.includes(s.watch), `${s.id}: watch "${s.watch}" is a known figure`);
    const runs = parseScenarioLink(s.link);
    assert.ok(runs.length >= 2 && runs.length <= 4, `${s.id}: ${runs.length} runs`);
    for (const run of runs) assert.doesNotThrow(() => toConfig(run), `${s.id}: toConfig`);
  }
});

test("scenarios: runs differ from run 1 exactly where their segment says", () => {
  for (const s of SCENARIOS) {
    const segments = s.link.split("|");
    const runs = parseScenarioLink(s.link);
    for (let k = 1; k < runs.length; k++) {
      const named = keysOf(segments[k]);
      const differing = SETTINGS.filter((set) => !sameValue(set, runs[k][set.key], runs[0][set.key])).map((set) => set.key);
      // Every named setting changes something (no no-op segments), and nothing else changes.
      assert.deepEqual(differing.sort(), named.sort(), `${s.id}: run ${k + 1} ("${segments[k]}")`);
    }
  }
});

test("scenarios: claims name existing runs, known figures and a direction", () => {
  for (const s of SCENARIOS) {
    const n = parseScenarioLink(s.link).length;
    assert.ok(s.claims.length >= 1, `${s.id}: at least one claim`);
    for (const c of s.claims) {
      const what = `${s.id}: claim ${JSON.stringify(c)}`;
      assert.ok(METRICS.includes(c.metric), `${what}: unknown figure`);
      assert.ok(Number.isInteger(c.run) && c.run >= 0 && c.run < n, `${what}: run`);
      assert.ok(Number.isInteger(c.vs) && c.vs >= 0 && c.vs < n && c.vs !== c.run, `${what}: vs`);
      assert.ok(Boolean(c.lower) !== Boolean(c.higher), `${what}: exactly one of lower/higher`);
      assert.ok(typeof c.by === "number" && c.by >= 0, `${what}: margin`);
    }
  }
});

test("scenarios: the base fixes what the effect depends on, whatever the page's defaults", () => {
  // A scenario must not move when a default of state.js changes.
  for (const s of SCENARIOS) {
    const base = keysOf(s.link.split("|")[0]);
    for (const key of ["preset", "learningRate", "optimizer", "momentum", "trainSize", "schedule", "seed", "batchSize"]) {
      assert.ok(base.includes(key), `${s.id}: run 1 sets ${key} explicitly`);
    }
  }
});

test("scenarios: a bad segment is named in the error", () => {
  assert.throws(() => parseScenarioLink("train=500|mixup=abc"), /Run 2.*mixup=abc.*"mixup"/);
  assert.throws(() => parseScenarioLink("trian=500|mixup=0.8"), /Run 1.*trian/);
  assert.throws(() => parseScenarioLink("train=500|"), /Run 2 of the link is empty/);
  const runs = parseScenarioLink("train=500&lr=0.05|mixup=0.8");
  assert.equal(runs[1].trainSize, 500, "run 2 inherits run 1's settings");
  assert.equal(runs[1].learningRate, 0.05);
  assert.equal(runs[1].mixupAlpha, 0.8);
  assert.equal(runs[0].mixupAlpha, 0);
});
