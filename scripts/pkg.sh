#!/usr/bin/env bash
# Build the wasm packages the pages import (www/build.js picks one at load):
#   pkg/          simd128, the default and the fallback: pkg/trainlab.js + pkg/trainlab_bg.wasm. Release
#                 profile with simd128 kernels (.cargo/config.toml); the build the tests exercise.
#   pkg-relaxed/  relaxed SIMD (scripts/pkg-relaxed.sh), stable toolchain.
#   pkg-threads/  wasm threads (scripts/pkg-threads.sh), only when that script exists and the nightly
#                 toolchain is installed; without it the pages run pkg-relaxed/ or pkg/ and say why.
# flock: pkg*/ builds of several checkouts or helpers never run at once on this machine.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
section "wasm package: wasm-pack build --release --target web --out-dir pkg"
t=$(now_s)
flock /tmp/pkg.lock wasm-pack build --release --target web --out-dir pkg
ok "pkg/ built ($(fmt_dur $(( $(now_s) - t ))))"
bash scripts/pkg-relaxed.sh
if [ ! -f scripts/pkg-threads.sh ]; then
  note "pkg-threads/ skipped: scripts/pkg-threads.sh is not there yet"
elif ! rustup run "$TRAINLAB_NIGHTLY" rustc --version >/dev/null 2>&1; then
  note "pkg-threads/ skipped: no $TRAINLAB_NIGHTLY toolchain (make setup installs it)"
else
  flock /tmp/pkg.lock bash scripts/pkg-threads.sh
fi
