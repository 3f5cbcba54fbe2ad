#!/usr/bin/env bash
# Checks that every C file follows .clang-format (run: clang-format -i FILE).
set -euo pipefail
cd "$1"
command -v clang-format >/dev/null || { echo "clang-format is not installed"; exit 1; }
files=$(git ls-files -co --exclude-standard -- '*.c' '*.h' 2>/dev/null ||
        find src routing inventory tests tools -name '*.[ch]')
# shellcheck disable=SC2086
clang-format --dry-run --Werror $files
echo "format: $(echo "$files" | wc -w) files follow .clang-format"
