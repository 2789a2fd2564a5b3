#!/usr/bin/env python3
"""heaplint side by side with native Ruff and pylint 3 (both from PyPI), in one run.

    python3 tests/benchmarks/peers_benchmark.py --binary-dir build [--runs 5] [--threads 1,2]
        [--pylint-runs 1] [PATH...]

PATH defaults to CPython's standard library with its tests, Django and SymPy (the corpora of
tests/corpus, downloaded from Debian on first use). Every tool lints the same files: the list
heaplint's own discovery makes (`heaplint-parse-floor --list-files`), passed on the command line,
so no tool's default excludes (Ruff skips `dist-packages`) change the work.

The tools, at each thread count:
- the parse floor (tests/benchmarks/parse_only.cpp: discovery, reading, one tree-sitter parse);
- `heaplint check --no-cache` with its default rules;
- `ruff check --no-cache --select C419,B019,RUF006,PERF401,FURB129,RUF017` (the Ruff rules that
  overlap heaplint's; RAYON_NUM_THREADS sets Ruff's threads);
- pylint with the matching messages, `-j 1` in N processes over interleaved shards (`-j N`
  aborts the whole run with AstroidError on a module astroid cannot build).
Ruff and pylint are installed with pip, at the versions pinned in peers-requirements.txt, into a
virtual environment under ~/.cache/heaplint/bench-peers (outside the repository).

Rounds are interleaved (the order rotates every round, after an untimed warm-up) and each tool's
wall time, CPU time (user + system, children included) and peak RSS come from wait4(). The report
gives medians, the spread (min-max) and ratios to the floor at the same thread count, and the load
average before and after. pylint takes minutes, so it runs in the first --pylint-runs rounds only.

Peak RSS is ru_maxrss from wait4(): a tool whose peak is below the forked Python's own (about
21 MiB) reads as that.

Exit status 0 when everything ran; non-zero when a tool could not run. Python standard library.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import os
import re
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
REQUIREMENTS = HERE / "peers-requirements.txt"
VENV_ROOT = Path.home() / ".cache" / "heaplint" / "bench-peers"
RUFF_RULES = "C419,B019,RUF006,PERF401,FURB129,RUF017"
# consider-using-generator, use-a-generator (C419 / MEM101), method-cache-max-size-none
# (B019 / MEM203), dangerous-default-value (B006 / MEM204's wider peer).
PYLINT_MESSAGES = "R1728,R1729,W1518,W0102"


def load_run_benchmark():
    spec = importlib.util.spec_from_file_location("run_benchmark", HERE / "run_benchmark.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["run_benchmark"] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


bench = load_run_benchmark()


def default_paths() -> list[str]:
    sys.path.insert(0, str(HERE.parent / "corpus"))
    from corpora import CORPORA, cache_dir, ensure  # noqa: E402  (tests/corpus/corpora.py)

    paths = [bench.DEFAULT_CORPUS]
    for name in ("django", "sympy"):
        ensure(name)
        paths.append(str(cache_dir() / name / CORPORA[name][1]))
    return paths


def peer_venv() -> Path:
    """A virtual environment with the pinned peers, made once per requirements file's text."""
    digest = hashlib.sha256(REQUIREMENTS.read_bytes()).hexdigest()[:12]
    venv = VENV_ROOT / digest
    if (venv / "bin" / "ruff").exists() and (venv / "bin" / "pylint").exists():
        return venv
    VENV_ROOT.mkdir(parents=True, exist_ok=True)
    for cmd in ([sys.executable, "-m", "venv", str(venv)],
                [str(venv / "bin" / "pip"), "install", "-q", "-r", str(REQUIREMENTS)]):
        print("+ " + " ".join(cmd), file=sys.stderr)
        if subprocess.run(cmd).returncode != 0:
            sys.exit(f"peers_benchmark: `{' '.join(cmd)}` failed (PyPI must be reachable)")
    return venv


def version(cmd: list[str]) -> str:
    out = subprocess.run(cmd, capture_output=True, text=True).stdout.split()
    return out[1] if len(out) > 1 else "?"


def make_tools(binary_dir: Path, venv: Path, files_arg: str, paths: list[str], threads: int,
               scratch: Path):
    """(floor, heaplint, ruff, pylint) for one thread count; files come from an @-less list."""
    files = Path(files_arg).read_text().split()
    floor = bench.Tool(f"parse floor -j{threads}",
                       [[str(binary_dir / "heaplint-parse-floor"), "-j", str(threads), *paths]])
    heaplint = bench.Tool(f"heaplint -j{threads}",
                          [[str(binary_dir / "heaplint"), "check", "--no-cache", "--exit-zero",
                            "-j", str(threads), *files]])
    ruff = bench.Tool(f"ruff -j{threads}",
                      [[str(venv / "bin" / "ruff"), "check", "--no-cache", "--exit-zero",
                        "--select", RUFF_RULES, "--output-format", "concise", *files]],
                      env=dict(os.environ, RAYON_NUM_THREADS=str(threads)))
    rcfile = scratch / "empty-pylintrc"
    rcfile.write_text("")
    # Not `pylint -j N`: in parallel mode one module astroid cannot build aborts the whole run
    # with AstroidError (pylint 3.3.9 does on this corpus). N concurrent `-j 1` processes over
    # interleaved shards do the same work; CPU is summed and peak RSS is the largest process.
    pylint = bench.Tool(f"pylint -j{threads}",
                        [[str(venv / "bin" / "pylint"), f"--rcfile={rcfile}", "--persistent=n",
                          "--exit-zero", "--score=n", "--disable=all",
                          f"--enable={PYLINT_MESSAGES}", "-j", "1", *files[i::threads]]
                         for i in range(threads)],
                        cwd=str(scratch))
    return floor, heaplint, ruff, pylint


HEAPLINT_LINE = re.compile(r"^.+:\d+:\d+: (?:MEM|HL)\d+", re.M)
RUFF_LINE = re.compile(r"^.+:\d+:\d+: [A-Z]+\d+", re.M)
PYLINT_CODE = re.compile(r":\d+:\d+: ([A-Z]\d{4}): ")


def count_findings(tool_name: str, stdout: str) -> str:
    if tool_name.startswith("heaplint"):
        return f"{len(HEAPLINT_LINE.findall(stdout))} findings"
    if tool_name.startswith("ruff"):
        return f"{len(RUFF_LINE.findall(stdout))} findings"
    if tool_name.startswith("pylint"):
        wanted = PYLINT_MESSAGES.split(",")
        return f"{sum(c in wanted for c in PYLINT_CODE.findall(stdout))} findings"
    return ""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="*")
    parser.add_argument("--binary-dir", default="build")
    parser.add_argument("--runs", type=int, default=5, help="timed rounds (default 5)")
    parser.add_argument("--threads", default="1,2", help="thread counts (default 1,2)")
    parser.add_argument("--pylint-runs", type=int, default=1,
                        help="rounds that also time pylint (default 1: it takes minutes)")
    args = parser.parse_args()
    thread_counts = [int(t) for t in args.threads.split(",") if t]
    if args.runs < 1 or not thread_counts or min(thread_counts) < 1:
        parser.error("--runs and thread counts must be >= 1")

    binary_dir = Path(args.binary_dir).resolve()
    for binary in ("heaplint", "heaplint-parse-floor"):
        if not (binary_dir / binary).exists():
            sys.exit(f"peers_benchmark: {binary_dir / binary} not found; build first "
                     f"(scripts/build.sh)")
    paths = args.paths or default_paths()
    bench.ensure_corpus(paths)
    files = bench.list_files(binary_dir / "heaplint-parse-floor", paths)
    size = sum(os.path.getsize(f) for f in files)
    venv = peer_venv()
    ruff_version = version([str(venv / "bin" / "ruff"), "--version"])
    pylint_version = version([str(venv / "bin" / "pylint"), "--version"])
    print(f"peers benchmark: {len(files)} files, {size / 1e6:.1f} MB; ruff {ruff_version}, "
          f"pylint {pylint_version}; {args.runs} rounds, threads {thread_counts}", flush=True)

    with tempfile.TemporaryDirectory(prefix="heaplint-peers-") as tmp:
        scratch = Path(tmp)
        file_list = scratch / "files.txt"
        file_list.write_text("\n".join(files) + "\n")
        groups = {t: make_tools(binary_dir, venv, str(file_list), paths, t, scratch)
                  for t in thread_counts}
        load_before = os.getloadavg()[0]
        for floor, heaplint, _, _ in groups.values():  # warm the page cache, untimed
            bench.measure(floor.cmds)
            bench.measure(heaplint.cmds)
        findings: dict[str, str] = {}
        failed: set[str] = set()
        for round_index in range(args.runs):
            line = []
            for threads, (floor, heaplint, ruff, pylint) in groups.items():
                tools = [floor, heaplint, ruff]
                if round_index < args.pylint_runs:
                    tools.append(pylint)
                shift = round_index % len(tools)
                for tool in tools[shift:] + tools[:shift]:
                    if tool.name in failed:
                        continue
                    first = tool.name not in findings
                    sample = tool.run(keep_output=first)
                    if sample.exit_code != 0:
                        print(f"peers_benchmark: {tool.name} exited with {sample.exit_code}: "
                              f"{(sample.stderr.strip().splitlines() or ['?'])[-1][:200]}",
                              file=sys.stderr)
                        failed.add(tool.name)
                        tool.samples.pop()
                    if first:
                        findings[tool.name] = count_findings(tool.name, sample.stdout)
                    line.append(f"{tool.name} {sample.wall:.2f}s")
            print(f"  round {round_index + 1}/{args.runs}: " + ", ".join(line), flush=True)
        load_after = os.getloadavg()[0]

    print(f"\nload average {load_before:.1f} before, {load_after:.1f} after, on "
          f"{os.cpu_count()} CPUs; medians over the rounds, spread = min-max of wall time")
    header = (f"{'tool':<20} {'runs':>4} {'wall s':>8} {'spread':>13} {'cpu s':>8} "
              f"{'RSS MiB':>8} {'wall/floor':>10} {'cpu/floor':>9} {'RSS/floor':>9}  findings")
    print(header)
    print("-" * len(header))
    for threads, tools in groups.items():
        floor = tools[0]
        floor_wall = statistics.median(s.wall for s in floor.samples)
        floor_cpu = statistics.median(s.cpu for s in floor.samples)
        floor_rss = max(s.max_rss_kib for s in floor.samples)
        for tool in tools:
            if not tool.samples:
                print(f"{tool.name:<20} {'failed' if tool.name in failed else 'not run'}")
                continue
            walls = [s.wall for s in tool.samples]
            cpu = statistics.median(s.cpu for s in tool.samples)
            rss = max(s.max_rss_kib for s in tool.samples)
            print(f"{tool.name:<20} {len(walls):>4} {statistics.median(walls):>8.2f} "
                  f"{min(walls):>6.2f}-{max(walls):<6.2f} {cpu:>8.2f} {rss / 1024:>8.1f} "
                  f"{statistics.median(walls) / floor_wall:>10.2f} {cpu / floor_cpu:>9.2f} "
                  f"{rss / floor_rss:>9.2f}  {findings.get(tool.name, '')}")
    print(f"\nruff {ruff_version}: `ruff check --no-cache --exit-zero --select {RUFF_RULES} "
          f"FILE...` with RAYON_NUM_THREADS=N; pylint {pylint_version}: `pylint --rcfile=<empty> "
          f"--disable=all --enable={PYLINT_MESSAGES} -j 1 SHARD...` in N processes; heaplint: default rules, "
          f"`heaplint check --no-cache -j N FILE...`.")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
