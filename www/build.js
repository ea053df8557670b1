// Which wasm build of the core runs here, and why (docs/CONTRACT.md, "Faster on every machine").
//
//   threads       pkg-threads/: wasm threads over a pool of Web Workers. Needs a cross-origin isolated
//                 page (SharedArrayBuffer), an engine with wasm threads, more than one core, and a
//                 worker to run in: the pool's threads block (atomics), which a page's main thread may not.
//   relaxed-simd  pkg-relaxed/: the GEMM micro-kernel's multiply-add is f32x4_relaxed_madd.
//   simd128       pkg/: the default and the fallback; every other build falls back to it.
//
// The link may force one (build=, threads=; parsed and decided in www/buildKeys.js). The worker that
// owns the core calls probe(), chooseBuild() (buildKeys.js) and loadBuild(); the page sends it the
// link's request (a worker's own location is its script's URL, not the page's).

// wasm-feature-detect (npm) by its file, not its bare name: bench/search.mjs serves the pages
// unbundled from the repository, where a browser cannot resolve a bare specifier.
import { relaxedSimd, simd, threads as wasmThreads } from "../node_modules/wasm-feature-detect/dist/esm/index.js";
import { chooseBuild } from "./buildKeys.js";
import { withTimeout } from "./timeout.js";

// Literal paths, so that Vite bundles each package (build) and serves it (dev). A package that is not
// built resolves to a stand-in exporting `missing` (vite.config.js missingBuilds()).
const LOADERS = {
  simd128: () => import("../pkg/trainlab.js"),
  "relaxed-simd": () => import("../pkg-relaxed/trainlab.js"),
  threads: () => import("../pkg-threads/trainlab.js"),
};

/** What this engine and context offer: { simd, relaxed, threads, isolated, cores, inWorker }. */
export async function probe(scope = globalThis) {
  const [hasSimd, relaxed, threads] = await Promise.all([simd(), relaxedSimd(), wasmThreads()]);
  return {
    simd: hasSimd, relaxed, threads,
    isolated: scope.crossOriginIsolated === true,
    cores: Math.max(1, Number(scope.navigator?.hardwareConcurrency) || 1),
    firefox: /\bFirefox\//.test(scope.navigator?.userAgent ?? ""),
    inWorker: typeof scope.WorkerGlobalScope === "function" && scope instanceof scope.WorkerGlobalScope,
  };
}

/**
 * Load and start the chosen build; a package that is missing or fails to start falls back (threads →
 * relaxed-simd/simd128 → simd128) with the reason appended. Returns { core, exports, info } where
 * core is the module, exports the wasm instance's exports (init's result) and info
 * { build, backend, threads, why }.
 */
export async function loadBuild(choice, env) {
  let { build, threads, why } = choice;
  // A link's request keeps its words: "build=threads asked for, but pkg-threads/ not built".
  const asked = /^(\S+=\S+) in the link/.exec(why)?.[1];
  for (;;) {
    let failure;
    try {
      const core = await LOADERS[build]();
      if (core.missing) throw new Missing(core.missing);
      const exports = await core.default();
      if (build === "threads") {
        if (typeof core.initThreadPool !== "function") throw new Error("pkg-threads/ has no initThreadPool");
        await withTimeout(core.initThreadPool(threads), POOL_START_MS, "its thread pool did not start within 20 s");
      }
      const own = typeof core.buildInfo === "function" ? core.buildInfo() : null;
      const info = {
        build: own?.build ?? build,
        backend: own?.backend ?? "",
        threads: Number(own?.threads ?? threads),
        why,
      };
      return { core, exports, info };
    } catch (e) {
      if (build === "simd128") throw e;
      failure = e instanceof Missing ? `${PACKAGE[build]} not built`
        : `${build} failed to start: ${e instanceof Error ? e.message : String(e)}`;
    }
    why = asked ? `${asked} asked for, but ${failure}` : failure;
    build = build === "threads" && env.relaxed ? "relaxed-simd" : "simd128";
    threads = 1;
  }
}

/** How long a threads pool may take to start before the page loads the next build instead. */
const POOL_START_MS = 20000;

/** A package that is not in this build (vite.config.js missingBuilds()); its message names the script. */
class Missing extends Error {}
const PACKAGE = { "relaxed-simd": "pkg-relaxed/", threads: "pkg-threads/" };

/** probe(), chooseBuild() and loadBuild() in one: what a page or worker that owns a core calls. */
export async function startCore(request = {}) {
  const env = await probe();
  return loadBuild(chooseBuild(request, env), env);
}
