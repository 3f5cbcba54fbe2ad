#!/bin/sh
# Builds and runs the inventory micro-benchmark in an optimised, sanitizer-free
# build directory (default build-bench); figures go to docs/benchmarks.md by hand.
set -eu
root=$(cd "$(dirname "$0")/../../.." && pwd)
build=${1:-"$root/build-bench"}
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release -DRITMO_BENCH=ON \
    -DRITMO_SANITIZE=OFF -DRITMO_TESTS=OFF >/dev/null
cmake --build "$build" -j2 --target bench_inventory >/dev/null
exec "$build/bench_inventory"
