#!/usr/bin/env bash
# Serve the page locally.
#   scripts/serve.sh dev       Vite dev server (index.html + www/ + pkg/), default http://127.0.0.1:5173/
#   scripts/serve.sh preview   serve the production build in dist/, default http://127.0.0.1:4173/
# Both print the page's URL and the lecture deck's (slides/) beside it. Both send COOP/COEP on the pages
# and scripts (vite.config.js ISOLATION), so the page is cross-origin isolated and runs the threaded
# build when pkg-threads/ is built; the page's header names the build it runs and why.
# package.json's dev/preview scripts fix host, port and --strictPort; HOST and PORT override them
# (e.g. HOST=0.0.0.0 to let other machines in the room connect). Vite takes the last flag given.
# Expects pkg/ (and for preview dist/) to be built already: `make serve` / `make preview` do that.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
mode="${1:-dev}"
case "$mode" in
  dev)     port="${PORT:-5173}" ;;
  preview) port="${PORT:-4173}" ;;
  *) die "usage: scripts/serve.sh [dev|preview]" ;;
esac
host="${HOST:-127.0.0.1}"
[ -f package.json ] || die "no package.json yet: the front end has not landed"
[ -f pkg/trainlab.js ] || die "pkg/trainlab.js missing: run 'make pkg' first"
section "serving trainlab ($mode)"
printf '\n  %strainlab: open http://%s:%s/%s   (Ctrl-C stops the server)\n' "$B" "$host" "$port" "$N"
# The lecture's deck (slides/index.html, a page of the same build; offline, the service worker
# answers the folder URL with it too).
printf '  %sdeck:     open http://%s:%s/slides/%s   (the lecture'"'"'s slides with live sandboxes)\n\n' "$B" "$host" "$port" "$N"
extra=()
[ -n "${HOST:-}" ] && extra+=(--host "$HOST")
[ -n "${PORT:-}" ] && extra+=(--port "$PORT")
if [ "${#extra[@]}" -gt 0 ]; then exec npm run "$mode" -- "${extra[@]}"; else exec npm run "$mode"; fi
