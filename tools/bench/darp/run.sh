#!/bin/sh
# Builds the dial-a-ride benchmark programs in an optimised, sanitizer-free
# build directory and prints insertion latency and the solver table.
# Usage: tools/bench/darp/run.sh [run_bench.py options], e.g. --seeds 1 --family a
# (BUILD=dir overrides build-bench); figures go to docs/benchmarks.md by hand.
set -eu
root=$(cd "$(dirname "$0")/../../.." && pwd)
build=${BUILD:-"$root/build-bench"}
data="$root/../shared/bench/darp"
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release -DRITMO_BENCH=ON \
    -DRITMO_SANITIZE=OFF -DRITMO_TESTS=OFF >/dev/null
cmake --build "$build" -j2 --target ritmo_darp_bench darp_insert_bench >/dev/null
"$build/tools/bench/darp_insert_bench" 1000 50
if [ -f "$data/instances/pr10" ]; then
    "$build/tools/bench/darp_insert_bench" --instance "$data/instances/pr10" 10
fi
exec python3 "$root/tools/bench/darp/run_bench.py" --data "$data" \
    --cmd "$build/tools/bench/ritmo_darp_bench" "$@"
