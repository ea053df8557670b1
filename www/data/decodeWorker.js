// Decodes a learner's PNG/JPEG files off the page's thread: each image is centre-cropped to a square,
// resized to the network's input (w×h) and turned into u8 planes, C×H×W (RGB, or grey for a
// 1-channel input). Nothing is fetched: the files are the learner's File objects, read here.
//
// Message in:  { files: File[], c, h, w }  (a file above MAX_IMAGE_BYTES is skipped unread)
// Messages out: { type: "progress", done } every few images, then
//   { type: "done", pixels: ArrayBuffer (ok.length · c·h·w bytes, transferred), ok: [index…],
//     failed: [{ index, reason }], sizes: [[width, height]…] (of the ok images, before cropping) }
//
// Why the header is read first: a small PNG can claim 30,000×30,000 pixels, and decoding it would
// take gigabytes; the sides are checked before createImageBitmap ever sees the file.

/** An image file above this is skipped unread (a photo is a few MB; this is no class-folder image). */
const MAX_IMAGE_BYTES = 50_000_000;
const MAX_SIDE = 10000;            // a 10,000-pixel side is far beyond any photo a class folder needs
const MAX_PIXELS = 40_000_000;     // 40 megapixels: a decoded RGBA bitmap of at most 160 MB
const HEADER_BYTES = 256 * 1024;   // JPEG's size marker follows EXIF/ICC blocks, usually well within this
const PROGRESS_EVERY = 20;
const IN_FLIGHT = 8;                // files read and decoded ahead of the one being drawn

/** "png", "jpeg", or null from a file's first bytes. */
function sniff(b) {
  if (b.length >= 8 && b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47) return "png";
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return "jpeg";
  return null;
}

/** [width, height] from a PNG's IHDR or a JPEG's start-of-frame marker, or null when not found. */
function headerSize(kind, b) {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  if (kind === "png") return b.length >= 24 ? [dv.getUint32(16), dv.getUint32(20)] : null;
  let i = 2;
  while (i + 9 < b.length) {
    if (b[i] !== 0xff) { i++; continue; }
    const marker = b[i + 1];
    // SOF0–SOF15 carry the frame size, except DHT (C4), JPG (C8) and DAC (CC).
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      return [dv.getUint16(i + 7), dv.getUint16(i + 5)];
    }
    if (marker === 0xda || marker === 0xd9) return null;   // start of scan / end: no frame size before it
    if (marker === 0xd8 || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7) || marker === 0xff) { i += marker === 0xff ? 1 : 2; continue; }
    i += 2 + dv.getUint16(i + 2);
  }
  return null;
}

/**
 * The file's bytes to decode (a Blob: the bytes already read when the file is small, else the file),
 * or { why } it cannot be used. The size is read here, not on the page: the first File.size of a
 * file from a folder costs a file-system call, about half a millisecond each.
 */
async function check(file) {
  if (file.size > MAX_IMAGE_BYTES) {
    const size = file.size >= 1e9 ? `${(file.size / 1e9).toFixed(1)} GB` : `${Math.round(file.size / 1e6)} MB`;
    return { why: `is ${size}, more than the ${MAX_IMAGE_BYTES / 1e6} MB an image may have; skipped unread` };
  }
  const whole = file.size <= HEADER_BYTES;
  const head = new Uint8Array(await (whole ? file : file.slice(0, HEADER_BYTES)).arrayBuffer());
  const kind = sniff(head);
  if (!kind) return { why: "is not a PNG or JPEG file by its first bytes" };
  const size = headerSize(kind, head);
  if (size && (size[0] > MAX_SIDE || size[1] > MAX_SIDE || size[0] * size[1] > MAX_PIXELS)) {
    return { why: `is ${size[0]}×${size[1]} pixels, larger than the ${MAX_SIDE}-pixel side or ${MAX_PIXELS / 1e6} megapixels decoded here` };
  }
  return { blob: whole ? new Blob([head]) : file };
}

/** A decoded bitmap of `file`, or { why } it cannot be used. */
async function open(file) {
  let checked;
  try {
    checked = await check(file);
  } catch (err) {
    return { why: `could not be read (${err?.name ?? "error"}: moved or deleted since it was chosen?)` };
  }
  const { why, blob } = checked;
  if (why) return { why };
  try {
    return { bitmap: await createImageBitmap(blob) };
  } catch {
    return { why: "could not be decoded: a damaged or unsupported image" };
  }
}

async function decodeAll({ files, c, h, w }) {
  const canvas = new OffscreenCanvas(w, h);
  const g = canvas.getContext("2d", { willReadFrequently: true });
  g.imageSmoothingEnabled = true;
  g.imageSmoothingQuality = "high";
  const plane = h * w;
  const out = new Uint8Array(files.length * c * plane);
  const ok = [], failed = [], sizes = [];
  // Reading and decoding wait on the file system and the image decoder: IN_FLIGHT files are opened
  // ahead while earlier ones are drawn, in order, onto the one canvas.
  const ahead = [];
  for (let i = 0; i < Math.min(IN_FLIGHT, files.length); i++) ahead.push(open(files[i]));

  for (let i = 0; i < files.length; i++) {
    const { why, bitmap } = await ahead.shift();
    if (i + IN_FLIGHT < files.length) ahead.push(open(files[i + IN_FLIGHT]));
    if (why) {
      failed.push({ index: i, reason: why });
    } else {
      const { width, height } = bitmap;
      const side = Math.min(width, height);
      // Transparent pixels become white, as an image viewer shows them.
      g.fillStyle = "#fff";
      g.fillRect(0, 0, w, h);
      g.drawImage(bitmap, (width - side) / 2, (height - side) / 2, side, side, 0, 0, w, h);
      bitmap.close();
      const rgba = g.getImageData(0, 0, w, h).data;
      const at = ok.length * c * plane;
      if (c === 1) {
        // Rec. 601 luma, as MNIST-like grey images are usually made.
        for (let p = 0; p < plane; p++) {
          out[at + p] = Math.round(0.299 * rgba[4 * p] + 0.587 * rgba[4 * p + 1] + 0.114 * rgba[4 * p + 2]);
        }
      } else {
        for (let ch = 0; ch < c; ch++) {
          for (let p = 0; p < plane; p++) out[at + ch * plane + p] = rgba[4 * p + ch];
        }
      }
      ok.push(i);
      sizes.push([width, height]);
    }
    if ((i + 1) % PROGRESS_EVERY === 0) self.postMessage({ type: "progress", done: i + 1 });
  }
  const pixels = out.slice(0, ok.length * c * plane).buffer;
  self.postMessage({ type: "done", pixels, ok, failed, sizes }, [pixels]);
}

self.onmessage = (event) => {
  decodeAll(event.data).catch((err) => self.postMessage({ type: "error", message: String(err?.message ?? err) }));
};
