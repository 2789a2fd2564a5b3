#!/usr/bin/env bash
# The sanitizer build and the fuzz pass: clang with AddressSanitizer and UndefinedBehaviorSanitizer
# builds build-sanitize/ (heaplint, the tests and the libFuzzer targets of tests/fuzz), runs the
# unit, fixture and end-to-end tests on it, then each fuzz target for FUZZ_SECONDS (default 20) on
# seeds made from the fixtures and the CPython, Django and SymPy corpora. Any sanitizer report,
# crash, timeout or leak fails it.
#
#   scripts/sanitize.sh                 # the tests and a 20 s pass of every target
#   scripts/sanitize.sh ci              # CI (ctest's sanitizer.suite): unit, fixture and e2e tests
#                                       # and a 25 s pass of every target on the fixtures' seeds
#   scripts/sanitize.sh corpora [NAME...]   # `check --preview` and `--fix` over the corpora
#   scripts/sanitize.sh thread          # CI (ctest's sanitizer.thread): ThreadSanitizer in
#                                       # build-tsan/, the unit, fixture and end-to-end tests
#   FUZZ_SECONDS=3600 FUZZ_RUNS=10000000 scripts/sanitize.sh fuzz noqa   # a long run of one target
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:-all}  # all | ci | fuzz | corpora | thread
shift || true
case "$mode" in
  all | fuzz) fuzz_seconds=${FUZZ_SECONDS:-20} ;;
  ci) fuzz_seconds=${FUZZ_SECONDS:-25} ;;
  corpora | thread) ;;
  *)
    echo "sanitize.sh: unknown mode '$mode' (all, ci, fuzz, corpora or thread)" >&2
    exit 2
    ;;
esac

missing=()
command -v clang++-14 >/dev/null 2>&1 || missing+=(clang-14)
compgen -G "/usr/lib/llvm-14/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a" >/dev/null ||
  missing+=(libclang-rt-14-dev)
if ((${#missing[@]})); then
  if [ "$mode" = ci ] || [ "$mode" = thread ]; then
    # ctest's SKIP_RETURN_CODE: CI machines set up by scripts/build.sh have both packages.
    test_name=sanitizer.suite
    [ "$mode" = thread ] && test_name=sanitizer.thread
    echo "$test_name skipped: ${missing[*]} not installed" \
      "(scripts/build.sh installs clang-14 and libclang-rt-14-dev)"
    exit 77
  fi
  echo "sanitize.sh: installing ${missing[*]}" >&2
  sudo_cmd=()
  [ "$(id -u)" = 0 ] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" >/dev/null
fi
# node_modules (the tree-sitter sources) and the Debian packages. CI runs this script from ctest,
# after scripts/build.sh: it must not rebuild build/ under the tests that use it.
[ "$mode" = ci ] || [ "$mode" = thread ] || scripts/build.sh >/dev/null

if [ "$mode" = thread ]; then
  # ThreadSanitizer: the check's worker threads, the language server's reader and index builders,
  # the helper threads that parse and walk a large module's runs. A separate build (it cannot be
  # combined with AddressSanitizer), every library instrumented, no fuzzers.
  build=build-tsan
  if ! [ -f "$build/CMakeCache.txt" ]; then
    CC=clang-14 CXX=clang++-14 cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
      -DHEAPLINT_SANITIZE_THREAD=ON >/dev/null
  fi
  nice cmake --build "$build" --parallel "$(nproc)"
  # A report fails the process (exit 66), and so the test that ran it.
  # The path quoted: the options' parser splits at spaces, colons and commas.
  export TSAN_OPTIONS="halt_on_error=1:exitcode=66:second_deadlock_stack=1:suppressions='$PWD/tests/sanitizers/tsan.supp'"
  export HEAPLINT_TEST_SLOWDOWN=4 HEAPLINT_SOAK_EDITS=10000
  # Not the benchmarks nor the packaging tests; not the three single-threaded tests that random
  # edits analyse like a fresh parse nor the one that parentOf agrees with tree-sitter's in any
  # order (15 minutes of CPU together here; the AddressSanitizer suite runs them; the threaded
  # variant, EditsOnHelperThreads..., stays); not the pathological inputs, which test time and
  # memory bounds on one thread.
  exec ctest --test-dir "$build" --output-on-failure -j2 -E \
    '^(benchmark\.|packaging\.|e2e\.test_package$|e2e\.test_pathological$|ChunkedTree\.Edits(InsideBigClasses)?AndTheirUndo|Walker\.ParentOfAgreesWithTreeSitterInAnyOrder$)'
fi

build=build-sanitize
if ! [ -f "$build/CMakeCache.txt" ]; then
  CC=clang-14 CXX=clang++-14 cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DHEAPLINT_SANITIZE=ON -DHEAPLINT_FUZZ=ON >/dev/null
fi
nice cmake --build "$build" --parallel "$(nproc)"

export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:strict_string_checks=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
# The end-to-end tests' time bounds stretch for the sanitizers' slowdown; the language server's
# soak makes 10,000 edits instead of 50,000.
export HEAPLINT_TEST_SLOWDOWN=4 HEAPLINT_SOAK_EDITS=10000
case "$mode" in
  all)
    # Not the benchmarks (timing claims mean nothing under the sanitizers) nor the packaging tests
    # (they build a .deb, a wheel and pre-commit environments of their own, without sanitizers).
    ctest --test-dir "$build" --output-on-failure -j2 -E '^(benchmark\.|packaging\.|e2e\.test_package$)'
    ;;
  ci)
    # The unit, fixture and end-to-end tests, as `all` runs them: with tree-sitter's runtime
    # uninstrumented the end-to-end suite takes about 20 minutes on one loaded core
    # (docs/development.md), within CI's 90.
    ctest --test-dir "$build" --output-on-failure -j2 -E '^(benchmark\.|packaging\.|e2e\.test_package$)'
    ;;
  corpora)
    exec python3 tests/fuzz/sanitize_corpora.py --binary "$build/heaplint" "$@"
    ;;
esac

targets=("$@")
((${#targets[@]})) || targets=(analyze incremental fix server config noqa)
seeds=$build/fuzz-seeds
if [ "$mode" = ci ]; then
  # The fixtures only: CI downloads no corpus.
  seeds=$build/fuzz-seeds-fixtures
  [ -d "$seeds" ] || python3 tests/fuzz/make_seeds.py --no-corpora "$seeds"
else
  [ -d "$seeds" ] || python3 tests/fuzz/make_seeds.py "$seeds"
fi
# Replays tests/fuzz/DIR's inputs of $target (files named TARGET-*.bin), failing with MESSAGE.
replay() {
  local dir=$1 message=$2
  local inputs=(tests/fuzz/"$dir"/"$target"-*.bin)
  [ -e "${inputs[0]}" ] || return 0
  if ! nice -n 19 "$build/tests/fuzz/fuzz_$target" -timeout=30 -rss_limit_mb=2048 \
    "${inputs[@]}" >"$build/fuzz-$target-$dir.log" 2>&1; then
    tail -n 30 "$build/fuzz-$target-$dir.log" >&2
    echo "fuzz_$target: an input of tests/fuzz/$dir $message" >&2
    exit 1
  fi
  grep -E '^Executed' "$build/fuzz-$target-$dir.log" || true
}

for target in "${targets[@]}"; do
  corpus=$build/fuzz-corpus/$target
  mkdir -p "$corpus"
  echo "fuzz_$target: ${fuzz_seconds}s"
  # -timeout: one input taking over 30 s is a hang; -rss_limit_mb: one using 2 GB is a blow-up.
  log=$build/fuzz-$target.log
  status=0
  max_len=1024  # small inputs, thousands a second; a server transcript needs more
  [ "$target" = server ] && max_len=4096
  # FUZZ_RUNS ends a run after that many inputs (issue 11's long runs: 10,000,000 or an hour).
  nice -n 19 "$build/tests/fuzz/fuzz_$target" -max_total_time="$fuzz_seconds" \
    -runs="${FUZZ_RUNS:--1}" -max_len="$max_len" \
    -timeout=30 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$build/fuzz-crash-$target-" "$corpus" "$seeds/$target" >"$log" 2>&1 ||
    status=$?
  grep -E '^stat::(number_of_executed_units|average_exec_per_sec|peak_rss_mb)' "$log" || true
  if [ "$status" != 0 ]; then
    tail -n 60 "$log" >&2
    echo "fuzz_$target failed: the input is in $build/fuzz-crash-$target-*" >&2
    exit 1
  fi
  # The inputs that once ran past a long run's timeout (tests/fuzz/slow), under it, and those
  # that once failed (tests/fuzz/found), to keep their causes fixed.
  replay slow "ran past 30 s"
  replay found "fails again"
done
