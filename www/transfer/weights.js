// The pretrained network the page ships (scripts/pretrain.mjs writes it): Vite copies the file into
// the build's assets (so the service worker precaches it with the rest of the page) and this URL
// points at that copy.

export const WEIGHTS_URL = new URL("../../assets/pretrained/lenet-fashion-even.safetensors", import.meta.url);

/** The weights file's bytes; rejects with an Error naming the file and what went wrong. */
export async function loadWeights(url = WEIGHTS_URL) {
  const what = "the pretrained network (lenet-fashion-even.safetensors)";
  let res;
  try {
    res = await fetch(url);
  } catch (e) {
    throw new Error(`${what} could not be fetched: ${e.message}`);
  }
  if (!res.ok) throw new Error(`${what}: HTTP ${res.status}`);
  return new Uint8Array(await res.arrayBuffer());
}
