#!/usr/bin/env python3
"""Peak memory of `heaplint check` against the number of files (issue 14).

    python3 tests/benchmarks/memory_scaling.py --binary build/heaplint [--copies 1,2,4]
        [--runs 3] [--threads 2] [--target 1.2] [--format concise] [SOURCE]

SOURCE (default /usr/lib/python3.11) is copied 1, 2 and 4 times into a scratch directory (as
sibling folders `copy0`, `copy1`, ...; only its .py files), and `heaplint check --no-cache` runs
over the first 1, 2 and 4 of them. A run's peak RSS is its own (wait4() on that process), so the sets can run one
after another; the rounds are interleaved (1x, 2x, 4x, then again) and each set's figure is the
median of its rounds. The report gives each set's peak RSS and its ratio to the 1x set's; the
exit status is 1 when the largest set's ratio is past --target (memory that grows with the number
of files), 0 otherwise, and 2 when the benchmark cannot run. Python standard library only.
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


def copy_python_files(source: Path, destination: Path) -> int:
    """Copies the .py files of `source` under `destination`, keeping their folders."""
    count = 0
    for root, _dirs, files in os.walk(source):
        relative = Path(root).relative_to(source)
        if "__pycache__" in relative.parts:
            continue
        for name in files:
            if not name.endswith(".py"):
                continue
            target = destination / relative / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(Path(root) / name, target)
            count += 1
    return count


def run_once(command: list[str], cwd: Path) -> tuple[int, float, float, int]:
    """Runs the command; returns its peak RSS (KiB), CPU seconds, wall seconds and exit code."""
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, stdin=subprocess.DEVNULL,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _pid, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    return usage.ru_maxrss, usage.ru_utime + usage.ru_stime, wall, process.returncode


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--binary", required=True, help="the heaplint binary")
    parser.add_argument("--copies", default="1,2,4", help="how many copies in each set")
    parser.add_argument("--runs", type=int, default=3, help="rounds (median per set)")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--target", type=float, default=1.2,
                        help="the largest set's peak RSS at most this times the smallest's")
    parser.add_argument("--format", default="concise", help="--output-format of the runs")
    parser.add_argument("--select", help="the rules to run (--select; default: the default rules)")
    parser.add_argument("source", nargs="?", default="/usr/lib/python3.11")
    args = parser.parse_args()

    binary = Path(args.binary).resolve()
    source = Path(args.source)
    if not binary.is_file() or not source.is_dir():
        print(f"memory_scaling: need a binary ({binary}) and a source folder ({source})",
              file=sys.stderr)
        return 2
    copies = sorted({int(c) for c in args.copies.split(",")})
    load = os.getloadavg()

    with tempfile.TemporaryDirectory(prefix="heaplint-memory-") as scratch:
        scratch_path = Path(scratch)
        per_copy = copy_python_files(source, scratch_path / "copies" / "copy0")
        for k in range(1, max(copies)):
            shutil.copytree(scratch_path / "copies" / "copy0", scratch_path / "copies" / f"copy{k}")
        rss: dict[int, list[int]] = {n: [] for n in copies}
        cpu: dict[int, list[float]] = {n: [] for n in copies}
        for round_index in range(args.runs):
            order = copies if round_index % 2 == 0 else list(reversed(copies))
            for n in order:
                # The n-copy set: the first n copies, named on the command line.
                command = [str(binary), "check", "--no-cache", "--exit-zero", "--quiet",
                           "--output-format", args.format, "-j", str(args.threads)]
                command += ["--select", args.select] if args.select else []
                command += [f"copy{k}/" for k in range(n)]
                peak, seconds, _wall, code = run_once(command, scratch_path / "copies")
                if code != 0:
                    print(f"memory_scaling: {' '.join(command)} exited with {code}",
                          file=sys.stderr)
                    return 2
                rss[n].append(peak)
                cpu[n].append(seconds)

    base = statistics.median(rss[copies[0]])
    print(f"memory_scaling: {source} ({per_copy} files a copy), {args.runs} rounds, "
          f"{args.threads} threads, --output-format {args.format}, load average "
          f"{load[0]:.1f} {load[1]:.1f} {load[2]:.1f}")
    for n in copies:
        median = statistics.median(rss[n])
        print(f"  {n}x ({n * per_copy} files): peak RSS {median / 1024:.1f} MiB "
              f"(rounds {', '.join(f'{r / 1024:.1f}' for r in rss[n])}), "
              f"{median / base:.2f}x the {copies[0]}x set; CPU {statistics.median(cpu[n]):.1f} s")
    largest = statistics.median(rss[copies[-1]]) / base
    if len(copies) > 1:
        growth = (statistics.median(rss[copies[-1]]) - base) / ((copies[-1] - copies[0]) * per_copy)
        print(f"  kept per file: {growth:.2f} KiB")
    print(f"target: {copies[-1]}x within {args.target:.2f}x of {copies[0]}x: "
          f"{largest:.2f}x, {'met' if largest <= args.target else 'NOT met'}")
    return 0 if largest <= args.target else 1


if __name__ == "__main__":
    sys.exit(main())
