// Checkpoints (issue 11) in the production build: a run's checkpoint downloaded from the "Runs…"
// dialog opens again as a new run with the same settings that evaluates exactly as the original;
// files the page cannot take (truncated, another network, another data set, an absurd header
// length, not safetensors) are named in the messages with the runs unchanged; "Export as PyTorch"
// gives a zip with train.py, the weights, the data and a README; the dialog at two screen sizes.

import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { unzipSync, strFromU8 } from "fflate";
import { ROOT, expectDownload, openPage, screenshot, startSuite, waitForMessage, waitReady } from "./helpers.mjs";
import { defaultsFor, parseHash, serializeHash, toConfig } from "../../www/state.js";
import { madeByPage, valuesFromConfig } from "../../www/portable/settings.js";

let server, browser;
startSuite((s, b) => { server = s; browser = b; });

// A small run with batch norm (so the file carries running statistics and PyTorch's counters).
const LINK = "#train=500&seed=7&bn=1";

const runs = (page) => page.evaluate(() => window.trainlab.sandbox.entries.map((e) => ({
  id: e.id, step: e.run.series.step, values: e.values, state: e.run.state,
})));

async function trainTo(page, step) {
  if (await page.evaluate(() => document.getElementById("runs-dialog").open)) await page.click("#runs-close");
  await page.click("#playpause");
  await page.waitForFunction((s) => window.trainlab.sandbox.entries[0].run.series.step >= s, step, { timeout: 60000 });
  await page.click("#playpause");
  await page.waitForFunction(() => window.trainlab.sandbox.entries.every((e) => e.run.state === "paused"));
}

async function openDialog(page) {
  if (!(await page.evaluate(() => document.getElementById("runs-dialog").open))) await page.click("#runs-open");
  await page.waitForSelector("#portable .portable-actions button");
}

/** Click a #portable button and return the download's file name and bytes. */
function downloadFrom(page, label) {
  return expectDownload(page, () => page.click(`#portable button:text-is("${label}")`));
}

/** A safetensors file with its __metadata__ changed by `edit(meta)` (the tensors' bytes as they were). */
function withMetadata(bytes, edit) {
  const n = Number(bytes.readBigUInt64LE(0));
  const header = JSON.parse(bytes.subarray(8, 8 + n).toString("utf8"));
  edit(header.__metadata__);
  const json = Buffer.from(JSON.stringify(header));
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(json.length));
  return Buffer.concat([len, json, bytes.subarray(8 + n)]);
}

async function openFile(page, name, buffer) {
  await openDialog(page);
  await page.setInputFiles("#portable-file", { name, mimeType: "application/octet-stream", buffer });
}

test("a file's config reads back as the page's settings (the inverse of toConfig), with or without the page's link", () => {
  const links = ["#train=500&seed=7&bn=1", "#opt=adam&lr=0.001&flip=0.5&sched=cosine&steps=3000&warmup=100",
    "#opt=sgd&nesterov=1&mom=0.9&wd=0.0005&sched=step&steps=1000", "#opt=rmsprop&sched=sgdr&steps=800&etamin=0.0001",
    "#opt=adagrad&preset=lenet&data=mnist&mixup=0.2&ls=0.1&ema=0.99"];
  for (const link of links) {
    const { values, errors } = parseHash(link, defaultsFor("shapes"));
    assert.deepEqual(errors.map((e) => e.message), [], link);
    const config = toConfig(values);
    assert.deepEqual(toConfig(valuesFromConfig(config, "")), config, `${link}: from the config alone`);
    assert.deepEqual(valuesFromConfig(config, madeByPage(serializeHash(values))), values, `${link}: the page's link`);
    // A link that no longer describes the config (the file was changed) gives way to the config.
    const other = { ...config, preset: "mlp" };
    assert.deepEqual(toConfig(valuesFromConfig(other, madeByPage(serializeHash(values)))), other, `${link}: changed file`);
  }
  assert.throws(() => valuesFromConfig({ ...toConfig(defaultsFor("shapes")), layers: [] }, ""), /layer by layer/);
});

test("a downloaded checkpoint opens as a new run with the same settings that evaluates the same", async () => {
  const { context, page, problems } = await openPage(browser, server.url + LINK);
  await waitReady(page);
  await trainTo(page, 30);
  const original = await page.evaluate(async () => {
    const r = await window.trainlab.sandbox.entries[0].run.evaluate();
    return { valAccuracy: r.valAccuracy, valLoss: r.valLoss };
  });
  await openDialog(page);
  const file = await downloadFrom(page, "Download checkpoint (.safetensors)");
  const [before] = await runs(page);
  assert.equal(file.name, `trainlab-shapes-cnn-step${before.step}.safetensors`);
  const meta = JSON.parse(file.bytes.subarray(8, 8 + Number(file.bytes.readBigUInt64LE(0))).toString()).__metadata__;
  assert.equal(meta.format, "trainlab-weights");
  assert.equal(meta.formatVersion, "2");
  assert.equal(Number(meta.steps), before.step);
  assert.equal(Number(meta.valAccuracy), original.valAccuracy);
  assert.equal(JSON.parse(meta.config).batchNorm, true);

  await openFile(page, file.name, file.bytes);
  const text = await waitForMessage(page, `Opened ${file.name} as Run 2`, 60000);
  assert.match(text, /shapes-cnn trained \d+ steps/);
  const after = await runs(page);
  assert.equal(after.length, 2, "a new run beside the first");
  assert.equal(after[0].id, before.id, "the first run is still there");
  assert.deepEqual(after[1].values, before.values, "the file's settings");
  const opened = await page.evaluate(() => {
    const e = window.trainlab.sandbox.entries[1].run.series.lastEval;
    return { valAccuracy: e.valAccuracy, valLoss: e.valLoss };
  });
  assert.deepEqual(opened, original, "the loaded weights evaluate exactly as the original's");
  assert.equal(await page.evaluate(() => document.getElementById("runs-dialog").open), false, "the dialog closed on success");
  assert.deepEqual(problems.pageErrors, []);
  await context.close();
});

test("files the page cannot take are named in the messages and the runs stay as they were", async () => {
  const { context, page, problems } = await openPage(browser, server.url + LINK);
  await waitReady(page);
  await trainTo(page, 10);
  await openDialog(page);
  const good = (await downloadFrom(page, "Download checkpoint (.safetensors)")).bytes;
  const before = await runs(page);
  const absurd = Buffer.from(good);
  absurd.writeBigUInt64LE(1n << 40n, 0);
  const cases = [
    ["truncated.safetensors", good.subarray(0, Math.floor(good.length * 0.6)), /truncated: \d+ bytes, the header says \d+/],
    ["absurd.safetensors", absurd, /absurd header length of 1099511627776 bytes/],
    ["notes.safetensors", Buffer.from("These are my notes, not a checkpoint at all."), /not a safetensors file/],
    ["mlp.safetensors", withMetadata(good, (m) => { m.config = JSON.stringify({ ...JSON.parse(m.config), preset: "mlp" }); }),
      /from another network/],
    ["mnist.safetensors", withMetadata(good, (m) => { m.config = JSON.stringify({ ...JSON.parse(m.config), dataset: "mnist" }); }),
      /trained on MNIST .* the page trains on Shapes \(generated\): choose MNIST in the Data card/],
    ["newer.safetensors", withMetadata(good, (m) => { m.formatVersion = "99"; }), /format version 99, newer than this page reads/],
  ];
  for (const [name, bytes, expected] of cases) {
    await openFile(page, name, bytes);
    const text = await waitForMessage(page, `${name} was not opened`, 60000);
    assert.match(text, expected, name);
    assert.match(text, /The runs are as they were\.$/);
    // The section is ready for the next file (its buttons come back once an action ends).
    await page.waitForFunction(() => [...document.querySelectorAll("#portable .portable-actions button")].every((b) => !b.disabled));
    const now = await runs(page);
    assert.deepEqual(now.map((r) => [r.id, r.step, r.values]), before.map((r) => [r.id, r.step, r.values]), `${name}: runs unchanged`);
  }
  // The page trains on after all that.
  await trainTo(page, before[0].step + 5);
  assert.deepEqual(problems.pageErrors, []);
  await context.close();
});

test("Export as PyTorch gives train.py, the weights, the data and a README in one zip", async () => {
  const { context, page, problems } = await openPage(browser, server.url + "#train=500&seed=7&opt=adam&lr=0.001&flip=0.5");
  await waitReady(page);
  await trainTo(page, 5);
  await openDialog(page);
  const zip = await downloadFrom(page, "Export as PyTorch (.zip)");
  const step = (await runs(page))[0].step;
  assert.equal(zip.name, `trainlab-shapes-cnn-step${step}-pytorch.zip`);
  const files = unzipSync(new Uint8Array(zip.bytes));
  const base = `trainlab-shapes-cnn-step${step}/`;
  assert.deepEqual(Object.keys(files).sort(),
    ["README.txt", "data.safetensors", "train.py", "weights.safetensors"].map((f) => base + f));
  const py = strFromU8(files[base + "train.py"]);
  for (const construct of ["nn.Sequential", "features", "Adam", "RandomHorizontalFlip", "DistributedSampler", "safetensors"]) {
    assert.ok(py.includes(construct), `train.py mentions ${construct}`);
  }
  const readme = strFromU8(files[base + "README.txt"]);
  assert.match(readme, /python train\.py --weights weights\.safetensors/);
  assert.match(readme, /torchrun --nproc_per_node=2 train\.py/);
  const weights = Buffer.from(files[base + "weights.safetensors"]);
  const meta = JSON.parse(weights.subarray(8, 8 + Number(weights.readBigUInt64LE(0))).toString()).__metadata__;
  assert.equal(meta.format, "trainlab-weights");
  assert.ok(files[base + "data.safetensors"].length > 500 * 3 * 32 * 32 / 4, "the run's images are in data.safetensors");
  assert.deepEqual(problems.pageErrors, []);
  await context.close();
});

// The Python layer's interpreter (scripts/setup.sh puts torch, numpy and safetensors into .venv/).
const PYTHON = join(ROOT, ".venv", "bin", "python");

test("the export runs in PyTorch: train.py evaluates the weights as the page does, and its --out file opens as a run", async (t) => {
  if (!existsSync(PYTHON) || spawnSync(PYTHON, ["-c", "import torch, safetensors"]).status !== 0) {
    t.skip(".venv has no torch (scripts/setup.sh)");
    return;
  }
  const { context, page, problems } = await openPage(browser, server.url + LINK + "&opt=adam&lr=0.001");
  await waitReady(page);
  await trainTo(page, 15);
  const pageAcc = await page.evaluate(async () => (await window.trainlab.sandbox.entries[0].run.evaluate()).valAccuracy);
  await openDialog(page);
  const zip = await downloadFrom(page, "Export as PyTorch (.zip)");
  const dir = mkdtempSync(join(tmpdir(), "trainlab-export-"));
  try {
    for (const [name, bytes] of Object.entries(unzipSync(new Uint8Array(zip.bytes)))) {
      mkdirSync(join(dir, name, ".."), { recursive: true });
      writeFileSync(join(dir, name), bytes);
    }
    const folder = join(dir, zip.name.replace(/-pytorch\.zip$/, ""));
    const py = (...args) => {
      const r = spawnSync(PYTHON, ["train.py", ...args], { cwd: folder, encoding: "utf8", timeout: 240000 });
      assert.equal(r.status, 0, `train.py ${args.join(" ")}: ${r.stderr}`);
      return r.stdout;
    };
    // PyTorch's strict load_state_dict takes the page's file and evaluates it as the page does (within one of
    // the 1000 validation images: float sums in another order may flip a near tie).
    const evalOut = py("--weights", "weights.safetensors", "--eval-only");
    const torchAcc = Number(/val accuracy ([\d.]+)/.exec(evalOut)?.[1]);
    assert.ok(Math.abs(torchAcc - pageAcc) < 0.0015, `PyTorch ${torchAcc}, the page ${pageAcc}`);
    py("--weights", "weights.safetensors", "--steps", "3", "--out", "trained.safetensors");
    const trained = readFileSync(join(folder, "trained.safetensors"));
    await openFile(page, "trained.safetensors", trained);
    const text = await waitForMessage(page, "Opened trained.safetensors as Run 2", 60000);
    assert.match(text, /shapes-cnn trained \d+ steps/);
    const opened = await page.evaluate(() => window.trainlab.sandbox.entries[1].values);
    const first = await page.evaluate(() => window.trainlab.sandbox.entries[0].values);
    assert.deepEqual(opened, first, "train.py's file carries the run's settings");
    console.log(`PyTorch evaluates the page's weights to ${torchAcc}, the page to ${pageAcc}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  assert.deepEqual(problems.pageErrors, []);
  await context.close();
});

test("the dialog's files section at 1024×768 and 1920×1080", async () => {
  for (const [width, height] of [[1024, 768], [1920, 1080]]) {
    const { context, page, problems } = await openPage(browser, server.url + LINK, { width, height });
    await waitReady(page);
    await openDialog(page);
    const box = await page.evaluate(() => {
      const dialog = document.getElementById("runs-dialog").getBoundingClientRect();
      const buttons = [...document.querySelectorAll("#portable .portable-actions button")].map((b) => b.getBoundingClientRect());
      return { dialog: { left: dialog.left, right: dialog.right, top: dialog.top, bottom: dialog.bottom },
        buttons: buttons.map((b) => ({ left: b.left, right: b.right, top: b.top, bottom: b.bottom, width: b.width })) };
    });
    assert.equal(box.buttons.length, 3);
    for (const b of box.buttons) {
      assert.ok(b.left >= box.dialog.left && b.right <= box.dialog.right, `a button inside the dialog at ${width}×${height}`);
      assert.ok(b.width > 60, "buttons are not squeezed");
    }
    assert.ok(box.dialog.bottom <= height && box.dialog.top >= 0, "the dialog fits the window");
    await screenshot(page, `checkpoint-dialog-${width}x${height}`);
    assert.deepEqual(problems.pageErrors, []);
    await context.close();
  }
});
