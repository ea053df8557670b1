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
RUSTFLAGS="-C target-feature=+simd128,+atomics,+bulk-memory,+mutable-globals" \
CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-target/threads}" \
  rustup run nightly wasm-pack build --release --target web --out-dir pkg-threads \
  -- --features threads -Z build-std=panic_abort,std
ok "pkg-threads/ built ($(fmt_dur $(( $(now_s) - t ))))"
