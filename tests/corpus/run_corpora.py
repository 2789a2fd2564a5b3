#!/usr/bin/env python3
"""Runs heaplint over three real corpora from Debian and prints the findings per rule.

The corpora: the CPython standard library with its test suite (python3.11,
libpython3.11-testsuite), Django (python3-django) and SymPy (python3-sympy). Missing packages are
installed with apt-get when running as root.

    tests/corpus/run_corpora.py                     # counts per rule and corpus, and wall time
    tests/corpus/run_corpora.py --show MEM201       # every MEM201 finding with its source line
    tests/corpus/run_corpora.py --sample 30 --show MEM401   # a fixed random sample of 30
"""
import argparse
import collections
import json
import os
import random
import subprocess
import sys
import time

CORPORA = {
    "cpython": ("/usr/lib/python3.11", ["python3.11", "libpython3.11-testsuite"],
                "/usr/lib/python3.11/test"),
    "django": ("/usr/lib/python3/dist-packages/django", ["python3-django"],
               "/usr/lib/python3/dist-packages/django"),
    "sympy": ("/usr/lib/python3/dist-packages/sympy", ["python3-sympy"],
              "/usr/lib/python3/dist-packages/sympy"),
}


def ensure_installed(names):
    missing = [n for n in names if not os.path.exists(CORPORA[n][2])]
    if not missing:
        return
    packages = [p for n in missing for p in CORPORA[n][1]]
    if os.geteuid() != 0:
        sys.exit("missing corpora; run: sudo apt-get install -y " + " ".join(packages))
    subprocess.run(["apt-get", "update", "-qq"], check=True)
    subprocess.run(["apt-get", "install", "-y", "-qq", "--no-install-recommends", *packages],
                   check=True, env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})


def run(binary, path, select):
    command = [binary, "check", "--no-cache", "--output-format", "json", "--exit-zero", "-q", path]
    if select:
        command[2:2] = ["--select", select]
    start = time.perf_counter()
    result = subprocess.run(command, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        sys.exit(f"heaplint failed on {path} (exit {result.returncode}):\n{result.stderr}")
    return json.loads(result.stdout), elapsed


def source_line(filename, row):
    try:
        with open(filename, encoding="utf-8", errors="replace") as handle:
            for number, line in enumerate(handle, 1):
                if number == row:
                    return line.rstrip()
    except OSError:
        pass
    return ""


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--binary", default=os.path.join(
        os.path.dirname(__file__), "..", "..", "build", "heaplint"))
    parser.add_argument("--corpus", action="append", choices=sorted(CORPORA),
                        help="only these corpora (default: all three)")
    parser.add_argument("--select", help="rules to run (default: all)")
    parser.add_argument("--show", help="print the findings of this rule code")
    parser.add_argument("--sample", type=int, help="with --show: a random sample of this size")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    names = args.corpus or sorted(CORPORA)
    ensure_installed(names)
    counts = collections.OrderedDict()
    shown = []
    total_time = 0.0
    for name in names:
        findings, elapsed = run(args.binary, CORPORA[name][0], args.select)
        total_time += elapsed
        counts[name] = collections.Counter(f["code"] for f in findings)
        print(f"{name:8} {len(findings):6} findings in {elapsed:6.2f} s", file=sys.stderr)
        if args.show:
            shown += [(name, f) for f in findings if f["code"] == args.show]

    codes = sorted({code for c in counts.values() for code in c})
    print("rule    " + "".join(f"{n:>10}" for n in names) + "     total")
    for code in codes:
        row = [counts[n][code] for n in names]
        print(f"{code:8}" + "".join(f"{v:>10}" for v in row) + f"{sum(row):>10}")
    print(f"wall time over all corpora: {total_time:.2f} s")

    if args.show:
        if args.sample and len(shown) > args.sample:
            shown = random.Random(args.seed).sample(shown, args.sample)
        print(f"\n{len(shown)} {args.show} findings:")
        for name, f in sorted(shown, key=lambda x: (x[1]["filename"], x[1]["location"]["row"])):
            row = f["location"]["row"]
            print(f"\n[{name}] {f['filename']}:{row}:{f['location']['column']}: {f['message']}")
            print("    " + source_line(f["filename"], row).strip())


if __name__ == "__main__":
    main()
