#!/bin/sh
# Route feasibility test cost against route length, this tree side by side
# with the evaluator of an earlier revision (default: c0a3597, the fixed-point
# rounds that the exact linear sweep replaced). Both are built from the same
# benchmark source; only routing/darp_route.c differs.
# Usage: tools/bench/darp/feasibility.sh [REV]   (BUILD=dir overrides build-bench)
set -eu
root=$(cd "$(dirname "$0")/../../.." && pwd)
build=${BUILD:-"$root/build-bench"}
rev=${1:-c0a3597}
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release -DRITMO_BENCH=ON \
    -DRITMO_SANITIZE=OFF -DRITMO_TESTS=OFF >/dev/null
cmake --build "$build" -j2 --target darp_feasibility_bench >/dev/null
peer=$(mktemp -d)
trap 'rm -rf "$peer"' EXIT
git -C "$root" show "$rev:routing/darp_route.c" >"$peer/darp_route.c"
${CC:-cc} -std=c11 -D_GNU_SOURCE -O2 -DNDEBUG -I"$root" -I"$root/src" -o "$peer/bench" \
    "$root/tools/bench/darp/feasibility_bench.c" "$peer/darp_route.c" \
    "$root/routing/darp_model.c" "$root/src/common/xalloc.c" -lm
echo "== this tree"
"$build/tools/bench/darp_feasibility_bench"
echo "== $rev"
"$peer/bench"
