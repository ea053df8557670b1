// A short printable form of a value from outside the page (a host's message, a file's field) for an
// error message. JSON.stringify writes NaN and ±Infinity as null, so a NaN would be reported as
// "null": they are named here ({"lr":NaN}), undefined and functions too, and the text is capped.

export const MAX_SHOWN = 60;

// A private-use character marks the names: JSON.stringify keeps it as it is (it escapes control
// characters), and a real string made only of a marked name is shown as that name — harmless.
const MARK = "\uE000";

/** `value` as JSON with NaN, Infinity, -Infinity and undefined by name, at most `max` characters. */
export function showValue(value, max = MAX_SHOWN) {
  let text;
  try {
    text = JSON.stringify(value, (_, v) => {
      if (typeof v === "number" && !Number.isFinite(v)) return `${MARK}${v}${MARK}`;
      if (v === undefined || typeof v === "function" || typeof v === "bigint") return `${MARK}${String(v)}${MARK}`;
      return v;
    });
  } catch {
    text = undefined;   // a cycle: String() below
  }
  text = text === undefined ? String(value) : text.replace(new RegExp(`"${MARK}([^${MARK}]*)${MARK}"`, "g"), "$1");
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
