// The settings table (www/state.js) on its own, in Node: no browser, no server. Every row must
// round-trip through the URL hash, map to the Trainer config field the core expects, and turn a bad
// value into a message that names the key and the value.

import { test } from "node:test";
import assert from "node:assert/strict";
import {
  GROUPS, MAX_SHOWN, SETTINGS, defaults, formatValue, inactiveReason, parseHash, parseValue, sameSettings, serializeHash,
  settingByKey, toConfig,
} from "../../www/state.js";

test("state: every row is complete, keys are unique, every group is known", () => {
  const hashes = new Set(), keys = new Set();
  for (const s of SETTINGS) {
    for (const f of ["key", "hash", "kind", "label", "help"]) assert.ok(s[f], `${s.key ?? "?"}: ${f}`);
    assert.ok(!hashes.has(s.hash) && !keys.has(s.key), `duplicate ${s.hash}`);
    hashes.add(s.hash);
    keys.add(s.key);
    // The data set alone has no row in the panel (the data card chooses it); it feeds config.dataset.
    if (s.key === "data") {
      assert.equal(s.group, null);
      assert.equal(s.configKey, "dataset");
    } else assert.ok(GROUPS.some((g) => g.id === s.group), `${s.hash}: group ${s.group}`);
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

test("state: a link with the optimizer, schedule and early-stopping keys round-trips", () => {
  const link = "#opt=rmsprop&nesterov=1&beta1=0.8&beta2=0.99&eps=1e-6&rmsalpha=0.9&rmsmom=0.5&adaeps=1e-7" +
    "&sched=cyclic&cycles=5&etamin=0.001&patience=3";
  const { values, errors } = parseHash(link);
  assert.deepEqual(errors, []);
  assert.deepEqual(
    [values.nesterov, values.beta1, values.beta2, values.eps, values.rmspropAlpha, values.rmspropMomentum,
      values.adagradEps, values.schedule, values.cycles, values.etaMin, values.patience],
    [true, 0.8, 0.99, 1e-6, 0.9, 0.5, 1e-7, "cyclic", 5, 0.001, 3]);
  const hash = serializeHash(values);
  const written = new URLSearchParams(hash.slice(1));
  for (const entry of link.slice(1).split("&")) {
    const [k, v] = entry.split("=");
    const w = written.get(k);
    assert.ok(w === v || Number(w) === Number(v), `${entry} is written as ${k}=${w}`);   // 1e-6 is written 0.000001
  }
  const again = parseHash(hash);
  assert.deepEqual(again.errors, []);
  assert.ok(sameSettings(again.values, values));
  // Old links (none of the new keys) get the new rows at their defaults, which are PyTorch's.
  const old = parseHash("#opt=adam&sched=cosine").values;
  assert.deepEqual([old.beta1, old.beta2, old.eps, old.etaMin, old.patience, old.nesterov], [0.9, 0.999, 1e-8, 0, 0, false]);
  // Bad values of the new keys are named like any other.
  const bad = parseHash("#beta1=1&eps=0&cycles=0&etamin=-0.1&nesterov=maybe&rmsmom=1");
  assert.deepEqual(bad.errors.map((e) => e.key), ["beta1", "eps", "cycles", "etamin", "nesterov", "rmsmom"]);
  assert.match(parseHash("#etaMin=0.1").errors[0].message, /Did you mean "etamin"\?/);
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
  assert.match(parseHash("#unknown=1").errors[0].message, /Known: preset, lr, .*, hide, show\./);
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
      // A loaded data set needs its bytes (the e2e data tests train on them): shapes only here.
      case "choice": return s.key === "data" ? ["shapes"] : s.choices;
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
  // A setting with no effect at the defaults (an optimizer's own hyperparameter, a schedule's
  // period or floor, stochastic depth, ...) is tried in every context below that makes it matter,
  // so that its value really reaches the core; every setting is also tried with Nesterov on.
  const CONTEXTS = [
    ...SETTINGS.find((s) => s.key === "optimizer").choices.map((optimizer) => ({ optimizer })),
    ...SETTINGS.find((s) => s.key === "schedule").choices.map((schedule) => ({ schedule })),
    { preset: "resnet-mini" }, { reprob: 0.5 }, { mixupAlpha: 0.2, cutmixAlpha: 1 }, { randaugmentN: 2 },
  ];
  const base = defaults();
  let n = 0;
  for (const s of SETTINGS) {
    let contexts = inactiveReason(s, base) ? CONTEXTS.filter((c) => !inactiveReason(s, { ...base, ...c })) : [{}];
    assert.ok(contexts.length > 0, `${s.hash}: some context makes it matter`);
    contexts = [...contexts, { nesterov: true }];
    for (const c of contexts) {
      for (const v of extremes(s)) {
        const values = { ...base, ...c, [s.key]: v };
        const config = { ...toConfig(values), trainSize: 64, valSize: 16 };   // small data
        const where = `${s.hash}=${formatValue(s, v)} (with ${JSON.stringify(c)})`;
        let t;
        try {
          t = new Trainer(config);
          t.step(1);
        } catch (e) {
          assert.fail(`${where} is allowed by the page but the core says: ${e.message ?? e}`);
        } finally {
          t?.free();
        }
        n++;
      }
    }
  }
  console.log(`${n} configs accepted`);
});

test("state: the new rows reach the core under its field names; Nesterov at momentum 0 is never sent",
  { skip: !hasPkg && "pkg/ not built" }, async () => {
    const { initSync, Trainer } = await import(new URL("trainlab.js", PKG).href);
    initSync({ module: readFileSync(new URL("trainlab_bg.wasm", PKG)) });
    const effective = (hash) => {
      const t = new Trainer({ ...toConfig(parseHash(hash).values), trainSize: 64, valSize: 16 });
      try { return t.config(); } finally { t.free(); }
    };
    // The core's effective config (defaults filled in) holds the page's values.
    const adam = effective("#opt=adamw&beta1=0.8&beta2=0.99&eps=1e-6&patience=4");
    assert.equal(adam.optimizer.type, "adamw");
    assert.deepEqual(adam.optimizer.betas, [0.8, 0.99]);
    assert.equal(adam.optimizer.eps, 1e-6);
    assert.equal(adam.optimizer.weightDecay, 0.01, "AdamW keeps PyTorch's decay when the page sets none");
    assert.equal(adam.patience, 4);
    const rms = effective("#opt=rmsprop&rmsalpha=0.9&eps=1e-7&rmsmom=0.5").optimizer;
    assert.deepEqual([rms.type, rms.alpha, rms.eps, rms.momentum], ["rmsprop", 0.9, 1e-7, 0.5]);
    const ada = effective("#opt=adagrad&adaeps=1e-6").optimizer;
    assert.deepEqual([ada.type, ada.eps], ["adagrad", 1e-6]);
    const nag = effective("#nesterov=1&mom=0.8").optimizer;
    assert.deepEqual([nag.type, nag.momentum, nag.nesterov], ["sgd", 0.8, true]);
    const cyc = effective("#sched=cyclic&steps=600&cycles=3&etamin=0.001").schedule;
    assert.deepEqual([cyc.type, cyc.period, cyc.etaMin], ["cyclic", 200, 0.001]);
    assert.equal(effective("#sched=cosine&steps=300&etamin=0.002").schedule.etaMin, 0.002);

    // The core's rule: Nesterov needs momentum > 0. The page never sends that config.
    const rejected = { ...toConfig(defaults()), trainSize: 64, valSize: 16,
      optimizer: { type: "sgd", momentum: 0, nesterov: true } };
    assert.throws(() => new Trainer(rejected), (e) => {
      console.log(`core on nesterov with momentum 0: ${e.message}`);
      return /nesterov/.test(e.message) && /momentum > 0/.test(e.message);
    });
    const zero = effective("#nesterov=1&mom=0").optimizer;
    assert.ok(zero == null || zero.nesterov === false, `momentum 0: plain SGD, got ${JSON.stringify(zero)}`);
  });

test("state: numbers are read in decimal only; hex, binary, octal, a bare exponent and infinities are refused by name", () => {
  const lr = settingByKey("learningRate");
  for (const bad of ["0x10", "0b1", "0o7", "1e", "1e+", "Infinity", "-Infinity", "inf", "NaN", "1_0", " ", ""]) {
    const r = parseValue(lr, bad);
    assert.equal(r.ok, false, `lr=${JSON.stringify(bad)} is refused`);
    const { values, errors } = parseHash(`lr=${encodeURIComponent(bad)}`);
    assert.equal(values.learningRate, lr.default, `lr=${bad}: the default is kept`);
    assert.equal(errors.length, 1);
    assert.ok(errors[0].message.includes(`"lr" has a bad value "${bad}"`), errors[0].message);
  }
  assert.match(parseHash("lr=0x10").errors[0].message, /is not a decimal number/);
  // Decimal forms a person writes are read: leading dot, trailing dot, sign, exponent.
  for (const [text, v] of [["0.5", 0.5], [".5", 0.5], ["5.", 5], ["+0.25", 0.25], ["1e-3", 0.001], ["2E-2", 0.02]]) {
    assert.deepEqual(parseValue(lr, text), { ok: true, value: v }, text);
  }
  // A range and an integer setting go through the same reader.
  assert.equal(parseHash("cutmix=0x1").errors.length, 1);
  assert.equal(parseHash("seed=0x10").errors.length, 1);
  assert.equal(parseHash("seed=16").values.seed, 16);
});

test("state: a value, a key or a name echoed in a message is capped", () => {
  // Each hash with a 10,000-character part against the same hash with a 1-character one: the message
  // grows by at most MAX_SHOWN characters and marks the cut.
  const checks = {
    "number": (p) => `lr=${"9".repeat(p + 3)}`, "unknown key": (p) => `${"k".repeat(p)}=1`,
    "text value": (p) => `lr=${"x".repeat(p)}`, "hide": (p) => `hide=${"h".repeat(p)}`,
    "show": (p) => `show=${"s".repeat(p)}`, "bad encoding": (p) => `lr=%E0%A4%A${"A".repeat(p)}`,
  };
  for (const [what, hash] of Object.entries(checks)) {
    const short = parseHash(hash(1)).errors.map((e) => e.message);
    const long = parseHash(hash(10_000)).errors.map((e) => e.message);
    assert.equal(long.length, short.length, what);
    assert.ok(long.length >= 1, what);
    long.forEach((m, i) => {
      assert.ok(m.length <= short[i].length + MAX_SHOWN, `${what}: message of ${m.length} characters`);
      assert.ok(m.includes("…"), `${what}: the cut is marked`);
    });
  }
  // A short value is shown whole.
  assert.ok(parseHash("lr=abc").errors[0].message.includes('"abc"'));
});

test("state: a key given twice is named and the last one is used", () => {
  const { values, errors } = parseHash("lr=0.1&seed=3&lr=0.2");
  assert.equal(values.learningRate, 0.2);
  assert.equal(values.seed, 3);
  assert.equal(errors.length, 1);
  assert.equal(errors[0].key, "lr");
  assert.equal(errors[0].kept, true);
  assert.match(errors[0].message, /"lr" is given twice \("0\.1", then "0\.2"\); the last one is used/);
  // The last one is used even when it is bad: then the default, with both messages.
  const bad = parseHash("lr=0.1&lr=abc");
  assert.equal(bad.values.learningRate, settingByKey("learningRate").default);
  assert.equal(bad.errors.length, 2);
});
