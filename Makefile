# incidentd front end. `make run` and `make test` work on a fresh Debian machine: both install what is missing first.
BUILD ?= build
BUILD_TYPE ?= RelWithDebInfo
JOBS ?= $(shell nproc)
CMAKE_FLAGS ?=

.PHONY: all setup configure build run test unit asan bench bench-compare clean

all: build

setup:
	@tools/setup.sh

$(BUILD)/build.ninja:
	@$(MAKE) --no-print-directory setup
	cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) -UINCIDENTD_MODULES $(CMAKE_FLAGS)

configure: setup
	cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) -UINCIDENTD_MODULES $(CMAKE_FLAGS)

build: setup $(BUILD)/build.ninja
	cmake --build $(BUILD) -j $(JOBS)

# Serves examples/incidentd.yaml on 127.0.0.1:9797 with its data under ./data.
run: build
	@tools/run.sh $(BUILD)

# Every test: unit, scenario and integration (ctest labels), plus the module-edge check.
test: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

unit: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS) -L unit

# Every test again under AddressSanitizer and UndefinedBehaviorSanitizer (Debug build in build-asan/).
asan: setup
	cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DINCIDENTD_SANITIZE=ON -UINCIDENTD_MODULES
	cmake --build build-asan -j $(JOBS)
	cd build-asan && ctest --output-on-failure -j $(JOBS)

bench: build
	@tools/bench.sh $(BUILD)

# incidentd against the real Alertmanager, alternated on this machine; writes the ratio table into
# docs/performance.md. ROUNDS=3 DURATION=20 by default (about 10 minutes).
bench-compare: build
	@tools/bench_compare.sh

clean:
	rm -rf $(BUILD)
