#!/usr/bin/env python3
"""Time `heaplint check` on one file of N repetitions of three lines with findings, for a small and
a large N, and check that the cost grows linearly with the number of findings.

    python3 tests/benchmarks/findings_scaling.py --binary build/heaplint [--small 5000]
        [--large 50000] [--runs 5] [--target 12]

The three lines are `import gc` / `for line in open(p): gc.collect()` /
`total = sum([x for x in open(p)])`: a name rebound on every repetition and two findings each.
(Issue 11 wrote `gc.collect()` and `sum([x for x in xs])`; since MEM501 reports collections paid
per item of data and MEM101 needs a data-sized input, the loops over `open(p)` keep two findings
a repetition.) With CRLF line ends too, and a third file: one function of N lists each bound
to a name and summed (`s_1 = [x for x in range(1_000_000)]` / `t_1 = sum(s_1)`), where MEM101
asks of every name whether the function mentions it elsewhere. The report
gives the fastest CPU and wall time of each size (one thread) and the ratio of CPU times; a linear cost makes the ratio about
large/small (10), a quadratic one about its square.

Exit status: 0 when every ratio is at most --target, 1 when one is not, 2 when the benchmark
cannot run. Python standard library only.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

LINES = ("import gc", "for line in open(p): gc.collect()", "total = sum([x for x in open(p)])")


def timed_run(binary: str, path: Path) -> tuple[float, float]:
    """Wall and CPU seconds of one run (CPU time is what a shared machine's load disturbs least)."""
    started = time.monotonic()
    process = subprocess.Popen([binary, "check", "--no-cache", "--max-file-size", "0", "-q",
                                "--threads", "1", str(path)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    stderr = process.stderr.read()
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.monotonic() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 1:
        sys.exit(f"findings_scaling: heaplint exited {process.returncode}:\n"
                 f"{stderr.decode(errors='replace')}")
    return elapsed, usage.ru_utime + usage.ru_stime


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--binary", required=True)
    parser.add_argument("--small", type=int, default=5000)
    parser.add_argument("--large", type=int, default=50000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--target", type=float, default=12.0)
    arguments = parser.parse_args()
    if not Path(arguments.binary).is_file():
        print(f"findings_scaling: no binary at {arguments.binary}", file=sys.stderr)
        return 2
    failed = False
    with tempfile.TemporaryDirectory(prefix="heaplint-scaling-") as scratch:
        for ending in ("\n", "\r\n", "named lists"):
            sizes = (arguments.small, arguments.large)
            paths = {}
            for count in sizes:
                paths[count] = Path(scratch) / f"repeated_{count}.py"
                if ending == "named lists":
                    text = "def f():\n" + "".join(
                        f"    s_{i} = [x for x in range(1_000_000)]\n    t_{i} = sum(s_{i})\n"
                        for i in range(count))
                    paths[count].write_text(text)
                else:
                    paths[count].write_bytes((ending.join(LINES) + ending).encode() * count)
            # Rounds of both sizes back to back, so that a change in the machine's load falls on
            # both; the fastest run of each, since other tenants only ever add time.
            runs = {count: [] for count in sizes}
            for _ in range(arguments.runs):
                for count in sizes:
                    runs[count].append(timed_run(arguments.binary, paths[count]))
            wall = {count: min(run[0] for run in runs[count]) for count in sizes}
            cpu = {count: min(run[1] for run in runs[count]) for count in sizes}
            ratio = cpu[arguments.large] / cpu[arguments.small]
            name = {"\n": "LF", "\r\n": "CRLF"}.get(ending, ending)
            print(f"{name}: {arguments.small} repetitions {cpu[arguments.small]:.2f} s CPU "
                  f"({wall[arguments.small]:.2f} s wall), {arguments.large} repetitions "
                  f"{cpu[arguments.large]:.2f} s CPU ({wall[arguments.large]:.2f} s wall), "
                  f"CPU ratio {ratio:.1f} (target: at most {arguments.target:g})")
            failed = failed or ratio > arguments.target
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
