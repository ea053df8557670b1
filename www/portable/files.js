// Files out of the page: a file name that says which run it is, and bytes handed to the browser as
// a download (a Blob behind a temporary link), which needs no server.

/** "trainlab-shapes-cnn-step1200", or "trainlab-lenet-mnist-step300" when the preset does not name the set. */
export function fileBase(values, step) {
  const safe = (s) => String(s).toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "");
  const preset = safe(values.preset), data = safe(values.data);
  const name = preset.startsWith(data) ? preset : `${preset}-${data}`;
  return `trainlab-${name}-step${step}`;
}

/** The browser saves `bytes` (a Uint8Array or string) as `name`. */
export function download(doc, bytes, name, type = "application/octet-stream") {
  const url = URL.createObjectURL(new Blob([bytes], { type }));
  const a = doc.createElement("a");
  a.href = url;
  a.download = name;
  a.hidden = true;
  doc.body.append(a);
  a.click();
  a.remove();
  // The download has its own copy once started; the URL only has to outlive the click.
  setTimeout(() => URL.revokeObjectURL(url), 30000);
}

/** A picked File's bytes. */
export async function readFile(file) {
  return new Uint8Array(await file.arrayBuffer());
}
