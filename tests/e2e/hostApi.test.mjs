// The embed's host API (www/embed/hostApi.js) over a fake frame window, parent and facade: origin
// and source checks, the version check, every command, malformed messages, event forwarding and
// the step-report throttle (node:test's mock timers, so nothing depends on the wall clock).

import { afterEach, beforeEach, mock, test } from "node:test";
import assert from "node:assert/strict";
import { createHostApi, PROTOCOL_VERSION, STEP_INTERVAL_MS } from "../../www/embed/hostApi.js";

const FRAME = "https://sandbox.example";
const HOST = "https://slides.example";

/** A window that records what is posted to it, with its target origins. */
function fakeWindow(origin) {
  return { origin, posted: [], postMessage(data, targetOrigin) { this.posted.push({ data, targetOrigin }); } };
}

/** The facade: records calls, answers state(), lets the test emit events and make calls fail. */
function fakeControl() {
  const listeners = new Set();
  const control = {
    calls: [],
    fail: {},
    play: async () => { control.calls.push(["play"]); },
    pause: async () => { control.calls.push(["pause"]); },
    reset: async () => { control.calls.push(["reset"]); },
    set: async (settings) => {
      control.calls.push(["set", settings]);
      if (control.fail.set) throw new Error(control.fail.set);
    },
    scenario: async (id) => {
      control.calls.push(["scenario", id]);
      if (control.fail.scenario) throw new Error(control.fail.scenario);
    },
    state: () => {
      control.calls.push(["state"]);
      return { runs: [{ id: 1, label: "baseline", state: "paused", step: 40, settings: { lr: "0.05" }, lastEval: null }],
        playing: false, visible: true, scenario: null, link: "lr=0.05" };
    },
    onEvent: (fn) => { listeners.add(fn); return () => listeners.delete(fn); },
    emit: (e) => { for (const fn of listeners) fn(e); },
    listenerCount: () => listeners.size,
  };
  return control;
}

/** A frame at FRAME inside a parent at HOST; `send` delivers a message as the browser would. */
function setup({ allowedOrigins = [HOST], framed = true } = {}) {
  const parent = fakeWindow(HOST);
  const handlers = new Set();
  const win = {
    location: { origin: FRAME },
    addEventListener: (type, fn) => { assert.equal(type, "message"); handlers.add(fn); },
    removeEventListener: (type, fn) => handlers.delete(fn),
  };
  win.parent = framed ? parent : win;
  const control = fakeControl();
  const notices = [];
  const api = createHostApi({ win, control, allowedOrigins, notice: (t) => notices.push(t) });
  const send = async (data, { origin = HOST, source = parent } = {}) => {
    for (const fn of handlers) fn({ data, origin, source });
    // Let the command's promise settle and its reply be posted.
    for (let i = 0; i < 5; i++) await Promise.resolve();
  };
  return { api, win, parent, control, notices, send, handlers };
}

const replies = (parent) => parent.posted.filter((p) => "ok" in p.data);
const events = (parent) => parent.posted.filter((p) => "event" in p.data);

beforeEach(() => mock.timers.enable({ apis: ["setTimeout"] }));
afterEach(() => mock.timers.reset());

test("each command calls the facade and the reply carries its id and result", async () => {
  const { parent, control, send } = setup();
  await send({ trainlab: 1, id: "a", command: "play" });
  await send({ trainlab: 1, id: 2, command: "pause", args: {} });
  await send({ trainlab: 1, id: 3, command: "reset" });
  await send({ trainlab: 1, id: 4, command: "set", args: { lr: 0.05, mixup: "0.2", bn: true, nesterov: false } });
  await send({ trainlab: 1, id: 5, command: "scenario", args: { id: "mixup" } });
  await send({ trainlab: 1, id: 6, command: "state" });
  assert.deepEqual(control.calls, [
    ["play"], ["pause"], ["reset"],
    ["set", { lr: "0.05", mixup: "0.2", bn: "1", nesterov: "0" }],   // link form: text, on/off as 1/0
    ["scenario", "mixup"], ["state"],
  ]);
  const r = replies(parent);
  assert.deepEqual(r.map((p) => p.data.id), ["a", 2, 3, 4, 5, 6]);
  assert.ok(r.every((p) => p.data.ok === true && p.data.trainlab === PROTOCOL_VERSION));
  assert.ok(r.every((p) => p.targetOrigin === HOST), "replies go to the sender's origin, never *");
  assert.equal(r[0].data.result, null, "a command without a value resolves to null");
  assert.equal(r[5].data.result.runs[0].step, 40);
  assert.equal(r[5].data.result.link, "lr=0.05");
});

test("a message without an id gets a reply with id null", async () => {
  const { parent, send } = setup();
  await send({ trainlab: 1, command: "play" });
  assert.deepEqual(replies(parent).map((p) => p.data), [{ trainlab: 1, id: null, ok: true, result: null }]);
});

test("a facade error is the reply's error, with the facade's message, and the frame shows it once", async () => {
  const { parent, control, notices, send } = setup();
  control.fail.scenario = 'unknown scenario "nope" — known: mixup, cutmix';
  control.fail.set = 'setting "lr" has a bad value "-1"';
  await send({ trainlab: 1, id: 1, command: "scenario", args: { id: "nope" } });
  await send({ trainlab: 1, id: 2, command: "set", args: { lr: -1 } });
  assert.deepEqual(replies(parent).map((p) => p.data), [
    { trainlab: 1, id: 1, ok: false, error: 'unknown scenario "nope" — known: mixup, cutmix' },
    { trainlab: 1, id: 2, ok: false, error: 'setting "lr" has a bad value "-1"' },
  ]);
  await send({ trainlab: 1, id: 3, command: "scenario", args: { id: "nope" } });
  assert.deepEqual(notices, [
    'Host command "scenario" failed: unknown scenario "nope" — known: mixup, cutmix',
    'Host command "set" failed: setting "lr" has a bad value "-1"',
  ], "each distinct error once");
});

test("a message from a foreign origin is ignored: no reply, no call, one notice naming the origin", async () => {
  const { parent, control, notices, send } = setup();
  const evil = "https://evil.example";
  await send({ trainlab: 1, id: 1, command: "play" }, { origin: evil });
  await send({ trainlab: 1, id: 2, command: "state" }, { origin: evil });
  assert.deepEqual(control.calls, []);
  assert.deepEqual(parent.posted, [], "nothing is posted back");
  assert.equal(notices.length, 1, "the frame says it once");
  assert.match(notices[0], /https:\/\/evil\.example/);
  assert.match(notices[0], /https:\/\/slides\.example/, "and names the origins it accepts");
  await send({ trainlab: 1, id: 3, command: "play" }, { origin: "http://other.example" });
  assert.equal(notices.length, 2, "another foreign origin is named too");
  assert.match(notices[1], /http:\/\/other\.example/);
});

test("an allowed origin that is not the parent window is ignored", async () => {
  const { control, notices, send } = setup();
  const sibling = fakeWindow(HOST);
  await send({ trainlab: 1, id: 1, command: "play" }, { source: sibling });
  assert.deepEqual(control.calls, []);
  assert.deepEqual(sibling.posted, []);
  assert.equal(notices.length, 1);
  assert.match(notices[0], /did not come from the page embedding/);
});

test("the default allow-list (none given, or an empty origin= key) is the frame's own origin", async () => {
  for (const allowedOrigins of [null, []]) {
    const { parent, control, send } = setup({ allowedOrigins });
    await send({ trainlab: 1, id: 1, command: "play" }, { origin: HOST });
    assert.deepEqual(control.calls, []);
    await send({ trainlab: 1, id: 2, command: "play" }, { origin: FRAME });
    assert.deepEqual(control.calls, [["play"]]);
    assert.deepEqual(replies(parent).map((p) => [p.data.id, p.targetOrigin]), [[2, FRAME]]);
  }
});

test("allow-list entries that are not origins are named and dropped; '*' never allows everyone", async () => {
  const parent = fakeWindow(HOST);
  const handlers = [];
  const win = { location: { origin: FRAME }, parent, addEventListener: (_t, fn) => handlers.push(fn), removeEventListener() {} };
  const notices = [];
  const control = fakeControl();
  createHostApi({ win, control, allowedOrigins: ["*", "https://ok.example/", "slides.example", "null"], notice: (t) => notices.push(t) });
  assert.equal(notices.length, 3);
  assert.match(notices[0], /"\*"/);
  assert.match(notices[1], /"slides\.example"/);
  assert.match(notices[2], /"null"/);
  handlers[0]({ data: { trainlab: 1, id: 1, command: "play" }, origin: HOST, source: parent });
  await Promise.resolve();
  assert.deepEqual(control.calls, [], "'*' did not let another origin in");
  handlers[0]({ data: { trainlab: 1, id: 2, command: "play" }, origin: "https://ok.example", source: parent });
  await Promise.resolve();
  assert.deepEqual(control.calls, [["play"]], "a trailing slash is tolerated");
});

test("a wrong version gets an error reply naming both versions, and one notice", async () => {
  const { parent, control, notices, send } = setup();
  await send({ trainlab: 2, id: 7, command: "play" });
  await send({ trainlab: 2, id: 8, command: "play" });
  await send({ trainlab: "1", id: 9, command: "play" });
  assert.deepEqual(control.calls, []);
  const r = replies(parent).map((p) => p.data);
  assert.deepEqual(r.map((d) => [d.id, d.ok]), [[7, false], [8, false], [9, false]]);
  assert.match(r[0].error, /version 2/);
  assert.match(r[0].error, /version 1/);
  assert.match(r[2].error, /version "1"/, "a string version is named as such");
  assert.equal(notices.length, 2, "one notice per wrong version");
  assert.match(notices[0], /version 2/);
});

test("unknown commands, missing commands and bad args get error replies naming the problem", async () => {
  const { parent, control, notices, send } = setup();
  await send({ trainlab: 1, id: 1, command: "train" });
  await send({ trainlab: 1, id: 2 });
  await send({ trainlab: 1, id: 3, command: "set", args: "lr=0.05" });
  await send({ trainlab: 1, id: 4, command: "set", args: {} });
  await send({ trainlab: 1, id: 5, command: "set", args: { lr: { value: 1 } } });
  await send({ trainlab: 1, id: 6, command: "set", args: { lr: NaN } });
  await send({ trainlab: 1, id: 7, command: "scenario", args: { name: "mixup" } });
  await send({ trainlab: 1, id: 8, command: "play", args: { fast: true } });
  await send({ trainlab: 1, id: { x: 1 }, command: "play" });
  assert.deepEqual(control.calls, [], "nothing reached the facade");
  const errors = replies(parent).map((p) => [p.data.id, p.data.ok, p.data.error]);
  assert.equal(errors.length, 9);
  assert.ok(errors.every(([, ok]) => ok === false));
  const byId = Object.fromEntries(errors.map(([id, , e]) => [id ?? "null", e]));
  assert.match(byId[1], /unknown command "train".*play, pause, reset, set, scenario, state/);
  assert.match(byId[2], /no command/);
  assert.match(byId[3], /"set" needs args like \{ lr: 0.05 \} \(got "lr=0.05"\)/);
  assert.match(byId[4], /at least one setting/);
  assert.match(byId[5], /setting "lr" has a bad value \{"value":1\}/);
  assert.match(byId[6], /setting "lr" has a bad value/);
  assert.match(byId[7], /"scenario" needs args \{ id/);
  assert.match(byId[8], /"play" takes no args \(got \{"fast":true\}\)/);
  assert.match(byId.null, /message id must be a string or a number/);
  assert.equal(notices.length, 9, "the frame shows each error too");
  assert.match(notices[0], /^Host command failed: unknown command "train"/);
  assert.match(notices[2], /^Host command "set" failed: "set" needs args/);
});

test("messages that are not trainlab objects are ignored silently (reveal.js strings, other objects)", async () => {
  const { parent, control, notices, send } = setup();
  for (const data of ["slide:start", '{"trainlab":1,"command":"play"}', null, 42, [1], { method: "right" }, { namespace: "reveal" }]) {
    await send(data);
    await send(data, { origin: "https://evil.example" });
  }
  assert.deepEqual(control.calls, []);
  assert.deepEqual(parent.posted, []);
  assert.deepEqual(notices, []);
});

test("events are posted to the parent with each allowed origin as targetOrigin", () => {
  const { parent, control } = setup({ allowedOrigins: [HOST, "https://backup.example"] });
  control.emit({ event: "ready" });
  control.emit({ event: "eval", runId: 1, step: 100, valAccuracy: 0.8, trainAccuracy: 0.85, valLoss: 0.6 });
  control.emit({ event: "diverged", runId: 2, step: 12, what: "loss is NaN" });
  control.emit({ event: "problem", message: "IndexedDB is not available" });
  control.emit({ event: "something-internal", x: 1 });
  const e = events(parent);
  assert.deepEqual(e.map((p) => p.targetOrigin), [HOST, "https://backup.example", HOST, "https://backup.example",
    HOST, "https://backup.example", HOST, "https://backup.example"]);
  assert.ok(e.every((p) => p.targetOrigin !== "*"));
  assert.deepEqual(e.filter((p) => p.targetOrigin === HOST).map((p) => p.data), [
    { trainlab: 1, event: "ready" },
    { trainlab: 1, event: "evaluation", runId: 1, step: 100, valAccuracy: 0.8, trainAccuracy: 0.85, valLoss: 0.6 },
    { trainlab: 1, event: "diverged", runId: 2, step: 12, what: "loss is NaN" },
    { trainlab: 1, event: "problem", message: "IndexedDB is not available" },
  ]);
});

test("once a command came from an allowed origin, events go only to that origin", async () => {
  const { parent, control, send } = setup({ allowedOrigins: [HOST, "https://backup.example"] });
  await send({ trainlab: 1, id: 1, command: "state" });
  control.emit({ event: "ready" });
  assert.deepEqual(events(parent).map((p) => p.targetOrigin), [HOST]);
});

test("a frame that is not embedded posts no events", () => {
  const { parent, control } = setup({ framed: false });
  control.emit({ event: "ready" });
  assert.deepEqual(parent.posted, []);
});

test("step reports: at most one per run per interval, the latest one wins", () => {
  const { parent, control } = setup();
  const steps = () => events(parent).map((p) => p.data).filter((d) => d.event === "step");
  const report = (runId, step) => control.emit({ event: "report", runId, step, loss: 2 / step });
  report(1, 1);
  assert.deepEqual(steps(), [{ trainlab: 1, event: "step", runId: 1, step: 1, loss: 2 }], "the first report goes at once");
  for (let s = 2; s <= 30; s++) report(1, s);   // many reports within one interval
  report(2, 5);   // another run is throttled on its own
  assert.deepEqual(steps().map((d) => [d.runId, d.step]), [[1, 1], [2, 5]]);
  mock.timers.tick(STEP_INTERVAL_MS - 1);
  assert.equal(steps().length, 2, "nothing more before the interval ends");
  mock.timers.tick(1);
  assert.deepEqual(steps().map((d) => [d.runId, d.step]), [[1, 1], [2, 5], [1, 30]], "the latest of run 1 at the interval's end");
  // Over 10 s of reports every 50 ms: at most 2 per second per run.
  for (let t = 0; t < 10000; t += 50) {
    report(1, 100 + t);
    mock.timers.tick(50);
  }
  const run1 = steps().filter((d) => d.runId === 1);
  assert.ok(run1.length - 2 <= 10000 / STEP_INTERVAL_MS + 1, `${run1.length} step events for run 1`);
  assert.ok(run1.length >= 10000 / STEP_INTERVAL_MS - 1, "but the host keeps getting them");
  assert.equal(run1.at(-1).step, 100 + 9950, "the last report reaches the host");
  const before = steps().length;
  mock.timers.tick(10 * STEP_INTERVAL_MS);
  assert.equal(steps().length, before, "a quiet run sends nothing");
  report(1, 20000);
  assert.equal(steps().at(-1).step, 20000, "after a quiet interval the next report goes at once");
});

test("evaluations, diverged and problems are not throttled", () => {
  const { parent, control } = setup();
  for (let s = 1; s <= 5; s++) {
    control.emit({ event: "eval", runId: 1, step: s * 10, valAccuracy: 0.5, trainAccuracy: 0.5, valLoss: 1 });
    control.emit({ event: "problem", message: `p${s}` });
  }
  control.emit({ event: "diverged", runId: 1, step: 60, what: "loss is Infinity" });
  const kinds = events(parent).map((p) => p.data.event);
  assert.deepEqual(kinds.filter((k) => k === "evaluation").length, 5);
  assert.deepEqual(kinds.filter((k) => k === "problem").length, 5);
  assert.deepEqual(kinds.filter((k) => k === "diverged").length, 1);
});

test("destroy stops listening, unsubscribes and drops the pending step report", async () => {
  const { api, parent, control, send, handlers } = setup();
  control.emit({ event: "report", runId: 1, step: 1, loss: 1 });
  control.emit({ event: "report", runId: 1, step: 2, loss: 1 });
  api.destroy();
  assert.equal(handlers.size, 0);
  assert.equal(control.listenerCount(), 0);
  const before = parent.posted.length;
  mock.timers.tick(STEP_INTERVAL_MS * 3);
  control.emit({ event: "ready" });
  await send({ trainlab: 1, id: 1, command: "play" });
  assert.equal(parent.posted.length, before);
  assert.deepEqual(control.calls, []);
});
