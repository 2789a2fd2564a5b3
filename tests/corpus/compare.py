#!/usr/bin/env python3
"""Runs two heaplint binaries over the corpora and prints the findings that one reports and the
other does not: what a change to the rules or the analyzer did to real code.

    tests/corpus/compare.py --old /tmp/heaplint_before --new build/heaplint
    tests/corpus/compare.py --old A --new B --preview          # the preview rules too
    tests/corpus/compare.py --old A --new B --corpus flask     # only these corpora

By default every corpus is compared: the development corpus and all check sets (corpora.py
downloads what is missing). Lines start with "-" (only the old binary reports it) or "+" (only
the new one does), then the corpus, the location, the code and the message. The last line counts
both sides. Exit status: 0 when the binaries agree, 1 when they differ, 2 when a run fails.
"""
import argparse
import json
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import corpora  # noqa: E402


def findings(binary, root, preview):
    command = [binary, "check", "--no-cache", "--output-format", "json", "--exit-zero", "-q", "."]
    if preview:
        command.insert(2, "--preview")
    result = subprocess.run(command, cwd=root, capture_output=True, text=True)
    if result.returncode != 0:
        print(f"{binary} failed in {root} (exit {result.returncode}): {result.stderr.strip()}",
              file=sys.stderr)
        sys.exit(2)
    return {(f["filename"], f["location"]["row"], f["location"]["column"], f["code"], f["message"])
            for f in json.loads(result.stdout)}


def main():
    every = corpora.DEVELOPMENT + [name for check in corpora.CHECK_SETS.values() for name in check]
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--old", required=True, help="the binary before the change")
    parser.add_argument("--new", required=True, help="the binary after the change")
    parser.add_argument("--preview", action="store_true", help="run the preview rules too")
    parser.add_argument("--corpus", action="append", choices=every,
                        help="only these corpora (default: all)")
    args = parser.parse_args()

    old, new = os.path.abspath(args.old), os.path.abspath(args.new)
    removed = added = same = 0
    start = time.perf_counter()
    for name in args.corpus or every:
        root = corpora.ensure(name)
        before, after = findings(old, root, args.preview), findings(new, root, args.preview)
        same += len(before & after)
        for sign, only in (("-", before - after), ("+", after - before)):
            for path, row, column, code, message in sorted(only):
                relative = os.path.relpath(path, root)
                print(f"{sign} {name} {relative}:{row}:{column} {code} {message}")
        removed += len(before - after)
        added += len(after - before)
    print(f"{removed} removed, {added} added, {same} unchanged over {len(args.corpus or every)} "
          f"corpora in {time.perf_counter() - start:.0f} s")
    return 1 if removed or added else 0


if __name__ == "__main__":
    sys.exit(main())
