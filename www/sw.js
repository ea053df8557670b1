// Service worker: keeps the page working offline once it has been loaded (a lecture hall's Wi-Fi is
// not a dependency). It is a template: vite.config.js writes dist/sw.js from it after each build,
// filling in the list of built files and a cache version derived from their contents.
// Only registered in production builds (main.js); the dev server never uses it.

const CACHE = "trainlab-__CACHE_VERSION__";
const ASSETS = __ASSETS__;

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((c) => c.addAll(ASSETS)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys.filter((k) => k.startsWith("trainlab-") && k !== CACHE).map((k) => caches.delete(k))))
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
  if (req.method !== "GET" || new URL(req.url).origin !== self.location.origin) return;
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
  // ignoreVary: servers such as vite preview send "Vary: Origin", and module scripts are fetched
  // in CORS mode, so a strict match would miss the cached copy.
  event.respondWith(caches.match(req, { ignoreVary: true }).then((hit) => hit || fetch(req)));
});
