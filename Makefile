# trainlab — the two commands a course maintainer needs:
#
#   make serve   set up what is missing, build the wasm package, serve the page (http://127.0.0.1:5173/)
#   make test    set up what is missing, run all three test layers, stop at the first failure
#
# The work is in scripts/ (plain bash, runnable on their own); this file only names it.

SHELL := /bin/bash
.DEFAULT_GOAL := help

# Tools from `cargo install` live here; a fresh rustup puts it on PATH only for login shells.
CARGO_BIN := $(or $(CARGO_INSTALL_ROOT),$(CARGO_HOME),$(HOME)/.cargo)/bin
export PATH := $(CARGO_BIN):$(PATH)

# Targets share scripts/setup.sh and node_modules/; never run them in parallel (make -j).
.NOTPARALLEL:

.PHONY: help setup setup-build pkg serve build preview test test-lint test-native test-web test-e2e test-python test-firefox test-webkit bench readme slide-pictures fuzz clean

help:
	@echo "trainlab"
	@echo "  make serve        set up, build the wasm package, start the dev server at http://127.0.0.1:5173/"
	@echo "  make test         set up, then run every test layer (native, browser, end to end)"
	@echo ""
	@echo "  make build        production build of the page into dist/"
	@echo "  make preview      build, then serve dist/ at http://127.0.0.1:4173/"
	@echo "  make bench        run the benchmarks (bench/run.sh; ARGS=--quick for a short run)"
	@echo "  make slide-pictures   regenerate the deck's print pictures (slides/pictures/, from a fresh build)"
	@echo "  make fuzz         fuzz every target (data readers, config, hash, weights, checkpoint), FUZZ_SECONDS each (nightly + cargo-fuzz; not in make test)"
	@echo "  make setup        only install what is missing (wasm tools, chromium, npm packages)"
	@echo "  make pkg          only build the wasm package into pkg/"
	@echo "  make test-lint | test-native | test-web | test-e2e | test-python    one test layer"
	@echo "  make test-firefox | test-webkit    the browser and end-to-end layers in Firefox ESR (every e2e file) / WebKitGTK only"
	@echo "  make readme       regenerate README.md's URL-hash and scenario tables (and tests/scenarios.json)"
	@echo "  make clean        remove pkg/, dist/ and generated/ (the built data sets; cargo clean for target/)"

setup:
	@bash scripts/setup.sh test

setup-build:
	@bash scripts/setup.sh build

pkg: setup-build
	@bash scripts/pkg.sh

serve: pkg
	@bash scripts/serve.sh dev

build: pkg
	@npm run build

preview: build
	@bash scripts/serve.sh preview

test: setup
	@bash scripts/test.sh lint native web web-firefox web-webkit e2e e2e-firefox e2e-webkit python

test-lint: setup
	@bash scripts/test.sh lint

test-native:
	@bash scripts/test.sh native

test-web: setup
	@bash scripts/test.sh web

test-e2e: setup
	@bash scripts/test.sh e2e

test-python: setup
	@bash scripts/test.sh python

test-firefox: setup
	@bash scripts/test.sh web-firefox e2e-firefox-all

test-webkit: setup
	@bash scripts/test.sh web-webkit e2e-webkit

# Benchmarks of the current source (pkg/ is rebuilt first); flags go through ARGS, e.g.
# `make bench ARGS=--quick`. See bench/README.md.
bench: setup pkg
	@bash bench/run.sh $(ARGS)

# The pictures the deck prints in place of its live sandboxes (reveal.js ?print-pdf): each sandbox
# slide's link trained in headless Chromium and photographed. Committed; redo after changing a slide.
slide-pictures: setup build
	@node scripts/slide-pictures.mjs

# Every cargo-fuzz target (fuzz/, its own workspace; README "Bounds"), one at a time, niced, each for
# FUZZ_SECONDS (default 600) with a 2 GiB RSS limit and any single allocation over 1200 MiB reported as
# a crash (the run budget is 1 GiB). Needs once: `rustup toolchain install nightly && cargo install cargo-fuzz`.
# Not part of `make test`. One target: `make fuzz FUZZ_TARGETS=config`.
FUZZ_TARGETS ?= idx cifar pixels config hash weights checkpoint
FUZZ_SECONDS ?= 600
fuzz:
	@cd fuzz && for t in $(FUZZ_TARGETS); do mkdir -p corpus/$$t artifacts/$$t && \
		nice -n 10 cargo +nightly fuzz run -O -a $$t corpus/$$t seeds/$$t -- -max_total_time=$(FUZZ_SECONDS) \
		-max_len=300000 -rss_limit_mb=2048 -malloc_limit_mb=1200 -timeout=120 -print_final_stats=1 || exit 1; done

# README.md's table of URL-hash keys and its scenario table are generated from www/state.js and
# www/scenarios.js (scripts/scenarios.mjs also rewrites tests/scenarios.json).
readme:
	@node scripts/hash-keys.mjs --readme
	@node scripts/scenarios.mjs

clean:
	rm -rf pkg pkg-relaxed pkg-threads dist generated
