// The words of the own-data loader: its one error type (a refusal the data card shows as it is)
// and the small helpers that put file names, counts and sizes into sentences. Names go into
// sentences only as text: the card shows them with textContent, never as markup.

/** A refusal of the learner's files, in plain words; the previously loaded data set stays. */
export class OwnDataError extends Error {
  constructor(message) {
    super(message);
    this.name = "OwnDataError";
  }
}

/** "a, b, c" or "a, b, c, d, e and 12 more": long lists name the first few. */
export function listNames(names, shown = 5, sep = ", ") {
  if (names.length <= shown) return names.join(sep);
  return `${names.slice(0, shown).join(sep)} and ${names.length - shown} more`;
}

/** "1 file" / "3 files". */
export const plural = (n, word, many = `${word}s`) => `${n.toLocaleString("en-US")} ${n === 1 ? word : many}`;

/** "47 MB", "2.1 GB" (decimal units, as file managers show them). */
export function megabytes(bytes) {
  if (bytes >= 1e9) return `${(bytes / 1e9).toFixed(1)} GB`;
  if (bytes >= 1e6) return `${Math.round(bytes / 1e6)} MB`;
  return `${Math.round(bytes / 1e3)} kB`;
}
