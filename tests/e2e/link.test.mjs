// Comparison links (www/link.js), in Node: `#<run 1>|<run 2 differences>|…`, scenarios, bad input.

import { test } from "node:test";
import assert from "node:assert/strict";
import { defaults, sameSettings } from "../../www/state.js";
import { MAX_RUNS, differenceSegment, parseLink, sameRuns, serializeLink, settingsNamedBy } from "../../www/link.js";
import { SCENARIOS, parseScenarioLink, scenarioById } from "../../www/scenarios.js";

test("link: runs round-trip; further runs carry only their differences", () => {
  const one = { ...defaults(), trainSize: 500, totalSteps: 600 };
  const runs = [one, { ...one, mixupAlpha: 0.8 }, { ...one, cutmixAlpha: 1, seed: 3 }];
  const hash = serializeLink(runs);
  const segments = hash.split("|");
  assert.equal(segments.length, 3);
  assert.equal(segments[1], "mixup=0.8");
  assert.equal(segments[2], "seed=3&cutmix=1");
  const back = parseLink(hash);
  assert.deepEqual(back.problems, []);
  assert.ok(sameRuns(back.runs, runs));
  assert.equal(differenceSegment(one, one), "");
});

test("link: the contract's example gives three runs over run 1", () => {
  const { runs, problems } = parseLink("#train=500&steps=600|mixup=0.8|cutmix=1");
  assert.deepEqual(problems, []);
  assert.equal(runs.length, 3);
  assert.equal(runs[1].trainSize, 500);
  assert.equal(runs[1].mixupAlpha, 0.8);
  assert.equal(runs[2].cutmixAlpha, 1);
  assert.equal(runs[2].mixupAlpha, 0);
});

test("link: every scenario loads as scenario=<id>, the same runs as its own link", () => {
  for (const sc of SCENARIOS) {
    const { runs, problems, scenario } = parseLink(`#scenario=${sc.id}`, { scenarioById });
    assert.deepEqual(problems, [], sc.id);
    assert.equal(scenario, sc);
    assert.ok(sameRuns(runs, parseScenarioLink(sc.link)), sc.id);
  }
});

test("link: keys beside scenario= apply to each of its runs; further segments add runs", () => {
  const { runs, problems } = parseLink("#scenario=cutmix&seed=7|ls=0.1", { scenarioById });
  assert.deepEqual(problems, []);
  assert.equal(runs.length, 4);
  assert.ok(runs.every((r) => r.seed === 7));
  assert.equal(runs[1].mixupAlpha, 0.8);
  assert.equal(runs[3].labelSmoothing, 0.1);
  assert.equal(runs[3].trainSize, 500);
});

test("link: bad input is named by run; valid runs and settings are kept", () => {
  const tooMany = parseLink("#train=500|ls=0.1|mixup=0.8|cutmix=1|dropout=0.5|wd=0.01");
  assert.equal(tooMany.runs.length, MAX_RUNS);
  assert.match(tooMany.problems.join(" "), /6 runs.*at most 4.*runs 5–6 left out/);

  const bad = parseLink("#train=500|mixup=lots&ls=0.1|bogus=1");
  assert.equal(bad.runs.length, 2, "run 3 has no valid setting: left out");
  assert.equal(bad.runs[1].labelSmoothing, 0.1, "run 2 keeps its valid setting");
  assert.equal(bad.runs[1].mixupAlpha, 0, "run 2's bad value falls back to run 1's");
  const text = bad.problems.join("\n");
  assert.match(text, /Run 2 of the link: Link setting "mixup" has a bad value "lots".*Using run 1's 0\./);
  assert.match(text, /Run 3 of the link: Unknown link setting "bogus"/);
  assert.match(text, /Run 3 of the link has no valid setting/);

  const unknown = parseLink("#scenario=nope&lr=0.05", { scenarioById });
  assert.match(unknown.problems[0], /scenario "nope", which does not exist/);
  assert.equal(unknown.runs[0].learningRate, 0.05);
  assert.ok(sameSettings(parseLink("").runs[0], defaults()));
});

test("link: a core rejection is traced to the setting it names", () => {
  const link = parseLink("#preset=lenet&lr=0.05&mixup=0.2&sched=cosine&steps=10&warmup=100").runs[0];
  const msg = "schedule.warmupSteps: must be less than totalSteps (10), got 100";
  assert.deepEqual(settingsNamedBy(msg, link, defaults()), ["warmupSteps"]);
  assert.deepEqual(settingsNamedBy("augment.mixupAlpha: must be ≥ 0, got -1", { ...defaults(), mixupAlpha: -1 }, defaults()),
    ["mixupAlpha"]);
  assert.deepEqual(settingsNamedBy("learningRate: must be > 0", defaults(), defaults()), [],
    "a setting at its base value is not the culprit to reset");
  assert.deepEqual(settingsNamedBy("out of memory", link, defaults()), []);
});

test("link: a key given twice in a further run is named, and that run keeps the last value (not run 1's)", () => {
  const { runs, problems } = parseLink("#lr=0.05|lr=0.1&lr=0.2");
  assert.equal(runs.length, 2);
  assert.equal(runs[0].learningRate, 0.05);
  assert.equal(runs[1].learningRate, 0.2);
  assert.equal(problems.length, 1);
  assert.match(problems[0], /^Run 2 of the link: Link setting "lr" is given twice .*the last one is used/);
});

test("link: scenario= given twice is named; a long scenario name or segment is capped", () => {
  const [a, b] = SCENARIOS;
  const twice = parseLink(`#scenario=${a.id}&scenario=${b.id}`, { scenarioById });
  assert.equal(twice.scenario, b);
  assert.ok(twice.problems.some((p) => p.includes(`"scenario" is given 2 times ("${a.id}", "${b.id}"); the last one is used`)),
    twice.problems.join("\n"));
  const long = "z".repeat(5000);
  const unknown = parseLink(`#scenario=${long}`, { scenarioById });
  assert.equal(unknown.problems.length, 1);
  assert.ok(unknown.problems[0].length < 200 && unknown.problems[0].includes("…"), unknown.problems[0].slice(0, 200));
  const left = parseLink(`#seed=1|${"q".repeat(5000)}=1`);
  assert.ok(left.problems.every((p) => p.length < 600), "every problem is short");
  assert.ok(left.problems.some((p) => /has no valid setting \("q+…"\) — left out/.test(p)), left.problems.join("\n"));
  // Bad percent-encoding in scenario= is a named problem, not an exception.
  assert.ok(parseLink("#scenario=%E0%A4%A", { scenarioById }).problems[0].includes("does not exist"));
});
