#!/usr/bin/env python3
"""Benchmark `heaplint check` against its floor, and optionally against its peers, in one run.

The floor is `heaplint-parse-floor` (tests/benchmarks/parse_only.cpp): the same file discovery,
reading and worker threads as `heaplint check`, with one tree-sitter parse per file and nothing
else. The target is heaplint's wall time within 1.5x the floor's, both with 2 threads.

    python3 tests/benchmarks/run_benchmark.py --binary-dir build [--runs 5] [--threads 2]
        [--peers] [--callgrind [--limit 200]] [--preview] [--heaplint-arg ARG ...] [PATH...]

PATH defaults to /usr/lib/python3.11 (the CPython standard library plus, with Debian's
libpython3.11-testsuite, its test suite); when that is missing it is installed with apt-get (as
root; otherwise the command is printed).

Wall-clock timings on a shared machine are noisy, so the tools run alternately (interleaved, the
order flipping every round, after an untimed warm-up round) and the report gives the median and
the minimum of each, their ratio to the floor, and the median of the per-round ratios. Peak RSS
and CPU time come from wait4() on each process. --callgrind adds a deterministic comparison:
both binaries, single-threaded, under `valgrind --tool=callgrind` on an evenly spaced subset of
the files, and the ratio of instructions executed.

--preview runs every rule (`heaplint check --preview`), not only the default ones;
--heaplint-arg passes any other argument to `heaplint check` (repeat it for several).

--peers also times pylint (Debian's package) and Ruff's WebAssembly build
(@astral-sh/ruff-wasm-nodejs from npm, installed into a scratch directory outside the
repository) on the same files, each with the one rule that matches heaplint's MEM101.

Exit status: 0 when the target holds (or only --callgrind ran), 1 when it does not, and another
non-zero status when the benchmark cannot run. Python standard library only.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_CORPUS = "/usr/lib/python3.11"
CORPUS_PROBE = "/usr/lib/python3.11/test"
CORPUS_PACKAGES = ["python3.11", "libpython3.11-testsuite"]
TARGET_RATIO = 1.5
RUFF_PACKAGE = "@astral-sh/ruff-wasm-nodejs"
RUFF_SCRATCH = Path(tempfile.gettempdir()) / "heaplint-bench-ruff"
PYLINT_MESSAGES = "R1728,R1729"  # consider-using-generator, use-a-generator
RUFF_RULE = "C419"  # unnecessary-comprehension-in-call


# --------------------------------------------------------------------------------------------
# Running and measuring one process


@dataclass
class Sample:
    wall: float  # seconds
    cpu: float  # user + system seconds, the processes and their reaped children
    max_rss_kib: int  # the largest single process (Linux ru_maxrss), not a sum
    exit_code: int
    stdout: str = ""
    stderr: str = ""


def measure(cmds: list[list[str]], cwd: str | None = None, env: dict | None = None,
            keep_output: bool = False) -> Sample:
    """Runs the commands concurrently to completion: wall time from the first fork to the last
    exit, CPU time summed and peak RSS (the largest process) from wait4()."""
    outs = [tempfile.TemporaryFile() for _ in cmds]
    errs = [tempfile.TemporaryFile() for _ in cmds]
    try:
        start = time.perf_counter()
        processes = [
            subprocess.Popen(cmd, cwd=cwd, env=env, stdin=subprocess.DEVNULL,
                             stdout=out if keep_output else subprocess.DEVNULL, stderr=err)
            for cmd, out, err in zip(cmds, outs, errs)]
        cpu = 0.0
        max_rss = 0
        exit_code = 0
        for process in processes:
            _, status, usage = os.wait4(process.pid, 0)
            process.returncode = os.waitstatus_to_exitcode(status)  # already reaped
            cpu += usage.ru_utime + usage.ru_stime
            max_rss = max(max_rss, usage.ru_maxrss)
            exit_code = exit_code or process.returncode
        wall = time.perf_counter() - start

        def read(files):
            text = ""
            for f in files:
                f.seek(0)
                text += f.read().decode("utf-8", "replace")
            return text

        return Sample(wall, cpu, max_rss, exit_code, read(outs) if keep_output else "",
                      read(errs))
    finally:
        for f in outs + errs:
            f.close()


@dataclass
class Tool:
    name: str  # row label
    cmds: list[list[str]]  # one command, or shards run concurrently
    cwd: str | None = None
    env: dict | None = None
    note: str = ""  # how it was run, for the footnotes
    samples: list[Sample] = field(default_factory=list)
    unavailable: str = ""  # why it was not run
    failed: str = ""  # why a run does not count

    def run(self, keep_output: bool = False) -> Sample:
        sample = measure(self.cmds, self.cwd, self.env, keep_output)
        self.samples.append(sample)
        return sample


def median(values):
    return statistics.median(values) if values else float("nan")


def mib(kib: float) -> float:
    return kib / 1024.0


# --------------------------------------------------------------------------------------------
# Set-up: corpus, binaries, file list


def is_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


def apt_install(packages: list[str]) -> bool:
    """apt-get install as root, running apt-get update once if the first attempt fails."""
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    cmd = ["apt-get", "install", "-y", "--no-install-recommends", *packages]
    print("+ " + " ".join(cmd), file=sys.stderr)
    if subprocess.run(cmd, env=env).returncode == 0:
        return True
    print("+ apt-get update", file=sys.stderr)
    subprocess.run(["apt-get", "update"], env=env)
    return subprocess.run(cmd, env=env).returncode == 0


def ensure_corpus(paths: list[str]) -> None:
    if DEFAULT_CORPUS in paths and not os.path.isdir(CORPUS_PROBE):
        command = "apt-get install -y " + " ".join(CORPUS_PACKAGES)
        if not is_root():
            sys.exit(f"run_benchmark: {CORPUS_PROBE} is missing; install the corpus first:\n"
                     f"    sudo {command}")
        if not apt_install(CORPUS_PACKAGES) or not os.path.isdir(CORPUS_PROBE):
            sys.exit(f"run_benchmark: could not install the corpus ({command})")
    for path in paths:
        if not os.path.exists(path):
            sys.exit(f"run_benchmark: {path}: no such file or directory")


def list_files(floor: Path, paths: list[str]) -> list[str]:
    """The files heaplint will lint, from the very same discovery code."""
    result = subprocess.run([str(floor), "--list-files", *paths], capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"run_benchmark: {floor} --list-files failed:\n{result.stderr}")
    return [line for line in result.stdout.splitlines() if line]


def evenly_spaced(files: list[str], limit: int) -> list[str]:
    if limit <= 0 or limit >= len(files):
        return list(files)
    return [files[(i * len(files)) // limit] for i in range(limit)]


# --------------------------------------------------------------------------------------------
# Peers


def tool_version(cmd: list[str]) -> str:
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=60).stdout
    except (OSError, subprocess.TimeoutExpired):
        return ""
    return out.splitlines()[0].strip() if out else ""


def setup_pylint(files: list[str], threads: int, scratch: Path) -> Tool:
    tool = Tool(name="pylint", cmds=[])
    pylint = shutil.which("pylint")
    if pylint is None and is_root():
        apt_install(["pylint"])
        pylint = shutil.which("pylint")
    if pylint is None:
        tool.unavailable = ("not installed (apt-get install pylint)" if not is_root()
                            else "apt-get install pylint failed")
        return tool
    version = tool_version([pylint, "--version"])
    version = version.split()[-1] if version else "?"
    rcfile = scratch / "empty-pylintrc"
    rcfile.write_text("")
    # Not `pylint -j N`: in parallel mode one module that astroid cannot build (Debian 12's
    # astroid 2.14 has no `except*`, and fails on a few more stdlib tests) aborts the whole run.
    # N concurrent `-j 1` processes over interleaved shards do the same work, and a module astroid
    # cannot build becomes an astroid-error (F0002) message, as in any serial pylint run.
    shards = [files[i::threads] for i in range(threads)]
    tool.cmds = [[pylint, f"--rcfile={rcfile}", "--persistent=n", "--exit-zero", "--score=n",
                  "--disable=all", f"--enable={PYLINT_MESSAGES}", "-j", "1", *shard]
                 for shard in shards if shard]
    tool.cwd = str(scratch)
    tool.name = f"pylint {version} ({len(tool.cmds)} procs)"
    tool.note = (f"pylint {version}: {len(tool.cmds)} concurrent `{pylint} --rcfile=<empty> "
                 f"--persistent=n --exit-zero --score=n --disable=all "
                 f"--enable={PYLINT_MESSAGES} -j 1 FILE...` over interleaved shards of the "
                 f"{len(files)} files (`-j {threads}` aborts on the first module astroid cannot "
                 f"build); CPU is summed, peak RSS is the largest process")
    return tool


RUFF_DRIVER = r"""
// Generated by tests/benchmarks/run_benchmark.py: lint every file with Ruff's WebAssembly build,
// rule %(rule)s only, in N worker threads (one Workspace each) that take files from a shared counter.
'use strict';
const fs = require('fs');
const { Worker, isMainThread, workerData, parentPort } = require('worker_threads');

if (isMainThread) {
  const start = process.hrtime.bigint();
  const [listFile, threadsText] = process.argv.slice(2);
  const files = fs.readFileSync(listFile, 'utf8').split('\n').filter(Boolean);
  const threads = Math.max(1, Math.min(parseInt(threadsText, 10) || 1, files.length));
  const counter = new Int32Array(new SharedArrayBuffer(4));
  const totals = { files: 0, bytes: 0, diagnostics: 0, other: 0, errors: 0, startup: 0 };
  let running = threads;
  for (let t = 0; t < threads; ++t) {
    const worker = new Worker(__filename, { workerData: { files, counter } });
    worker.on('message', (m) => {
      for (const key of ['files', 'bytes', 'diagnostics', 'other', 'errors']) totals[key] += m[key];
      totals.startup = Math.max(totals.startup, m.startup);
      if (--running === 0) {
        totals.seconds = Number(process.hrtime.bigint() - start) / 1e9;
        console.log(JSON.stringify(totals));
        // Exit now: V8 would otherwise finish background (tier-up) compilation of the
        // WebAssembly module, seconds of work that no longer serves the lint.
        process.exit(process.exitCode || 0);
      }
    });
    worker.on('error', (e) => { console.error(e); process.exit(2); });
  }
} else {
  const begin = process.hrtime.bigint();
  const { Workspace, PositionEncoding } = require('@astral-sh/ruff-wasm-nodejs');
  const workspace = new Workspace({ lint: { select: ['%(rule)s'] } }, PositionEncoding.Utf8);
  workspace.check('pass\n');  // the first check compiles most of the WebAssembly code
  const { files, counter } = workerData;
  const totals = { files: 0, bytes: 0, diagnostics: 0, other: 0, errors: 0 };
  totals.startup = Number(process.hrtime.bigint() - begin) / 1e9;
  for (let i = Atomics.add(counter, 0, 1); i < files.length; i = Atomics.add(counter, 0, 1)) {
    let text;
    try {
      text = fs.readFileSync(files[i], 'utf8');
    } catch (e) {
      ++totals.errors;
      continue;
    }
    ++totals.files;
    totals.bytes += Buffer.byteLength(text);
    try {
      for (const diagnostic of workspace.check(text)) {
        if (diagnostic.code === '%(rule)s') ++totals.diagnostics; else ++totals.other;
      }
    } catch (e) {
      ++totals.errors;
    }
  }
  parentPort.postMessage(totals);
}
"""


def setup_ruff(files: list[str], threads: int) -> Tool:
    tool = Tool(name="ruff-wasm", cmds=[])
    node = shutil.which("node")
    npm = shutil.which("npm")
    if node is None or npm is None:
        tool.unavailable = "node/npm not installed (apt-get install nodejs npm)"
        return tool
    scratch = RUFF_SCRATCH
    package_dir = scratch / "node_modules" / "@astral-sh" / "ruff-wasm-nodejs"
    if not (package_dir / "package.json").exists():
        scratch.mkdir(parents=True, exist_ok=True)
        # A package.json of its own, so npm installs here and never into a parent project.
        if not (scratch / "package.json").exists():
            (scratch / "package.json").write_text('{"private": true}\n')
        cmd = [npm, "install", "--no-save", "--no-audit", "--no-fund", RUFF_PACKAGE]
        print(f"+ (cd {scratch} && {' '.join(cmd)})", file=sys.stderr)
        if subprocess.run(cmd, cwd=scratch).returncode != 0 or not package_dir.exists():
            tool.unavailable = f"npm install {RUFF_PACKAGE} failed"
            return tool
    version = json.loads((package_dir / "package.json").read_text()).get("version", "?")
    driver = scratch / "heaplint_bench_driver.js"
    driver.write_text(RUFF_DRIVER % {"rule": RUFF_RULE})
    file_list = scratch / "files.txt"
    file_list.write_text("\n".join(files) + "\n")
    tool.cmds = [[node, str(driver), str(file_list), str(threads)]]
    tool.cwd = str(scratch)
    tool.name = f"ruff-wasm {version} ({threads} workers)"
    tool.note = (f"ruff-wasm: `node {driver} files.txt {threads}` ({RUFF_PACKAGE} {version} in "
                 f"{scratch}): {threads} worker_threads, each with its own "
                 f"Workspace({{lint: {{select: ['{RUFF_RULE}']}}}}), reading each file as UTF-8 "
                 f"and calling workspace.check(text); the time includes Node start-up and "
                 f"compiling the WebAssembly module in every worker; the driver calls "
                 f"process.exit() when the last worker reports, so V8's leftover background "
                 f"compilation does not count")
    return tool


# --------------------------------------------------------------------------------------------
# Callgrind


def callgrind_instructions(cmd: list[str], out_file: Path) -> tuple[int, str]:
    full = ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out_file}", *cmd]
    result = subprocess.run(full, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    match = re.search(r"Collected\s*:\s*(\d+)", result.stderr)
    if match is None:
        sys.exit("run_benchmark: callgrind reported no instruction count:\n" + result.stderr[-2000:])
    return int(match.group(1)), result.stderr


def function_costs(out_file: Path) -> dict[str, int]:
    """Own (exclusive) instructions per function, from callgrind_annotate."""
    annotate = shutil.which("callgrind_annotate")
    if annotate is None:
        return {}
    result = subprocess.run([annotate, "--inclusive=no", "--threshold=100", str(out_file)],
                            capture_output=True, text=True)
    costs: dict[str, int] = {}
    in_table = False  # the per-function table follows the header line "Ir ... file:function"
    for line in result.stdout.splitlines():
        if "file:function" in line:
            in_table = True
            continue
        match = re.match(r"^\s*([\d,]+) \(\s*[\d.]+%\)\s+(\S.*?)(?: \[[^\]]*\])?$", line)
        if in_table and match:
            name = match.group(2)
            name = name.split(":", 1)[1] if ":" in name else name  # drop the source file
            costs[name] = costs.get(name, 0) + int(match.group(1).replace(",", ""))
        elif in_table and costs and not line.strip():
            break
    return costs


def run_callgrind(heaplint: Path, floor: Path, files: list[str], limit: int, top: int,
                  check_args: list[str]) -> None:
    if shutil.which("valgrind") is None:
        print("\ncallgrind: valgrind is not installed (apt-get install valgrind); skipped")
        return
    subset = evenly_spaced(files, limit)
    size = sum(os.path.getsize(f) for f in subset)
    print(f"\ncallgrind: {len(subset)} of {len(files)} files (evenly spaced in discovery order), "
          f"{size / 1e6:.2f} MB, 1 thread, `valgrind --tool=callgrind`", flush=True)
    with tempfile.TemporaryDirectory(prefix="heaplint-callgrind-") as tmp:
        floor_out = Path(tmp) / "floor.callgrind"
        lint_out = Path(tmp) / "heaplint.callgrind"
        floor_ir, _ = callgrind_instructions([str(floor), "-j", "1", *subset], floor_out)
        lint_ir, _ = callgrind_instructions(
            [str(heaplint), "check", *check_args, "-j", "1", *subset], lint_out)
        print(f"  parse floor     {floor_ir:>16,} instructions")
        print(f"  heaplint check  {lint_ir:>16,} instructions")
        print(f"  ratio heaplint/floor: {lint_ir / floor_ir:.3f}  "
              f"(heaplint's own work: {(lint_ir - floor_ir) / floor_ir * 100:+.1f}% of the floor)")
        lint_costs = function_costs(lint_out)
        floor_costs = function_costs(floor_out)
        if lint_costs and floor_costs:
            extra = sorted(((cost - floor_costs.get(name, 0), name)
                            for name, cost in lint_costs.items()), reverse=True)[:top]
            print(f"  where heaplint's extra instructions go (own instructions per function, "
                  f"heaplint minus floor; total {lint_ir - floor_ir:,}):")
            for delta, name in extra:
                if delta <= 0:
                    break
                short = name if len(name) <= 100 else name[:97] + "..."
                print(f"    {delta:>14,}  {delta / (lint_ir - floor_ir) * 100:5.1f}%  {short}")


# --------------------------------------------------------------------------------------------
# Report


def report(tools: list[Tool], floor: Tool, heaplint: Tool, files: int, size: int,
           threads: int, load_before: float, target: float) -> bool:
    base_median = median([s.wall for s in floor.samples])
    base_min = min(s.wall for s in floor.samples)
    base_cpu = median([s.cpu for s in floor.samples])
    print(f"\ncorpus: {files} files, {size / 1e6:.1f} MB; {threads} threads; "
          f"{len(floor.samples)} interleaved runs of the floor and heaplint; load average "
          f"{load_before:.1f} before, {os.getloadavg()[0]:.1f} after on {os.cpu_count()} CPUs")
    base_rss = max(s.max_rss_kib for s in floor.samples)
    header = (f"{'tool':<32} {'runs':>4} {'median s':>9} {'min s':>7} {'cpu s':>7} "
              f"{'peak RSS':>9} {'x floor':>8} {'x floor':>8} {'x floor':>8} {'x floor':>8}")
    print(header)
    print(f"{'':<32} {'':>4} {'wall':>9} {'wall':>7} {'median':>7} {'MiB':>9} "
          f"{'median':>8} {'min':>8} {'cpu':>8} {'RSS':>8}")
    print("-" * len(header))
    for tool in tools:
        if tool.unavailable:
            print(f"{tool.name:<32} not run: {tool.unavailable}")
            continue
        if tool.failed:
            print(f"{tool.name:<32} failed: {tool.failed}")
            continue
        walls = [s.wall for s in tool.samples]
        cpu = median([s.cpu for s in tool.samples])
        rss = max(s.max_rss_kib for s in tool.samples)
        print(f"{tool.name:<32} {len(walls):>4} {median(walls):>9.2f} {min(walls):>7.2f} "
              f"{cpu:>7.2f} {mib(rss):>9.1f} {median(walls) / base_median:>8.2f} "
              f"{min(walls) / base_min:>8.2f} {cpu / base_cpu:>8.2f} {rss / base_rss:>8.2f}")
    # Each round runs both tools back to back, so a round's ratio sees the same machine load;
    # the median of those ratios is what the target is judged on (medians of the two tools'
    # times may come from different rounds on a shared machine).
    paired = [h.wall / f.wall for h, f in zip(heaplint.samples, floor.samples)]
    ratio = median(paired)
    print(f"\nheaplint/floor wall, per round: {', '.join(f'{r:.2f}' for r in paired)} "
          f"(median {ratio:.2f})")
    ok = ratio <= target
    print(f"target: median per-round heaplint/floor wall <= {target}x (the {threads}-thread parse "
          f"floor): {ratio:.2f}x -> {'MET' if ok else 'NOT MET'}")
    notes = [t.note for t in tools if t.note]
    if notes:
        print("\nwhat ran:")
        for note in notes:
            print(f"  - {note}")
    return ok


# --------------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="*", default=[DEFAULT_CORPUS],
                        help=f"files and directories to lint (default: {DEFAULT_CORPUS})")
    parser.add_argument("--binary-dir", default="build",
                        help="CMake build directory with heaplint and heaplint-parse-floor")
    parser.add_argument("--runs", type=int, default=5,
                        help="timed runs of each tool (default 5; 0 skips wall-clock timing)")
    parser.add_argument("--warmup", type=int, default=1, help="untimed rounds first (default 1)")
    parser.add_argument("--threads", type=int, default=2, help="worker threads (default 2)")
    parser.add_argument("--peers", action="store_true",
                        help="also time pylint (apt) and Ruff's WebAssembly build (npm)")
    parser.add_argument("--peer-runs", type=int, default=1,
                        help="timed runs of each peer, interleaved with the first rounds "
                             "(default 1: pylint takes minutes)")
    parser.add_argument("--target", type=float, default=TARGET_RATIO,
                        help=f"the heaplint/floor wall-time ratio to meet (default {TARGET_RATIO})")
    parser.add_argument("--callgrind", action="store_true",
                        help="also count instructions of both binaries under callgrind")
    parser.add_argument("--limit", type=int, default=200,
                        help="files for --callgrind, evenly spaced (default 200; 0: all)")
    parser.add_argument("--top", type=int, default=15,
                        help="heaplint functions to list with --callgrind (default 15)")
    parser.add_argument("--preview", action="store_true",
                        help="run every rule (heaplint check --preview), not only the default ones")
    parser.add_argument("--heaplint-arg", action="append", default=[], metavar="ARG",
                        help="another argument for `heaplint check` (repeatable), such as "
                             "--select=MEM201")
    args = parser.parse_args()
    if args.threads < 1 or args.runs < 0 or args.peer_runs < 0:
        parser.error("--threads must be >= 1, --runs and --peer-runs >= 0")

    binary_dir = Path(args.binary_dir)
    heaplint_bin = (binary_dir / "heaplint").resolve()
    floor_bin = (binary_dir / "heaplint-parse-floor").resolve()
    for binary in (heaplint_bin, floor_bin):
        if not binary.exists():
            sys.exit(f"run_benchmark: {binary} not found; build it first:\n"
                     f"    cmake -S . -B {binary_dir} -G Ninja -DCMAKE_BUILD_TYPE=Release && "
                     f"cmake --build {binary_dir}")

    # What `heaplint check` gets besides the files, in the timed runs and under callgrind alike.
    check_args = ["--no-cache", "--exit-zero", "-q", *(["--preview"] if args.preview else []),
                  *args.heaplint_arg]

    ensure_corpus(args.paths)
    files = list_files(floor_bin, args.paths)
    if not files:
        sys.exit("run_benchmark: no Python files found under " + " ".join(args.paths))
    size = sum(os.path.getsize(f) for f in files)
    print(f"heaplint benchmark: {len(files)} files, {size / 1e6:.1f} MB under "
          f"{' '.join(args.paths)}", flush=True)

    ok = True
    if args.runs > 0:
        floor = Tool(f"parse floor (-j {args.threads})",
                     [[str(floor_bin), "-j", str(args.threads), *args.paths]],
                     note=f"parse floor: `{floor_bin} -j {args.threads} "
                          f"{' '.join(args.paths)}`")
        heaplint = Tool(f"heaplint check (-j {args.threads})",
                        [[str(heaplint_bin), "check", *check_args, "-j", str(args.threads),
                          *args.paths]],
                        note=f"heaplint: `{heaplint_bin} check {' '.join(check_args)} "
                             f"-j {args.threads} {' '.join(args.paths)}` (findings to a temporary "
                             f"file)")
        peers: list[Tool] = []
        scratch_ctx = tempfile.TemporaryDirectory(prefix="heaplint-bench-")
        if args.peers:
            scratch = Path(scratch_ctx.name)
            peers = [setup_pylint(files, args.threads, scratch), setup_ruff(files, args.threads)]
        tools = [floor, heaplint, *peers]

        load_before = os.getloadavg()[0]  # other work on the machine makes wall times noisy
        for _ in range(args.warmup):  # fills the page cache; not recorded
            measure(floor.cmds)
            measure(heaplint.cmds)
        findings = None
        for round_index in range(args.runs):
            pair = [floor, heaplint] if round_index % 2 == 0 else [heaplint, floor]
            for tool in pair:
                sample = tool.run(keep_output=tool is heaplint and findings is None)
                if tool is heaplint and findings is None:
                    findings = len(sample.stdout.splitlines())
                if sample.exit_code != 0:
                    sys.exit(f"run_benchmark: {' '.join(tool.cmds[0][:4])} ... exited with "
                             f"{sample.exit_code}:\n{sample.stderr[-2000:]}")
            line = (f"  round {round_index + 1}/{args.runs}: floor {floor.samples[-1].wall:.2f}s, "
                    f"heaplint {heaplint.samples[-1].wall:.2f}s")
            if round_index < args.peer_runs:
                for peer in peers:
                    if peer.unavailable or peer.failed:
                        continue
                    sample = peer.run(keep_output=True)
                    if sample.exit_code != 0:
                        peer.failed = (f"exit code {sample.exit_code}: "
                                       + (sample.stderr.strip().splitlines() or ["?"])[-1][:120])
                        continue
                    line += f", {peer.name.split()[0]} {sample.wall:.2f}s"
                    if round_index == 0:
                        peer.note += f"; first run's output: {_peer_summary(peer, sample)}"
            print(line, flush=True)
        if findings is not None:
            heaplint.note += f"; {findings} findings"
        floor_summary = floor.samples[0].stderr.strip().splitlines()
        if floor_summary:
            floor.note += f"; {floor_summary[-1]}"
        ok = report(tools, floor, heaplint, len(files), size, args.threads, load_before,
                    args.target)
        scratch_ctx.cleanup()

    if args.callgrind:
        run_callgrind(heaplint_bin, floor_bin, files, args.limit, args.top, check_args)
    return 0 if ok else 1


def _peer_summary(peer: Tool, sample: Sample) -> str:
    if peer.name.startswith("ruff"):
        try:
            data = json.loads(sample.stdout.strip().splitlines()[-1])
            return (f"{data['files']} files, {data['diagnostics']} {RUFF_RULE}, "
                    f"{data['other']} other diagnostics (syntax errors), "
                    f"{data['errors']} errors, {data['seconds']:.2f}s inside node of which "
                    f"{data['startup']:.2f}s loading the module, creating the Workspace and a "
                    f"first check of `pass` (slowest worker)")
        except (ValueError, IndexError, KeyError):
            return "unreadable"
    codes = re.findall(r":\d+:\d+: ([A-Z]\d{4}): ", sample.stdout)
    found = sum(1 for c in codes if c in PYLINT_MESSAGES.split(","))
    text = f"{found} {PYLINT_MESSAGES} messages"
    # With every other message disabled, astroid-error (F0002) is not printed: a module astroid
    # cannot build only leaves its traceback on stderr.
    crashed = sorted(set(re.findall(
        r"Building error when trying to create ast representation of module '([^']+)'",
        sample.stderr)))
    tracebacks = len(re.findall(r"^Traceback \(most recent call last\)", sample.stderr,
                                re.MULTILINE))
    if crashed:
        text += (f", {len(crashed)} modules astroid could not build (" + ", ".join(crashed)
                 + ")")
    elif tracebacks:
        text += f", {tracebacks} tracebacks on stderr"
    return text


if __name__ == "__main__":
    sys.exit(main())
