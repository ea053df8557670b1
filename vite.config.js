// Vite config for the trainlab page.
//
// - base "./": the built dist/ works from any path (a course site, a slide deck's folder).
// - The training worker is bundled as an ES module worker (worker.js imports the wasm glue).
// - Pages: index.html (the training sandbox), embed.html (the sandbox inside a slide's frame),
//   labs.html (initialization lab and activation explorer, www/labs/), slides/index.html (the
//   lecture's reveal.js deck) and examples/host.html (a page driving an embed by postMessage). All are
//   build inputs; their assets land in the same dist/assets/.
// - sandboxInclude(): index.html and embed.html share the sandbox's markup, www/sandbox.html, put in
//   place of their `<!-- trainlab:include www/sandbox.html -->` comment (dev server and build alike).
// - offlineServiceWorker(): after a production build, writes dist/sw.js from www/sw.js with the
//   list of every built file (both pages and all their assets), so the pages keep working offline
//   once loaded.

import { defineConfig } from "vite";
import { createHash } from "node:crypto";
import { readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";

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

function offlineServiceWorker() {
  let outDir;
  return {
    name: "trainlab-offline-sw",
    apply: "build",
    configResolved(config) { outDir = resolve(config.root, config.build.outDir); },
    closeBundle() {
      const files = listFiles(outDir)
        .map((p) => relative(outDir, p).split("\\").join("/"))
        .filter((f) => f !== "sw.js" && !f.endsWith(".map"))
        .sort();
      // The cache name changes whenever any built file changes, so a new build replaces the old cache.
      const h = createHash("sha256");
      for (const f of files) h.update(f).update(readFileSync(join(outDir, f)));
      const version = h.digest("hex").slice(0, 12);
      const assets = ["./", ...files.map((f) => "./" + f)];
      const src = readFileSync(join(root, "www/sw.js"), "utf8")
        .replace("__CACHE_VERSION__", version)
        .replace("__ASSETS__", JSON.stringify(assets));
      writeFileSync(join(outDir, "sw.js"), src);
    },
  };
}

export default defineConfig({
  base: "./",
  worker: { format: "es" },
  build: {
    target: "es2022",
    outDir: "dist",
    emptyOutDir: true,
    rolldownOptions: {
      input: {
        main: resolve(root, "index.html"),
        embed: resolve(root, "embed.html"),
        labs: resolve(root, "labs.html"),
        slides: resolve(root, "slides/index.html"),
        host: resolve(root, "examples/host.html"),
      },
    },
  },
  plugins: [sandboxInclude(), offlineServiceWorker()],
});
