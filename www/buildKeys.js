// The link's build keys and the choice of a build (pure: no DOM, no wasm; the tests walk every case).
// Which builds there are and what each needs: www/build.js.
//
//   build=simd128|relaxed-simd|threads   force a build; one this browser cannot run falls back, and
//                                        the reason says so
//   threads=N                            the threads build's pool size (1..MAX_THREADS)
//
// Bad values are named the way www/state.js names them and leave the choice to the page.

export const BUILDS = ["simd128", "relaxed-simd", "threads"];
export const BUILD_KEY = "build";
export const THREADS_KEY = "threads";
/** Largest pool a link may ask for; the automatic pool is min(cores, AUTO_POOL_MAX). */
export const MAX_THREADS = 64;
export const AUTO_POOL_MAX = 8;

/**
 * The link's build keys: { build, threads, errors }. build: one of BUILDS or null; threads: a whole
 * number 1..MAX_THREADS or null; errors: [{ key, value, message }] for bad values (then that key is
 * null). Looks at every run segment of a comparison link ("…|…"); the last value given wins.
 */
export function parseBuildKeys(hash) {
  const text = String(hash ?? "").replace(/^#/, "");
  const out = { build: null, threads: null, errors: [] };
  for (const part of text.split(/[&|]/)) {
    const eq = part.indexOf("=");
    if (eq < 0) continue;
    const key = part.slice(0, eq);
    if (key !== BUILD_KEY && key !== THREADS_KEY) continue;
    let value;
    try { value = decodeURIComponent(part.slice(eq + 1).replace(/\+/g, " ")).trim(); } catch { value = part.slice(eq + 1); }
    if (key === BUILD_KEY) {
      if (BUILDS.includes(value)) out.build = value;
      else out.errors.push(bad(key, value, `must be one of ${BUILDS.join(", ")}`));
    } else {
      // Decimal digits only: "0x2", "2e0", "2.0" and "Infinity" are refused like www/state.js refuses them.
      const n = /^\d{1,3}$/.test(value) ? Number(value) : NaN;
      if (n >= 1 && n <= MAX_THREADS) out.threads = n;
      else out.errors.push(bad(key, value, /^\d+$/.test(value)
        ? `must be a whole number from 1 to ${MAX_THREADS}`
        : `is not a decimal number; it must be a whole number from 1 to ${MAX_THREADS}`));
    }
  }
  return out;
}

/**
 * `hash` (a serialized link) with `request`'s valid build keys added to its first run segment, so
 * the address bar the page rewrites as settings change keeps asking for the build the link asked
 * for (a reload would otherwise run another build). Bad values, already named, are not carried.
 */
export function withBuildKeys(hash, request) {
  const keys = [
    request?.build ? `${BUILD_KEY}=${request.build}` : "",
    request?.threads ? `${THREADS_KEY}=${request.threads}` : "",
  ].filter(Boolean);
  if (!keys.length) return hash;
  const cut = hash.indexOf("|");
  const [first, rest] = cut < 0 ? [hash, ""] : [hash.slice(0, cut), hash.slice(cut)];
  const sep = first === "#" || first === "" ? "" : "&";
  return `${first || "#"}${sep}${keys.join("&")}${rest}`;
}

function bad(key, value, reason) {
  const shown = value.length > 40 ? `${value.slice(0, 40)}…` : value;
  return { key, value, message: `Link setting "${key}" has a bad value "${shown}": it ${reason}. The page picks the build itself.` };
}

/** Why the threads build cannot run in `env`, or null. */
function threadsBlocked(env) {
  if (!env.inWorker) return "this page computes on its main thread, where wasm threads may not wait";
  if (!env.isolated) return "not cross-origin isolated";
  if (!env.threads) return "this browser has no WebAssembly threads";
  return null;
}

/**
 * The build to run: { build, threads, why } from `request` ({ build, threads } of parseBuildKeys;
 * `single`: why this core should not take threads by itself, e.g. one of a pool of workers) and `env`
 * (probe()). Pure, so the tests can walk every case.
 */
export function chooseBuild(request, env) {
  const asked = request?.build ?? null;
  const pool = request?.threads ?? null;
  const blocked = threadsBlocked(env);
  const autoPool = Math.min(env.cores, AUTO_POOL_MAX);
  const single = (why) => (env.relaxed
    ? { build: "relaxed-simd", threads: 1, why }
    : { build: "simd128", threads: 1, why: `${why}; no relaxed SIMD in this browser` });

  if (asked === "simd128" || asked === "relaxed-simd") {
    const note = pool !== null && pool !== 1 ? ` (threads=${pool} ignored: ${asked} runs on one thread)` : "";
    if (asked === "relaxed-simd" && !env.relaxed) {
      return { build: "simd128", threads: 1, why: `build=relaxed-simd asked for, but this browser has no relaxed SIMD${note}` };
    }
    return { build: asked, threads: 1, why: `build=${asked} in the link${note}` };
  }
  if (asked === "threads" || pool !== null) {
    const key = asked === "threads" ? "build=threads" : `threads=${pool}`;
    if (blocked) return single(`${key} asked for, but ${blocked}`);
    const n = pool ?? autoPool;
    return { build: "threads", threads: n, why: `${key} in the link${pool === null ? `, ${n} of ${env.cores} cores` : ""}` };
  }
  if (blocked) return single(blocked);
  if (request?.single) return single(request.single);
  if (env.cores < 2) return single("one CPU core");
  // In Firefox ESR 153 the pool's start hung now and then (a page stuck at "Loading", seen in the e2e
  // suite); until that is understood Firefox takes threads only when a link asks for them.
  if (env.firefox) return single("Firefox runs threads only with build=threads in the link");
  return { build: "threads", threads: autoPool, why: `cross-origin isolated, ${autoPool} of ${env.cores} cores` };
}

/** The header's words for `info`: "wasm relaxed-simd · 1 thread — not cross-origin isolated". */
export function describeBuild(info) {
  const t = `${info.threads} thread${info.threads === 1 ? "" : "s"}`;
  return `wasm ${info.build} · ${t}${info.why ? ` — ${info.why}` : ""}`;
}
