// Service worker: keeps the page working offline once it has been loaded (a lecture hall's Wi-Fi is
// not a dependency). It is a template: vite.config.js writes dist/sw.js from it after each build,
// filling in the list of built files and a cache version derived from their contents.
// Only registered in production builds (each page's main.js; the sandbox page's through
// www/offline.js); the dev server never uses it.
//
// The wasm builds of the core (www/build.js): ASSETS, precached at install, holds the simd128 build
// (pkg/), the one every browser can run and the one the others fall back to, but not the
// relaxed-simd and threads builds' files (BUILDS: their .wasm, their glue chunks, the threads pool's
// worker), about 2.7 MB that a browser runs at most one of. Which one it runs is decided in a
// worker of the page (build.js: engine features, cross-origin isolation, cores, the link's build=),
// which the service worker cannot know at install, so those files are cached when needed instead:
//   - fetched through this service worker, they are kept (cache-first, like the precached files);
//   - the page says which build it runs (www/offline.js posts {type: "keep-build"}, on the first
//     visit too, whose files were fetched before this service worker controlled the page), and all
//     that build's files are fetched into the cache; the answer on the message's port says whether
//     they are.
// A page that does not say (labs, search, transfer, a slide's sandbox frame: they do not use
// www/offline.js yet) has its build kept only once it fetches it through this service worker, on
// a visit after this one became active. Not probed at activation in the browser's HTTP cache (fetch with
// only-if-cached): each build not there is a failed request (ERR_CACHE_MISS) in every first visit.
// Offline, a build that is not cached fails to load and www/build.js falls back (threads,
// relaxed-simd, simd128) to one that is; simd128 always is. The page still trains, and its header
// says why.
//
// The built-in data sets (data/<id>/*.idx.gz, tens of MB) are not in ASSETS: a learner who never
// picks MNIST should not download it. data/datasets.json is (it is small and lists them). A data file
// is cached when first fetched, in DATA_CACHE, whose name carries no build version so it survives
// app updates; www/data/builtin.js asks for each file with "?v=<its sha256>", so a rebuilt file has a
// new URL, and storing it drops the copies of the same path with another version.

const CACHE = "trainlab-__CACHE_VERSION__";
const DATA_CACHE = "trainlab-data";
const ASSETS = __ASSETS__;
/** The optional builds' files: { "relaxed-simd": ["./assets/…", …], threads: […] }. */
const BUILDS = __BUILDS__; /* global __BUILDS__ -- filled in like __ASSETS__ */
const absolute = (p) => new URL(p, self.location.href).href;
const OPTIONAL = new Set(Object.values(BUILDS).flat().map(absolute));
const DATA_PREFIX = new URL("data/", self.registration.scope).pathname;
const DATA_INDEX = DATA_PREFIX + "datasets.json";

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((c) => c.addAll(ASSETS)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys.filter((k) => k.startsWith("trainlab-") && k !== CACHE && k !== DATA_CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

// Built files have content hashes in their names, so cache-first is safe for them. The page itself
// (a navigation) goes to the network first, so a new build is picked up when online, and falls back
// to the cached copy of the page asked for offline (index.html for "./" and "slides/", labs.html for
// itself), and
// to the sandbox page only if that page is not cached. The hash part of the URL never reaches the
// service worker.
self.addEventListener("fetch", (event) => {
  const req = event.request;
  const url = new URL(req.url);
  if (req.method !== "GET" || url.origin !== self.location.origin) return;
  if (url.pathname.startsWith(DATA_PREFIX) && url.pathname !== DATA_INDEX) {
    event.respondWith(dataFile(event, url));
    return;
  }
  if (req.mode === "navigate") {
    const loose = { ignoreSearch: true, ignoreVary: true };
    // A folder URL ("…/slides/") was cached as its index.html.
    const folderIndex = () => (new URL(req.url).pathname.endsWith("/")
      ? caches.match(new URL("index.html", req.url).href, loose) : undefined);
    event.respondWith(fetch(req).catch(() => caches.match(req, loose)
      .then((hit) => hit || folderIndex())
      .then((hit) => hit || caches.match("./", loose))));
    return;
  }
  if (OPTIONAL.has(url.origin + url.pathname)) {
    event.respondWith(optionalFile(event));
    return;
  }
  // ignoreVary: servers such as vite preview send "Vary: Origin", and module scripts are fetched
  // in CORS mode, so a strict match would miss the cached copy.
  event.respondWith(caches.match(req, { ignoreVary: true }).then((hit) => hit || fetch(req)));
});

// A file of an optional build: from the cache, else fetched and kept.
async function optionalFile(event) {
  const cache = await caches.open(CACHE);
  const hit = await cache.match(event.request, { ignoreVary: true });
  if (hit) return hit;
  const res = await fetch(event.request);
  if (res.status === 200) {
    event.waitUntil(cache.put(event.request, res.clone()).catch((e) => console.warn(`offline cache: ${e.message}`)));
  }
  return res;
}

// The page names the build it runs; every file of that build not yet cached is fetched and kept.
// The answer ({ build, ok, error }) goes to the message's port, if it has one.
self.addEventListener("message", (event) => {
  const msg = event.data;
  if (msg?.type !== "keep-build") return;
  const reply = (answer) => event.ports[0]?.postMessage({ build: msg.build, ...answer });
  event.waitUntil(keepBuild(msg.build).then(() => reply({ ok: true }), (e) => reply({ ok: false, error: e.message })));
});

async function keepBuild(build) {
  // simd128 (or anything not in BUILDS) is precached: nothing to do.
  const files = Object.hasOwn(BUILDS, build) ? BUILDS[build] : [];
  const cache = await caches.open(CACHE);
  const missing = [];
  for (const f of files) if (!await cache.match(absolute(f), { ignoreVary: true })) missing.push(f);
  // addAll stores all or none, so a build is never half cached by this path.
  if (missing.length) await cache.addAll(missing);
}

// A data file: cache-first on its exact URL (version included); on a miss, fetched and kept. Offline
// and not cached, the answer is a 504 that says so (www/data/builtin.js shows the status text).
async function dataFile(event, url) {
  const cache = await caches.open(DATA_CACHE);
  const hit = await cache.match(event.request, { ignoreVary: true });
  if (hit) return hit;
  let res;
  try {
    res = await fetch(event.request);
  } catch {
    return new Response(null, { status: 504, statusText: "offline and not in the offline cache" });
  }
  if (res.status === 200) {
    event.waitUntil(cache.put(event.request, res.clone()).then(() => dropOtherVersions(cache, url)));
  }
  return res;
}

async function dropOtherVersions(cache, url) {
  for (const req of await cache.keys()) {
    const u = new URL(req.url);
    if (u.pathname === url.pathname && u.search !== url.search) await cache.delete(req);
  }
}
