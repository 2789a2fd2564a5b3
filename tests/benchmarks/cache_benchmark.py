#!/usr/bin/env python3
"""Time a warm `heaplint check` (every file unchanged and cached) against a cold one.

    python3 tests/benchmarks/cache_benchmark.py --binary-dir build [--runs 3] [--threads 2]
        [--target 0.10] [PATH]

PATH defaults to /usr/lib/python3.11. heaplint runs in PATH with its cache pointed at a scratch
directory (--cache-dir), so nothing is written under PATH. Each round removes the cache, times
a cold run (which fills it), then times a warm run; rounds repeat --runs times and the report
gives the median wall times and the ratio warm / cold, with the per-round ratios. Every warm run
must print byte for byte what its cold run printed, and HEAPLINT_CACHE_STATS must show that the
warm run analysed no file.

Exit status: 0 when the median ratio is within the target (the issue's bar: 10%), 1 when it is
not, and 2 when the benchmark cannot run. Python standard library only.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

DEFAULT_CORPUS = "/usr/lib/python3.11"


def run(binary: Path, corpus: Path, cache: Path, threads: int) -> tuple[float, bytes, str]:
    env = dict(os.environ, HEAPLINT_CACHE_STATS="1", NO_COLOR="1")
    started = time.perf_counter()
    completed = subprocess.run(
        [str(binary), "check", "--exit-zero", "--cache-dir", str(cache), "-j", str(threads), "."],
        cwd=str(corpus),
        capture_output=True,
        env=env,
        check=False,
    )
    elapsed = time.perf_counter() - started
    if completed.returncode != 0:
        sys.exit(f"cache_benchmark: heaplint exited {completed.returncode}: {completed.stderr[-2000:]!r}")
    stats = [line for line in completed.stderr.decode().splitlines() if line.startswith("heaplint cache:")]
    return elapsed, completed.stdout, stats[-1] if stats else ""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--binary-dir", type=Path, default=Path("build"))
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--target", type=float, default=0.10)
    parser.add_argument("path", nargs="?", default=DEFAULT_CORPUS)
    args = parser.parse_args()

    binary = (args.binary_dir / "heaplint").resolve()
    corpus = Path(args.path).resolve()
    if not binary.is_file():
        print(f"cache_benchmark: no binary at {binary}", file=sys.stderr)
        return 2
    if not corpus.is_dir():
        print(f"cache_benchmark: no directory {corpus}", file=sys.stderr)
        return 2

    scratch = Path(tempfile.mkdtemp(prefix="heaplint-cache-bench-"))
    try:
        cache = scratch / "cache"
        colds, warms, ratios = [], [], []
        for round_number in range(1, args.runs + 1):
            shutil.rmtree(cache, ignore_errors=True)
            cold, cold_out, cold_stats = run(binary, corpus, cache, args.threads)
            warm, warm_out, warm_stats = run(binary, corpus, cache, args.threads)
            if warm_out != cold_out:
                print("cache_benchmark: the warm run printed something else than the cold run", file=sys.stderr)
                return 2
            if not warm_stats.endswith(" 0 analysed"):
                print(f"cache_benchmark: the warm run analysed files: {warm_stats}", file=sys.stderr)
                return 2
            colds.append(cold)
            warms.append(warm)
            ratios.append(warm / cold)
            print(f"round {round_number}: cold {cold:.3f} s ({cold_stats}), warm {warm:.3f} s "
                  f"({warm_stats}), ratio {warm / cold:.3f}")
        cold_median = statistics.median(colds)
        warm_median = statistics.median(warms)
        ratio = warm_median / cold_median
        cache_size = sum(p.stat().st_size for p in cache.rglob("*") if p.is_file())
        print(f"corpus: {corpus}, {args.threads} threads, cache {cache_size / 1e6:.1f} MB")
        print(f"median: cold {cold_median:.3f} s, warm {warm_median:.3f} s")
        print(f"target: warm/cold median {ratio:.3f} (per round {', '.join(f'{r:.3f}' for r in ratios)}), "
              f"target <= {args.target:.2f}: {'met' if ratio <= args.target else 'NOT met'}")
        return 0 if ratio <= args.target else 1
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
