#!/usr/bin/env bash
# Build the wasm package the page imports: pkg/trainlab.js + pkg/trainlab_bg.wasm.
# Release profile with simd128 kernels (.cargo/config.toml); the same build the tests exercise.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
section "wasm package: wasm-pack build --release --target web --out-dir pkg"
t=$(now_s)
wasm-pack build --release --target web --out-dir pkg
ok "pkg/ built ($(fmt_dur $(( $(now_s) - t ))))"
