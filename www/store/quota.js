// The browser's storage for the site: asking once that it be persistent (not evicted when the disk
// fills), and how much is used. Both are best effort: a browser without navigator.storage keeps
// the runs anyway, only without the guarantee.

let asked = null;

/** Ask for persistent storage, once per page (after a user gesture, where browsers grant it). */
export function askPersistence(nav = globalThis.navigator) {
  asked ??= Promise.resolve(nav?.storage?.persist?.() ?? false).catch(() => false);
  return asked;
}

/** { usage, quota, persisted } in bytes (NaN when the browser does not say). */
export async function storageInfo(nav = globalThis.navigator) {
  const s = nav?.storage;
  const [est, persisted] = await Promise.all([
    s?.estimate?.().catch(() => null) ?? null,
    s?.persisted?.().catch(() => false) ?? false,
  ]);
  return { usage: est?.usage ?? NaN, quota: est?.quota ?? NaN, persisted: Boolean(persisted) };
}

/** Bytes as a student reads them: 812 kB, 3.4 MB. */
export function formatBytes(n) {
  if (!Number.isFinite(n)) return "?";
  if (n < 1e3) return `${n} B`;
  if (n < 1e6) return `${(n / 1e3).toFixed(n < 1e4 ? 1 : 0)} kB`;
  if (n < 1e9) return `${(n / 1e6).toFixed(n < 1e7 ? 1 : 0)} MB`;
  return `${(n / 1e9).toFixed(1)} GB`;
}
