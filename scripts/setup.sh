#!/usr/bin/env bash
# Install whatever trainlab's build and tests need and is not there yet. Idempotent: every step
# checks first and skips what is present, so a second run takes about a second.
#
#   scripts/setup.sh          everything (same as `test`)
#   scripts/setup.sh build    what `make serve` / `make build` need: wasm target, wasm-bindgen-cli,
#                             wasm-pack, binaryen (only if the build runs wasm-opt), npm packages
#   scripts/setup.sh test     all of `build`, plus the test browsers (Debian's chromium and
#                             chromium-driver, firefox-esr, webkit2gtk-driver, xvfb; geckodriver with
#                             cargo install) and the Python test layer's torch, numpy and safetensors in .venv/
#
# Assumes a Debian machine with rustup (cargo, rustc), node and npm. Installs system packages with
# apt-get, so it runs as root (or with sudo).
#
# Why cargo install and not wasm-pack's own downloads: wasm-pack fetches wasm-bindgen, wasm-opt and
# chromedriver from GitHub, which this network does not reach. wasm-pack uses a `wasm-bindgen`
# found on PATH only if its version equals the `wasm-bindgen` crate in Cargo.lock exactly, so we
# install that exact version from crates.io.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# The wasm-pack release to install when none is present (0.15.1 builds with --locked here).
WASM_PACK_VERSION="${WASM_PACK_VERSION:-0.15.1}"
WASM_TARGET=wasm32-unknown-unknown
# Where Debian's packages put the browser and its driver (the tests use these exact paths).
CHROMIUM_BIN="${CHROMIUM_BIN:-/usr/bin/chromium}"
CHROMEDRIVER="${CHROMEDRIVER:-/usr/bin/chromedriver}"
FIREFOX_BIN="${FIREFOX_BIN:-/usr/bin/firefox-esr}"
WEBKIT_WEBDRIVER="${WEBKIT_WEBDRIVER:-/usr/bin/WebKitWebDriver}"
# geckodriver (wasm-pack test --firefox) from crates.io; wasm-pack's own download of it fails here.
# 0.37.1 builds with --locked (14m17s here, on 2 cores shared with other builds).
GECKODRIVER_VERSION="${GECKODRIVER_VERSION:-0.37.1}"

what="${1:-test}"
case "$what" in
  build) want_browser=0 ;;
  test|all) want_browser=1 ;;
  *) die "usage: scripts/setup.sh [build|test]" ;;
esac

t_setup=$(now_s)
section "setup ($what): checking tools"

# --- base tools the machine must already have -----------------------------------------------
for tool in cargo rustc node npm; do
  command -v "$tool" >/dev/null 2>&1 || die "'$tool' not found. trainlab needs rustup (cargo, rustc), node and npm preinstalled."
done

# --- 1. the wasm32 target --------------------------------------------------------------------
# Check the sysroot rather than `rustup target list`, so a toolchain without rustup is judged too.
if [ -d "$(rustc --print sysroot)/lib/rustlib/$WASM_TARGET" ]; then
  ok "rust target $WASM_TARGET"
else
  command -v rustup >/dev/null 2>&1 || die "rust target $WASM_TARGET missing and rustup not found to add it"
  note "adding rust target $WASM_TARGET"
  t=$(now_s); rustup target add "$WASM_TARGET"; ok "rust target added ($(fmt_dur $(( $(now_s) - t ))))"
fi

# --- 1b. rustfmt and clippy (the style gate of `make test`) -----------------------------------
for component in rustfmt clippy; do
  if cargo "${component/rustfmt/fmt}" --version >/dev/null 2>&1; then
    ok "rust component $component"
  else
    command -v rustup >/dev/null 2>&1 || die "cargo $component missing and rustup not found to add it"
    note "adding rust component $component"
    rustup component add "$component"
  fi
done

# --- 1c. nightly with rust-src and wasm32 (the threaded build, scripts/pkg-threads.sh) ----------
# Wasm threads need a standard library rebuilt with atomics (-Z build-std), which only nightly can
# do. The version is pinned in scripts/lib.sh (TRAINLAB_NIGHTLY overrides it).
NIGHTLY="$TRAINLAB_NIGHTLY"
if command -v rustup >/dev/null 2>&1; then
  nightly_root="$(rustup run "$NIGHTLY" rustc --print sysroot 2>/dev/null || true)"
  if [ -n "$nightly_root" ] && [ -d "$nightly_root/lib/rustlib/src/rust/library" ] \
    && [ -d "$nightly_root/lib/rustlib/$WASM_TARGET" ]; then
    ok "rust $NIGHTLY with rust-src and $WASM_TARGET"
  else
    note "installing rust $NIGHTLY with rust-src and $WASM_TARGET (for the threaded build)"
    t=$(now_s)
    rustup toolchain install "$NIGHTLY" --profile minimal --component rust-src --target "$WASM_TARGET"
    ok "rust $NIGHTLY installed ($(fmt_dur $(( $(now_s) - t ))))"
  fi
else
  note "rustup not found: skipping nightly (only scripts/pkg-threads.sh needs it)"
fi

# --- 2. wasm-bindgen-cli, pinned to Cargo.lock ------------------------------------------------
if [ ! -f Cargo.lock ]; then
  note "Cargo.lock missing: generating it to learn the wasm-bindgen version"
  cargo generate-lockfile
fi
# The [[package]] block whose name is exactly "wasm-bindgen"; its version line follows the name.
WBG_VERSION="$(awk '/^\[\[package\]\]/{n=0} /^name = "wasm-bindgen"$/{n=1; next} n && /^version = /{gsub(/"/,"",$3); print $3; exit}' Cargo.lock)"
[ -n "$WBG_VERSION" ] || die "could not find the wasm-bindgen version in Cargo.lock"

have_wbg=""
if command -v wasm-bindgen >/dev/null 2>&1; then
  have_wbg="$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')"
fi
if [ "$have_wbg" = "$WBG_VERSION" ] && command -v wasm-bindgen-test-runner >/dev/null 2>&1; then
  ok "wasm-bindgen-cli $WBG_VERSION ($(command -v wasm-bindgen))"
else
  if [ -n "$have_wbg" ]; then
    note "wasm-bindgen on PATH is ${have_wbg}, Cargo.lock wants $WBG_VERSION: reinstalling"
  else
    note "installing wasm-bindgen-cli $WBG_VERSION with cargo install (about 2 minutes on 2 cores)"
  fi
  t=$(now_s)
  # Try the crate's own lock file first (reproducible). It fails here: wasm-bindgen-cli's
  # published Cargo.lock pins webpki-roots 1.0.11, which the crates.io mirror on these machines
  # does not carry, so resolution stops before anything compiles. Then resolve afresh without
  # --locked, which picks versions the mirror has.
  if ! cargo install wasm-bindgen-cli --version "=$WBG_VERSION" --locked --force; then
    note "'cargo install --locked' failed (see above); retrying without --locked"
    cargo install wasm-bindgen-cli --version "=$WBG_VERSION" --force
  fi
  got="$(wasm-bindgen --version | awk '{print $2}')"
  [ "$got" = "$WBG_VERSION" ] || die "installed wasm-bindgen-cli but 'wasm-bindgen --version' says $got (PATH order?): $(command -v wasm-bindgen)"
  ok "wasm-bindgen-cli $WBG_VERSION installed ($(fmt_dur $(( $(now_s) - t ))))"
fi

# --- 3. wasm-pack -------------------------------------------------------------------------------
if command -v wasm-pack >/dev/null 2>&1; then
  ok "$(wasm-pack --version) ($(command -v wasm-pack))"
else
  note "installing wasm-pack $WASM_PACK_VERSION with cargo install (about 1.5 minutes on 2 cores)"
  t=$(now_s)
  cargo install wasm-pack --version "=$WASM_PACK_VERSION" --locked
  ok "wasm-pack installed ($(fmt_dur $(( $(now_s) - t ))))"
fi

# --- 4. Debian packages: binaryen (only if wasm-opt runs), chromium + chromium-driver (tests) ---
# wasm-pack runs wasm-opt unless Cargo.toml's [package.metadata.wasm-pack.profile.release] says
# `wasm-opt = false`; its own binaryen download fails here, so we use Debian's.
release_uses_wasm_opt() {
  ! awk '/^\[/{s = ($0 == "[package.metadata.wasm-pack.profile.release]")} s && /^wasm-opt *= *false/{f=1} END{exit !f}' Cargo.toml
}
apt_pkgs=()
if release_uses_wasm_opt; then
  if command -v wasm-opt >/dev/null 2>&1; then ok "wasm-opt ($(command -v wasm-opt))"; else apt_pkgs+=(binaryen); fi
else
  ok "wasm-opt not needed (wasm-opt = false in Cargo.toml)"
fi
if [ "$want_browser" = 1 ]; then
  if [ -x "$CHROMIUM_BIN" ]; then ok "chromium ($CHROMIUM_BIN)"; else apt_pkgs+=(chromium); fi
  if [ -x "$CHROMEDRIVER" ]; then ok "chromedriver ($CHROMEDRIVER)"; else apt_pkgs+=(chromium-driver); fi
  # Firefox (BiDi for the e2e suite, geckodriver for the browser layer) and WebKit (Safari's
  # engine: WebKitWebDriver drives WebKitGTK's MiniBrowser, which needs a display: xvfb-run).
  if [ -x "$FIREFOX_BIN" ]; then ok "firefox-esr ($FIREFOX_BIN)"; else apt_pkgs+=(firefox-esr); fi
  if [ -x "$WEBKIT_WEBDRIVER" ]; then ok "WebKitWebDriver ($WEBKIT_WEBDRIVER)"; else apt_pkgs+=(webkit2gtk-driver); fi
  if command -v xvfb-run >/dev/null 2>&1; then ok "xvfb-run ($(command -v xvfb-run))"; else apt_pkgs+=(xvfb xauth); fi
fi
if [ "${#apt_pkgs[@]}" -gt 0 ]; then
  note "installing Debian packages: ${apt_pkgs[*]}"
  t=$(now_s)
  export DEBIAN_FRONTEND=noninteractive
  as_root apt-get update -q
  as_root apt-get install -y -q "${apt_pkgs[@]}"
  if [ "$want_browser" = 1 ]; then
    [ -x "$CHROMIUM_BIN" ] && [ -x "$CHROMEDRIVER" ] || die "apt installed chromium but $CHROMIUM_BIN or $CHROMEDRIVER is still missing"
    [ -x "$FIREFOX_BIN" ] || die "apt installed firefox-esr but $FIREFOX_BIN is still missing"
    [ -x "$WEBKIT_WEBDRIVER" ] || die "apt installed webkit2gtk-driver but $WEBKIT_WEBDRIVER is still missing"
    command -v xvfb-run >/dev/null 2>&1 || die "apt installed xvfb but xvfb-run is still missing"
  fi
  ok "Debian packages installed ($(fmt_dur $(( $(now_s) - t ))))"
fi

# --- 4b. geckodriver, pinned (the Firefox browser layer) -------------------------------------------
if [ "$want_browser" = 1 ]; then
  # `|| true`: with pipefail, a missing geckodriver (127) would end the script here under set -e.
  have_gd="$(geckodriver --version 2>/dev/null | awk 'NR==1{print $2}' || true)"
  if [ "$have_gd" = "$GECKODRIVER_VERSION" ]; then
    ok "geckodriver $GECKODRIVER_VERSION ($(command -v geckodriver))"
  else
    note "installing geckodriver $GECKODRIVER_VERSION with cargo install (about 14 minutes on 2 busy cores)"
    t=$(now_s)
    cargo install geckodriver --version "=$GECKODRIVER_VERSION" --locked --force
    ok "geckodriver installed ($(fmt_dur $(( $(now_s) - t ))))"
  fi
fi

# --- 5. npm packages ------------------------------------------------------------------------------
# npm writes node_modules/.package-lock.json on every install; if package-lock.json is newer than
# that, the lock changed since the last install (a pull, a merge) and node_modules is stale.
# Playwright must never download its own browser (it fails here); the tests use /usr/bin/chromium.
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
if [ ! -f package.json ]; then
  note "no package.json yet: skipping npm install"
elif [ -f package-lock.json ]; then
  if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    note "npm ci (node_modules missing or older than package-lock.json)"
    t=$(now_s); npm ci --no-audit --no-fund; ok "npm packages installed ($(fmt_dur $(( $(now_s) - t ))))"
  else
    ok "node_modules up to date with package-lock.json"
  fi
else
  if [ ! -d node_modules ] || [ package.json -nt node_modules ]; then
    note "no package-lock.json: npm install"
    t=$(now_s); npm install --no-audit --no-fund; ok "npm packages installed ($(fmt_dur $(( $(now_s) - t ))))"
  else
    ok "node_modules present (no package-lock.json)"
  fi
fi

# --- 6. Python packages of the PyTorch export's test layer (tests/python/), into .venv/ -------------
# torch, numpy and safetensors from PyPI (torch's default wheel runs on CPU but depends on NVIDIA's
# CUDA libraries, and `import torch` fails without them); torchvision and timm (a few MB more) so that
# the every-technique script (torchvision's v2 augmentations, timm's Mixup) runs in the test too.
# Measured on an idle machine (torch 2.15): 89 s, 5.5 GB installed, 8.5 GB at the peak (pip unpacks
# beside its downloads). --no-cache-dir: pip's cache would keep another 3 GB of wheels for nothing.
# A machine whose disk cannot hold that (one CI machine ran out here) does not get the layer: setup
# says so and writes the reason to .venv-skipped, and the Python layer reports itself SKIPPED with it
# instead of failing on a half-installed .venv/. Checked without importing torch (fast).
PY_PACKAGES=(torch numpy safetensors torchvision timm)
# The peak plus room for what the other layers still build after setup (target/, pkg*/, dist/).
PY_NEED_GB=${TRAINLAB_PY_NEED_GB:-16}
if [ "$want_browser" = 1 ]; then
  have_py() { .venv/bin/python -c "import importlib.util as u, sys; sys.exit(not all(u.find_spec(m) for m in sys.argv[1:]))" "${PY_PACKAGES[@]}" 2>/dev/null; }
  free_gb() { df -Pk . | awk 'NR == 2 { print int($4 / 1048576) }'; }
  if [ -x .venv/bin/python ] && have_py; then
    rm -f .venv-skipped
    ok "python packages in .venv/ (${PY_PACKAGES[*]})"
  elif [ "$(free_gb)" -lt "$PY_NEED_GB" ]; then
    echo "not enough disk for torch: $(free_gb) GB free in $(pwd) at setup, about $PY_NEED_GB GB needed (torch's install peaks at 8.5 GB, the builds take the rest); free some and run scripts/setup.sh test" > .venv-skipped
    note "NOT installing ${PY_PACKAGES[*]}: $(cat .venv-skipped)"
  else
    rm -f .venv-skipped
    command -v python3 >/dev/null 2>&1 || die "python3 not found: the PyTorch export's tests (tests/python/) need it"
    if ! python3 -c "import ensurepip, venv" >/dev/null 2>&1; then
      note "installing Debian's python3-venv"
      export DEBIAN_FRONTEND=noninteractive
      as_root apt-get update -q
      as_root apt-get install -y -q python3-venv
    fi
    note "installing ${PY_PACKAGES[*]} into .venv/ with pip (1.5-4 minutes, 5.5 GB with torch's CUDA libraries; $(free_gb) GB free)"
    t=$(now_s)
    [ -x .venv/bin/python ] || python3 -m venv .venv
    .venv/bin/pip install -q --no-cache-dir "${PY_PACKAGES[@]}"
    have_py || die "pip installed ${PY_PACKAGES[*]} but .venv/bin/python cannot find them"
    ok "python packages installed ($(fmt_dur $(( $(now_s) - t ))))"
  fi
fi

ok "setup done in $(fmt_dur $(( $(now_s) - t_setup )))"
