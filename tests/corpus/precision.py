#!/usr/bin/env python3
"""Runs heaplint over the corpora, joins its findings with the committed verdicts and prints the
precision of every rule.

    tests/corpus/precision.py                      # all 23 corpora, every default rule
    tests/corpus/precision.py --corpus flask --select MEM101
    tests/corpus/precision.py --pending pending.jsonl   # findings still without a verdict, with code
    tests/corpus/precision.py --preview            # the rules behind --preview too
    tests/corpus/precision.py --check-set          # the first check set (corpora.CHECK_SET) instead
    tests/corpus/precision.py --check-set 2        # the second (corpora.CHECK_SET_2), ... up to the fifteenth
    tests/corpus/precision.py --all-check-sets     # all fifteen together

The verdicts live in tests/corpus/verdicts.tsv, one finding a line:

    corpus <TAB> path:line <TAB> code <TAB> real|wrong|debatable <TAB> one-line reason

A verdict is given by a reviewer who did not write the rule, from the finding, the code around it
and the rule's documentation only (blind review). Precision counts debatable as not real. A rule
with more than 40 findings is measured on a fixed sample of 40: the findings whose keys hash
lowest, so the sample moves little when findings come and go.

Exit status: 1 when a finding once judged real is no longer reported (a precision regression is a
test failure), or with --strict when a finding in a measured sample has no verdict; 0 otherwise.
"""
import argparse
import collections
import hashlib
import json
import os
import pathlib
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import corpora  # noqa: E402

HERE = pathlib.Path(__file__).resolve().parent
VERDICTS = HERE / "verdicts.tsv"
SAMPLE = 40
VERDICT_KINDS = ("real", "wrong", "debatable")


def read_verdicts(path=VERDICTS):
    verdicts = {}
    if not path.exists():
        return verdicts
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        fields = line.split("\t")
        if len(fields) != 5 or fields[3] not in VERDICT_KINDS:
            sys.exit(f"{path}:{number}: expected corpus, path:line, code, "
                     f"real|wrong|debatable and a reason, separated by tabs")
        corpus, location, code, verdict, reason = fields
        verdicts[(corpus, location, code)] = (verdict, reason)
    return verdicts


def run_heaplint(binary, root, select, preview):
    command = [binary, "check", "--no-cache", "--output-format", "json", "--exit-zero", "-q", "."]
    if select:
        command[2:2] = ["--select", select]
    if preview:
        command.insert(2, "--preview")
    result = subprocess.run(command, cwd=root, capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"heaplint failed in {root} (exit {result.returncode}):\n{result.stderr}")
    return json.loads(result.stdout)


def sample_rank(key):
    return hashlib.sha1("\t".join(key).encode()).hexdigest()


def context_lines(path, row, before=12, after=12):
    try:
        lines = pathlib.Path(path).read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return ""
    start = max(row - 1 - before, 0)
    end = min(row + after, len(lines))
    return "\n".join(f"{n + 1:5}{'>' if n + 1 == row else ' '} {lines[n]}"
                     for n in range(start, end))


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--binary", default=str(HERE.parent.parent / "build" / "heaplint"))
    parser.add_argument("--corpus", action="append",
                        choices=corpora.DEVELOPMENT + [name for check in corpora.CHECK_SETS.values() for name in check],
                        help="only these corpora (default: all of the development corpus)")
    parser.add_argument("--check-set", type=int, nargs="?", const=1, choices=sorted(corpora.CHECK_SETS),
                        help="a check set's corpora instead (1: corpora.CHECK_SET, the default; "
                             "2-6: corpora.CHECK_SET_2 ... _6)")
    parser.add_argument("--all-check-sets", action="store_true",
                        help="every check set's corpora together (unseen code, as far as it goes)")
    parser.add_argument("--select", help="rules to run (default: the default rules)")
    parser.add_argument("--preview", action="store_true", help="run the preview rules too")
    parser.add_argument("--pending", metavar="FILE",
                        help="write the findings without a verdict, with their code, as JSON lines")
    parser.add_argument("--list", metavar="CODE", help="print every finding of this rule")
    parser.add_argument("--strict", action="store_true",
                        help="fail when a finding in a measured sample has no verdict")
    args = parser.parse_args()

    binary = os.path.abspath(args.binary)
    if args.all_check_sets:
        names = [name for check in corpora.CHECK_SETS.values() for name in check]
    else:
        names = args.corpus or (list(corpora.CHECK_SETS[args.check_set]) if args.check_set
                                else corpora.DEVELOPMENT)
    verdicts = read_verdicts()
    findings = []  # (key, finding, absolute path)
    start = time.perf_counter()
    for name in names:
        root = corpora.ensure(name)
        for finding in run_heaplint(binary, root, args.select, args.preview):
            path = os.path.relpath(finding["filename"], root) if os.path.isabs(
                finding["filename"]) else finding["filename"]
            key = (name, f"{path}:{finding['location']['row']}", finding["code"])
            findings.append((key, finding, root / path))
    elapsed = time.perf_counter() - start

    by_rule = collections.defaultdict(list)
    for item in findings:
        by_rule[item[0][2]].append(item)
    reported = {item[0] for item in findings}

    print(f"{len(findings)} findings over {len(names)} corpora in {elapsed:.1f} s\n")
    print("rule      findings  measured  real  wrong  debat.  no verdict  precision")
    pending = []
    for code in sorted(by_rule):
        items = sorted(by_rule[code], key=lambda item: sample_rank(item[0]))
        measured = items[:SAMPLE]
        counts = collections.Counter(verdicts.get(item[0], ("none",))[0] for item in measured)
        judged = counts["real"] + counts["wrong"] + counts["debatable"]
        precision = f"{100.0 * counts['real'] / judged:5.1f}%" if judged else "    -"
        print(f"{code:8}{len(items):10}{len(measured):10}{counts['real']:6}{counts['wrong']:7}"
              f"{counts['debatable']:8}{counts['none']:12}  {precision}")
        pending += [item for item in measured if item[0] not in verdicts]

    unmeasured = [item for item in findings
                  if item[0] not in verdicts and item not in pending]
    if unmeasured:
        print(f"\n{len(unmeasured)} findings outside the measured samples have no verdict "
              f"(not needed for the figures).")

    checked = set(names)
    lost = [(key, verdict) for key, verdict in verdicts.items()
            if verdict[0] == "real" and key[0] in checked and key not in reported
            and (not args.select or key[2].startswith(tuple(args.select.split(","))))]
    if lost and not args.preview:
        # A rule moved behind preview keeps its real findings there: they are not lost, only off by
        # default. Run the rules in question again in preview mode to tell.
        codes = ",".join(sorted({key[2] for key, _ in lost}))
        in_preview = set()
        for name in sorted({key[0] for key, _ in lost}):
            root = corpora.ensure(name)
            for finding in run_heaplint(binary, root, codes, True):
                path = os.path.relpath(finding["filename"], root) if os.path.isabs(
                    finding["filename"]) else finding["filename"]
                in_preview.add((name, f"{path}:{finding['location']['row']}", finding["code"]))
        for key, _ in sorted(lost):
            if key in in_preview:
                print(f"preview only: {key[0]} {key[1]} {key[2]}: judged real, reported with --preview")
        lost = [(key, verdict) for key, verdict in lost if key not in in_preview]
    for key, (_, reason) in sorted(lost):
        print(f"LOST: {key[0]} {key[1]} {key[2]}: judged real ({reason}) but no longer reported")

    if pending:
        print(f"\n{len(pending)} findings in the measured samples have no verdict yet"
              + (f"; written to {args.pending}" if args.pending else "; --pending FILE lists them"))
    if args.pending:
        with open(args.pending, "w", encoding="utf-8") as out:
            for key, finding, path in sorted(pending, key=lambda item: item[0]):
                row = finding["location"]["row"]
                out.write(json.dumps({
                    "corpus": key[0], "location": key[1], "code": key[2],
                    "message": finding["message"], "column": finding["location"]["column"],
                    "context": context_lines(path, row)}) + "\n")

    if args.list:
        for key, finding, path in sorted(by_rule.get(args.list, []), key=lambda item: item[0]):
            verdict = verdicts.get(key, ("no verdict", ""))
            print(f"\n{key[0]}/{key[1]} {key[2]} [{verdict[0]}] {finding['message']}")
            if verdict[1]:
                print(f"    verdict: {verdict[1]}")

    if lost or (args.strict and pending):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
