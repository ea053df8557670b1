// What the learner gave, as a flat list of { path, file }: from a folder chosen with
// <input type=file webkitdirectory> (Chromium, Firefox, Safari), from files chosen with a plain file
// input, or from a drag and drop (DataTransferItem.webkitGetAsEntry, walked recursively).
//
// `path` is relative to the folder the learner chose, so a file in a class subfolder is
// "cats/01.png"; a file directly in the chosen folder (or a dropped loose file) has no "/".
// `root` names the chosen folder (for messages), or "" for loose files; `folder` says a folder was
// chosen (an empty one has no name to give).
// System clutter (.DS_Store, ._x AppleDouble files, __MACOSX/, Thumbs.db, desktop.ini) is dropped
// and counted in `hidden`, because a learner never put it there on purpose.

/** Walking stops here: a drop of a whole disk must not hang the page listing it. */
export const MAX_LISTED = 1_000_000;

const SYSTEM_NAMES = new Set(["thumbs.db", "desktop.ini", "__macosx"]);

function isSystem(path) {
  return path.split("/").some((part) => part.startsWith(".") || SYSTEM_NAMES.has(part.toLowerCase()));
}

/** The tree in path order: the same folder gives the same list (and messages) in every browser. */
function tree(list, root, folder) {
  const entries = list.filter((e) => !isSystem(e.path)).sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { root, folder, entries, hidden: list.length - entries.length };
}

/**
 * From an <input type=file> FileList: with webkitdirectory every path starts with the chosen folder.
 * `folder`: the input chooses a folder (an empty folder gives an empty list, and no name).
 */
export function fromFileList(fileList, { folder = false } = {}) {
  const files = [...fileList];
  const rel = files.map((f) => f.webkitRelativePath || "");
  if (files.length > 0 && rel.every((p) => p.includes("/"))) {
    const root = rel[0].split("/")[0];
    return tree(files.map((file, i) => ({ path: rel[i].slice(rel[i].indexOf("/") + 1), file })), root, true);
  }
  return tree(files.map((file) => ({ path: file.name, file })), "", folder);
}

function readAll(reader) {
  // readEntries gives at most ~100 entries per call; it is called until it gives none.
  return new Promise((resolve, reject) => {
    const all = [];
    const next = () => reader.readEntries((batch) => {
      if (batch.length === 0) resolve(all);
      else { all.push(...batch); if (all.length > MAX_LISTED) resolve(all); else next(); }
    }, reject);
    next();
  });
}

const fileOf = (entry) => new Promise((resolve, reject) => entry.file(resolve, reject));

async function walk(entry, prefix, out) {
  if (out.length > MAX_LISTED) return;
  if (entry.isFile) {
    out.push({ path: prefix + entry.name, file: await fileOf(entry) });
  } else if (entry.isDirectory) {
    if (isSystem(entry.name)) return;
    for (const child of await readAll(entry.createReader())) await walk(child, `${prefix}${entry.name}/`, out);
  }
}

/**
 * Entries of a drop's DataTransfer. Call it inside the drop handler: the items can be read only
 * during the event, so their entries are taken synchronously before anything is awaited.
 * One dropped folder is the chosen folder (its subfolders are the classes); several dropped
 * folders are the classes themselves.
 */
export async function fromDataTransfer(dataTransfer) {
  const items = [...(dataTransfer.items ?? [])].filter((i) => i.kind === "file");
  const tops = items.map((i) => i.webkitGetAsEntry?.() ?? null);
  if (tops.length === 0 || tops.some((t) => !t)) return fromFileList(dataTransfer.files ?? []);
  const out = [];
  if (tops.length === 1 && tops[0].isDirectory) {
    for (const child of await readAll(tops[0].createReader())) await walk(child, "", out);
    return tree(out, tops[0].name, true);
  }
  for (const top of tops) await walk(top, "", out);
  return tree(out, "", false);
}
