// The settings table (www/state.js) on its own, in Node: no browser, no server. Every row must
// round-trip through the URL hash, map to the Trainer config field the core expects, and turn a bad
// value into a message that names the key and the value.

import { test } from "node:test";
import assert from "node:assert/strict";
import {
  GROUPS, SETTINGS, defaults, formatValue, parseHash, parseValue, sameSettings, serializeHash, toConfig,
} from "../../www/state.js";

test("state: every row is complete, keys are unique, every group is known", () => {
  const hashes = new Set(), keys = new Set();
  for (const s of SETTINGS) {
    for (const f of ["key", "hash", "kind", "label", "help", "group"]) assert.ok(s[f], `${s.key ?? "?"}: ${f}`);
    assert.ok(!hashes.has(s.hash) && !keys.has(s.key), `duplicate ${s.hash}`);
    hashes.add(s.hash);
    keys.add(s.key);
    assert.ok(GROUPS.some((g) => g.id === s.group), `${s.hash}: group ${s.group}`);
    assert.ok(parseValue(s, formatValue(s, s.default)).ok, `${s.hash}: default ${formatValue(s, s.default)} parses`);
  }
});

test("state: the hash round-trips every setting; defaults give no errors", () => {
  const values = defaults();
  const { values: back, errors } = parseHash(serializeHash(values));
  assert.deepEqual(errors, []);
  assert.ok(sameSettings(back, values));
  const custom = parseHash("#mixup=0.2&ls=0.1&flip=0.5&crop=1,1.25&cutsize=16px&bn=1&tta=on&ra=2");
  assert.deepEqual(custom.errors, []);
  const again = parseHash(serializeHash(custom.values));
  assert.deepEqual(again.errors, []);
  assert.ok(sameSettings(again.values, custom.values));
  assert.match(serializeHash(custom.values), /&crop=1,1\.25&/);
  assert.match(serializeHash(custom.values), /&cutsize=16px&/);
  assert.match(serializeHash(custom.values), /&bn=1&/);
});

test("state: nested augment fields reach the Trainer config under their camelCase names", () => {
  const { values } = parseHash("#mixup=0.2&cutmix=1&ls=0.1&flip=0.5&crop=1.25&bright=0.4&sat=0.2&pca=0.1" +
    "&ra=2&ram=5&cutout=0.5&cutsize=16px&cutfill=random&mixswitch=0.3&mixprob=0.8&dropout=0.5&dropconnect=0.1" +
    "&bn=1&fmp=true&droppath=0.2&tta=1&preset=resnet-mini");
  const c = toConfig(values);
  assert.deepEqual(c.augment, {
    reprob: 0.5, cutoutSize: { length: 16 }, cutoutFill: "random", mixupAlpha: 0.2, cutmixAlpha: 1,
    mixupSwitchProb: 0.3, mixupProb: 0.8, labelSmoothing: 0.1, hflip: 0.5, cropScale: [1, 1.25],
    colorJitter: { brightness: 0.4, contrast: 0, saturation: 0.2 }, pcaStd: 0.1, randaugmentN: 2, randaugmentM: 5,
  });
  for (const [k, v] of Object.entries({ dropRate: 0.5, dropConnect: 0.1, batchNorm: true, fractionalPooling: true,
    dropPathRate: 0.2, tta: true, preset: "resnet-mini", dataset: "shapes" })) {
    assert.deepEqual(c[k], v, k);
  }
  assert.deepEqual(toConfig(defaults()).augment.cutoutSize, { area: 0.25 });
});

test("state: bad values are named with key and value and fall back to the default", () => {
  const { values, errors } = parseHash("#dropout=1.5&mixup=-1&bn=maybe&crop=2,1&cutsize=0&ls=1&ra=1.5&cutfill=grey&flip=0.5");
  const named = errors.map((e) => `${e.key}=${e.value}`);
  assert.deepEqual(named, ["dropout=1.5", "mixup=-1", "bn=maybe", "crop=2,1", "cutsize=0", "ls=1", "ra=1.5", "cutfill=grey"]);
  for (const e of errors) assert.ok(e.message.includes(`"${e.key}"`) && e.message.includes(`"${e.value}"`), e.message);
  const d = defaults();
  for (const k of ["dropRate", "mixupAlpha", "batchNorm", "cropScale", "cutoutSize", "labelSmoothing", "randaugmentN", "cutoutFill"]) {
    assert.deepEqual(values[k], d[k], k);
  }
  assert.equal(values.hflip, 0.5, "the good entry applies");
  assert.deepEqual(parseHash("#hide=regularization,flip,preview").errors, []);
  // An unknown key that is a config name or a typo of a key is answered with the key meant.
  assert.match(parseHash("#labelSmoothing=0.1").errors[0].message, /Did you mean "ls"\?/);
  assert.match(parseHash("#mixp=0.2").errors[0].message, /Did you mean "mixup"\?/);
  assert.match(parseHash("#unknown=1").errors[0].message, /Known: preset, lr, .*, hide\./);
  assert.equal(parseHash("#hide=nothing").errors.length, 1);
});

// The page's ranges must be ones the core accepts: every setting at its lowest and highest value
// (just inside an open bound) builds a Trainer that takes a step. Needs the wasm package (pkg/),
// which layer 3 builds before the e2e tests; skipped without it.
import { existsSync, readFileSync } from "node:fs";
const PKG = new URL("../../pkg/", import.meta.url);
const hasPkg = existsSync(new URL("trainlab_bg.wasm", PKG));

test("state: every setting's extreme values are accepted by the core", { skip: !hasPkg && "pkg/ not built" }, async () => {
  const { initSync, Trainer } = await import(new URL("trainlab.js", PKG).href);
  initSync({ module: readFileSync(new URL("trainlab_bg.wasm", PKG)) });
  const extremes = (s) => {
    switch (s.kind) {
      case "choice": return s.choices;
      case "bool": return [false, true];
      case "range": return [[s.min, s.min], [s.min, s.max], [s.max, s.max]];
      case "boxsize": return [{ area: 1e-3 }, { area: 1 }, { length: 1 }, { length: 64 }];
      default: {
        const lo = s.minExclusive ? s.min + 1e-6 : s.min;
        const hi = s.maxExclusive ? s.max - (s.kind === "int" ? 1 : 1e-3) : s.max;
        return s.key === "learningRate" ? [lo, 0.1] : s.key === "batchSize" ? [lo, 64] : [lo, hi];
      }
    }
  };
  let n = 0;
  for (const s of SETTINGS) {
    for (const v of extremes(s)) {
      const values = { ...defaults(), [s.key]: v };
      // Small data; the preset that makes the setting matter where one does.
      if (s.key === "dropPathRate") values.preset = "resnet-mini";
      const config = { ...toConfig(values), trainSize: 64, valSize: 16 };
      let t;
      try {
        t = new Trainer(config);
        t.step(1);
      } catch (e) {
        assert.fail(`${s.hash}=${formatValue(s, v)} is allowed by the page but the core says: ${e.message ?? e}`);
      } finally {
        t?.free();
      }
      n++;
    }
  }
  console.log(`${n} configs accepted`);
});
