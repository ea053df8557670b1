// "What the network sees": the first images of the last training batch exactly as the network saw
// them (after augmentation and Mixup/CutMix), each captioned with its soft label, and one line that
// says what to look for with the current settings.
//
// Data (from worker.js, at most ~2×/s): { step, mix, lambda, count, width, height,
// pixels: Uint8Array (count·height·width·4, RGBA), labels: [[[className, weight], ...], ...] }.
// push() only stores it; draw() (called from main.js's animation frame) puts it on the page.

const MAX_SHOWN = 16;

/** "circle 0.60 / star 0.40 + 8 × 0.01": named classes and, if any, the smoothing floor. */
export function captionParts(label) {
  const sorted = [...label].sort((a, b) => b[1] - a[1]);
  // With label smoothing every other class has the same small weight ε/K: name only the classes
  // above that floor, and summarize the floor.
  const floor = sorted.length > 2 ? sorted[sorted.length - 1][1] : -1;
  let named = sorted.filter(([, w]) => w > floor + 0.005).slice(0, 3);
  if (!named.length) named = sorted.slice(0, 1);
  if (sorted.length === named.length + 1) named = sorted;   // a lone "floor" is just another class
  const rest = sorted.slice(named.length);
  let restText = "";
  if (rest.length) {
    const same = rest.every(([, w]) => fmt(w) === fmt(rest[0][1]));
    restText = same ? `+ ${rest.length} × ${fmt(rest[0][1])}`
      : `+ ${rest.length} others ${fmt(rest.reduce((a, [, w]) => a + w, 0))}`;
  }
  return { named: named.map(([name, w]) => `${name} ${fmt(w)}`), rest: restText };
}

function fmt(w) {
  return w.toFixed(2);
}

/** The one line under the grid: what the student sees with `values` and this batch. */
export function explainPreview(values = {}, data = null) {
  if (!data || !data.count) {
    return "The first images of each training batch appear here once training starts, exactly as the network sees them.";
  }
  const seen = [];
  if (data.mix === "mixup" && Math.min(data.lambda, 1 - data.lambda) < 0.02) {
    seen.push(`Mixup drew λ = ${data.lambda.toFixed(3)} for this batch, so its images are hardly blended (a small α keeps λ close to 0 or 1)`);
  } else if (data.mix === "mixup") {
    seen.push(`Mixup blends pairs of images: this batch is ${pct(data.lambda)} one image, ${pct(1 - data.lambda)} another, and so are the labels`);
  } else if (data.mix === "cutmix") {
    seen.push("CutMix pastes a patch of another image: the labels are weighted by each image's share of the pixels");
  } else if (values.mixupAlpha > 0 || values.cutmixAlpha > 0) {
    seen.push("this batch was not mixed");
  }
  if (values.reprob > 0) seen.push(`${values.cutoutFill === "zero" ? "black" : values.cutoutFill === "mean" ? "flat" : "noisy"} boxes are Cutout's erased regions`);
  if (values.hflip > 0) seen.push("some images are mirrored");
  if (values.cropScale?.[1] > 1) seen.push("crops & scales zoom in and shift");
  if (values.brightness > 0 || values.contrast > 0 || values.saturation > 0 || values.pcaStd > 0) seen.push("colours are jittered");
  if (values.randaugmentN > 0) seen.push(`RandAugment applies ${values.randaugmentN} random transform${values.randaugmentN > 1 ? "s" : ""} each`);
  // K: every label lists a weight for each class of the data set.
  const k = data.labels?.[0]?.length || 10;
  if (values.labelSmoothing > 0) seen.push(`label smoothing puts ε/K = ${fmt(values.labelSmoothing / k)} on every other class (K = ${k})`);
  if (!seen.length) {
    return "No augmentation: these are the training images as they are. Turn on flips, crops, Cutout or Mixup to see what the network is shown instead.";
  }
  const text = seen.join("; ");
  return text[0].toUpperCase() + text.slice(1) + ". Testing uses the original images.";
}

function pct(x) {
  return `${Math.round(x * 100)}%`;
}

export function createPreview(root, { note, head }) {
  const cells = [];
  let pending = null;     // data waiting for the next draw
  let values = null;      // settings of the run shown
  let shown = null;       // data drawn last

  for (let i = 0; i < MAX_SHOWN; i++) {
    const fig = document.createElement("figure");
    fig.className = "pv-cell";
    fig.hidden = true;
    const canvas = document.createElement("canvas");
    canvas.width = 32;
    canvas.height = 32;
    const cap = document.createElement("figcaption");
    fig.append(canvas, cap);
    root.append(fig);
    cells.push({ fig, canvas, cap, ctx: canvas.getContext("2d") });
  }

  // Show only the rows that fit the card (a small embed has room for fewer images than a lecture
  // screen): a cell whose bottom is below the grid's is made invisible. Visibility does not change
  // the layout, so this cannot feed back into itself. Checked after every draw (captions have one
  // to three lines, so the rows' heights change) and when the size changes.
  function measureFit() {
    if (!root.clientHeight) return;
    const bottom = root.getBoundingClientRect().bottom + 0.5;
    for (const c of cells) {
      if (!c.fig.hidden) c.fig.classList.toggle("pv-over", c.fig.getBoundingClientRect().bottom > bottom);
    }
  }
  if (typeof ResizeObserver !== "undefined") new ResizeObserver(() => measureFit()).observe(root);

  function push(data) { pending = data; }

  function setRun(v) {
    values = v;
    pending = null;
    shown = null;
    for (const c of cells) c.fig.hidden = true;
    root.dataset.step = "0";
    head.textContent = "";
    note.textContent = explainPreview(values, null);
  }

  /** Draw what arrived since the last frame. Returns true if anything changed. */
  function draw() {
    if (!pending) return false;
    const d = pending;
    pending = null;
    shown = d;
    const { width: w, height: h } = d;
    const size = w * h * 4;
    for (let i = 0; i < cells.length; i++) {
      const c = cells[i];
      if (i >= d.count) { c.fig.hidden = true; continue; }
      if (c.canvas.width !== w || c.canvas.height !== h) { c.canvas.width = w; c.canvas.height = h; }
      const img = new ImageData(new Uint8ClampedArray(d.pixels.buffer, d.pixels.byteOffset + i * size, size), w, h);
      c.ctx.putImageData(img, 0, 0);
      const { named, rest } = captionParts(d.labels[i]);
      c.cap.replaceChildren();
      named.forEach((t, k) => {
        if (k) c.cap.append(span(" / ", "sep"));
        c.cap.append(span(t, "cls"));
      });
      if (rest) c.cap.append(span(" ", "sep"), span(rest, "rest"));
      c.fig.dataset.label = JSON.stringify(d.labels[i]);
      c.fig.title = d.labels[i].map(([n, wt]) => `${n} ${wt.toFixed(3)}`).join("\n");
      c.fig.hidden = false;
    }
    measureFit();
    root.dataset.step = String(d.step);
    root.dataset.mix = d.mix;
    const mix = d.mix === "none" ? "" : ` · ${d.mix} λ = ${d.lambda.toFixed(2)}`;
    head.textContent = `step ${d.step}, first ${d.count} of the batch${mix}`;
    note.textContent = explainPreview(values ?? undefined, d);
    note.title = note.textContent;
    return true;
  }

  return { push, setRun, draw, get data() { return shown; } };
}

function span(text, cls) {
  const s = document.createElement("span");
  s.className = cls;
  s.textContent = text;
  return s;
}
