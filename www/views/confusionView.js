// "What it gets wrong": the edited run's validation confusion matrix (rows = true class, columns =
// predicted, each cell shaded by its share of the row; the count in it, or the share in percent
// when counts have four digits) and a gallery of the most confidently wrong
// validation images the core sends with each evaluation. Clicking a cell shows that cell's own
// images, asked of the run's worker (`cellImages(t, p)` → { step, images }: off the diagonal its most
// confident mistakes, on it its least confident right answers); clicking it again shows the most
// wrong list. Without `cellImages` (or while it answers) the gallery filters the most wrong list.
// Class names come from the data, so every text goes in with textContent.

const pct = (x) => `${Math.round(x * 100)}%`;

/**
 * Column heads for narrow columns: each name's shortest prefix of at least two characters that no
 * other name starts with ("T-shirt/top" → "T-", "Trouser" → "Tr"; "cat" and "car" stay whole), at most four
 * characters; names that stay alike (or empty) get their class number instead.
 */
export function shortNames(names) {
  const MAX = 4;
  const lower = names.map((n) => String(n).toLowerCase());
  const heads = names.map((name, i) => {
    const n = String(name);
    for (let len = Math.min(2, n.length); len <= Math.min(MAX, n.length); len++) {
      const head = lower[i].slice(0, len);
      if (head && lower.every((other, j) => j === i || !other.startsWith(head))) return n.slice(0, len);
    }
    return n.length <= MAX && n ? n : String(i);
  });
  // Two heads still alike (one name a prefix of another, "cat" and "cats"): number both.
  return heads.map((h, i) => (heads.indexOf(h) !== heads.lastIndexOf(h) ? String(i) : h));
}

/** The run's latest matrix as the view keeps it: { step, matrix, mostWrong, classNames }. */
export function confusionOf(ev, classNames) {
  if (!Array.isArray(ev.confusion)) return null;
  const k = ev.confusion.length;
  const names = Array.from({ length: k }, (_, i) => classNames?.[i] ?? `class ${i}`);
  return { step: ev.step, matrix: ev.confusion, mostWrong: ev.mostWrong ?? [], classNames: names };
}

/**
 * `cellImages(t, p)`: a promise of { step, images } for the edited run's cell (step null before its
 * first finished evaluation), or null when there is no run to ask.
 */
export function createConfusionView(root, { doc = document, cellImages = null } = {}) {
  const el = (tag, cls, text) => {
    const n = doc.createElement(tag);
    if (cls) n.className = cls;
    if (text !== undefined) n.textContent = text;
    return n;
  };
  const grid = el("div", "cm-grid");
  const side = el("div", "cm-side");
  const note = el("p", "cm-note", "No evaluation yet: the matrix appears after the first one.");
  const gallery = el("div", "cm-gallery");
  side.append(note, gallery);
  root.replaceChildren(grid, side);

  let shown = null;       // the data drawn last (redraw only when it changes)
  let selected = null;    // { t, p } of the clicked cell, kept across evaluations
  // The worker's answer for the selected cell: { t, p, forData, step, images } or { ..., error };
  // forData is the `shown` it was asked for, so a new evaluation (or another edited run) asks again.
  let answer = null;
  let asking = null;      // the request under way: { t, p, forData }

  grid.addEventListener("click", (event) => {
    const cell = event.target.closest(".cm-cell");
    if (!cell || !shown) return;
    const t = Number(cell.dataset.true), p = Number(cell.dataset.predicted);
    selected = selected && selected.t === t && selected.p === p ? null : { t, p };
    render(shown);
  });

  const sameCell = (x) => Boolean(x && selected && x.t === selected.t && x.p === selected.p);
  const isFor = (x, c) => sameCell(x) && x.forData === c;

  /** Ask the worker for the selected cell's images of evaluation `c`, unless asked already. */
  function ask(c) {
    if (!cellImages || !selected || isFor(answer, c) || isFor(asking, c)) return;
    const job = { ...selected, forData: c };
    asking = job;
    let promise;
    try {
      promise = Promise.resolve(cellImages(job.t, job.p));
    } catch (e) {
      promise = Promise.reject(e);
    }
    promise.then((r) => (r ? { step: r.step ?? null, images: Array.from(r.images ?? []) } : { step: null, images: [], noRun: true }),
      (e) => ({ error: e instanceof Error ? e.message : String(e) }))
      .then((r) => {
        if (asking !== job) return;           // another cell or evaluation was asked since
        asking = null;
        answer = { ...job, ...r };
        if (shown === c) renderGallery(c);
      });
  }

  function renderMatrix(c) {
    const k = c.matrix.length;
    grid.style.gridTemplateColumns = `auto repeat(${k}, minmax(0, 1fr))`;
    grid.style.gridTemplateRows = `auto repeat(${k}, minmax(0, 1fr))`;
    // Four-digit counts (MNIST's 1,000 validation images per class) do not fit a narrow cell: then
    // each cell shows its share of the row in percent, and the count stays in its title and data-count.
    const percent = c.matrix.some((row) => row.reduce((a, b) => a + b, 0) > 999);
    grid.dataset.mode = percent ? "percent" : "count";
    // The corner stays short: its text sets the width of the row-name column, taken from the cells.
    const corner = el("span", "cm-corner", "true↓ pred.→");
    corner.title = percent ? "Rows: true class; columns: predicted; each cell: its share of the row in %" : "Rows: true class; columns: predicted; each cell: images";
    const cells = [corner];
    const short = shortNames(c.classNames);
    for (let p = 0; p < k; p++) {
      // Columns are narrow: a short name here, the full one in the title and on the rows.
      const h = el("span", "cm-col", short[p]);
      h.title = `predicted: ${c.classNames[p]}`;
      cells.push(h);
    }
    for (let t = 0; t < k; t++) {
      const row = c.matrix[t];
      const total = row.reduce((a, b) => a + b, 0);
      const h = el("span", "cm-row", c.classNames[t]);
      h.title = `true: ${c.classNames[t]} (${total} images)`;
      cells.push(h);
      for (let p = 0; p < k; p++) {
        const n = row[p];
        const rate = total > 0 ? n / total : 0;
        const cell = el("button", "cm-cell", percent ? String(Math.round(rate * 100)) : String(n));
        cell.type = "button";
        cell.dataset.count = n;
        cell.dataset.true = t;
        cell.dataset.predicted = p;
        // Right answers blue, mistakes red; the shade is the share of the true class's images.
        const rgb = t === p ? "37, 99, 235" : "220, 38, 38";
        cell.style.background = n > 0 ? `rgba(${rgb}, ${(0.08 + 0.92 * rate).toFixed(3)})` : "";
        if (rate > 0.5) cell.classList.add("dark");
        if (selected && selected.t === t && selected.p === p) cell.classList.add("selected");
        cell.title = `true: ${c.classNames[t]}, predicted: ${c.classNames[p]} — ${n} of ${total} (${pct(rate)})`;
        cells.push(cell);
      }
    }
    grid.replaceChildren(...cells);
  }

  function thumbnail(w) {
    const canvas = el("canvas", "cm-thumb");
    canvas.width = w.width;
    canvas.height = w.height;
    const rgba = new Uint8ClampedArray(w.width * w.height * 4);
    for (let i = 0, j = 0; i < rgba.length; i += 4, j += 3) {
      rgba[i] = w.rgb[j]; rgba[i + 1] = w.rgb[j + 1]; rgba[i + 2] = w.rgb[j + 2]; rgba[i + 3] = 255;
    }
    canvas.getContext("2d").putImageData(new ImageData(rgba, w.width, w.height), 0, 0);
    return canvas;
  }

  function item(w, names) {
    const fig = el("figure", "cm-item");
    fig.dataset.true = w.trueClass;
    fig.dataset.predicted = w.predicted;
    fig.dataset.index = w.index;
    const caption = el("figcaption");
    const right = w.trueClass === w.predicted;
    // A right answer of a diagonal cell: "right: 7 51%"; a mistake: "true: 7 → predicted: 2 99%".
    const parts = right
      ? [`right: ${names[w.trueClass]}`, ` ${pct(w.probability)}`]
      : [`true: ${names[w.trueClass]}`, ` → predicted: ${names[w.predicted]}`, ` ${pct(w.probability)}`];
    caption.append(...parts.map((text) => el("span", null, text)));
    fig.title = `validation image ${w.index}: ${parts.join("").trim()}`;
    fig.append(thumbnail(w), caption);
    return fig;
  }

  /** The note and images of the selected cell from the worker's answer `a`. */
  function cellGallery(c, a) {
    const names = c.classNames;
    const { t, p } = selected;
    const cell = t === p ? `${names[t]} right` : `${names[t]} predicted as ${names[p]}`;
    const again = " Click again for the most wrong.";
    if (a.error) return { text: `${cell}: could not get its images (${a.error}).${again}`, list: [] };
    if (a.step === null) {
      const why = a.noRun ? "there is no run to ask" : "the run has no finished evaluation yet";
      return { text: `${cell}: no images — ${why}.${again}`, list: [] };
    }
    const n = a.images.length;
    const count = a.step === c.step ? c.matrix[t]?.[p] ?? n : null;
    const of = count !== null && count > n ? ` of its ${count}` : "";
    const at = `evaluation at step ${a.step}`;
    if (n === 0) return { text: `${cell}: no images in the ${at}.${again}`, list: [] };
    const text = t === p
      ? `${cell}: the ${n} least confident${of} right answers (right, but barely), ${at}.${again}`
      : `${cell}: the ${n} most confident${of} mistakes, ${at}.${again}`;
    return { text, list: a.images };
  }

  function renderGallery(c) {
    const names = c.classNames;
    const cellsSay = grid.dataset.mode === "percent" ? " Cells: % of their row." : "";
    let list = c.mostWrong;
    if (!selected) {
      note.textContent = (c.mostWrong.length
        ? `The ${c.mostWrong.length} most confidently wrong validation images (step ${c.step}). Click a cell for its images.`
        : `No validation image is wrong at step ${c.step}.`) + cellsSay;
    } else if (cellImages && sameCell(answer)) {
      // This cell's images, from this evaluation or (until the new answer comes) the one before:
      // the note names the step they are from.
      const g = cellGallery(c, answer);
      note.textContent = g.text;
      list = g.list;
    } else {
      // No worker to ask, or its answer is on the way: the cell's images among the most wrong.
      const { t, p } = selected;
      list = c.mostWrong.filter((w) => w.trueClass === t && w.predicted === p);
      const cell = t === p ? `${names[t]} right` : `${names[t]} predicted as ${names[p]}`;
      note.textContent = cellImages
        ? `${cell}: getting its images…`
        : `${cell}: ${list.length} of the ${c.mostWrong.length} most confident mistakes. Click again for all.`;
    }
    gallery.replaceChildren(...list.map((w) => item(w, names)));
  }

  function render(c, { galleryLater = false } = {}) {
    shown = c;
    if (!c) {
      grid.replaceChildren();
      gallery.replaceChildren();
      note.textContent = "No evaluation yet: the matrix appears after the first one.";
      return;
    }
    if (selected && !(selected.t < c.matrix.length && selected.p < c.matrix.length)) selected = null;
    renderMatrix(c);
    if (!galleryLater) {
      renderGallery(c);
      ask(c);
      return;
    }
    // A new evaluation (the frame loop's turn) draws the gallery, up to 16 new canvases, a frame
    // later: with the matrix in the same task it made the page's longest main-thread task (issue 11
    // bounds it at 50 ms). A click draws both at once: it is the student's own action.
    doc.defaultView.requestAnimationFrame(() => {
      if (shown !== c) return;
      renderGallery(c);
      ask(c);
    });
  }

  return {
    /** Shows `c` (confusionOf's result, or null); does nothing when it is what is shown. */
    draw(c) {
      const next = c ?? null;
      if (next !== shown) render(next, { galleryLater: true });
    },
  };
}
