# A thin wrapper: install what is missing, configure, build, run or test.
#   make run    build and start qviz (on a machine with no display: a sweep
#               of the default model with qviz-cli, written as a PNG report
#               and CSV)
#   make test   build and run every test (GUI tests under Xvfb)

BUILD ?= build
MESON_OPTS ?=
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

PACKAGES := gcc make meson ninja-build pkg-config \
	libpq-dev postgresql \
	libglib2.0-dev libglib2.0-bin libgtk-4-dev libadwaita-1-dev \
	libsqlite3-dev libprotobuf-c-dev protobuf-c-compiler libcpuinfo-dev \
	libjson-glib-dev libgdk-pixbuf-2.0-dev libcairo2-dev libpango1.0-dev \
	librsvg2-common fonts-dejavu-core gettext locales desktop-file-utils \
	appstream libxml2-utils xvfb xauth \
	clang libclang-rt-14-dev libonnx-testdata

SAN_BUILD ?= build-sanitize
FUZZ_BUILD ?= build-fuzz
FUZZ_SECONDS ?= 60
XVFB := xvfb-run -a -s "-screen 0 1600x1000x24"
# Halt on the first report; leaks count as failures (tests/lsan.supp lists
# the system libraries' lifelong caches).
SAN_ENV := ASAN_OPTIONS=detect_leaks=1:halt_on_error=1:abort_on_error=1 \
	UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
	LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp

.PHONY: all deps build run test test-sanitize fuzz-smoke clean readme-operators

all: build

deps:
	@missing=$$(for p in $(PACKAGES); do \
	    dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed' || echo $$p; \
	  done); \
	if [ -n "$$missing" ]; then \
	  echo "Installing:" $$missing; \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing; \
	fi
	@# The translation test runs in French.
	@locale -a 2>/dev/null | grep -qix 'fr_FR.utf8' || { \
	  echo "Generating the fr_FR.UTF-8 locale"; $(SUDO) localedef -i fr_FR -f UTF-8 fr_FR.UTF-8; }

$(BUILD)/build.ninja:
	meson setup $(BUILD) $(MESON_OPTS)

build: deps $(BUILD)/build.ninja
	meson compile -C $(BUILD)

run: build
	@if [ -x $(BUILD)/app/qviz ] && { [ -n "$$DISPLAY" ] || [ -n "$$WAYLAND_DISPLAY" ]; }; then \
	  GSETTINGS_SCHEMA_DIR=$(BUILD)/data QVIZ_LOCALEDIR=$(BUILD)/po $(BUILD)/app/qviz; \
	else \
	  echo "No display: running the default sweep with qviz-cli instead."; \
	  out=$${XDG_DATA_HOME:-$$HOME/.local/share}/qviz; mkdir -p "$$out"; \
	  $(BUILD)/app/qviz-cli run lraspp-mnv3 && \
	  sweep=$$($(BUILD)/app/qviz-cli runs --model lraspp-mnv3 --json | \
	    sed -n 's/.*"uuid" : "\([0-9a-f-]*\)".*/\1/p' | head -n 1) && \
	  $(BUILD)/app/qviz-cli export $$sweep --png "$$out/report.png" --csv "$$out/report.csv" && \
	  echo "Report: $$out/report.png, CSV: $$out/report.csv"; \
	fi

test: build
	$(XVFB) meson test -C $(BUILD) --print-errorlogs
	$(MAKE) test-arm
	$(MAKE) test-sanitize
	$(MAKE) fuzz-smoke

# The whole suite again under AddressSanitizer and UBSan.
test-sanitize: deps
	@[ -f $(SAN_BUILD)/build.ninja ] || meson setup $(SAN_BUILD) \
	  -Db_sanitize=address,undefined -Dbuildtype=debugoptimized
	meson compile -C $(SAN_BUILD)
	$(SAN_ENV) $(XVFB) meson test -C $(SAN_BUILD) --print-errorlogs --timeout-multiplier 3

# Each libFuzzer target for FUZZ_SECONDS from its seeds, two at a time; a
# crash, a leak or an input that takes over 10 s (libFuzzer's slow unit)
# fails and leaves its input in $(FUZZ_BUILD)/crashes.  Needs clang.
FUZZ_TARGETS := onnx npy image import trace
fuzz-smoke: deps
	@if ! command -v clang >/dev/null; then echo "fuzz-smoke: clang is not installed; skipped"; exit 0; fi; \
	[ -f $(FUZZ_BUILD)/build.ninja ] || CC=clang CFLAGS=-fsanitize=fuzzer-no-link \
	  meson setup $(FUZZ_BUILD) -Dfuzzing=true -Db_sanitize=address,undefined \
	  -Db_lundef=false -Dgui=disabled -Dbuildtype=debugoptimized || exit 1; \
	ninja -C $(FUZZ_BUILD) $(addprefix tests/fuzz-,$(FUZZ_TARGETS)) || exit 1; \
	rm -rf $(FUZZ_BUILD)/crashes; mkdir -p $(FUZZ_BUILD)/crashes; \
	fuzz () { \
	  t=$$1; corpus=$(FUZZ_BUILD)/corpus/$$t; mkdir -p $$corpus; \
	  case $$t in \
	    onnx) seeds="tests/fixtures tests/fixtures/onnx-crashes" ;; \
	    npy) seeds="tests/fixtures tests/fixtures/npy-crashes" ;; \
	    trace) seeds="tests/fixtures/traces" ;; \
	    *) seeds="tests/fixtures/fuzz" ;; \
	  esac; \
	  $(SAN_ENV) $(FUZZ_BUILD)/tests/fuzz-$$t -max_total_time=$(FUZZ_SECONDS) \
	    -print_final_stats=1 -artifact_prefix=$(FUZZ_BUILD)/crashes/$$t- $$corpus $$seeds \
	    > $(FUZZ_BUILD)/fuzz-$$t.log 2>&1; \
	}; \
	fuzz onnx & fuzz npy & wait; fuzz image & fuzz import & wait; fuzz trace; \
	failed=0; \
	for t in $(FUZZ_TARGETS); do \
	  echo "fuzz-$$t: $$(sed -n 's/^stat::number_of_executed_units: *//p' $(FUZZ_BUILD)/fuzz-$$t.log) executions in $(FUZZ_SECONDS) s"; \
	  if ! grep -q '^stat::number_of_executed_units' $(FUZZ_BUILD)/fuzz-$$t.log || \
	     ls $(FUZZ_BUILD)/crashes/$$t-* >/dev/null 2>&1; then \
	    tail -n 40 $(FUZZ_BUILD)/fuzz-$$t.log; \
	    grep -E 'ERROR|SUMMARY|Slowest unit|Test unit written' $(FUZZ_BUILD)/fuzz-$$t.log | head -n 20; \
	    echo "fuzz-$$t found a failure (a crash, a leak, or a slow-unit input over 10 s):"; \
	    ls -l $(FUZZ_BUILD)/crashes/$$t-* 2>/dev/null; failed=1; \
	  fi; \
	done; \
	exit $$failed

# The README's operator list, from the loader's table.
readme-operators: build
	$(BUILD)/app/qviz-cli operators > $(BUILD)/operators.md
	sed -i -e '/<!-- operators:/,/<!-- \/operators -->/{//!d}' \
	       -e '/<!-- operators:/r $(BUILD)/operators.md' README.md

# On x86: cross-build the kernels, engine and qviz-cli for 64-bit Arm (into
# build-aarch64) and run their tests under qemu-user, with and without the
# dot product (tools/test-arm).  On an Arm machine `make test` has run them.
.PHONY: test-arm
test-arm: build
	SUDO=$(SUDO) X86_CLI=$(BUILD)/app/qviz-cli tools/test-arm

clean:
	rm -rf $(BUILD) $(SAN_BUILD) $(FUZZ_BUILD)
