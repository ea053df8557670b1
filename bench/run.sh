#!/usr/bin/env bash
# trainlab benchmark: trainlab's wasm builds (simd128, relaxed-simd, threads at 1 and 2 threads) vs
# TF.js wasm (stock and with the missing filter-gradient kernel), TF.js cpu, ConvNetJS and the wasm
# f32x4 peak, side by side in one headless Chromium; then the native build and PyTorch on one CPU
# thread. See bench/README.md.
#
#   bash bench/run.sh            full run (batches 1, 16, 64, then scaling; ~12-17 min)
#   bash bench/run.sh --quick    batch 64 only, fewer steps, scaling once (~4 min)
#   bash bench/run.sh --scaling  only the scaling of 1, 2, 4 runs at once over the cores (~1.5 min)
# Other flags are passed to bench/run.mjs (--workloads=lenet, --contenders=trainlab,tfjs-wasm-patched,
# --no-native, --no-pytorch, --no-trainlab, --tf-fused=true|false|auto, --no-scaling, --scaling-*,
# --out=FILE); --rebuild rebuilds pkg/ (and pkg-relaxed/, pkg-threads/ where their scripts exist) first.
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
want_pytorch=1
scaling_only=0
rebuild=0
contenders=trainlab-relaxed,trainlab-threads
args=()
for a in "$@"; do
  case "$a" in
    --no-trainlab) want_trainlab=0; args+=("$a") ;;
    --no-native) want_native=0; args+=("$a") ;;
    --no-pytorch) want_pytorch=0; args+=("$a") ;;
    --scaling) want_native=0; want_pytorch=0; scaling_only=1; args+=("$a") ;;
    --rebuild) rebuild=1 ;;
    --contenders=*) contenders=${a#--contenders=}; args+=("$a") ;;
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
  # the other wasm builds, by their own scripts (they take the pkg lock themselves where needed);
  # a build that fails or has no script is skipped by run.mjs with the reason printed
  # (--scaling trains the simd128 build only)
  for dir in pkg-relaxed pkg-threads; do
    [ "$scaling_only" = 1 ] && break
    # only the builds that --contenders asks for (all by default)
    case "$dir" in
      pkg-relaxed) [[ ",$contenders," == *,trainlab-relaxed,* ]] || continue ;;
      pkg-threads) [[ ",$contenders," == *,trainlab-threads* ]] || continue ;;
    esac
    script=scripts/$dir.sh
    if [ "$rebuild" = 0 ] && [ -f $dir/trainlab.js ]; then
      log "using existing $dir/ (built $(date -r $dir/trainlab_bg.wasm '+%F %T'))"
    elif [ -f "$script" ]; then
      log "building $dir/ with $script"
      bash "$script" || log "! $script failed: the $dir row will be skipped"
    else
      log "! $dir/ missing and no $script: its row will be skipped"
    fi
  done
fi
if [ "$want_trainlab" = 1 ] && [ "$want_native" = 1 ]; then
  # 3. the native build of the same core; compiled now so it does not compete with the browser run
  log "cargo build --release --example bench_native"
  cargo build --release --example bench_native
fi

# 4. PyTorch for the CPU anchor, only here (never by make test): the repository's .venv/ (the one
# scripts/setup.sh makes for the Python test layer) if its torch is there, else torch from PyPI
# into it (pip's cache is shared with setup.sh's install)
if [ "$want_pytorch" = 1 ]; then
  if [ -x .venv/bin/python ] && .venv/bin/python -c "import importlib.util as u, sys; sys.exit(u.find_spec('torch') is None)"; then
    log "PyTorch from .venv/"
  else
    log "installing torch from PyPI into .venv/ (for the PyTorch row; --no-pytorch skips it)"
    [ -x .venv/bin/python ] || python3 -m venv .venv
    .venv/bin/pip install -q torch
  fi
  export BENCH_PYTHON=$ROOT/.venv/bin/python
fi

# 5. the browser run (+ native and PyTorch afterwards), tables on stdout, JSON in bench/results/
exec node bench/run.mjs "${args[@]}"
