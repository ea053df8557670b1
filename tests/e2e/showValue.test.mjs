// www/showValue.js, in Node: an outside value in a message names NaN and the infinities (JSON.stringify
// would write null) and is capped.

import { test } from "node:test";
import assert from "node:assert/strict";
import { MAX_SHOWN, showValue } from "../../www/showValue.js";
import { createHostApi } from "../../www/embed/hostApi.js";

test("showValue: NaN, ±Infinity and undefined are named, not written as null", () => {
  assert.equal(showValue(NaN), "NaN");
  assert.equal(showValue({ learningRate: NaN }), '{"learningRate":NaN}');
  assert.equal(showValue([Infinity, -Infinity, 1, null]), "[Infinity,-Infinity,1,null]");
  assert.equal(showValue({ a: undefined }), '{"a":undefined}');
  assert.equal(showValue(undefined), "undefined");
  assert.equal(showValue(null), "null", "a real null stays null");
  assert.equal(showValue("NaN"), '"NaN"', "a string stays quoted");
  const cyclic = {};
  cyclic.self = cyclic;
  assert.equal(showValue(cyclic), "[object Object]");
});

test("showValue: a long value is capped at MAX_SHOWN characters, the cut marked", () => {
  const text = showValue({ name: "x".repeat(10_000) });
  assert.equal(text.length, MAX_SHOWN);
  assert.ok(text.endsWith("…"));
});

test("host API: a NaN or an infinity sent as a setting is named in the error reply, not shown as null", async () => {
  const parent = { origin: "https://slides.example", posted: [], postMessage(data) { this.posted.push(data); } };
  const handlers = [];
  const win = { location: { origin: "https://sandbox.example" }, parent,
    addEventListener: (_, fn) => handlers.push(fn), removeEventListener: () => {} };
  const control = { set: async () => assert.fail("a bad value must not reach the facade"), onEvent: () => () => {} };
  createHostApi({ win, control, allowedOrigins: [parent.origin], notice: () => {} });
  for (const [id, lr] of [[1, NaN], [2, Infinity], [3, -Infinity]]) {
    for (const fn of handlers) fn({ data: { trainlab: 1, id, command: "set", args: { lr } }, origin: parent.origin, source: parent });
  }
  await new Promise((r) => setTimeout(r, 0));
  const errors = Object.fromEntries(parent.posted.filter((d) => d.ok === false).map((d) => [d.id, d.error]));
  assert.match(errors[1], /setting "lr" has a bad value NaN:/);
  assert.match(errors[2], /setting "lr" has a bad value Infinity:/);
  assert.match(errors[3], /setting "lr" has a bad value -Infinity:/);
});
