// The page's side of the offline cache (www/sw.js): registers the service worker and tells it which
// wasm build of the core this page runs, so that build's files are cached although the service
// worker precaches only the simd128 build (why: sw.js's header).
//
// The build is read from the build line (#build-line's data-build, set by www/buildLine.js's
// showBuild from the worker's report, after any fallback): every page that shows a build shows it
// there. Each build seen is named to the active service worker once, and again to a new one (an
// update empties the cache of the old version). On the very first visit the worker fetched its build
// before the service worker was active; the message makes the service worker fetch it again, into
// the cache. A failure only warns: the page works without the offline cache.

// `?.`: bench/search.mjs serves the search page's modules unbundled, without Vite's import.meta.env.
const usable = (doc, nav) => import.meta.env?.PROD === true && "serviceWorker" in nav && doc.location?.protocol !== "file:";

/** Register ./sw.js (production builds over http(s) only) and keep the page's builds offline. */
export function registerOffline({ doc = document, nav = navigator } = {}) {
  if (!usable(doc, nav)) return;
  nav.serviceWorker.register("./sw.js").catch((e) => console.warn("offline cache unavailable:", e.message));
  keepBuildsOffline({ doc, nav });
}

/**
 * Name the builds `doc`'s build line shows to the service worker, without registering it: for a
 * page in the scope of a service worker that another page registers (a slide's sandbox frame).
 */
export function keepBuildsOffline({ doc = document, nav = navigator } = {}) {
  if (!usable(doc, nav)) return;
  const container = nav.serviceWorker;
  const line = doc.getElementById("build-line");
  if (!line) return;
  const builds = new Set();
  // The builds each service worker was told of: a new one (an update) is told again.
  const told = new WeakMap();
  const add = (b) => { if (b) builds.add(b); };

  async function tell() {
    const sw = (await container.ready).active;
    if (!sw) return;
    if (!told.has(sw)) told.set(sw, new Set());
    const done = told.get(sw);
    for (const build of builds) {
      if (done.has(build)) continue;
      done.add(build);
      ask(sw, build).then((answer) => {
        if (answer.ok) return;
        // Asked again at the next occasion (another build shown, a new service worker).
        done.delete(build);
        console.warn(`offline cache: the ${build} build is not cached (${answer.error})`);
      });
    }
  }
  const tellSoon = () => { tell().catch((e) => console.warn("offline cache:", e.message)); };

  // oldValue too: two builds shown in one task (two runs' workers) are two records.
  new MutationObserver((records) => {
    for (const r of records) add(r.oldValue);
    add(line.dataset.build);
    tellSoon();
  }).observe(line, { attributes: true, attributeFilter: ["data-build"], attributeOldValue: true });
  container.addEventListener("controllerchange", tellSoon);
  add(line.dataset.build);
  if (builds.size) tellSoon();
}

/** Post { type: "keep-build", build } to `sw`; resolves with its answer { build, ok, error }. */
function ask(sw, build) {
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = (ev) => { channel.port1.close(); resolve(ev.data ?? { ok: false, error: "no answer" }); };
    sw.postMessage({ type: "keep-build", build }, [channel.port2]);
  });
}
