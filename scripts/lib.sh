# Shared helpers for scripts/*.sh. Source it; do not run it.
#
# - cd to the repository root, so every script works from any directory;
# - put cargo-installed tools on PATH: a fresh rustup install adds ~/.cargo/bin only to login
#   shells, and CI runs non-login shells;
# - `section`/`ok`/`die` print the uniform banners that make a failing phase easy to spot.

set -euo pipefail

TRAINLAB_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$TRAINLAB_ROOT"

# Where `cargo install` puts binaries: $CARGO_INSTALL_ROOT/bin if set (cargo honours it; the
# setup self-test uses it to install into a scratch directory), else $CARGO_HOME/bin.
CARGO_BIN_DIR="${CARGO_INSTALL_ROOT:-${CARGO_HOME:-$HOME/.cargo}}/bin"
case ":$PATH:" in
  *":$CARGO_BIN_DIR:"*) ;;
  *) PATH="$CARGO_BIN_DIR:$PATH" ;;
esac
# cargo/rustup themselves live in $CARGO_HOME/bin; add it last only if cargo is not found at all.
if ! command -v cargo >/dev/null 2>&1 && [ -x "${CARGO_HOME:-$HOME/.cargo}/bin/cargo" ]; then
  PATH="$PATH:${CARGO_HOME:-$HOME/.cargo}/bin"
fi
export PATH

# The nightly that builds pkg-threads/ (scripts/pkg-threads.sh: -Z build-std with atomics). Pinned,
# because a fresh machine would otherwise get whatever nightly is current, and nightlies have changed
# what +atomics links (rust-lang/rust#147225). TRAINLAB_NIGHTLY=nightly tries the newest.
export TRAINLAB_NIGHTLY="${TRAINLAB_NIGHTLY:-nightly-2026-05-20}"

# Colours only on a terminal; CI logs stay plain.
if [ -t 1 ]; then B=$'\e[1m'; G=$'\e[32m'; R=$'\e[31m'; Y=$'\e[33m'; N=$'\e[0m'; else B= G= R= Y= N=; fi

section() { printf '\n%s==> %s%s\n' "$B" "$*" "$N"; }
ok()      { printf '%s  ok%s %s\n' "$G" "$N" "$*"; }
note()    { printf '%s  ..%s %s\n' "$Y" "$N" "$*"; }
die()     { printf '\n%sERROR:%s %s\n' "$R$B" "$N" "$*" >&2; exit 1; }

# now_s: seconds since the epoch (integer); fmt_dur SECONDS -> "1m05s"
now_s()   { date +%s; }
fmt_dur() { local s=$1; if [ "$s" -ge 60 ]; then printf '%dm%02ds' $((s / 60)) $((s % 60)); else printf '%ds' "$s"; fi; }

# Run a command as root: directly when we are root, through sudo otherwise.
as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"
  elif command -v sudo >/dev/null 2>&1; then sudo "$@"
  else die "need root to run: $* (run as root or install sudo)"; fi
}
