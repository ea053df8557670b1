// Link settings of transfer.html, so that an instructor can set the page up from a link (or embed it
// in a slide): transfer.html#target=fashion-new&per=20&steps=300. Bad values are named in a message
// and the rest applied (as www/labs/main.js does); the page writes the link back as the form changes.

import { BUILD_KEY, THREADS_KEY } from "../buildKeys.js";
import { TARGETS } from "./ways.js";

export const LIMITS = { per: [1, 1000], steps: [10, 5000] };
export const DEFAULTS = { target: "fashion-new", per: 20, steps: 300 };

const whole = (raw, [lo, hi]) => {
  const v = Number(raw);
  return /^\d+$/.test(raw.trim()) && v >= lo && v <= hi ? v : null;
};

/** { settings, bad }: the link's settings over DEFAULTS, and one message per bad or unknown key. */
export function readLink(hash) {
  const params = new URLSearchParams(hash.replace(/^#/, ""));
  const settings = { ...DEFAULTS };
  const bad = [];
  for (const [key, raw] of params) {
    if (key === "target") {
      if (TARGETS.some((t) => t.id === raw)) settings.target = raw;
      else bad.push(`Link setting "target" has a bad value "${raw}": it must be ${TARGETS.map((t) => t.id).join(" or ")}. Using ${DEFAULTS.target}.`);
    } else if (key === "per" || key === "steps") {
      const v = whole(raw, LIMITS[key]);
      const [lo, hi] = LIMITS[key];
      if (v !== null) settings[key] = v;
      else bad.push(`Link setting "${key}" has a bad value "${raw}": it must be a whole number from ${lo} to ${hi}. Using ${DEFAULTS[key]}.`);
    } else if (key === BUILD_KEY || key === THREADS_KEY) {
      // The core's build (www/buildKeys.js): the page reads it itself.
    } else {
      bad.push(`Unknown link setting "${key}" (value "${raw}"): the transfer page reads target, per and steps.`);
    }
  }
  return { settings, bad };
}

/** The link of `settings` (only what differs from DEFAULTS; "" for all defaults). */
export function writeLink(settings) {
  const p = new URLSearchParams();
  for (const key of Object.keys(DEFAULTS)) if (settings[key] !== DEFAULTS[key]) p.set(key, String(settings[key]));
  const s = p.toString();
  return s ? `#${s}` : "";
}
