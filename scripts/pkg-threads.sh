#!/usr/bin/env bash
# Build the threaded wasm package: pkg-threads/trainlab.js + trainlab_bg.wasm (+ the pool's worker
# snippet under pkg-threads/snippets/). Same crate and API as pkg/, with feature `threads`: rayon
# over Web Workers that share the module's memory (wasm-bindgen-rayon).
#
# Why nightly: the standard library must be rebuilt with atomics (-Z build-std), which stable
# cannot do. Why RUSTFLAGS here: .cargo/config.toml's `+simd128` is overridden by RUSTFLAGS, so
# simd128 is repeated. Its own target dir, so it never invalidates the stable build's cache.
# The page may use this build only when it is cross-origin isolated (COOP same-origin + COEP
# require-corp): shared wasm memory needs SharedArrayBuffer.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
section "wasm package (threads): nightly wasm-pack build --out-dir pkg-threads --features threads"
t=$(now_s)
# Since nightly-2025-10-03 (rust-lang/rust#147225) +atomics no longer implies a shared memory: the
# linker must be asked for one (imported, so wasm-bindgen-rayon can hand it to its workers) and for
# the TLS exports wasm-bindgen's thread start-up calls. A shared memory cannot grow past its maximum:
# 2 GiB, twice the budget a run is checked against (src/limits.rs), leaves room for a loaded data set.
LINK="-C link-arg=--shared-memory -C link-arg=--import-memory -C link-arg=--max-memory=2147483648"
LINK="$LINK -C link-arg=--export=__wasm_init_tls -C link-arg=--export=__tls_size"
LINK="$LINK -C link-arg=--export=__tls_align -C link-arg=--export=__tls_base"
RUSTFLAGS="-C target-feature=+simd128,+atomics,+bulk-memory,+mutable-globals $LINK" \
CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-target/threads}" \
  rustup run "$TRAINLAB_NIGHTLY" wasm-pack build --release --target web --out-dir "${OUT_DIR:-pkg-threads}" \
  -- --features threads -Z build-std=panic_abort,std
ok "pkg-threads/ built ($(fmt_dur $(( $(now_s) - t ))))"
