// The data card's summary of a loaded set (the core's data.summary()): one row per class with a few
// sample images, small bars of its training and validation counts and the numbers, then the
// loader's notes. Class names come from folder names or a learner's file: textContent only.

const fmt = (n) => n.toLocaleString("en-US");

/** "1×28×28 grey" / "3×32×32 RGB". */
export function shapeText([c, h, w]) {
  return `${c}×${h}×${w} ${c === 1 ? "grey" : "RGB"}`;
}

/** One line: "10 classes · 1×28×28 grey · 60,000 training / 10,000 validation images". */
export function summaryLine(s) {
  return `${fmt(s.classNames.length)} classes · ${shapeText(s.shape)} · ${fmt(s.train)} training / ${fmt(s.val)} validation images`;
}

export function createDataSummary(root, { doc = document, perClass = 4 } = {}) {
  const el = (tag, cls, text) => {
    const n = doc.createElement(tag);
    if (cls) n.className = cls;
    if (text !== undefined) n.textContent = text;
    return n;
  };
  const legend = el("p", "dc-legend", "");
  const classes = el("div", "dc-classes");
  classes.setAttribute("role", "table");
  classes.setAttribute("aria-label", "Classes: samples, name, training / validation images");
  const notes = el("ul", "dc-notes");
  root.replaceChildren(legend, classes, notes);

  function thumb(sample) {
    const canvas = el("canvas", "dc-thumb");
    canvas.width = sample.width;
    canvas.height = sample.height;
    const rgba = sample.rgba instanceof Uint8ClampedArray ? sample.rgba : new Uint8ClampedArray(sample.rgba);
    canvas.getContext("2d").putImageData(new ImageData(rgba, sample.width, sample.height), 0, 0);
    return canvas;
  }

  function bar(n, max, cls) {
    const b = el("i", `dc-bar ${cls}`);
    b.style.width = `${max > 0 ? Math.max(n > 0 ? 2 : 0, Math.round((100 * n) / max)) : 0}%`;
    return b;
  }

  /** Draw summary `s` (or nothing for null) and the loader's `noteList` (sentences). */
  function render(s, noteList = []) {
    notes.replaceChildren(...noteList.map((t) => el("li", "", t)));
    if (!s) { classes.replaceChildren(); legend.textContent = ""; return; }
    const max = Math.max(1, ...s.trainCounts);
    const byLabel = new Map();
    for (const sample of s.samples ?? []) {
      if (!byLabel.has(sample.label)) byLabel.set(sample.label, []);
      if (byLabel.get(sample.label).length < perClass) byLabel.get(sample.label).push(sample);
    }
    const rows = s.classNames.map((name, k) => {
      const row = el("div", "dc-class");
      row.setAttribute("role", "row");
      row.dataset.label = k;
      const samples = el("span", "dc-samples");
      samples.setAttribute("role", "cell");
      samples.append(...(byLabel.get(k) ?? []).map(thumb));
      const label = el("span", "dc-name", name);
      label.setAttribute("role", "rowheader");
      label.title = name;
      const bars = el("span", "dc-bars");
      bars.setAttribute("role", "cell");
      bars.append(bar(s.trainCounts[k], max, "dc-train"), bar(s.valCounts[k], max, "dc-val"));
      const counts = el("span", "dc-counts", `${fmt(s.trainCounts[k])} / ${fmt(s.valCounts[k])}`);
      counts.setAttribute("role", "cell");
      counts.title = `${name}: ${fmt(s.trainCounts[k])} training, ${fmt(s.valCounts[k])} validation images`;
      row.append(samples, label, bars, counts);
      return row;
    });
    legend.textContent = "Each class: samples, name, training (dark bar) and validation (light bar) images.";
    classes.replaceChildren(...rows);
  }

  return { render };
}
