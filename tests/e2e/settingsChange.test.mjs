// www/sandbox/settingsChange.js without a browser: two live settings changed on a paused run before
// the worker has answered the first (a student picking the cycles, then η_min) must both apply.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createSettingsChange } from "../../www/sandbox/settingsChange.js";
import { defaults } from "../../www/state.js";

/** A paused, trained run whose retunes wait until `answer()` resolves or rejects them in order. */
function harness({ reject = () => false } = {}) {
  const retunes = [];
  const shown = [];
  const run = {
    state: "paused", busy: false, values: null,
    series: { step: 5, curve: [] },
    retune: (values) => new Promise((resolve, rejectWith) => retunes.push({ values, resolve, rejectWith })),
  };
  const e = { id: 1, values: { ...defaults(), schedule: "cyclic" }, run };
  run.values = e.values;
  const ctx = {
    editing: e, entries: [e],
    messages: { show: (id, text) => shown.push({ id, text }), dismiss: () => {} },
    controls: { setValues: (v) => shown.push({ controls: v }) },
    views: { lrChart: { setCurve: () => {} } },
    baseFor: () => defaults(), about: (_e, text) => text,
    syncRuns: () => {}, writeHash: (push) => shown.push({ hash: push, values: e.values }),
  };
  const change = createSettingsChange(ctx);
  const answer = async () => {
    for (const r of retunes.splice(0)) {
      if (reject(r.values)) r.rejectWith(new Error("no"));
      else { run.values = r.values; r.resolve({ curve: [] }); }
      await Promise.resolve();
    }
  };
  return { e, change, retunes, shown, answer };
}

test("settings change: a second live change during the first one's retune keeps both", async () => {
  const { e, change, retunes, answer } = harness();
  change.onSetting("cycles", "2");
  change.onSetting("etaMin", "0.005");
  assert.equal(retunes.length, 2, "each change asks the worker");
  assert.equal(retunes[1].values.cycles, 2, "the second retune carries the first change");
  await answer();
  await new Promise((r) => setTimeout(r, 0));
  assert.equal(e.values.cycles, 2);
  assert.equal(e.values.etaMin, 0.005);
  assert.equal(e.run.values, e.values, "the page's settings are the trainer's");
});

test("settings change: the link follows a live change at once, and goes back when the trainer rejects it", async () => {
  const { e, change, shown, answer } = harness({ reject: () => true });
  const before = e.values;
  change.onSetting("learningRate", "0.005");
  assert.deepEqual(shown.filter((m) => "hash" in m).map((m) => [m.hash, m.values.learningRate]), [[true, 0.005]],
    "a history entry with the new rate before the worker answers");
  await answer();
  await new Promise((r) => setTimeout(r, 0));
  const hashes = shown.filter((m) => "hash" in m);
  assert.deepEqual(hashes.at(-1), { hash: false, values: before }, "replaced by the kept settings");
});

test("settings change: a rejected retune puts the run's settings back and says so", async () => {
  const { e, change, shown, answer } = harness({ reject: () => true });
  const before = e.values;
  change.onSetting("cycles", "2");
  await answer();
  await new Promise((r) => setTimeout(r, 0));
  assert.equal(e.values, before);
  assert.ok(shown.some((m) => m.id === "run1-rejected" && m.text.includes("cycles")), JSON.stringify(shown));
  assert.ok(shown.some((m) => m.controls === before), "the controls show the kept settings");
});
