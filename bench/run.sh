#!/usr/bin/env bash
# trainlab benchmark: trainlab (wasm) vs TF.js wasm (stock and with the missing filter-gradient
# kernel), TF.js cpu, ConvNetJS, the wasm f32x4 peak and the native build, side by side in one
# headless Chromium. See bench/README.md.
#
#   bash bench/run.sh            full run (batches 1, 16, 64, then scaling; ~12-17 min)
#   bash bench/run.sh --quick    batch 64 only, fewer steps, scaling once (~4 min)
#   bash bench/run.sh --scaling  only the scaling of 1, 2, 4 runs at once over the cores (~1.5 min)
# Other flags are passed to bench/run.mjs (--workloads=lenet, --contenders=trainlab,tfjs-wasm-patched,
# --no-native, --no-trainlab, --tf-fused=true|false|auto, --no-scaling, --scaling-*, --out=FILE);
# --rebuild rebuilds pkg/ first.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
export PATH="$HOME/.cargo/bin:$PATH"

log() { printf '[bench] %s\n' "$*" >&2; }

# 1. bench's own npm dependencies (kept out of the page's package.json)
if [ ! -d bench/node_modules/@tensorflow/tfjs-backend-wasm ] || [ ! -d bench/node_modules/convnetjs ] \
   || [ ! -d bench/node_modules/playwright-core ] || [ ! -d bench/node_modules/@tensorflow/tfjs ]; then
  log "installing bench dependencies (npm ci in bench/)"
  (cd bench && npm ci --no-audit --no-fund)
fi

want_trainlab=1
want_native=1
rebuild=0
args=()
for a in "$@"; do
  case "$a" in
    --no-trainlab) want_trainlab=0; args+=("$a") ;;
    --no-native|--scaling) want_native=0; args+=("$a") ;;
    --rebuild) rebuild=1 ;;
    *) args+=("$a") ;;
  esac
done

if [ "$want_trainlab" = 1 ]; then
  # 2. trainlab's wasm build, if missing
  if [ "$rebuild" = 1 ] || [ ! -f pkg/trainlab.js ] || [ ! -f pkg/trainlab_bg.wasm ]; then
    # pkg/ is shared with whoever else builds it on this machine: one build at a time
    log "wasm-pack build --release --target web --out-dir pkg"
    if command -v flock >/dev/null 2>&1; then
      flock /tmp/pkg.lock wasm-pack build --release --target web --out-dir pkg
    else
      wasm-pack build --release --target web --out-dir pkg
    fi
  else
    log "using existing pkg/ (built $(date -r pkg/trainlab_bg.wasm '+%F %T'); --rebuild to rebuild)"
  fi
fi
if [ "$want_trainlab" = 1 ] && [ "$want_native" = 1 ]; then
  # 3. the native build of the same core; compiled now so it does not compete with the browser run
  log "cargo build --release --example bench_native"
  cargo build --release --example bench_native
fi

# 4. the browser run (+ the native binary afterwards), tables on stdout, JSON in bench/results/
exec node bench/run.mjs "${args[@]}"
