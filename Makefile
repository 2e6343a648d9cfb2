# exhunt — build, test and demo entry points. See README.md.
BUILD ?= build
JOBS ?= $(shell nproc)
DEBIAN_PACKAGES := cmake ninja-build g++ ccache pkg-config git \
  libvectorscan-dev libre2-dev libyaml-cpp-dev libyaml-dev libfmt-dev libcli11-dev \
  libgtest-dev libgmock-dev libbenchmark-dev libpugixml-dev libcurl4-openssl-dev libssl-dev \
  libyara-dev libsimdjson-dev libpugixml-dev libarchive-dev libssl-dev libcurl4-openssl-dev libsqlite3-dev zlib1g-dev \
  libpq-dev libisal-dev sqlite3 \
  ripgrep yara libevtx-utils time bc

.PHONY: all deps test-deps build test test-sanitize fuzz fuzz-run demo bench lint format clean

all: build

# Installs the Debian packages that are missing (needs root, or sudo).
define install_missing
	@missing=""; for p in $(1); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing; \
	else echo "all of $(2) are installed"; fi
endef

deps:
	$(call install_missing,$(DEBIAN_PACKAGES),the build dependencies)

# What the tests run beside exhunt: a PostgreSQL server (started by the
# tests on 127.0.0.1, see tests/pg_server.sh) and Chromium for the HTML report.
TEST_PACKAGES := postgresql chromium
test-deps:
	$(call install_missing,$(TEST_PACKAGES),the test dependencies)

$(BUILD)/build.ninja: CMakeLists.txt
	cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo

build: $(BUILD)/build.ninja
	cmake --build $(BUILD) -j $(JOBS)

test: deps test-deps build
	ctest --test-dir $(BUILD) --output-on-failure -j $(JOBS)

# The whole suite again, built with AddressSanitizer and UndefinedBehaviorSanitizer
# (any report fails the run).
SANITIZE_BUILD ?= build-sanitize
test-sanitize: deps test-deps
	cmake -S . -B $(SANITIZE_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Debug -DEXHUNT_SANITIZE=ON
	cmake --build $(SANITIZE_BUILD) -j $(JOBS)
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
	  ctest --test-dir $(SANITIZE_BUILD) --output-on-failure -j $(JOBS)

# libFuzzer targets (clang): build-fuzz/fuzz_<parser>_libfuzzer. `make fuzz-run`
# runs each for FUZZ_SECONDS on its corpus (new inputs are added to it).
FUZZ_BUILD ?= build-fuzz
FUZZ_SECONDS ?= 600
FUZZ_PACKAGES := clang libclang-rt-14-dev
fuzz: deps
	$(call install_missing,$(FUZZ_PACKAGES),the fuzzing dependencies)
	CC=clang CXX=clang++ cmake -S . -B $(FUZZ_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DEXHUNT_LIBFUZZER=ON \
	  -DCMAKE_CXX_FLAGS="-fsanitize=address,undefined,fuzzer-no-link"
	cmake --build $(FUZZ_BUILD) -j $(JOBS) --target $$(cd fuzz && ls fuzz_*.cc | sed 's/\.cc$$/_libfuzzer/')

fuzz-run: fuzz
	for t in $$(cd fuzz && ls fuzz_*.cc | sed 's/\.cc$$//'); do \
	  $(FUZZ_BUILD)/$${t}_libfuzzer -max_total_time=$(FUZZ_SECONDS) -rss_limit_mb=4096 fuzz/corpus/$$t || exit 1; \
	done

demo: deps build
	@echo "== exhunt scan examples/EXCH01   (exit status 1: findings at or above --fail-on)"
	@$(BUILD)/exhunt scan examples/EXCH01 || test $$? -eq 1

bench: deps build
	bench/run.sh
	bench/files.sh
	bench/evtx.sh
	bench/fleet.sh
	bench/packed.sh

# clang-tidy over the library sources (checks in .clang-tidy fail the run).
lint: build
	clang-tidy -p $(BUILD) --quiet $$(ls src/*/*.cc | grep -v -E '_(test|perftest)\.cc$$')

format:
	clang-format -i $$(ls src/*/*.h src/*/*.cc tools/*.cc tools/*.h fuzz/*.cc tests/*.cc tests/*.h)

clean:
	rm -rf $(BUILD)
