// Boot of transfer.html (issue 10, item 5): the shipped pretrained network, the three-way comparison
// on a small target set, and the nearest-neighbour panel.

import "uplot/dist/uPlot.min.css";
import { startCore } from "../build.js";
import { showBuild } from "../buildLine.js";
import { BUILD_REQUEST } from "../run.js";
import { createMessages } from "../views/messages.js";
import { runColor } from "../views/palette.js";
import { createComparison } from "./comparison.js";
import { createCurves } from "./curves.js";
import { readLink, writeLink } from "./link.js";
import { createNeighbours } from "./neighbours.js";
import { renderTable } from "./table.js";
import { TARGETS, targetById } from "./ways.js";
import { loadWeights } from "./weights.js";
import { registerOffline } from "../offline.js";

const $ = (id) => document.getElementById(id);
const messages = createMessages($("messages"));
const form = $("transfer-form");
const status = $("status");
const tbody = $("transfer-table").querySelector("tbody");

$("target").replaceChildren(...TARGETS.map((t) => new Option(t.label, t.id)));
for (const sw of document.querySelectorAll(".ways .swatch")) sw.style.background = runColor(Number(sw.dataset.way));

const curves = createCurves($("transfer-chart"));
const comparison = createComparison({
  onUpdate: (rows) => {
    renderTable(tbody, rows);
    curves.update(rows);
    const done = rows.length && rows.every((r) => ["done", "failed", "stopped", "diverged", "fatal"].includes(r.status));
    if (done) finished(rows);
  },
  onError: (message) => messages.show("transfer-run", message, "error"),
  // The header names the build the three ways train on (their workers), once they start.
  onBuild: (info) => showBuild(document, info),
});
const neighbours = createNeighbours({
  query: $("nn-query"), features: $("nn-features"), pixels: $("nn-pixels"), summary: $("nn-summary"), next: $("nn-next"),
});

let weights = null;
let core = null;           // the wasm module on this thread (www/build.js)

function settings() {
  const perClass = Number($("per-class").value), budget = Number($("budget").value);
  if (!(Number.isInteger(perClass) && perClass >= 1 && perClass <= 1000)) throw new Error(`images per class must be a whole number from 1 to 1000, got ${$("per-class").value}`);
  if (!(Number.isInteger(budget) && budget >= 10 && budget <= 5000)) throw new Error(`the budget must be a whole number of steps from 10 to 5000, got ${$("budget").value}`);
  return { target: $("target").value, perClass, budget, weights };
}

/**
 * The slide's 2×2 table cell of a comparison. Its "very little data" is 10s to 100s of images in all:
 * up to 50 per class of these 5- or 10-class targets; more is its "quite a lot (100s to 1000s)".
 */
function cellOf({ target, perClass }) {
  const t = targetById(target);
  const classes = t.classes ? t.classes.length : 10;
  const images = perClass * classes;
  const similar = target === "fashion-new";
  const little = perClass <= 50;
  const advice = similar
    ? (little ? "use a linear classifier on the top layer (the feature extractor)" : "fine-tune a few layers")
    : (little ? "you're in trouble… try a linear classifier from different stages" : "fine-tune a larger number of layers");
  return `This comparison is the slide's "${similar ? "similar" : "very different"} dataset, ${little ? "very little" : "quite a lot of"} data" cell ` +
    `(${images} training images: ${perClass} of each of ${classes} classes). The slide's advice: ${advice}.`;
}

let last = null;

function finished(rows) {
  $("train").disabled = false;
  $("stop").disabled = true;
  document.body.dataset.state = "done";
  const all = rows.every((r) => r.status === "done");
  status.textContent = all ? "Done: every way trained for the same budget on the same images." : "Stopped.";
  if (all && last) {
    $("cell").textContent = cellOf(last);
    $("cell").hidden = false;
  }
}

form.addEventListener("submit", async (ev) => {
  ev.preventDefault();
  messages.dismiss("transfer-run");
  let s;
  try {
    s = settings();
  } catch (e) {
    messages.show("transfer-run", e.message, "error");
    return;
  }
  $("train").disabled = true;
  $("stop").disabled = false;
  $("cell").hidden = true;
  last = s;
  document.body.dataset.state = "training";
  status.textContent = `Training three networks in parallel on ${s.perClass} images per class for ${s.budget} steps…`;
  try {
    await comparison.start(s);
  } catch (e) {
    messages.show("transfer-run", e.message, "error");
    comparison.stop();
  }
});

$("stop").addEventListener("click", () => comparison.stop());
$("target").addEventListener("change", () => showNeighbours());

// The link: applied once at load (bad values named, the rest used), then kept in step with the form.
function applyLink() {
  const { settings, bad } = readLink(location.hash);
  $("target").value = settings.target;
  $("per-class").value = String(settings.per);
  $("budget").value = String(settings.steps);
  bad.push(...BUILD_REQUEST.errors.map((e) => e.message));
  if (bad.length) messages.show("link", bad, "warn");
  else messages.dismiss("link");
}
const linkFromForm = () => {
  const hash = writeLink({ target: $("target").value, per: Number($("per-class").value), steps: Number($("budget").value) });
  history.replaceState(null, "", hash || location.pathname + location.search);
};
form.addEventListener("input", linkFromForm);
form.addEventListener("change", linkFromForm);
window.addEventListener("hashchange", () => { applyLink(); if (weights) showNeighbours(); });
applyLink();

async function showNeighbours() {
  try {
    await neighbours.use(targetById($("target").value), weights);
  } catch (e) {
    messages.show("transfer-nn", `Nearest neighbours: ${e.message}`, "error");
  }
}

async function boot() {
  try {
    // This thread's core only reads the checkpoint's metadata (weightsInfo).
    const loaded = await startCore(BUILD_REQUEST);
    core = loaded.core;
    showBuild(document, loaded.info);
    weights = await loadWeights();
    const info = core.weightsInfo(weights);
    const get = (k) => (info instanceof Map ? info.get(k) : info[k]);
    $("source-info").textContent = `${get("steps")} steps, ${(get("valAccuracy") * 100).toFixed(1)}% validation accuracy, ` +
      `${Math.round(get("bytes") / 1024)} KB`;
    $("train").disabled = false;
    document.body.dataset.state = "ready";
    showNeighbours();
  } catch (e) {
    $("train").disabled = true;
    document.body.dataset.state = "failed";
    messages.show("transfer-boot", e.message, "error");
  }
}

$("train").disabled = true;
boot();

// Offline once loaded: the service worker precaches the page, its assets and the pretrained file, and
// caches a data set when it is first fetched (www/sw.js).
registerOffline();
