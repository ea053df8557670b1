// Vite config for the trainlab page.
//
// - base "./": the built dist/ works from any path (a course site, a slide deck's folder).
// - The training worker is bundled as an ES module worker (worker.js imports the wasm glue).
// - Pages: index.html (the training sandbox), embed.html (the sandbox inside a slide's frame),
//   labs.html (initialization lab and activation explorer, www/labs/), transfer.html (transfer
//   learning, www/transfer/), search.html (grid vs random search, www/search/), slides/index.html (the
//   lecture's reveal.js deck) and examples/host.html (a page driving an embed by postMessage). All are
//   build inputs; their assets land in the same dist/assets/.
// - sandboxInclude(): index.html and embed.html share the sandbox's markup, www/sandbox.html, put in
//   place of their `<!-- trainlab:include www/sandbox.html -->` comment (dev server and build alike).
// - offlineServiceWorker(): after a production build, writes dist/sw.js from www/sw.js with the
//   list of every built file (both pages and all their assets), so the pages keep working offline
//   once loaded. The built-in data sets' files (data/<id>/…) are left out of that list: the service
//   worker caches them when first fetched (www/sw.js); data/datasets.json stays in. So are the
//   relaxed-simd and threads builds' files (buildOfFiles() finds them): sw.js lists them apart and
//   caches the one build this browser runs (www/offline.js tells it which).
// - builtinDatasets(): before the dev server starts and before a build, scripts/build-datasets.mjs
//   writes MNIST and Fashion-MNIST into generated/public/data/ (git-ignored; a second run only checks
//   that they are up to date). generated/public is Vite's public folder, so the dev server serves it
//   at ./data/ and the build copies it to dist/data/.
// - strictPolicy(): the Content-Security-Policy below, as a <meta> in every built page and as a header
//   from `vite preview` (make preview) on the pages and scripts. The dev server sends it too, with
//   style-src relaxed: Vite's dev client injects the CSS through <style> elements (and the HMR socket
//   needs ws:).
// - isolation: with the policy, every page and script (workers included) is sent
//   Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp, by the dev
//   server and `vite preview` (make serve, make preview, the e2e tests): a page is then cross-origin
//   isolated, which the threaded build needs (SharedArrayBuffer; www/build.js). A static host without
//   these headers gets the single-threaded builds, and the page's header says why. Not on data files:
//   tests/e2e/host-page.test.mjs opens one as a page of another origin that must stay un-isolated.
// - missingBuilds(): pkg-relaxed/ and pkg-threads/ are optional (scripts/pkg.sh); an import of one that
//   is not built resolves to a stand-in module that says so, and the page falls back to pkg/.
// - bootScript(): public/boot.js, a classic script, first in every page's <head> after the policy
//   (dev and build), so it runs before any module chunk: the locale guard and the boot failure
//   messages. It is served at /boot.js in dev and written to dist/boot.js (public/ is not Vite's
//   public folder here: generated/public is, and it is git-ignored).

import { defineConfig } from "vite";
import { createHash } from "node:crypto";
import { createReadStream, existsSync, readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { buildDatasets, DEFAULT_OUT as GENERATED_PUBLIC } from "./scripts/build-datasets.mjs";

const root = import.meta.dirname;

function listFiles(dir) {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? listFiles(p) : [p];
  });
}

const INCLUDE = /<!-- trainlab:include ([\w./-]+) -->/g;

function sandboxInclude() {
  return {
    name: "trainlab-include",
    transformIndexHtml: {
      order: "pre",
      handler: (html) => html.replace(INCLUDE, (_, file) => readFileSync(resolve(root, file), "utf8")),
    },
  };
}

// The dev and preview servers (sirv) send a .gz file with "Content-Encoding: gzip", so the browser
// would gunzip it before www/data/builtin.js sees it (and the service worker would store it raw). Plain
// static hosts send it as it is; so do we, for the data files.
const DATA_GZ = /^\/data\/[\w-]+\/[\w.-]+\.gz$/;
function serveDataAsIs(dir) {
  return (req, res, next) => {
    const path = decodeURIComponent(new URL(req.url, "http://host").pathname);
    const file = join(dir, path);
    if (!["GET", "HEAD"].includes(req.method) || !DATA_GZ.test(path) || !existsSync(file)) return next();
    res.setHeader("Content-Type", "application/gzip");
    res.setHeader("Content-Length", statSync(file).size);
    res.setHeader("Cache-Control", "no-cache");
    if (req.method === "HEAD") res.end();
    else createReadStream(file).pipe(res);
  };
}

function builtinDatasets() {
  return {
    name: "trainlab-datasets",
    configureServer(server) { server.middlewares.use(serveDataAsIs(GENERATED_PUBLIC)); },
    configurePreviewServer(server) {
      server.middlewares.use(serveDataAsIs(resolve(server.config.root, server.config.build.outDir)));
    },
    // The config hook runs before Vite lists the public folder (dev) or copies it (build). `vite
    // preview` serves a finished dist/ and needs nothing.
    async config(_, { isPreview }) {
      if (isPreview) return;
      const { skipped, ms } = await buildDatasets({ log: (m) => console.log(m) });
      if (!skipped) console.log(`build-datasets: built in ${(ms / 1000).toFixed(1)} s`);
    },
  };
}

// The pages' policy. No 'unsafe-inline', no 'unsafe-eval': every script is a file of the build, every
// style a stylesheet or a script's element.style. 'wasm-unsafe-eval' lets the core compile.
// Narrower than docs/CONTRACT.md's first draft, which also allowed blob: in img-src, worker-src and
// connect-src and data: in connect-src: no page loads an image, a worker or a fetch from such a URL
// (workers are files of the build; own images are decoded from File objects with createImageBitmap;
// downloads are <a href="blob:…"> navigations, which CSP does not govern). img-src keeps data: for the
// favicon (data:,) and reveal.js's theme images (data: URLs in its CSS). frame-src 'self': the deck's
// and the host example's sandboxes are this build's embed.html.
export const CSP = [
  "default-src 'self'", "script-src 'self' 'wasm-unsafe-eval'", "style-src 'self'", "img-src 'self' data:",
  "worker-src 'self'", "connect-src 'self'", "frame-src 'self'", "object-src 'none'",
  "base-uri 'self'", "form-action 'self'",
].join("; ");
// The dev server's: Vite's client injects <style> elements and opens a websocket for hot reload.
const DEV_CSP = CSP.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")
  .replace("connect-src 'self'", "connect-src 'self' ws: wss:");

// Cross-origin isolation (docs/CONTRACT.md, "Faster on every machine"): the threaded build's shared
// memory needs it. Every resource of a page is same-origin, so require-corp refuses nothing of ours.
export const ISOLATION = {
  "Cross-Origin-Opener-Policy": "same-origin",
  "Cross-Origin-Embedder-Policy": "require-corp",
};

function strictPolicy() {
  // On the documents and scripts only: a policy governs the document it arrives with, and a worker
  // (sw.js, the training workers) takes its policy from its own script's response, not from the page.
  // A data file opened as a document carries none (tests/e2e/host-page.test.mjs builds a page of
  // another origin on one).
  const POLICED = /(\.html|\.js|\/)$/;
  const header = (csp) => (req, res, next) => {
    if (POLICED.test(new URL(req.url, "http://host").pathname)) {
      res.setHeader("Content-Security-Policy", csp);
      for (const [name, value] of Object.entries(ISOLATION)) res.setHeader(name, value);
    }
    next();
  };
  return {
    name: "trainlab-csp",
    configureServer(server) { server.middlewares.use(header(DEV_CSP)); },
    configurePreviewServer(server) { server.middlewares.use(header(CSP)); },
    transformIndexHtml: {
      order: "post",
      // Build only: in dev the page's CSS arrives as <style> elements the strict policy would refuse.
      handler: (html, ctx) => (ctx.server ? html : html.replace(/(<meta charset="[^"]*">)/i,
        `$1\n  <meta http-equiv="Content-Security-Policy" content="${CSP}">`)),
    },
  };
}

// The optional wasm packages (www/build.js imports them by literal paths). One that is not built
// resolves to a stand-in whose `missing` names it, so dev and build work with pkg/ alone.
const OPTIONAL_PKG = /(?:^|\/)(pkg-relaxed|pkg-threads)\/trainlab\.js$/;
const STAND_IN = "\0trainlab-missing-build:";

function missingBuilds() {
  return {
    name: "trainlab-missing-builds",
    enforce: "pre",
    resolveId(source, importer) {
      const m = OPTIONAL_PKG.exec(source);
      if (!m || !importer || importer.startsWith("\0")) return null;
      const file = resolve(dirname(importer.split("?")[0]), source);
      return existsSync(file) ? null : STAND_IN + m[1];
    },
    load(id) {
      if (!id.startsWith(STAND_IN)) return null;
      const dir = id.slice(STAND_IN.length);
      const script = dir === "pkg-relaxed" ? "scripts/pkg-relaxed.sh" : "scripts/pkg-threads.sh";
      return `export const missing = ${JSON.stringify(`${dir}/ is not built (${script})`)};\n`;
    },
  };
}

const BOOT = resolve(root, "public/boot.js");

function bootScript() {
  return {
    name: "trainlab-boot",
    configureServer(server) {
      server.middlewares.use("/boot.js", (_req, res) => {
        res.setHeader("Content-Type", "text/javascript");
        res.end(readFileSync(BOOT));
      });
    },
    generateBundle() { this.emitFile({ type: "asset", fileName: "boot.js", source: readFileSync(BOOT, "utf8") }); },
    transformIndexHtml: {
      order: "post",
      // A page in a folder (slides/, examples/) reaches the root's boot.js with "../".
      handler: (html, ctx) => {
        const up = "../".repeat(ctx.path.split("/").length - 2) || "./";
        // After the policy's meta (build), which must come first to govern it.
        return html.replace(/<meta charset="[^"]*">(\s*<meta http-equiv="Content-Security-Policy"[^>]*>)?/i,
          (m) => `${m}\n  <script src="${up}boot.js"></script>`);
      },
    },
  };
}

// Precached: everything built except the data sets' files (data/<id>/…), which are fetched on demand,
// and the optional wasm builds' files (below), which the service worker caches when they are needed.
const precached = (f) => f !== "sw.js" && !f.endsWith(".map") && !(f.startsWith("data/") && f !== "data/datasets.json");

// The optional builds' packages; pkg/ (simd128, the fallback of every browser) is not one of them.
const OPTIONAL_BUILDS = { "pkg-relaxed": "relaxed-simd", "pkg-threads": "threads" };
// Built file (dist-relative) → the optional build it belongs to, from the bundles themselves: a chunk
// all of whose modules come from one optional package, or an asset all of whose sources do (its .wasm).
// Read from the page bundle and from every worker bundle (the glue is bundled into the workers, the
// threads pool's worker is a worker of a worker), hence buildOfFiles() in both plugin lists.
const buildOfFile = new Map();

function buildOfFiles() {
  const buildOf = (sources) => {
    const builds = new Set(sources.map((id) => {
      const rel = relative(root, resolve(root, id.split("?")[0])).split("\\").join("/");
      return OPTIONAL_BUILDS[rel.split("/")[0]] ?? null;
    }));
    return builds.size === 1 ? [...builds][0] : null;
  };
  return {
    name: "trainlab-build-of-files",
    apply: "build",
    generateBundle(_options, bundle) {
      for (const out of Object.values(bundle)) {
        const sources = out.type === "chunk" ? out.moduleIds : (out.originalFileNames ?? []);
        const build = sources.length ? buildOf(sources) : null;
        if (build) buildOfFile.set(out.fileName, build);
      }
    },
  };
}

function offlineServiceWorker() {
  let outDir;
  return {
    name: "trainlab-offline-sw",
    apply: "build",
    configResolved(config) { outDir = resolve(config.root, config.build.outDir); },
    closeBundle() {
      const files = listFiles(outDir)
        .map((p) => relative(outDir, p).split("\\").join("/"))
        .filter(precached)
        .sort();
      // The cache name changes whenever any built file changes, so a new build replaces the old cache.
      const h = createHash("sha256");
      for (const f of files) h.update(f).update(readFileSync(join(outDir, f)));
      const version = h.digest("hex").slice(0, 12);
      const builds = {};
      for (const f of files) {
        const build = buildOfFile.get(f);
        if (build) (builds[build] ??= []).push("./" + f);
      }
      const assets = ["./", ...files.filter((f) => !buildOfFile.has(f)).map((f) => "./" + f)];
      const src = readFileSync(join(root, "www/sw.js"), "utf8")
        .replace("__CACHE_VERSION__", version)
        .replace("__ASSETS__", JSON.stringify(assets))
        .replace("__BUILDS__", JSON.stringify(builds));
      writeFileSync(join(outDir, "sw.js"), src);
    },
  };
}

export default defineConfig({
  base: "./",
  publicDir: GENERATED_PUBLIC,
  // Worker bundles get only the plugins listed here: the training workers import the optional packages.
  worker: { format: "es", plugins: () => [missingBuilds(), buildOfFiles()] },
  build: {
    target: "es2022",
    outDir: "dist",
    emptyOutDir: true,
    rolldownOptions: {
      input: {
        main: resolve(root, "index.html"),
        embed: resolve(root, "embed.html"),
        labs: resolve(root, "labs.html"),
        transfer: resolve(root, "transfer.html"),
        search: resolve(root, "search.html"),
        slides: resolve(root, "slides/index.html"),
        host: resolve(root, "examples/host.html"),
      },
    },
  },
  plugins: [missingBuilds(), builtinDatasets(), sandboxInclude(), strictPolicy(), bootScript(), buildOfFiles(), offlineServiceWorker()],
});
