// A promise that may never settle, bounded: a pool that never starts, a store another page holds
// locked. Shared by www/build.js and www/store/.

/** `promise`, or a rejection with an Error of `message` after `ms` (the timer is cleared either way). */
export function withTimeout(promise, ms, message) {
  let timer;
  const late = new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(message)), ms); });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}
