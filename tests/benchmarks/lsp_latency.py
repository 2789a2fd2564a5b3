#!/usr/bin/env python3
"""Language-server latency: time from a didChange to the publishDiagnostics for that version.

By default, opens each of four real modules that are one big class (CPython's `_pydecimal.py` and
`test/datetimetester.py`, SymPy's `core/expr.py`, Django's `db/models/query.py`, from the corpora
of tests/corpus) in a fresh `heaplint server`, 5 rounds each, and sends 400 single-character edits
one at a time (each waits for the diagnostics of its own version before the next is sent, so no
edit is coalesced with another): a `q` typed on a random line before its first letter (on a blank
line at the indentation of the next line, as an editor's auto-indent puts it), then deleted. It
prints, per file, the median and spread over the rounds of the time from didOpen to the first
diagnostics and of p50/p95 from writing a didChange to reading the matching publishDiagnostics, against issue 14's targets (p95 <= 10 ms; open <= 50 ms).
`--in-workspace` opens each real file where it lies, with its corpus as the workspace (CPython's
standard library, Django, SymPy: the server indexes every file of it, and each edit joins the
document with them all, as in an editor on a real project); the edits stay in the editor's
buffer. Without it each file is copied alone into an empty folder. `--edits 0` measures the opens
alone (a fresh server each, so more rounds cost little: `--rounds 30`).
`--lines N` edits a generated N-line file instead and `--file F` a file of yours (one round, 1,000
edits), printing also the server's resident memory (VmRSS) before, after and every 100 edits.
With either, `--unclosed-string` types an unclosed triple-quoted string at 12 places instead, one
character an edit (the edits that leave a run inside a string, which the server may join with
its neighbours: docs/editors.md), and `--method-at-class-end` types a new method below the last
member of the 4 longest classes (the lines a re-parse of the class would read with errors until
the method has a body). `--rows FIRST:LAST` keeps the random edits to those lines (the small
exception classes at the top of `_pydecimal.py`, say: `--rows 190:520`).

The server's push debounce defaults to 0 ms; pass --debounce-ms to measure another setting (it is
sent as the `debounceMs` initialization option and is part of every measured latency).

    python3 tests/benchmarks/lsp_latency.py --binary build/heaplint [--rounds 5] [--edits 400]
    python3 tests/benchmarks/lsp_latency.py --binary build/heaplint --edits 0 --rounds 30
    python3 tests/benchmarks/lsp_latency.py --binary build/heaplint --lines 10000
"""

from __future__ import annotations

import argparse
import ast
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


# The real files of issue 14: modules that are one big class (an edit inside it used to re-walk
# the whole class), from the corpora of tests/corpus (Debian's packages).
REAL_FILES = [
    ("cpython", "_pydecimal.py"),
    ("sympy", "sympy/core/expr.py"),
    ("django", "django/db/models/query.py"),
    ("cpython", "test/datetimetester.py"),
]
TARGET_P95_MS = 10.0
TARGET_OPEN_MS = 50.0


def real_files() -> list[Path]:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "corpus"))
    from corpora import ensure  # noqa: E402  (tests/corpus/corpora.py: downloads once)

    return [Path(ensure(corpus)) / relative for corpus, relative in REAL_FILES]


def wait_until_idle(pid: int, quiet_seconds: float = 1.0, limit_seconds: float = 600.0) -> None:
    """Waits until the server has used no CPU for `quiet_seconds` (its workspace index is built)."""
    deadline = time.monotonic() + limit_seconds
    last = cpu_seconds(pid)
    while time.monotonic() < deadline:
        time.sleep(quiet_seconds)
        now = cpu_seconds(pid)
        if now - last < 0.02:
            return
        last = now


def typed_at(lines: list[str], row: int) -> tuple[int, str]:
    """Where a character is typed on `row`, and the text that goes in: before the line's first
    letter (into an identifier or a keyword), else before its first character. On a blank line,
    at the indentation of the next line with text, as an editor's auto-indent places the cursor
    on a new line of a block (the spaces typed with the character). Typed at column 0 inside a
    class instead, the character would end the class there and the rest of it be parsed again as
    module-level code, twice a keystroke pair: until the fourteenth session that was what the
    slowest 5% of edits measured in `_pydecimal.py`."""
    line = lines[row]
    if line.strip():
        letter = next((i for i, c in enumerate(line) if c.isalpha()), None)
        return (letter if letter is not None else len(line) - len(line.lstrip())), "q"
    indent = next((len(below) - len(below.lstrip()) for below in lines[row + 1:] if below.strip()),
                  0)
    return len(line), " " * max(0, indent - len(line)) + "q"


def characters_typed_and_deleted(lines: list[str], rng: random.Random, edits: int,
                                 rows: tuple[int, int] | None = None):
    """`edits` changes: a character typed on a random line (typed_at), deleted by the next. With
    `rows` (first, last; 1-based, inclusive), only on those lines."""
    first, last = (rows[0] - 1, min(rows[1], len(lines) - 1)) if rows else (0, len(lines) - 1)
    pending_delete = None
    for _ in range(edits):
        if pending_delete is None:
            row = rng.randrange(first, last)
            column, typed = typed_at(lines, row)
            pending_delete = (row, column, len(typed))
            yield {"range": {"start": {"line": row, "character": column},
                             "end": {"line": row, "character": column}}, "text": typed}
        else:
            row, column, length = pending_delete
            pending_delete = None
            yield {"range": {"start": {"line": row, "character": column},
                             "end": {"line": row, "character": column + length}}, "text": ""}


UNCLOSED_STRING = 'X = """abcdefghij klmnopqrs'


def unclosed_string_typed(lines: list[str], places: int = 12):
    """An unclosed string being typed: at `places` lines with code spread over the file's last
    four fifths, a new line opened above the line at its indentation (as Enter and auto-indent
    make it), `X = \"\"\"` and 20 characters typed on it one at a time, and the line deleted again
    in one edit (measured like the others)."""
    rows = [row for row in range(len(lines) // 5, len(lines) - 1) if lines[row].strip()]
    for row in rows[::max(1, len(rows) // places)][:places]:
        indent = lines[row][:len(lines[row]) - len(lines[row].lstrip())]
        yield {"range": {"start": {"line": row, "character": 0},
                         "end": {"line": row, "character": 0}}, "text": indent + "\n"}
        for column, character in enumerate(UNCLOSED_STRING, len(indent)):
            yield {"range": {"start": {"line": row, "character": column},
                             "end": {"line": row, "character": column}}, "text": character}
        yield {"range": {"start": {"line": row, "character": 0},
                         "end": {"line": row + 1, "character": 0}}, "text": ""}


NEW_METHOD = ("def added(self, value):", "return value + 1")


def method_typed_at_class_ends(lines: list[str], classes: int = 4):
    """A method being written below the last member of each of the `classes` longest top-level
    classes (the commonest place for a new one): a new line opened after the class's last line
    with the body's indentation, `def added(self, value):` typed one character at a time, Enter
    (with the indentation of a body, one edit), `return value + 1` one character at a time, and
    the lines deleted again in one edit. The classes and their ends are Python's own reading
    (`ast`), so a header over several lines or a docstring's lines at column 0 do not mislead."""
    spans = []  # (header row, last row, body indentation), rows from 0
    for node in ast.parse("\n".join(lines)).body:
        if isinstance(node, ast.ClassDef):
            first = lines[node.body[0].lineno - 1]
            spans.append((node.lineno - 1, node.end_lineno - 1,
                          first[:len(first) - len(first.lstrip())]))
    longest = sorted(spans, key=lambda span: span[1] - span[0], reverse=True)[:classes]
    # Bottom up, so that the rows of the classes above stay where they were.
    for _, last, indent in sorted(longest, key=lambda span: span[1], reverse=True):
        row = last + 1
        yield {"range": {"start": {"line": row, "character": 0},
                         "end": {"line": row, "character": 0}}, "text": indent + "\n"}
        for column, character in enumerate(NEW_METHOD[0], len(indent)):
            yield {"range": {"start": {"line": row, "character": column},
                             "end": {"line": row, "character": column}}, "text": character}
        end = len(indent) + len(NEW_METHOD[0])
        yield {"range": {"start": {"line": row, "character": end},
                         "end": {"line": row, "character": end}}, "text": "\n" + indent * 2}
        for column, character in enumerate(NEW_METHOD[1], 2 * len(indent)):
            yield {"range": {"start": {"line": row + 1, "character": column},
                             "end": {"line": row + 1, "character": column}}, "text": character}
        yield {"range": {"start": {"line": row, "character": 0},
                         "end": {"line": row + 2, "character": 0}}, "text": ""}


def measure(binary: str, text: str, name: str, edits: int, debounce_ms: int | None,
            seed: int, workspace: Path | None = None, unclosed_string: bool = False,
            method_at_class_end: bool = False, rows: tuple[int, int] | None = None) -> dict:
    """Opens `text` in a fresh server, then sends `edits` single-character edits one at a time
    (with `unclosed_string` or `method_at_class_end`, the edits of unclosed_string_typed or
    method_typed_at_class_ends instead). With `workspace`, `name` is the file's path inside it
    and the server indexes the workspace."""
    lines = text.split("\n")
    rng = random.Random(seed)
    with tempfile.TemporaryDirectory(prefix="heaplint-latency-") as scratch:
        directory = str(workspace) if workspace is not None else scratch
        path = Path(directory) / name
        if workspace is None:
            path.write_text(text, encoding="utf-8")
        uri = path.as_uri()
        client = LspClient([binary, "server"], cwd=directory)
        try:
            options = {} if debounce_ms is None else {"debounceMs": debounce_ms}
            client.initialize(root_uri=Path(directory).as_uri(), initialization_options=options)
            opened = time.perf_counter()
            client.notify("textDocument/didOpen", {"textDocument": {
                "uri": uri, "languageId": "python", "version": 1, "text": text}})
            first = client.diagnostics(uri, 1, timeout=600)
            open_ms = (first["_received"] - opened) * 1000.0
            findings = len(first["params"]["diagnostics"])
            if workspace is not None and edits:
                wait_until_idle(client.process.pid)
            if edits:
                time.sleep(0.5)  # let the workspace index settle before measuring memory
            rss_before = rss_kib(client.process.pid)
            cpu_before = cpu_seconds(client.process.pid)

            latencies = []
            rss_samples = []  # every 100 edits: growth that keeps going would be a leak
            version = 1
            changes = (unclosed_string_typed(lines) if unclosed_string
                       else method_typed_at_class_ends(lines) if method_at_class_end
                       else characters_typed_and_deleted(lines, rng, edits, rows))
            for change in changes:
                version += 1
                sent = time.perf_counter()
                client.notify("textDocument/didChange", {
                    "textDocument": {"uri": uri, "version": version}, "contentChanges": [change]})
                published = client.diagnostics(uri, version, timeout=300)
                latencies.append((published["_received"] - sent) * 1000.0)
                if len(latencies) % 100 == 0:
                    rss_samples.append(rss_kib(client.process.pid))
            rss_after = rss_kib(client.process.pid)
            cpu_per_edit_ms = ((cpu_seconds(client.process.pid) - cpu_before) * 1000.0
                               / len(latencies) if latencies else None)
            client.shutdown_and_exit()
        finally:
            client.close()

    return {
        "file": name,
        "lines": len(lines) - 1,
        "edits": len(latencies),
        "findings_in_file": findings,
        "debounce_ms": debounce_ms if debounce_ms is not None else 0,
        "rows": list(rows) if rows else None,
        "open_ms": round(open_ms, 3),
        # None with --edits 0 (opens only).
        "p50_ms": round(statistics.median(latencies), 3) if latencies else None,
        "p95_ms": round(percentile(latencies, 0.95), 3) if latencies else None,
        "p99_ms": round(percentile(latencies, 0.99), 3) if latencies else None,
        "max_ms": round(max(latencies), 3) if latencies else None,
        "server_cpu_ms_per_edit": round(cpu_per_edit_ms, 3) if latencies else None,
        "rss_before_kib": rss_before,
        "rss_after_kib": rss_after,
        "rss_every_100_edits_kib": rss_samples,
    }


def print_one(figures: dict) -> None:
    print(f"{figures['lines']} lines, {figures['findings_in_file']} findings, {figures['edits']} "
          f"single-character edits, debounce {figures['debounce_ms']} ms")
    print(f"didOpen -> first diagnostics: {figures['open_ms']:.2f} ms")
    print(f"didChange -> publishDiagnostics: p50 {figures['p50_ms']:.2f} ms, "
          f"p95 {figures['p95_ms']:.2f} ms, p99 {figures['p99_ms']:.2f} ms, "
          f"max {figures['max_ms']:.2f} ms")
    print(f"server CPU time per edit: {figures['server_cpu_ms_per_edit']:.2f} ms "
          f"(load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")
    print(f"server RSS: {figures['rss_before_kib']} KiB before, {figures['rss_after_kib']} KiB "
          f"after ({figures['rss_after_kib'] - figures['rss_before_kib']:+d} KiB)")
    print(f"server RSS every 100 edits (KiB): "
          f"{' '.join(str(v) for v in figures['rss_every_100_edits_kib'])}")


def spread(values: list[float | None]) -> str:
    if None in values:
        return "-"
    return f"{statistics.median(values):7.2f} ({min(values):.2f}-{max(values):.2f})"


def workspace_of(path: Path) -> Path:
    """The corpus folder a real file comes from (the folder corpora.ensure returned)."""
    for corpus, relative in REAL_FILES:
        if path.as_posix().endswith("/" + relative):
            return Path(path.as_posix()[: -len(relative) - 1])
    raise ValueError(path)


def run_real_files(args) -> int:
    """Every real file, `--rounds` fresh servers each (files interleaved round by round), and a
    table of medians with the spread over the rounds against the issue's targets."""
    files = real_files()
    roots = {path: workspace_of(path) if args.in_workspace else None for path in files}
    texts = {path: path.read_text(encoding="utf-8") for path in files}
    load_before = os.getloadavg()[0]
    results: dict[Path, list[dict]] = {path: [] for path in files}
    for round_index in range(args.rounds):
        for path in files:
            name = str(path.relative_to(roots[path])) if roots[path] else path.name
            figures = measure(args.binary, texts[path], name, args.edits, args.debounce_ms,
                              args.seed + round_index, roots[path])
            results[path].append(figures)
            print(f"  round {round_index + 1}/{args.rounds} {path.name}: open "
                  f"{figures['open_ms']:.1f} ms" + (
                      f", p50 {figures['p50_ms']:.2f} ms, p95 {figures['p95_ms']:.2f} ms"
                      if args.edits else ""), flush=True)
    if args.json:
        print(json.dumps({str(p): r for p, r in results.items()}))
        return 0
    if args.in_workspace:
        print("\neach file opened in its corpus as the workspace: " + ", ".join(
            f"{path.name} in {roots[path]}" for path in files))
    what = (f"{args.edits} single-character edits per file" if args.edits else
            "opens only (--edits 0)")
    print(f"\n{args.rounds} rounds of {what}, debounce "
          f"{args.debounce_ms or 0} ms; load average {load_before:.1f} before, "
          f"{os.getloadavg()[0]:.1f} after on {os.cpu_count()} cores; median (min-max) over "
          f"rounds")
    print(f"{'file':<28} {'lines':>6} {'open ms':>22} {'p50 ms':>22} {'p95 ms':>22} "
          f"{'cpu/edit ms':>22}")
    met = True
    for path, rounds in results.items():
        label = "/".join(path.parts[-2:])
        p95 = [r["p95_ms"] for r in rounds]
        opens = [r["open_ms"] for r in rounds]
        met &= args.edits == 0 or statistics.median(p95) <= TARGET_P95_MS
        print(f"{label:<28} {rounds[0]['lines']:>6} {spread(opens):>22} "
              f"{spread([r['p50_ms'] for r in rounds]):>22} {spread(p95):>22} "
              f"{spread([r['server_cpu_ms_per_edit'] for r in rounds]):>22}")
    biggest = max(results, key=lambda p: results[p][0]["lines"])
    open_median = statistics.median(r["open_ms"] for r in results[biggest])
    p95_verdict = f"{'MET' if met else 'NOT MET'}" if args.edits else "not measured (--edits 0)"
    print(f"targets (issue 14): p95 <= {TARGET_P95_MS:g} ms on every file: {p95_verdict}; "
          f"open -> first diagnostics <= {TARGET_OPEN_MS:g} ms on the largest ({biggest.name}): "
          f"{open_median:.1f} ms -> {'MET' if open_median <= TARGET_OPEN_MS else 'NOT MET'}")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--binary", default="build/heaplint", type=lambda p: str(Path(p).resolve()))
    parser.add_argument("--lines", type=int, default=None,
                        help="edit a generated file of this many lines instead of the real ones")
    parser.add_argument("--file", type=Path, default=None,
                        help="edit this file instead of the real ones")
    parser.add_argument("--edits", type=int, default=None,
                        help="edits per file and round (default 1,000; 400 on the real files; "
                             "0 on the real files measures the opens alone)")
    parser.add_argument("--rounds", type=int, default=5, help="rounds on the real files (default 5)")
    parser.add_argument("--debounce-ms", type=int, default=None)
    parser.add_argument("--seed", type=int, default=4)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--in-workspace", action="store_true",
                        help="open each real file in its corpus, indexed as the workspace")
    parser.add_argument("--unclosed-string", action="store_true",
                        help="with --file or --lines: type an unclosed string at 12 places "
                             "(unclosed_string_typed) instead of the random edits")
    parser.add_argument("--method-at-class-end", action="store_true",
                        help="with --file or --lines: type a method below the last member of the "
                             "4 longest classes (method_typed_at_class_ends) instead")
    parser.add_argument("--rows", default=None, metavar="FIRST:LAST",
                        help="with --file or --lines: type the random edits on these lines only "
                             "(1-based, inclusive; LAST past the end means to the end), such as "
                             "the small classes of a file's top")
    args = parser.parse_args()

    rows = None
    if args.rows is not None:
        try:
            rows = tuple(int(part) for part in args.rows.split(":"))
        except ValueError:
            rows = ()
        if len(rows) != 2 or not 1 <= rows[0] <= rows[1]:
            parser.error(f"--rows wants FIRST:LAST, two line numbers with FIRST <= LAST: {args.rows}")
    if rows and (args.unclosed_string or args.method_at_class_end):
        parser.error("--rows chooses the lines of the random edits: not with --unclosed-string "
                     "or --method-at-class-end")
    if args.file is None and args.lines is None:
        if args.unclosed_string or args.method_at_class_end or rows:
            parser.error("--unclosed-string, --method-at-class-end and --rows need --file or "
                         "--lines")
        args.edits = 400 if args.edits is None else args.edits
        return run_real_files(args)
    args.edits = args.edits or 1_000
    if args.file:
        text, name = args.file.read_text(encoding="utf-8"), args.file.name
    else:
        text, name = generate(args.lines), "big_module.py"
    if rows and rows[0] > text.count("\n"):
        parser.error(f"--rows {args.rows}: the file has {text.count(chr(10))} lines")
    figures = measure(args.binary, text, name, args.edits, args.debounce_ms, args.seed,
                      unclosed_string=args.unclosed_string,
                      method_at_class_end=args.method_at_class_end, rows=rows)
    if args.json:
        print(json.dumps(figures))
    else:
        print_one(figures)
    return 0


if __name__ == "__main__":
    sys.exit(main())
