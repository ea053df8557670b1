#!/usr/bin/env bash
# Run trainlab's style gate and four test layers in order and stop at the first failure, naming the layer.
#
#   scripts/test.sh            all layers (what `make test` runs, after scripts/setup.sh test)
#   scripts/test.sh lint       only the style gate: cargo fmt --check, cargo clippy, ESLint, generated files fresh
#   scripts/test.sh native     only layer 1: cargo test (the math, natively)
#   scripts/test.sh web        only layer 2: wasm-pack test in headless Chromium (API + SIMD kernels)
#   scripts/test.sh e2e        only layer 3: release wasm build, vite build, Node + playwright-core
#   scripts/test.sh python     only layer 4: the PyTorch export's train.py against the core (.venv/)
#
# Exit status: 0 when every selected layer passed, else the failing command's status.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

CHROMEDRIVER="${CHROMEDRIVER:-/usr/bin/chromedriver}"
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1

layers=("$@")
[ "${#layers[@]}" -gt 0 ] || layers=(lint native web e2e python)

summary=()
t_all=$(now_s)

# step LAYER-LABEL COMMAND...: run one command of a layer; on failure say which layer and stop.
# The summary names each command by its layer's short tag ($TAG, e.g. "1/4 native").
step() {
  local label="$1"; shift
  local t rc
  printf '%s  $ %s%s\n' "$B" "$*" "$N"
  t=$(now_s)
  set +e; "$@"; rc=$?; set -e
  if [ "$rc" -ne 0 ]; then
    summary+=("FAILED  [$TAG] $* ($(fmt_dur $(( $(now_s) - t ))))")
    print_summary
    printf '\n%s%sTEST FAILED in %s%s\n' "$R" "$B" "$label" "$N" >&2
    printf '%s  command: %s (exit status %d)%s\n' "$R" "$*" "$rc" "$N" >&2
    exit "$rc"
  fi
  summary+=("ok      [$TAG] $* ($(fmt_dur $(( $(now_s) - t ))))")
}

print_summary() {
  printf '\n%s==> test summary%s\n' "$B" "$N"
  printf '  %s\n' "${summary[@]}"
  printf '  total %s\n' "$(fmt_dur $(( $(now_s) - t_all )))"
}

need_package_json() {
  [ -f package.json ] || { summary+=("FAILED  [$TAG] no package.json in the repository yet"); print_summary;
    printf '\n%s%sTEST FAILED in %s: package.json is missing%s\n' "$R" "$B" "$1" "$N" >&2; exit 1; }
}

for layer in "${layers[@]}"; do
  case "$layer" in
    lint)
      L="layer 0 (style: rustfmt, clippy, ESLint)"; TAG="0 lint"
      section "$L"
      need_package_json "$L"
      step "$L" cargo fmt --check
      step "$L" cargo clippy --all-targets --locked -- -D warnings
      step "$L" npx --no-install eslint .
      step "$L" node scripts/hash-keys.mjs --check
      step "$L" node scripts/scenarios.mjs --check
      ;;
    native)
      L="layer 1/4 (native math: cargo test)"; TAG="1/4 native"
      section "$L"
      step "$L" cargo test
      ;;
    web)
      L="layer 2/4 (browser: wasm-pack test --headless --chrome)"; TAG="2/4 browser"
      section "$L"
      [ -x "$CHROMEDRIVER" ] || { printf '%s%sTEST FAILED in %s: %s not found (run scripts/setup.sh test)%s\n' "$R" "$B" "$L" "$CHROMEDRIVER" "$N" >&2; exit 1; }
      step "$L" wasm-pack test --headless --chrome --chromedriver "$CHROMEDRIVER"
      ;;
    e2e)
      L="layer 3/4 (end to end: pkg build, vite build, npm run e2e)"; TAG="3/4 e2e"
      section "$L"
      need_package_json "$L"
      step "$L" wasm-pack build --release --target web --out-dir pkg
      step "$L" npm run build
      step "$L" npm run e2e
      ;;
    python)
      L="layer 4/4 (PyTorch export: bundles from the core, then tests/python with .venv's torch)"; TAG="4/4 python"
      section "$L"
      [ -x .venv/bin/python ] || { printf '%s%sTEST FAILED in %s: .venv/bin/python not found (run scripts/setup.sh test)%s\n' "$R" "$B" "$L" "$N" >&2; exit 1; }
      # Absolute paths: the tests run each train.py from its own bundle directory.
      target_dir="$(realpath -m "${CARGO_TARGET_DIR:-target}")"
      bundles="$target_dir/export-bundles"
      rm -rf "$bundles"
      step "$L" cargo run --release --example export_pytorch -- "$bundles"
      step "$L" env TRAINLAB_BUNDLES="$bundles" TRAINLAB_EXPORT_BIN="$target_dir/release/examples/export_pytorch" \
        .venv/bin/python -m unittest discover -s tests/python -v
      ;;
    *) die "unknown layer '$layer' (expected: lint, native, web, e2e, python)" ;;
  esac
done

print_summary
printf '\n%s%sALL TESTS PASSED%s (%s)\n' "$G" "$B" "$N" "${layers[*]}"
