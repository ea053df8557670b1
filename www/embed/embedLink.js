// The link of a sandbox inside a slide (embed.html):
//
//   embed.html#<sandbox link>&charts=loss,lr&autoplay&origin=https://course.example&id=cosine&preview=2
//
// <sandbox link> is the page's own link (www/link.js: settings, `|` runs, scenario=, hide=, show=);
// the keys below belong to the frame and are taken out of its first segment before the sandbox reads
// it. Pure functions (node tests).

/** The cards a frame can show, by link name → element id in www/sandbox.html. */
export const CARDS = {
  loss: "loss-card", acc: "acc-card", lr: "lr-card", ratio: "ratio-card", calibration: "calibration-card",
  confusion: "confusion-card", preview: "preview-card",
};
/** Parts other than cards that `charts=` can name. */
export const PARTS = ["table", "stats", "note"];
const KNOWN = [...Object.keys(CARDS), ...PARTS];

/** Frame keys (values are strings; flags take no value). */
const EMBED_KEYS = ["charts", "autoplay", "origin", "id", "preview"];
const MAX_SHOWN = 60;

/** A value as the frame's message shows it: at most MAX_SHOWN characters. */
const shown = (v) => (v.length > MAX_SHOWN ? `${v.slice(0, MAX_SHOWN)}…` : v);

/** `https://a.example:8443` for a well-formed origin, else null. */
export function normalizeOrigin(text) {
  try {
    const u = new URL(text);
    if (!/^https?:$/.test(u.protocol) || u.origin === "null") return null;
    return u.origin;
  } catch {
    return null;
  }
}

/**
 * Split an embed hash into the sandbox's link and the frame's options. Returns
 * { sandboxHash, charts, autoplay, origins, id, previewRun, problems }: charts the card/part names in
 * order (null when the link names none); origins the allow-list for the host API (empty: only the
 * frame's own origin); id the storage key (null: the link); previewRun the run (1-based) whose batch
 * the preview shows; problems messages naming each bad key or value.
 */
export function parseEmbedLink(hash) {
  const text = hash.startsWith("#") ? hash.slice(1) : hash;
  const [first, ...rest] = text.split("|");
  const out = { charts: null, autoplay: false, origins: [], id: null, previewRun: 1, problems: [] };
  const kept = [];
  for (const part of first.split("&")) {
    const eq = part.indexOf("=");
    const key = eq < 0 ? part : part.slice(0, eq);
    if (!EMBED_KEYS.includes(key)) {
      if (part) kept.push(part);
      continue;
    }
    let value;
    try {
      value = decodeURIComponent(eq < 0 ? "" : part.slice(eq + 1));
    } catch {
      out.problems.push(`Frame setting "${key}" is not valid URL encoding — ignored.`);
      continue;
    }
    readKey(out, key, value, eq >= 0);
  }
  out.sandboxHash = "#" + [kept.join("&"), ...rest].join("|");
  return out;
}

function readKey(out, key, value, hasValue) {
  const names = value.split(",").map((x) => x.trim()).filter(Boolean);
  switch (key) {
    case "charts": {
      const good = names.filter((n) => KNOWN.includes(n));
      for (const n of names.filter((x) => !KNOWN.includes(x))) {
        out.problems.push(`Frame setting "charts" names "${shown(n)}", which is no chart — use ${KNOWN.join(", ")}.`);
      }
      out.charts = [...new Set(good)];
      break;
    }
    case "autoplay":
      if (!hasValue || ["1", "true", "on", "yes"].includes(value)) out.autoplay = true;
      else if (!["0", "false", "off", "no"].includes(value)) {
        out.problems.push(`Frame setting "autoplay" has a bad value "${shown(value)}": write autoplay or autoplay=0.`);
      }
      break;
    case "origin":
      for (const n of names) {
        const o = normalizeOrigin(n);
        if (o) out.origins.push(o);
        else out.problems.push(`Frame setting "origin" names "${shown(n)}", which is no http(s) origin such as https://course.example — ignored.`);
      }
      break;
    case "preview":
      if (/^[1-4]$/.test(value)) out.previewRun = Number(value);
      else out.problems.push(`Frame setting "preview" has a bad value "${shown(value)}": the number of a run, 1 to 4.`);
      break;
    case "id":
      if (value) out.id = value.slice(0, 200);
      else out.problems.push(`Frame setting "id" is empty — the run is kept under its link.`);
      break;
  }
}

/** The cards and parts to show: the link's list, else loss and accuracy (and the table for several runs). */
export function chosenCharts(charts, runCount) {
  if (charts && charts.some((c) => CARDS[c])) return charts;
  return [...(charts ?? []), "loss", "acc", ...(runCount > 1 && !charts?.includes("table") ? ["table"] : [])];
}

/** Columns for `cards` cards in a w×h frame: side by side while each keeps a useful shape. */
export function columnsFor(cards, w, h) {
  if (cards <= 1) return 1;
  const wide = w / h;
  if (cards === 2) return wide >= 1.2 ? 2 : 1;
  if (cards === 3) return wide >= 1.9 ? 3 : wide >= 1.2 ? 2 : 1;
  return wide >= 1.2 ? Math.min(3, Math.ceil(cards / 2)) : 2;
}
