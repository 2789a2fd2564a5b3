#!/usr/bin/env python3
"""Language-server latency: time from a didChange to the publishDiagnostics for that version.

Opens a generated 10,000-line Python file in `heaplint server`, sends 1,000 single-character
edits one at a time (each waits for the diagnostics of its own version before the next is sent, so
no edit is coalesced with another) and prints p50/p95/p99 of the time from writing the didChange to
reading the matching publishDiagnostics, plus the server's resident memory (VmRSS) before and after.

The server's push debounce defaults to 0 ms; pass --debounce-ms to measure another setting (it is
sent as the `debounceMs` initialization option and is part of every measured latency).

    python3 tests/benchmarks/lsp_latency.py --binary build/heaplint
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "e2e"))
from lsp_client import LspClient  # noqa: E402

QUIET_BLOCK = '''\
class Record{n}:
    __slots__ = ("key", "value")

    def __init__(self, key, value):
        self.key = key
        self.value = value


def total_{n}(values):
    # Sum the squares of the values, keeping the ones that are positive.
    squares = [v * v for v in values if v > 0]
    result = sum(v * 2 for v in values)
    for key, value in enumerate(values):
        if value > 10:
            result += Record{n}(key, value).value
    return result + len(squares)


'''  # 19 lines, no finding
# One block in FINDING_EVERY has a MEM101 finding (and its class is hot without __slots__: MEM401).
FINDING_BLOCK = QUIET_BLOCK.replace('    __slots__ = ("key", "value")\n\n', "").replace(
    "result = sum(v * 2 for v in values)", "result = sum([v * 2 for v in values])")
FINDING_EVERY = 20


def generate(lines: int) -> str:
    out = []
    count = 0
    n = 0
    while count < lines:
        block = (FINDING_BLOCK if n % FINDING_EVERY == 0 else QUIET_BLOCK).format(n=n)
        out.append(block)
        count += block.count("\n")
        n += 1
    text = "".join(out)
    return "\n".join(text.split("\n")[:lines]) + "\n"


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return -1


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of the process: on a busy machine, latency includes waiting for a core,
    CPU time per edit does not."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--binary", default="build/heaplint", type=lambda p: str(Path(p).resolve()))
    parser.add_argument("--lines", type=int, default=10_000)
    parser.add_argument("--file", type=Path, default=None,
                        help="edit this file instead of the generated one (real code)")
    parser.add_argument("--edits", type=int, default=1_000)
    parser.add_argument("--debounce-ms", type=int, default=None)
    parser.add_argument("--seed", type=int, default=4)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()

    text = args.file.read_text(encoding="utf-8") if args.file else generate(args.lines)
    lines = text.split("\n")
    args.lines = len(lines) - 1
    random.seed(args.seed)
    with tempfile.TemporaryDirectory(prefix="heaplint-latency-") as directory:
        path = Path(directory) / (args.file.name if args.file else "big_module.py")
        path.write_text(text)
        uri = path.as_uri()
        client = LspClient([args.binary, "server"], cwd=directory)
        try:
            options = {} if args.debounce_ms is None else {"debounceMs": args.debounce_ms}
            client.initialize(root_uri=Path(directory).as_uri(), initialization_options=options)
            client.notify("textDocument/didOpen", {"textDocument": {
                "uri": uri, "languageId": "python", "version": 1, "text": text}})
            first = client.diagnostics(uri, 1, timeout=60)
            findings = len(first["params"]["diagnostics"])
            time.sleep(0.5)  # let the workspace index settle before measuring memory
            rss_before = rss_kib(client.process.pid)
            cpu_before = cpu_seconds(client.process.pid)

            latencies = []
            rss_samples = []  # every 100 edits: growth that keeps going would be a leak
            version = 1
            pending_delete = None
            for _ in range(args.edits):
                version += 1
                if pending_delete is None:
                    # Type one character into an identifier on a random line...
                    row = random.randrange(len(lines) - 1)
                    column = next((i for i, c in enumerate(lines[row]) if c.isalpha()), 0)
                    change = {"range": {"start": {"line": row, "character": column},
                                        "end": {"line": row, "character": column}}, "text": "q"}
                    pending_delete = (row, column)
                else:
                    # ...and delete it again with the next edit.
                    row, column = pending_delete
                    change = {"range": {"start": {"line": row, "character": column},
                                        "end": {"line": row, "character": column + 1}}, "text": ""}
                    pending_delete = None
                sent = time.perf_counter()
                client.notify("textDocument/didChange", {
                    "textDocument": {"uri": uri, "version": version}, "contentChanges": [change]})
                published = client.diagnostics(uri, version, timeout=30)
                latencies.append((published["_received"] - sent) * 1000.0)
                if len(latencies) % 100 == 0:
                    rss_samples.append(rss_kib(client.process.pid))
            rss_after = rss_kib(client.process.pid)
            cpu_per_edit_ms = (cpu_seconds(client.process.pid) - cpu_before) * 1000.0 / args.edits
            client.shutdown_and_exit()
        finally:
            client.close()

    figures = {
        "lines": args.lines,
        "edits": args.edits,
        "findings_in_file": findings,
        "debounce_ms": args.debounce_ms if args.debounce_ms is not None else 0,
        "p50_ms": round(statistics.median(latencies), 3),
        "p95_ms": round(percentile(latencies, 0.95), 3),
        "p99_ms": round(percentile(latencies, 0.99), 3),
        "max_ms": round(max(latencies), 3),
        "server_cpu_ms_per_edit": round(cpu_per_edit_ms, 3),
        "rss_before_kib": rss_before,
        "rss_after_kib": rss_after,
        "rss_every_100_edits_kib": rss_samples,
    }
    if args.json:
        print(json.dumps(figures))
    else:
        print(f"{args.lines} lines, {findings} findings, {args.edits} single-character edits, "
              f"debounce {figures['debounce_ms']} ms")
        print(f"didChange -> publishDiagnostics: p50 {figures['p50_ms']:.2f} ms, "
              f"p95 {figures['p95_ms']:.2f} ms, p99 {figures['p99_ms']:.2f} ms, "
              f"max {figures['max_ms']:.2f} ms")
        print(f"server CPU time per edit: {figures['server_cpu_ms_per_edit']:.2f} ms "
              f"(load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")
        print(f"server RSS: {rss_before} KiB before, {rss_after} KiB after "
              f"({rss_after - rss_before:+d} KiB)")
        print(f"server RSS every 100 edits (KiB): {' '.join(str(v) for v in rss_samples)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
