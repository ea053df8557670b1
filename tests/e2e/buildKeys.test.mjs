// The build's link keys and the choice of a build (www/buildKeys.js), without a browser: every case
// of chooseBuild() over made-up engines, and the named errors of bad build= / threads= values.

import { test } from "node:test";
import assert from "node:assert/strict";
import { AUTO_POOL_MAX, BUILDS, MAX_THREADS, chooseBuild, describeBuild, parseBuildKeys, withBuildKeys } from "../../www/buildKeys.js";
import { parseHash } from "../../www/state.js";

/** An engine: isolated worker with SIMD, relaxed SIMD and threads on 4 cores, unless told otherwise. */
const env = (over = {}) => ({ simd: true, relaxed: true, threads: true, isolated: true, cores: 4, inWorker: true, ...over });
const none = { build: null, threads: null };

test("buildKeys: the automatic choice — threads when isolated with cores to spare, else relaxed-simd, else simd128", () => {
  assert.deepEqual(chooseBuild(none, env()), { build: "threads", threads: 4, why: "cross-origin isolated, 4 of 4 cores" });
  const big = chooseBuild(none, env({ cores: 32 }));
  assert.equal(big.threads, AUTO_POOL_MAX, "the automatic pool stops at AUTO_POOL_MAX");
  assert.deepEqual(chooseBuild(none, env({ isolated: false })), { build: "relaxed-simd", threads: 1, why: "not cross-origin isolated" });
  assert.deepEqual(chooseBuild(none, env({ isolated: false, relaxed: false })),
    { build: "simd128", threads: 1, why: "not cross-origin isolated; no relaxed SIMD in this browser" });
  assert.match(chooseBuild(none, env({ threads: false })).why, /no WebAssembly threads/);
  assert.match(chooseBuild(none, env({ inWorker: false })).why, /main thread/);
  assert.deepEqual(chooseBuild(none, env({ cores: 1 })), { build: "relaxed-simd", threads: 1, why: "one CPU core" });
  // Firefox: threads only when the link asks (its pool's start hung now and then in the e2e suite).
  assert.deepEqual(chooseBuild(none, env({ firefox: true })),
    { build: "relaxed-simd", threads: 1, why: "Firefox runs threads only with build=threads in the link" });
  assert.equal(chooseBuild({ build: "threads" }, env({ firefox: true })).build, "threads");
  assert.deepEqual(chooseBuild({ single: "one worker per core" }, env()),
    { build: "relaxed-simd", threads: 1, why: "one worker per core" });
});

test("buildKeys: build= forces a build the browser can run, and falls back with the reason when it cannot", () => {
  assert.deepEqual(chooseBuild({ build: "simd128" }, env()), { build: "simd128", threads: 1, why: "build=simd128 in the link" });
  assert.equal(chooseBuild({ build: "relaxed-simd" }, env()).build, "relaxed-simd");
  const noRelaxed = chooseBuild({ build: "relaxed-simd" }, env({ relaxed: false }));
  assert.equal(noRelaxed.build, "simd128");
  assert.match(noRelaxed.why, /build=relaxed-simd asked for, but this browser has no relaxed SIMD/);
  assert.deepEqual(chooseBuild({ build: "threads" }, env({ cores: 1 })),
    { build: "threads", threads: 1, why: "build=threads in the link, 1 of 1 cores" }, "forced: even on one core");
  const notIsolated = chooseBuild({ build: "threads" }, env({ isolated: false }));
  assert.deepEqual(notIsolated, { build: "relaxed-simd", threads: 1, why: "build=threads asked for, but not cross-origin isolated" });
  // A forced single-threaded build wins over a pool worker's `single`, and names an ignored threads=.
  const ignored = chooseBuild({ build: "simd128", threads: 2 }, env());
  assert.equal(ignored.threads, 1);
  assert.match(ignored.why, /threads=2 ignored: simd128 runs on one thread/);
});

test("buildKeys: threads=N picks the threads build with N threads, or falls back naming threads=N", () => {
  assert.deepEqual(chooseBuild({ threads: 2 }, env({ cores: 8 })), { build: "threads", threads: 2, why: "threads=2 in the link" });
  assert.deepEqual(chooseBuild({ build: "threads", threads: 1 }, env()), { build: "threads", threads: 1, why: "build=threads in the link" });
  const main = chooseBuild({ threads: 2 }, env({ inWorker: false }));
  assert.equal(main.build, "relaxed-simd");
  assert.match(main.why, /^threads=2 asked for, but this page computes on its main thread/);
  assert.equal(chooseBuild({ threads: 2, single: "a pool" }, env()).build, "threads", "the link forces it in a pool too");
});

test("buildKeys: parseBuildKeys reads build= and threads= in any run segment, the last one winning", () => {
  assert.deepEqual(parseBuildKeys("#seed=3&build=simd128&lr=0.1"), { build: "simd128", threads: null, errors: [] });
  assert.deepEqual(parseBuildKeys("#build=threads&threads=2"), { build: "threads", threads: 2, errors: [] });
  assert.deepEqual(parseBuildKeys("#seed=1|lr=0.2&build=relaxed-simd"), { build: "relaxed-simd", threads: null, errors: [] });
  assert.equal(parseBuildKeys("#build=simd128&build=threads").build, "threads");
  assert.deepEqual(parseBuildKeys(""), { build: null, threads: null, errors: [] });
  for (const b of BUILDS) assert.equal(parseBuildKeys(`build=${b}`).build, b);
});

test("buildKeys: a bad build= or threads= value is named, with what it must be, and chooses nothing", () => {
  const r = parseBuildKeys("#build=fast&threads=0x2");
  assert.equal(r.build, null);
  assert.equal(r.threads, null);
  assert.deepEqual(r.errors.map((e) => e.key), ["build", "threads"]);
  assert.equal(r.errors[0].message,
    'Link setting "build" has a bad value "fast": it must be one of simd128, relaxed-simd, threads. The page picks the build itself.');
  assert.match(r.errors[1].message, /^Link setting "threads" has a bad value "0x2": it is not a decimal number; it must be a whole number from 1 to 64\./);
  for (const v of ["0", String(MAX_THREADS + 1), "1000"]) {
    assert.match(parseBuildKeys(`threads=${v}`).errors[0].message, new RegExp(`bad value "${v}": it must be a whole number from 1 to ${MAX_THREADS}`));
  }
  for (const v of ["2.0", "2e0", "Infinity", "-1", "", " two"]) {
    assert.equal(parseBuildKeys(`threads=${v}`).threads, null, `threads=${v} is refused`);
    assert.equal(parseBuildKeys(`threads=${v}`).errors.length, 1);
  }
  assert.equal(parseBuildKeys(`threads=${MAX_THREADS}`).threads, MAX_THREADS);
});

test("buildKeys: the settings' link parser leaves build= and threads= to the page (no unknown-key error)", () => {
  const { values, errors } = parseHash("#seed=5&build=threads&threads=2");
  assert.deepEqual(errors, []);
  assert.equal(values.seed, 5);
});

test("buildKeys: describeBuild is the header's line", () => {
  assert.equal(describeBuild({ build: "relaxed-simd", threads: 1, why: "not cross-origin isolated" }),
    "wasm relaxed-simd · 1 thread — not cross-origin isolated");
  assert.equal(describeBuild({ build: "threads", threads: 2, why: "" }), "wasm threads · 2 threads");
});

test("buildKeys: withBuildKeys keeps a link's valid build keys in the first run segment, where they are read back", () => {
  const asked = parseBuildKeys("#lr=0.1&build=threads&threads=2");
  const kept = withBuildKeys("#lr=0.1|lr=0.2", asked);
  assert.equal(kept, "#lr=0.1&build=threads&threads=2|lr=0.2");
  assert.deepEqual(parseBuildKeys(kept), { build: "threads", threads: 2, errors: [] });
  assert.equal(withBuildKeys("#lr=0.1", parseBuildKeys("#build=simd128")), "#lr=0.1&build=simd128");
  assert.equal(withBuildKeys("", parseBuildKeys("#build=simd128")), "#build=simd128");
  // Nothing asked, or only bad values (named once, at load): the hash is left as it is.
  assert.equal(withBuildKeys("#lr=0.1", parseBuildKeys("#lr=0.1")), "#lr=0.1");
  assert.equal(withBuildKeys("#lr=0.1", parseBuildKeys("#build=fast&threads=0")), "#lr=0.1");
});
