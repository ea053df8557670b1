#!/usr/bin/env bash
# Build the relaxed-SIMD wasm package: pkg-relaxed/trainlab.js + pkg-relaxed/trainlab_bg.wasm.
# The same crate and API as pkg/ (stable toolchain); RUSTFLAGS adds +relaxed-simd, so the GEMM
# micro-kernel's multiply-add is f32x4_relaxed_madd (src/kernels/simd128.rs, under
# cfg(target_feature = "relaxed-simd")). RUSTFLAGS replaces .cargo/config.toml's rustflags, hence
# +simd128 again. Its own target dir: a different RUSTFLAGS would otherwise rebuild pkg/'s artefacts
# every time. The page picks it at load when the browser has relaxed SIMD (www/build.js).
# flock: pkg*/ builds of several checkouts or helpers never run at once on this machine.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
section "wasm package (relaxed SIMD): wasm-pack build --release --target web --out-dir pkg-relaxed"
t=$(now_s)
RUSTFLAGS="-C target-feature=+simd128,+relaxed-simd" CARGO_TARGET_DIR=target/relaxed \
  flock /tmp/pkg.lock wasm-pack build --release --target web --out-dir pkg-relaxed
ok "pkg-relaxed/ built ($(fmt_dur $(( $(now_s) - t ))))"
