# A thin wrapper: install what is missing, configure, build, run or test.
#   make run    build and start qviz (on a machine with no display: a sweep
#               of the default model with qviz-cli, written as a PNG report
#               and CSV)
#   make test   build and run every test (GUI tests under Xvfb)

BUILD ?= build
MESON_OPTS ?=
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

PACKAGES := gcc make meson ninja-build pkg-config \
	libglib2.0-dev libglib2.0-bin libgtk-4-dev libadwaita-1-dev \
	libsqlite3-dev libprotobuf-c-dev protobuf-c-compiler libcpuinfo-dev \
	libjson-glib-dev libgdk-pixbuf-2.0-dev libcairo2-dev libpango1.0-dev \
	librsvg2-common fonts-dejavu-core gettext locales desktop-file-utils \
	appstream libxml2-utils xvfb xauth

.PHONY: all deps build run test clean

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
	xvfb-run -a -s "-screen 0 1600x1000x24" meson test -C $(BUILD) --print-errorlogs
	$(MAKE) test-arm

# On x86: cross-build the kernels, engine and qviz-cli for 64-bit Arm (into
# build-aarch64) and run their tests under qemu-user, with and without the
# dot product (tools/test-arm).  On an Arm machine `make test` has run them.
.PHONY: test-arm
test-arm: build
	SUDO=$(SUDO) tools/test-arm

clean:
	rm -rf $(BUILD)
