// A run's per-chunk history (the learning rate used and the update/weight ratios after each chunk of
// steps) stays bounded however long the run trains. Past `cap` entries the history is thinned to
// every other entry and from then on only every other chunk is kept, then every fourth, and so on:
// the points stay evenly spread over the whole run, at most `cap` of them. The charts draw at most
// 2000 points anyway (www/views/ratioChart.js), and the autosave copies the history into IndexedDB
// every few seconds: unbounded, a 100,000-step run's ratios alone took ~200 ms of structured clone.
// The newest chunk is always the last entry (held provisionally when it is off the stride), so the
// "now" of every chart stays current. Each step's loss is kept elsewhere, in full.

export const CHUNK_HISTORY_CAP = 2000;

/**
 * A recorder that appends one chunk's entries to several parallel lists (kept index-aligned:
 * replaying a saved run pairs lrUsed[i] with ratios[i]).
 */
export function createChunkHistory(cap = CHUNK_HISTORY_CAP) {
  let stride = 1;
  let count = 0;
  let provisional = false;   // the last entry is off the stride: the next chunk replaces it

  /** Append `items[k]` to `lists[k]` for every k. */
  function append(lists, items) {
    const onStride = count % stride === 0;
    count++;
    if (provisional) lists.forEach((l) => l.pop());
    lists.forEach((l, k) => l.push(items[k]));
    provisional = !onStride;
    if (lists[0].length <= cap) return;
    // The entries on the stride (0, s, 2s, …) keep every other one, from the first; the newest
    // entry stays last, provisional unless it falls on the new stride.
    const body = provisional ? lists[0].length - 1 : lists[0].length;
    const newestOnStride = !provisional && (body - 1) % 2 === 0;
    for (const l of lists) {
      const kept = l.slice(0, body).filter((_, i) => i % 2 === 0);
      if (!newestOnStride) kept.push(l[l.length - 1]);
      l.splice(0, l.length, ...kept);
    }
    provisional = !newestOnStride;
    stride *= 2;
  }

  return { append, get stride() { return stride; } };
}
