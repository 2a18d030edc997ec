# Braid's entry points. `make run` and `make test` work on a fresh Debian 12 machine: both install
# what is missing first (scripts/deps.sh, idempotent).
JOBS ?= $(shell nproc)
DATA ?= braid-demo-data
HTTP ?= 127.0.0.1:8080
PG ?= 127.0.0.1:5433

.PHONY: all deps build run test test-build bench clean format

all: build

deps:
	@scripts/deps.sh

# Release build: build/braid.
build: deps
	cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DBRAID_TESTS=OFF -DBRAID_BENCH=OFF \
	  -DCMAKE_UNITY_BUILD=ON
	cmake --build build -j $(JOBS) --target braid

# `braid demo`: serves the example definitions (the seed's IoT telemetry) with the built-in
# generator feeding them, capture every 10 s and a batch refresh every 30 s, and prints queries
# that show batch, speed and merged rows. DATA, HTTP and PG override where.
run: build
	@scripts/run.sh build/braid $(DATA) $(HTTP) $(PG)

# Debug build with AddressSanitizer and UndefinedBehaviorSanitizer, then every test.
test-build: deps
	cmake -S . -B build-debug -DCMAKE_BUILD_TYPE=Debug -DBRAID_SANITIZE=ON -DBRAID_BENCH=OFF \
	  -DCMAKE_UNITY_BUILD=ON
	cmake --build build-debug -j $(JOBS)

test: test-build
	cd build-debug && ctest --output-on-failure -j $(JOBS) --timeout 600

# Release build of the benchmarks, then all of them (figures go to BENCHMARKS.md).
bench: deps
	cmake -S . -B build-release -DCMAKE_BUILD_TYPE=Release -DBRAID_TESTS=OFF -DBRAID_BENCH=ON
	cmake --build build-release -j $(JOBS)
	@scripts/bench.sh build-release

format:
	clang-format -i $$(git ls-files 'src/*.h' 'src/*.cc' 'tests/*.cc' 'bench/*.cc')

clean:
	rm -rf build build-debug build-release
