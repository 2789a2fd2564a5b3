#!/bin/sh
# Runs clang-tidy (.clang-tidy) over the project's own C++ sources, two files at a time, against
# build/compile_commands.json (scripts/build.sh makes it). Exits non-zero on any finding.
set -eu
cd "$(dirname "$0")/.."
command -v clang-tidy >/dev/null || { echo "tidy.sh: clang-tidy is missing (apt-get install clang-tidy)" >&2; exit 2; }
[ -f build/compile_commands.json ] || { echo "tidy.sh: run scripts/build.sh first" >&2; exit 2; }
output=$(mktemp)
trap 'rm -f "$output"' EXIT
status=0
git ls-files '*.cpp' |
  xargs -P2 -n4 clang-tidy -p build --quiet >"$output" 2>&1 || status=$?
grep -v 'warnings generated\.$' "$output" || true
exit "$status"
