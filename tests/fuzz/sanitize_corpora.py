"""Runs the sanitized heaplint (scripts/sanitize.sh corpora) over real code: `check --no-cache
--preview --select ALL`, then `--fix --unsafe-fixes` on a scratch copy, of CPython's standard library,
Django and SymPy, and with --development the twenty corpora of tests/corpus/corpora.py as well.

    python3 tests/fuzz/sanitize_corpora.py --binary build-sanitize/heaplint [NAME...] [--development]

Exits non-zero when a run ends on a signal, with a status other than 0 or 1, or prints a sanitizer
report; the run's standard error is kept in OUT/NAME-check.log and OUT/NAME-fix.log.
"""
from __future__ import annotations

import argparse
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile
import time

SOURCE_DIR = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(SOURCE_DIR / "tests" / "corpus"))
import corpora  # noqa: E402 (the corpus helper lives beside the corpus verdicts)

# What AddressSanitizer, LeakSanitizer and UndefinedBehaviorSanitizer print when they report.
REPORT_MARKS = ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:",
                "SUMMARY: AddressSanitizer", "SUMMARY: UndefinedBehaviorSanitizer")


def main_corpora() -> dict[str, pathlib.Path]:
    """The three corpora of issue 11: the installed standard library (as Python sees it), Django
    and SymPy (their package folders, not the whole of dist-packages)."""
    return {
        "cpython": pathlib.Path("/usr/lib/python3.11"),
        "django": pathlib.Path(corpora.ensure("django")) / "django",
        "sympy": pathlib.Path(corpora.ensure("sympy")) / "sympy",
    }


def run(binary: pathlib.Path, arguments: list[str], log: pathlib.Path) -> list[str]:
    """Runs heaplint and returns what went wrong (nothing when it ran clean)."""
    started = time.monotonic()
    with open(log, "w") as stderr:
        result = subprocess.run(["nice", str(binary), "check", "--no-cache", "--preview",
                                 "--select", "ALL", "--output-format", "concise", *arguments],
                                stdout=subprocess.DEVNULL, stderr=stderr)
    text = log.read_text(errors="replace")
    problems = []
    if result.returncode not in (0, 1):
        problems.append(f"exit status {result.returncode}")
    problems.extend(line for line in text.splitlines() if any(m in line for m in REPORT_MARKS))
    print(f"  {' '.join(arguments[:-1]) or 'check'}: {time.monotonic() - started:.0f} s, "
          f"exit {result.returncode}, {len(problems)} problem(s) ({log})", flush=True)
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--binary", type=pathlib.Path, required=True)
    parser.add_argument("--out", type=pathlib.Path, help="logs (default: beside the binary)")
    parser.add_argument("--development", action="store_true",
                        help="also the twenty corpora of the development corpus")
    parser.add_argument("names", nargs="*", help="corpora to run (default: all chosen)")
    arguments = parser.parse_args()
    out = arguments.out or arguments.binary.resolve().parent / "sanitize-corpora"
    out.mkdir(parents=True, exist_ok=True)
    chosen = main_corpora()
    if arguments.development:
        for name in corpora.DEVELOPMENT:
            chosen.setdefault(name, pathlib.Path(corpora.ensure(name)))
    if arguments.names:
        chosen = {name: chosen.get(name) or pathlib.Path(corpora.ensure(name))
                  for name in arguments.names}
    failed = {}
    for name, folder in chosen.items():
        print(f"{name}: {folder}", flush=True)
        problems = run(arguments.binary, [str(folder)], out / f"{name}-check.log")
        with tempfile.TemporaryDirectory(prefix=f"heaplint-sanitize-{name}-") as scratch:
            copy = pathlib.Path(scratch) / name
            shutil.copytree(folder, copy, symlinks=True)
            problems += run(arguments.binary, ["--fix", "--unsafe-fixes", str(copy)],
                            out / f"{name}-fix.log")
        if problems:
            failed[name] = problems
    for name, problems in failed.items():
        print(f"{name}: " + "; ".join(problems[:5]), file=sys.stderr)
    print(f"{len(chosen) - len(failed)} of {len(chosen)} corpora ran clean under the sanitizers")
    return 1 if failed else 0


if __name__ == "__main__":
    os.environ.setdefault("ASAN_OPTIONS", "detect_leaks=1:abort_on_error=1")
    os.environ.setdefault("UBSAN_OPTIONS", "print_stacktrace=1:halt_on_error=1")
    sys.exit(main())
