# exhunt — build, test and demo entry points. See README.md.
BUILD ?= build
JOBS ?= $(shell nproc)
DEBIAN_PACKAGES := cmake ninja-build g++ ccache pkg-config git \
  libvectorscan-dev libre2-dev libyaml-cpp-dev libfmt-dev libcli11-dev \
  libgtest-dev libgmock-dev libbenchmark-dev libpugixml-dev libcurl4-openssl-dev libssl-dev \
  libyara-dev libsimdjson-dev libpugixml-dev libarchive-dev libssl-dev libcurl4-openssl-dev libsqlite3-dev \
  ripgrep yara time bc

.PHONY: all deps build test demo bench lint format clean

all: build

# Installs the Debian packages that are missing (needs root, or sudo).
deps:
	@missing=""; for p in $(DEBIAN_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing; \
	else echo "all build dependencies are installed"; fi

$(BUILD)/build.ninja: CMakeLists.txt
	cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo

build: $(BUILD)/build.ninja
	cmake --build $(BUILD) -j $(JOBS)

test: deps build
	ctest --test-dir $(BUILD) --output-on-failure -j $(JOBS)

demo: deps build
	@echo "== exhunt scan examples/EXCH01   (exit status 1: findings at or above --fail-on)"
	@$(BUILD)/exhunt scan examples/EXCH01 || test $$? -eq 1

bench: deps build
	bench/run.sh

# clang-tidy over the library sources (checks in .clang-tidy fail the run).
lint: build
	clang-tidy -p $(BUILD) --quiet $$(ls src/*/*.cc | grep -v -E '_(test|perftest)\.cc$$')

format:
	clang-format -i $$(ls src/*/*.h src/*/*.cc tools/*.cc tools/*.h fuzz/*.cc tests/*.cc tests/*.h)

clean:
	rm -rf $(BUILD)
