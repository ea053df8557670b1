// Training dynamics on the page: the learning-rate schedule (drawn before play, used while
// training), the update/weight ratio chart, and a bad schedule in a link. Plus, in Node, the
// optimizer and schedule rows of www/state.js as the Trainer config receives them.

import { test } from "node:test";
import assert from "node:assert/strict";
import { messageTexts, openPage, screenshot, sleep, startSuite, stat, waitReady } from "./helpers.mjs";
import { defaults, inactiveReason, parseHash, settingByKey, toConfig } from "../../www/state.js";

// A settings change rebuilds the run in the worker before the lr curve is redrawn; on a loaded 2-core
// machine Firefox took more than 10 s for it (CI flake), so the waits allow 30 s. Nothing here is timed.
const SETTLE_MS = 30000;

let server, browser;
startSuite((s, b) => { server = s; browser = b; });

test("state: optimizer and schedule rows become the Trainer's optimizer and schedule", () => {
  const d = toConfig(defaults());
  assert.equal(d.optimizer, undefined, "SGD: no optimizer, momentum and weightDecay apply");
  assert.equal(d.schedule, undefined, "constant without warmup: the core's default");
  const c = toConfig(parseHash("#opt=adamw&wd=0.05&sched=cosine&steps=300&warmup=20").values);
  assert.deepEqual(c.optimizer, { type: "adamw", betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0.05 });
  assert.deepEqual(c.schedule, { type: "cosine", totalSteps: 300, etaMin: 0, warmupSteps: 20 });
  assert.deepEqual(toConfig(parseHash("#sched=step&steps=300").values).schedule,
    { type: "step", milestones: [90, 180, 270], gamma: 0.1 });
  assert.deepEqual(toConfig(parseHash("#sched=sgdr&steps=400").values).schedule, { type: "sgdr", T_0: 100, T_mult: 2, etaMin: 0 });
});

// The optimizer, schedule and early-stopping rows added for issue 4. A link with all of them set away
// from their defaults, read for each optimizer / schedule.
const TUNED = "beta1=0.8&beta2=0.99&eps=1e-6&rmsalpha=0.9&rmsmom=0.5&adaeps=1e-7&cycles=5&etamin=0.001&patience=3";

test("state: optimizer hyperparameters reach the optimizer config only for the optimizers that use them", () => {
  const opt = (o) => toConfig(parseHash(`#opt=${o}&wd=0.01&${TUNED}`).values).optimizer;
  assert.equal(opt("sgd"), undefined, "plain SGD + momentum: the top-level momentum and weightDecay");
  assert.deepEqual(opt("adam"), { type: "adam", betas: [0.8, 0.99], eps: 1e-6, weightDecay: 0.01 });
  assert.deepEqual(opt("adamw"), { type: "adamw", betas: [0.8, 0.99], eps: 1e-6, weightDecay: 0.01 });
  assert.deepEqual(opt("rmsprop"), { type: "rmsprop", alpha: 0.9, eps: 1e-6, momentum: 0.5, weightDecay: 0.01 });
  assert.deepEqual(opt("adagrad"), { type: "adagrad", eps: 1e-7, weightDecay: 0.01 });
  // Without a link the hyperparameters are PyTorch's defaults, so older links mean what they meant.
  const plain = (o) => toConfig(parseHash(`#opt=${o}`).values).optimizer;
  assert.deepEqual(plain("adam"), { type: "adam", betas: [0.9, 0.999], eps: 1e-8 });
  assert.deepEqual(plain("rmsprop"), { type: "rmsprop", alpha: 0.99, eps: 1e-8, momentum: 0 });
  assert.deepEqual(plain("adagrad"), { type: "adagrad", eps: 1e-10 });
});

test("state: Nesterov becomes an explicit SGD optimizer, and only with momentum > 0", () => {
  const cfg = (h) => toConfig(parseHash(h).values);
  assert.deepEqual(cfg("#nesterov=1").optimizer, { type: "sgd", momentum: 0.9, nesterov: true, weightDecay: 0 });
  assert.deepEqual(cfg("#nesterov=1&mom=0.5&wd=0.001").optimizer,
    { type: "sgd", momentum: 0.5, nesterov: true, weightDecay: 0.001 });
  // Momentum 0: the core rejects nesterov (see state.test.mjs), so the page sends plain SGD and says why.
  const zero = parseHash("#nesterov=1&mom=0").values;
  assert.equal(toConfig(zero).optimizer, undefined);
  assert.equal(inactiveReason(settingByKey("nesterov"), zero), "Nesterov needs momentum > 0");
  assert.equal(inactiveReason(settingByKey("nesterov"), parseHash("#nesterov=1").values), null);
  const adam = parseHash("#nesterov=1&opt=adam").values;
  assert.equal(toConfig(adam).optimizer.nesterov, undefined);
  assert.match(inactiveReason(settingByKey("nesterov"), adam), /only SGD/);
});

test("state: cyclic period is T/M, the floor etaMin goes to cosine, SGDR and cyclic only", () => {
  const sched = (h) => toConfig(parseHash(h).values).schedule;
  assert.deepEqual(sched("#sched=cyclic&steps=400"), { type: "cyclic", period: 100, etaMin: 0 });
  assert.deepEqual(sched("#sched=cyclic&steps=1000&cycles=3&etamin=0.002&warmup=50"),
    { type: "cyclic", period: 333, etaMin: 0.002, warmupSteps: 50 });
  assert.deepEqual(sched("#sched=cyclic&steps=10&cycles=100"), { type: "cyclic", period: 1, etaMin: 0 }, "period ≥ 1");
  assert.deepEqual(sched(`#sched=cosine&steps=300&${TUNED}`), { type: "cosine", totalSteps: 300, etaMin: 0.001 });
  assert.deepEqual(sched(`#sched=sgdr&steps=400&${TUNED}`), { type: "sgdr", T_0: 100, T_mult: 2, etaMin: 0.001 });
  assert.deepEqual(sched(`#sched=linear&steps=300&${TUNED}`), { type: "linear", totalSteps: 300 });
  assert.deepEqual(sched(`#sched=step&steps=300&${TUNED}`), { type: "step", milestones: [90, 180, 270], gamma: 0.1 });
  assert.deepEqual(sched(`#sched=invsqrt&${TUNED}`), { type: "invsqrt" });
  assert.equal(sched(`#${TUNED}`), undefined, "constant: no schedule at all");
  for (const [h, key] of [["#sched=cosine", "cycles"], ["#sched=linear", "etaMin"], ["#sched=constant", "etaMin"]]) {
    assert.ok(inactiveReason(settingByKey(key), parseHash(h).values), `${key} is marked inactive with ${h}`);
  }
});

test("state: early-stopping patience is the core's top-level patience", () => {
  assert.equal(toConfig(defaults()).patience, 0, "0: never stop");
  assert.equal(toConfig(parseHash("#patience=5").values).patience, 5);
  assert.equal(parseHash("#patience=-1").errors.length, 1, "negative patience is refused");
  assert.equal(parseHash("#patience=1.5").errors.length, 1, "a whole number of evaluations");
});

test("state: each new row changes the config exactly when it is not marked inactive", () => {
  // A row marked "no effect now" must not change what the core gets; an active one must.
  const changed = { nesterov: true, beta1: 0.5, beta2: 0.9, eps: 1e-4, rmspropAlpha: 0.5, rmspropMomentum: 0.3,
    adagradEps: 1e-4, cycles: 7, etaMin: 0.003, patience: 2 };
  const contexts = [];
  for (const optimizer of settingByKey("optimizer").choices) {
    for (const schedule of settingByKey("schedule").choices) {
      for (const momentum of [0, 0.9]) contexts.push({ ...defaults(), optimizer, schedule, momentum, totalSteps: 1000 });
    }
  }
  let checked = 0;
  for (const [key, value] of Object.entries(changed)) {
    const s = settingByKey(key);
    assert.ok(s, key);
    assert.notDeepEqual(value, s.default, `${key}: the test value differs from the default`);
    for (const base of contexts) {
      const before = JSON.stringify(toConfig(base));
      const after = JSON.stringify(toConfig({ ...base, [key]: value }));
      const active = inactiveReason(s, base) === null;
      assert.equal(before !== after, active,
        `${key} with opt=${base.optimizer} sched=${base.schedule} mom=${base.momentum}: ` +
        `${active ? "active but the config did not change" : "inactive but the config changed"}`);
      checked++;
    }
  }
  assert.ok(checked >= 10 * 70, `${checked} cases`);
});

test("dynamics: cosine schedule drawn before play, lr falls while training, ratios finite and > 0", async () => {
  const { context, page, problems } = await openPage(browser, server.url + "#sched=cosine&steps=300&seed=1&lr=0.02");
  try {
    await waitReady(page);
    // The curve is there before any step: from α₀ at step 0 down to 0 at step 300.
    await page.waitForFunction(() => window.trainlab.lrCurve[0].length > 100, null, { timeout: 10000 });
    const curve = await page.evaluate(() => window.trainlab.lrCurve);
    assert.equal(curve[0][0], 0);
    assert.equal(curve[0][curve[0].length - 1], 300);
    assert.ok(Math.abs(curve[1][0] - 0.02) < 1e-9, `lr at step 0 is α₀: ${curve[1][0]}`);
    assert.ok(curve[1][curve[1].length - 1] < 1e-6, "cosine reaches 0 at T");
    assert.equal(await stat(page, "step"), 0);

    // Step once, note the rate, then play and watch it fall.
    await page.click("#step");
    await page.waitForFunction(() => Number(document.getElementById("stat-step")?.dataset.value) === 1, null, { timeout: 10000 });
    const lr1 = await stat(page, "lr");
    await page.click("#playpause");
    await page.waitForFunction(() => Number(document.getElementById("stat-step")?.dataset.value) >= 120, null, { timeout: 60000 });
    const later = { step: await stat(page, "step"), lr: await stat(page, "lr") };
    console.log(`cosine T=300: lr ${lr1} at step 1 → ${later.lr} at step ${later.step}`);
    assert.ok(later.lr < lr1, `lr at step ${later.step} (${later.lr}) < lr at step 1 (${lr1})`);

    await page.waitForFunction(() => window.trainlab.ratioPoints >= 3, null, { timeout: 10000 });
    const ratios = await page.evaluate(() => window.trainlab.ratios);
    console.log(`update/weight ratios: ${ratios.map((r) => r.toExponential(2)).join(", ")}`);
    assert.ok(ratios.length >= 2, "one ratio per weight tensor");
    for (const r of ratios) assert.ok(Number.isFinite(r) && r > 0, `ratio ${r}`);
    // Let an evaluation happen so the diagnosis box has something to say, then pause.
    await page.waitForFunction(() => window.trainlab.findings !== null, null, { timeout: 30000 });
    await page.click("#playpause");
    await sleep(600);
    const box = await page.textContent("#diagnosis");
    assert.ok(box.trim().length > 0, "the diagnosis box says something");
    const path = await screenshot(page, "1280x800-dynamics");
    console.log(`screenshot: ${path}; diagnosis: ${box.trim()}`);
    assert.deepEqual(problems.pageErrors, []);
    assert.deepEqual(problems.consoleErrors, []);
  } finally {
    await context.close();
  }
});

test("dynamics: picking the cyclic schedule draws restarts after each period, before play", async () => {
  const { context, page, problems } = await openPage(browser, server.url + "#steps=400&seed=1&lr=0.02");
  try {
    await waitReady(page);
    // The lr chart's curve as [[step, lr], ...], and the steps where it goes back up by more than half α₀.
    const points = () => page.evaluate(() => window.trainlab.lrCurve[0].map((s, i) => [s, window.trainlab.lrCurve[1][i]]));
    const rises = (pts) => pts.slice(1).filter(([, lr], i) => lr > pts[i][1] + 0.01).map(([s]) => s);
    // A settings change rebuilds the run; its first figures follow its lr curve, so wait until the
    // new run shows a step at all before reading it.
    const shownStep = async () => {
      await page.waitForFunction(() => document.getElementById("stat-step")?.dataset.value !== undefined, null,
        { timeout: SETTLE_MS });
      return stat(page, "step");
    };
    assert.deepEqual(rises(await points()), [], "constant: the curve never rises");

    await page.selectOption("#setting-sched", "cyclic");
    await page.waitForFunction(() => window.trainlab.settings.schedule === "cyclic", null, { timeout: SETTLE_MS });
    await page.waitForFunction(() => {
      const lr = window.trainlab.lrCurve[1];
      return lr.some((v, i) => i > 0 && v > lr[i - 1] + 0.01);
    }, null, { timeout: SETTLE_MS });
    let pts = await points();
    assert.equal(pts[pts.length - 1][0], 400, "the curve spans T");
    // Default M = 4 cycles in T = 400: period 100. Down to ~0 just before each restart, back to α₀ at it.
    const up = rises(pts);
    console.log(`cyclic T=400, M=4: the curve goes up again at steps ${up.join(", ")}`);
    assert.deepEqual(up.filter((s) => s < 400), [100, 200, 300]);
    const at = (step) => pts.find(([s]) => s === step)?.[1];
    assert.ok(at(99) < 0.02 * 0.01, `lr at step 99, the end of the first cycle: ${at(99)}`);
    assert.ok(Math.abs(at(100) - 0.02) < 1e-9, `lr at step 100, the restart: ${at(100)}`);
    assert.ok(at(50) > at(99) && at(50) < at(0), "falls within a cycle");
    assert.equal(await shownStep(), 0, "drawn before play");
    assert.match(await page.evaluate(() => location.hash), /sched=cyclic.*cycles=4/);

    // Two cycles and a floor: restarts at T/2 and the curve bottoms out at η_min.
    await page.fill("#setting-cycles", "2");
    await page.dispatchEvent("#setting-cycles", "change");
    await page.waitForFunction(() => window.trainlab.settings.cycles === 2, null, { timeout: SETTLE_MS });
    // The next change after the rebuilt curve is drawn (a restart at T/2 only): in a CI run under
    // load Firefox never applied an η_min typed while the cycles' rebuild was under way (not
    // reproduced here in 6 runs; the note of the stop says so).
    await page.waitForFunction(() => {
      const lr = window.trainlab.lrCurve[1];
      return lr.filter((v, i) => i > 0 && v > lr[i - 1] + 0.01).length === 2;
    }, null, { timeout: SETTLE_MS });
    await page.fill("#setting-etamin", "0.005");
    await page.dispatchEvent("#setting-etamin", "change");
    await page.waitForFunction(() => window.trainlab.settings.etaMin === 0.005 && Math.min(...window.trainlab.lrCurve[1]) > 0.004,
      null, { timeout: SETTLE_MS });
    pts = await points();
    assert.deepEqual(rises(pts).filter((s) => s < 400), [200]);
    const low = Math.min(...pts.map(([, lr]) => lr));
    assert.ok(Math.abs(low - 0.005) < 1e-4, `the floor: lowest rate ${low}`);
    assert.match(await page.evaluate(() => location.hash), /cycles=2.*etamin=0\.005/);
    assert.equal(await shownStep(), 0);
    assert.deepEqual(problems.pageErrors, []);
    assert.deepEqual(problems.consoleErrors, []);
  } finally {
    await context.close();
  }
});

test("dynamics: a bad schedule in a link is named and left at its default", async () => {
  const { context, page } = await openPage(browser, server.url + "#sched=exp");
  try {
    await waitReady(page);
    const texts = await messageTexts(page);
    assert.ok(texts.some((t) => t.includes('"sched"') && t.includes('"exp"') && t.includes("constant")),
      `message names the key and the value: ${JSON.stringify(texts)}`);
    assert.equal(await page.evaluate(() => window.trainlab.settings.schedule), "constant");
  } finally {
    await context.close();
  }
});

test("dynamics: changing the learning rate while paused keeps the run", async () => {
  const { context, page, problems } = await openPage(browser, server.url + "#seed=1&lr=0.02");
  try {
    await waitReady(page);
    for (let i = 1; i <= 3; i++) {
      await page.click("#step");
      await page.waitForFunction((n) => Number(document.getElementById("stat-step")?.dataset.value) === n, i, { timeout: 10000 });
    }
    assert.ok(Math.abs(await stat(page, "lr") - 0.02) < 1e-12);
    await page.fill("#setting-lr", "0.005");
    await page.dispatchEvent("#setting-lr", "change");
    await page.waitForFunction(() => window.trainlab.settings.learningRate === 0.005, null, { timeout: 10000 });
    assert.match(await page.evaluate(() => location.hash), /lr=0\.005/);
    await page.click("#step");
    await page.waitForFunction(() => Number(document.getElementById("stat-step")?.dataset.value) === 4, null, { timeout: 10000 });
    assert.ok(Math.abs(await stat(page, "lr") - 0.005) < 1e-12, `lr after the change: ${await stat(page, "lr")}`);
    const curve = await page.evaluate(() => window.trainlab.lrCurve);
    assert.ok(Math.abs(curve[1][0] - 0.005) < 1e-12, "the schedule curve is redrawn at the new rate");
    assert.deepEqual(problems.pageErrors, []);
    assert.deepEqual(problems.consoleErrors, []);
  } finally {
    await context.close();
  }
});

test("dynamics: the learning-rate finder plots points and suggests a rate (or says none found)", async () => {
  const { context, page, problems } = await openPage(browser, server.url + "#seed=1");
  try {
    await waitReady(page);
    await page.click("#findlr");
    await page.waitForFunction(() => window.trainlab.lrFind !== null, null, { timeout: 60000 });
    const r = await page.evaluate(() => window.trainlab.lrFind);
    assert.equal(r.error, undefined, `finder error: ${r.error}`);
    assert.ok(r.points.length > 10, `points: ${r.points.length}`);
    const text = await page.textContent("#lrfind-text");
    console.log(`lr finder: ${r.points.length} points, suggested ${r.suggestedLr}; ${text}`);
    if (r.suggestedLr) {
      assert.match(text, /Suggested/);
      await page.click("#lrfind-use");
      await page.waitForFunction((s) => Math.abs(window.trainlab.settings.learningRate - s) < 1e-12,
        +r.suggestedLr.toPrecision(3), { timeout: 10000 });
    } else {
      assert.match(text, /no suggestion/);
    }
    assert.equal(await stat(page, "step"), 0, "the run itself is untouched");
    assert.deepEqual(problems.pageErrors, []);
    assert.deepEqual(problems.consoleErrors, []);
  } finally {
    await context.close();
  }
});
