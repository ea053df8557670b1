// The nearest-neighbour panel (the lecture's "Image Retrieval: Nearest-Neighbor"): a target
// validation image, its nearest training images by the pretrained network's features and by raw
// pixels. The set and the network live in a small worker (neighbours-worker.js), so loading a target
// and searching 1,000 images never blocks the page; this side only draws the tiles.

const K = 8;
const POOL_PER_CLASS = 100;
// Steps between query images: a prime, so "Another image" walks through every class.
const STRIDE = 997;

export function createNeighbours({ query, features, pixels, summary, next }) {
  const worker = new Worker(new URL("./neighbours-worker.js", import.meta.url), { type: "module" });
  const waiting = new Map();
  let nextId = 0, token = 0, classNames = [], index = 0, valCount = 0, loaded = false;
  worker.onmessage = ({ data: msg }) => {
    const w = waiting.get(msg.id);
    waiting.delete(msg.id);
    if (msg.type === "error") w?.reject(new Error(msg.message));
    else w?.resolve(msg);
  };
  const ask = (msg) => new Promise((resolve, reject) => {
    const id = ++nextId;
    waiting.set(id, { resolve, reject });
    worker.postMessage({ ...msg, id });
  });

  /** `target`: one of ways.js TARGETS (its data set, and the classes kept of it). */
  async function use(target, weights) {
    const mine = ++token;
    next.disabled = true;
    loaded = false;
    summary.textContent = "loading…";
    delete summary.dataset.features;
    const base = new URL("./", document.baseURI).href;
    const r = await ask({ type: "use", target: { dataset: target.dataset, classes: target.classes }, weights, base, perClass: POOL_PER_CLASS });
    if (mine !== token) return;
    classNames = r.classNames;
    valCount = r.valCount;
    index = 0;
    loaded = true;
    await show(mine);
    next.disabled = false;
  }

  async function show(mine = token) {
    const { result: r } = await ask({ type: "show", index, k: K });
    if (mine !== token) return;
    const label = r.query.label;
    query.replaceChildren(tile(r.query, null));
    features.replaceChildren(...r.features.map((n) => tile(n, label)));
    pixels.replaceChildren(...r.pixels.map((n) => tile(n, label)));
    const same = (list) => list.filter((n) => n.label === label).length;
    summary.textContent = `“${classNames[label]}” (validation image ${index}): same class among the ${K} nearest — ` +
      `features ${same(r.features)}/${K}, pixels ${same(r.pixels)}/${K} (of ${r.pool} training images)`;
    summary.dataset.features = same(r.features);
    summary.dataset.pixels = same(r.pixels);
  }

  function tile(item, queryLabel) {
    const fig = document.createElement("figure");
    fig.className = "nn-tile";
    const canvas = document.createElement("canvas");
    canvas.width = item.width;
    canvas.height = item.height;
    canvas.getContext("2d").putImageData(new ImageData(item.rgba, item.width, item.height), 0, 0);
    const cap = document.createElement("figcaption");
    cap.textContent = classNames[item.label] ?? String(item.label);
    if (queryLabel !== null) {
      const match = item.label === queryLabel;
      fig.classList.add(match ? "match" : "miss");
      canvas.title = `${classNames[item.label]} (${match ? "same class" : "another class"}), distance ${item.distance.toFixed(2)}`;
    }
    fig.append(canvas, cap);
    return fig;
  }

  next.addEventListener("click", () => {
    if (!loaded) return;
    index = (index + STRIDE) % valCount;
    next.disabled = true;
    delete summary.dataset.features;
    show()
      .catch((e) => { summary.textContent = `Nearest neighbours: ${e.message}`; })
      .finally(() => { next.disabled = !loaded; });
  });

  return { use };
}
