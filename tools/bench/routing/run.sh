#!/bin/sh
# Builds and runs the road routing benchmark in an optimised, sanitizer-free
# build directory (default build-bench), pinned to one core, on the shared
# OpenStreetMap extracts; figures go to docs/benchmarks.md by hand.
# RITMO_BENCH_GRID=200 adds the synthetic-grid stress case (slow to build).
set -eu
root=$(cd "$(dirname "$0")/../../.." && pwd)
build=${1:-"$root/build-bench"}
osm=${RITMO_OSM_DIR:-"$root/../shared/data/osm"}
extracts="$osm/delft-tudelft-2022-01-24.osm.pbf $osm/liechtenstein-2015-07-27.osm.pbf"
for f in $extracts; do
    [ -r "$f" ] || { echo "missing $f (set RITMO_OSM_DIR)" >&2; exit 1; }
done
pin=""
command -v taskset >/dev/null && pin="taskset -c 0"
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release -DRITMO_BENCH=ON \
    -DRITMO_SANITIZE=OFF -DRITMO_TESTS=OFF >/dev/null
cmake --build "$build" -j2 --target bench_routing >/dev/null
# shellcheck disable=SC2086
$pin "$build/bench_routing" $extracts
if [ -n "${RITMO_BENCH_GRID:-}" ]; then
    $pin "$build/bench_routing" --grid "$RITMO_BENCH_GRID"
fi
