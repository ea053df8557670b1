// The frame's link (www/embed/embedLink.js), its layout arithmetic (www/embed/layout.js) and the
// `show=` key (www/state.js), in Node.

import { test } from "node:test";
import assert from "node:assert/strict";
import { CARDS, chosenCharts, columnsFor, normalizeOrigin, parseEmbedLink } from "../../www/embed/embedLink.js";
import { frameScale } from "../../www/embed/layout.js";
import { SETTINGS, isHidden, parseHash, settingByKey } from "../../www/state.js";

test("embed link: frame keys come out of the first segment, the sandbox keeps the rest", () => {
  const f = parseEmbedLink("#lr=0.05&charts=loss,lr&autoplay&origin=https://course.example:8443/&id=cos&preview=2|mixup=0.8");
  assert.equal(f.sandboxHash, "#lr=0.05|mixup=0.8");
  assert.deepEqual(f.charts, ["loss", "lr"]);
  assert.equal(f.autoplay, true);
  assert.deepEqual(f.origins, ["https://course.example:8443"]);
  assert.equal(f.id, "cos");
  assert.equal(f.previewRun, 2);
  assert.deepEqual(f.problems, []);
});

test("embed link: defaults — no charts named, no autoplay, own origin only, keyed by the link", () => {
  const f = parseEmbedLink("#scenario=mixup");
  assert.equal(f.sandboxHash, "#scenario=mixup");
  assert.equal(f.charts, null);
  assert.equal(f.autoplay, false);
  assert.deepEqual(f.origins, []);
  assert.equal(f.id, null);
  assert.equal(parseEmbedLink("#autoplay=0").autoplay, false);
});

test("embed link: bad values are named, capped, and the good ones kept", () => {
  const long = "x".repeat(500);
  const f = parseEmbedLink(`#charts=loss,bogus,${long}&autoplay=maybe&origin=javascript:alert(1),https://ok.example&id=`);
  assert.deepEqual(f.charts, ["loss"]);
  assert.equal(f.autoplay, false);
  assert.deepEqual(f.origins, ["https://ok.example"]);
  const text = f.problems.join("\n");
  assert.match(text, /"charts" names "bogus", which is no chart — use loss, acc, lr/);
  assert.match(text, /"autoplay" has a bad value "maybe"/);
  assert.match(text, /"origin" names "javascript:alert\(1\)"/);
  assert.match(text, /"id" is empty/);
  assert.match(parseEmbedLink("#preview=7").problems[0], /"preview" has a bad value "7": the number of a run, 1 to 4/);
  assert.ok(f.problems.every((p) => p.length < 300), "a 500-character value is not echoed in full");
  assert.match(parseEmbedLink("#id=%E0%A4%A").problems[0], /not valid URL encoding/);
});

test("embed link: origins are exact http(s) origins", () => {
  assert.equal(normalizeOrigin("http://127.0.0.1:5173"), "http://127.0.0.1:5173");
  assert.equal(normalizeOrigin("https://a.example/path"), "https://a.example");
  assert.equal(normalizeOrigin("file:///tmp/x.html"), null);
  assert.equal(normalizeOrigin("*"), null);
});

test("embed layout: loss and accuracy by default, the table with several runs, the link's order kept", () => {
  assert.deepEqual(chosenCharts(null, 1), ["loss", "acc"]);
  assert.deepEqual(chosenCharts(null, 2), ["loss", "acc", "table"]);
  assert.deepEqual(chosenCharts(["lr", "loss"], 3), ["lr", "loss"]);
  assert.deepEqual(chosenCharts(["table"], 2), ["table", "loss", "acc"]);
  for (const id of Object.values(CARDS)) assert.match(id, /-card$/);
});

test("embed layout: columns follow the frame's shape; scale grows past 960×540 only", () => {
  assert.equal(columnsFor(1, 960, 540), 1);
  assert.equal(columnsFor(2, 960, 540), 2);
  assert.equal(columnsFor(2, 480, 540), 1, "a half-width frame stacks its two charts");
  assert.equal(columnsFor(3, 1920, 540), 3);
  assert.equal(columnsFor(4, 960, 540), 2);
  assert.equal(frameScale(960, 540), 1);
  assert.equal(frameScale(480, 540), 1);
  assert.equal(frameScale(1920, 1080), 2);
  assert.equal(frameScale(1920, 540), 1);
});

test("show=: only the named settings (or sections) are shown; a bad name is named", () => {
  const { hidden, errors } = parseHash("#show=lr,warmup");
  assert.deepEqual(errors, []);
  const shown = SETTINGS.filter((s) => !isHidden(s, hidden)).map((s) => s.hash);
  assert.deepEqual(shown.sort(), ["lr", "warmup"]);
  const section = parseHash("#show=augmentation").hidden;
  assert.ok(!isHidden(settingByKey("hflip"), section));
  assert.ok(isHidden(settingByKey("learningRate"), section));
  const bad = parseHash("#show=lr,nope");
  assert.match(bad.errors[0].message, /"show" names "nope", which is no control/);
  assert.ok(!isHidden(settingByKey("learningRate"), bad.hidden));
});
