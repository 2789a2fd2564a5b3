"""End-to-end tests of the CI report formats (json-lines, sarif, github, gitlab, junit, pylint)
and --output-file. The SARIF report is checked by Microsoft's SARIF validator with GitHub's
ingestion rules."""

from __future__ import annotations

import json
import os
import re
import stat
import subprocess
import unittest
import xml.etree.ElementTree as ElementTree
from pathlib import Path

from e2e_support import (
    ANY_COLUMN,
    ANY_LINE,
    ANY_MESSAGE,
    SOURCE_DIR,
    SUM_COLUMN,
    SUM_END_COLUMN,
    SUM_FIXED,
    SUM_LINE,
    SUM_MESSAGE,
    TIMEOUT,
    HeaplintTestCase,
    base_env,
)

TWO_FINDINGS = f"xs = open('xs.txt')\n{SUM_LINE}\n{ANY_LINE}\n"
ANY_END_COLUMN = ANY_LINE.index("]") + 2
VALIDATOR = SOURCE_DIR / "node_modules" / "@microsoft" / "sarif-multitool-linux" / "Sarif.Multitool"


def reference_line_hashes(text: str) -> dict[int, str]:
    """github/codeql-action's fingerprints.ts `hash`, transcribed: the expected values."""
    block_size, mod, mask = 100, 37, (1 << 64) - 1
    first_mod = pow(mod, block_size, 1 << 64)
    window = [0] * block_size
    line_numbers = [-1] * block_size
    state = {"hash": 0, "index": 0, "line": 0, "line_start": True, "prev_cr": False}
    counts: dict[str, int] = {}
    out: dict[int, str] = {}

    def output_hash():
        value = format(state["hash"], "x")
        counts[value] = counts.get(value, 0) + 1
        out[line_numbers[state["index"]]] = f"{value}:{counts[value]}"
        line_numbers[state["index"]] = -1

    def update(current):
        begin = window[state["index"]]
        window[state["index"]] = current
        state["hash"] = (mod * state["hash"] + current - first_mod * begin) & mask
        state["index"] = (state["index"] + 1) % block_size

    def process(current):
        if current in (32, 9) or (state["prev_cr"] and current == 10):
            state["prev_cr"] = False
            return
        if current == 13:
            current, state["prev_cr"] = 10, True
        else:
            state["prev_cr"] = False
        if line_numbers[state["index"]] != -1:
            output_hash()
        if state["line_start"]:
            state["line_start"] = False
            state["line"] += 1
            line_numbers[state["index"]] = state["line"]
        if current == 10:
            state["line_start"] = True
        update(current)

    units = text.encode("utf-16-le")
    for i in range(0, len(units), 2):
        process(int.from_bytes(units[i : i + 2], "little"))
    process(65535)
    for _ in range(block_size):
        if line_numbers[state["index"]] != -1:
            output_hash()
        update(0)
    return out


class NonUtf8PathTest(HeaplintTestCase):
    """Linux file names are bytes: a report must still come out, with U+FFFD for a bad byte."""

    def test_every_json_format_reports_a_file_whose_name_is_not_utf8(self):
        (self.dir / os.fsdecode(b"bad\xff.py")).write_text("x = sum([i for i in open(p)])\n")
        for output_format in ("json", "json-lines", "gitlab", "sarif"):
            with self.subTest(output_format=output_format):
                result = self.check("--output-format", output_format, ".")
                self.assertExit(result, 1)
                self.assertNotIn("internal error", result.stderr)
                text = result.stdout
                if output_format == "json-lines":
                    reports = [json.loads(line) for line in text.splitlines()]
                else:
                    reports = [json.loads(text)]
                self.assertTrue(reports)
                self.assertIn("MEM101", text)
                if output_format != "sarif":  # SARIF percent-encodes the bytes of its URIs
                    self.assertIn("bad\ufffd.py", text)


class JsonLinesTest(HeaplintTestCase):
    def test_one_json_object_per_line_with_the_json_fields(self):
        self.write("bad.py", TWO_FINDINGS)
        result = self.check("--output-format", "json-lines", "bad.py")
        self.assertExit(result, 1)
        lines = result.stdout_lines()
        self.assertEqual(len(lines), 2, result.describe())
        objects = [json.loads(line) for line in lines]
        full = json.loads(self.check("--output-format", "json", "bad.py").stdout)
        self.assertEqual(objects, full)
        self.assertEqual(objects[0]["code"], "MEM101")
        self.assertEqual(objects[0]["location"], {"row": 2, "column": SUM_COLUMN})

    def test_no_findings_prints_nothing(self):
        self.write("clean.py", "x = 1\n")
        result = self.check("--output-format", "json-lines", "clean.py")
        self.assertExit(result, 0)
        self.assertEqual(result.stdout, "")


class SarifTest(HeaplintTestCase):
    def sarif(self, *paths: str) -> dict:
        result = self.check("--output-format", "sarif", *paths)
        self.assertIn(result.returncode, (0, 1), result.describe())
        return json.loads(result.stdout)

    def test_structure(self):
        self.write("pkg/bad file.py", TWO_FINDINGS)
        log = self.sarif(".")
        self.assertEqual(log["version"], "2.1.0")
        self.assertEqual(log["$schema"], "https://json.schemastore.org/sarif-2.1.0.json")
        (run,) = log["runs"]
        driver = run["tool"]["driver"]
        self.assertEqual(driver["name"], "heaplint")
        self.assertRegex(driver["version"], r"^\d+\.\d+\.\d+$")
        self.assertTrue(driver["informationUri"].startswith("https://"))
        codes = [rule["id"] for rule in driver["rules"]]
        self.assertIn("MEM101", codes)
        mem101 = driver["rules"][codes.index("MEM101")]
        self.assertEqual(mem101["name"], "list-comprehension-in-reducer")
        self.assertTrue(mem101["shortDescription"]["text"])
        self.assertIn("sum", mem101["fullDescription"]["text"])
        self.assertIn("## Why is this bad?", mem101["help"]["text"])
        self.assertTrue(mem101["helpUri"].startswith("https://"))
        self.assertEqual(
            run["originalUriBaseIds"]["%SRCROOT%"]["uri"], "file://" + str(self.dir) + "/"
        )
        self.assertEqual(run["columnKind"], "unicodeCodePoints")
        first, second = run["results"]
        self.assertEqual(first["ruleId"], "MEM101")
        self.assertEqual(driver["rules"][first["ruleIndex"]]["id"], "MEM101")
        self.assertEqual(first["level"], "warning")
        self.assertEqual(first["message"]["text"], SUM_MESSAGE)
        self.assertEqual(second["message"]["text"], ANY_MESSAGE)
        location = first["locations"][0]["physicalLocation"]
        self.assertEqual(
            location["artifactLocation"], {"uri": "pkg/bad%20file.py", "uriBaseId": "%SRCROOT%"}
        )
        self.assertEqual(
            location["region"],
            {"startLine": 2, "startColumn": SUM_COLUMN, "endLine": 2, "endColumn": SUM_END_COLUMN},
        )
        self.assertEqual(
            second["locations"][0]["physicalLocation"]["region"],
            {"startLine": 3, "startColumn": ANY_COLUMN, "endLine": 3, "endColumn": ANY_END_COLUMN},
        )

    def test_fixes_are_included_when_applicable(self):
        self.write("bad.py", TWO_FINDINGS)
        first, second = self.sarif("bad.py")["runs"][0]["results"]
        (fix,) = first["fixes"]
        self.assertTrue(fix["description"]["text"])
        (change,) = fix["artifactChanges"]
        self.assertEqual(change["artifactLocation"], {"uri": "bad.py", "uriBaseId": "%SRCROOT%"})
        # Applying the replacements to the line gives the fixed line.
        line = SUM_LINE
        for replacement in sorted(
            change["replacements"], key=lambda r: r["deletedRegion"]["startColumn"], reverse=True
        ):
            region = replacement["deletedRegion"]
            self.assertEqual((region["startLine"], region["endLine"]), (2, 2))
            line = (line[: region["startColumn"] - 1] + replacement["insertedContent"]["text"]
                    + line[region["endColumn"] - 1 :])
        self.assertEqual(line, SUM_FIXED)
        self.assertNotIn("fixes", second)  # any(): the fix is unsafe
        result = self.check("--output-format", "sarif", "--unsafe-fixes", "bad.py")
        self.assertIn("fixes", json.loads(result.stdout)["runs"][0]["results"][1])

    def test_line_hashes_match_the_codeql_action(self):
        # Tabs, CRLF, non-ASCII (one UTF-16 unit and a surrogate pair) and a repeated line.
        source = (
            "import gc\r\n\t# \u00e9t\u00e9 \U0001f600\r\n"
            + f"{SUM_LINE}\r\n" * 3
            + "x = 1\n" * 120
            + f"  {SUM_LINE}\n"
        )
        self.write("hashed.py", source.replace("xs)", "xs)"))
        log = self.sarif("hashed.py")
        expected = reference_line_hashes(source)
        results = log["runs"][0]["results"]
        self.assertEqual(len(results), 4)
        for result in results:
            row = result["locations"][0]["physicalLocation"]["region"]["startLine"]
            self.assertEqual(
                result["partialFingerprints"]["primaryLocationLineHash"], expected[row], row
            )

    def test_stdin_gets_line_hashes_too(self):
        result = self.check("--output-format", "sarif", "--stdin-filename", "x.py", stdin=TWO_FINDINGS)
        (first, second) = json.loads(result.stdout)["runs"][0]["results"]
        expected = reference_line_hashes(TWO_FINDINGS)
        self.assertEqual(first["partialFingerprints"]["primaryLocationLineHash"], expected[2])

    def test_partial_checks_show_as_notifications(self):
        self.write("broken.py", f"xs = open('')\n{SUM_LINE}\ndef (:\n")
        (invocation,) = self.sarif("broken.py")["runs"][0]["invocations"]
        self.assertTrue(invocation["executionSuccessful"])
        (notification,) = invocation["toolExecutionNotifications"]
        self.assertEqual(notification["level"], "warning")
        self.assertIn("syntax error", notification["message"]["text"])

    def test_no_findings_is_a_valid_empty_run(self):
        self.write("clean.py", "x = 1\n")
        log = self.sarif("clean.py")
        self.assertEqual(log["runs"][0]["results"], [])

    def validate(self, sarif_path: Path) -> list[str]:
        """Runs Microsoft's validator with GitHub's rules; returns its error-level results."""
        if not VALIDATOR.is_file() or not os.access(VALIDATOR, os.X_OK):
            self.skipTest(f"SARIF validator not installed at {VALIDATOR} (run scripts/build.sh)")
        out = self.dir / f"validation-{sarif_path.stem}.sarif"
        completed = subprocess.run(
            [str(VALIDATOR), "validate", "--rule-kind", "Gh;Sarif", "-o", str(out),
             str(sarif_path)],
            capture_output=True,
            timeout=TIMEOUT * 3,
            env={**os.environ, "DOTNET_CLI_TELEMETRY_OPTOUT": "1"},
        )
        self.assertTrue(out.is_file(), completed.stdout.decode() + completed.stderr.decode())
        validation = json.loads(out.read_text(encoding="utf-8-sig"))
        errors = []
        for run in validation.get("runs", []):
            for result in run.get("results", []):
                if result.get("level", "warning") == "error":
                    errors.append(f"{result.get('ruleId')}: {json.dumps(result.get('message'))}")
            for notification in run.get("invocations", [{}])[0].get(
                "toolExecutionNotifications", []
            ):
                if notification.get("level") == "error":
                    errors.append(json.dumps(notification.get("message")))
        return errors

    def test_validator_with_github_rules_finds_no_errors(self):
        self.write("pkg/__init__.py", "")
        self.write("pkg/bad.py", TWO_FINDINGS)
        self.write("pkg/partial.py", f"xs = open('')\n{SUM_LINE}\ndef (:\n")
        self.write(
            "pkg/models.py",
            "class Point:\n    def __init__(self, x):\n        self.x = x\n",
        )
        self.write("pkg/use.py",
                   "from pkg.models import Point\n\npoints = [Point(i) for i in open('rows.txt')]\n")
        self.write("heaplint.toml", "preview = true\n")  # MEM401 is a preview rule
        report = self.dir / "report.sarif"
        result = self.check(
            "--output-format", "sarif", "--unsafe-fixes", "--output-file", str(report), "."
        )
        self.assertExit(result, 1)
        self.assertEqual(result.stdout, "")
        log = json.loads(report.read_text())
        self.assertEqual(
            sorted(r["ruleId"] for r in log["runs"][0]["results"]),
            ["MEM101", "MEM101", "MEM101", "MEM401"],
        )
        self.assertTrue(any("fixes" in r for r in log["runs"][0]["results"]))
        self.assertEqual(self.validate(report), [])

    def test_validator_reports_errors_it_should(self):
        """The validation really runs: a SARIF file with an absolute URI and no rules fails."""
        broken = self.dir / "broken.sarif"
        broken.write_text(json.dumps({
            "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
            "version": "2.1.0",
            "runs": [{"tool": {"driver": {"name": "x"}}, "results": [{
                "ruleId": "X1", "message": {"text": "m"},
                "locations": [{"physicalLocation": {"artifactLocation": {"uri": "file:///etc/x"},
                               "region": {"startLine": 0}}}]}]}],
        }))
        self.assertNotEqual(self.validate(broken), [])


# GitHub's documented rules for workflow commands ("Workflow commands for GitHub Actions",
# docs.github.com/en/actions/reference/workflow-commands-for-github-actions, and the annotation
# properties of @actions/core): `::warning PROPERTIES::MESSAGE`, one line; properties are `title`,
# `file`, `line`, `endLine`, `col`, `endColumn`, comma-separated `key=value`; values escape `%`, CR,
# LF, `:` and `,`, the message `%`, CR and LF; `col` and `endColumn` "cannot be sent when `line`
# and `endLine` are different values".
WORKFLOW_COMMAND = re.compile(r"^::(?P<command>error|warning|notice)(?: (?P<properties>[^:]*))?::(?P<message>.*)$")
ANNOTATION_PROPERTIES = {"title", "file", "line", "endLine", "col", "endColumn"}
BAD_ESCAPE = re.compile(r"%(?!25|0D|0A|3A|2C)")


def github_annotation_errors(line: str) -> list[str]:
    """What GitHub's rules say is wrong with one workflow command line (empty: valid)."""
    match = WORKFLOW_COMMAND.match(line)
    if match is None:
        return [f"not a workflow command: {line!r}"]
    errors = []
    properties: dict[str, str] = {}
    for item in (match["properties"] or "").split(","):
        key, equals, value = item.partition("=")
        if not equals or key not in ANNOTATION_PROPERTIES:
            errors.append(f"unknown or malformed property {item!r}")
        elif key in properties:
            errors.append(f"repeated property {key}")
        elif BAD_ESCAPE.search(value) or "\r" in value or "\n" in value:
            errors.append(f"badly escaped value of {key}: {value!r}")
        properties[key] = value
    for key in ("line", "endLine", "col", "endColumn"):
        if key in properties and not re.fullmatch(r"[1-9]\d*", properties[key]):
            errors.append(f"{key} is not a positive number: {properties[key]!r}")
    if "file" not in properties or "line" not in properties:
        errors.append("an annotation of a file needs file and line")
    line_number, end_line = properties.get("line"), properties.get("endLine", properties.get("line"))
    if line_number and end_line and line_number.isdigit() and end_line.isdigit():
        if int(end_line) < int(line_number):
            errors.append("endLine is before line")
        if int(end_line) != int(line_number) and ({"col", "endColumn"} & properties.keys()):
            errors.append("col/endColumn given although line != endLine")
    if BAD_ESCAPE.search(match["message"]):
        errors.append("badly escaped message")
    return errors


class GithubTest(HeaplintTestCase):
    def test_workflow_commands(self):
        self.write("dir,with:odd/bad.py", TWO_FINDINGS)
        result = self.check("--output-format", "github", ".")
        self.assertExit(result, 1)
        self.assertEqual(
            result.stdout_lines(),
            [
                f"::warning title=heaplint (MEM101),file=dir%2Cwith%3Aodd/bad.py,line=2,col={SUM_COLUMN},"
                f"endLine=2,endColumn={SUM_END_COLUMN}::dir,with:odd/bad.py:2:{SUM_COLUMN}: MEM101 {SUM_MESSAGE}",
                f"::warning title=heaplint (MEM101),file=dir%2Cwith%3Aodd/bad.py,line=3,col={ANY_COLUMN},"
                f"endLine=3,endColumn={ANY_END_COLUMN}::dir,with:odd/bad.py:3:{ANY_COLUMN}: MEM101 {ANY_MESSAGE}",
            ],
        )

    def test_a_finding_spanning_lines_gives_lines_only(self):
        self.write("m.py", "xs = []\ntotal = sum([\n    x for x in open(p)\n])\n")
        result = self.check("--output-format", "github", "m.py")
        self.assertExit(result, 1)
        self.assertEqual(
            result.stdout_lines(),
            [f"::warning title=heaplint (MEM101),file=m.py,line=2,endLine=4::m.py:2:{SUM_COLUMN}: "
             f"MEM101 {SUM_MESSAGE}"],
        )

    def test_a_notebook_finding_points_at_the_file_and_names_the_cell(self):
        # Rows count within a cell, not in the JSON GitHub shows: as in Ruff, the annotation
        # points at 1:1 and the message says where.
        cell = {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None,
                "source": ["xs = []\n", SUM_LINE]}
        self.write("nb.ipynb", json.dumps({"cells": [{"cell_type": "markdown", "metadata": {},
                                                       "source": ["Sum"]}, cell],
                                           "metadata": {}, "nbformat": 4, "nbformat_minor": 5}))
        result = self.check("--output-format", "github", "nb.ipynb")
        self.assertExit(result, 1)
        self.assertEqual(result.stdout_lines(), [
            "::warning title=heaplint (MEM101),file=nb.ipynb,line=1,col=1,endLine=1,endColumn=1::"
            f"nb.ipynb:cell 2:2:{SUM_COLUMN}: MEM101 {SUM_MESSAGE}"])
        self.assertEqual(github_annotation_errors(result.stdout_lines()[0]), [])

    def test_every_annotation_follows_githubs_rules(self):
        self.write("a%b,c:d.py", TWO_FINDINGS + "t = sum([\n    x for x in open(p)\n])\n")
        self.write("new\nline\r.py", TWO_FINDINGS)  # CR and LF must not end the command
        self.write("multi.py", "xs = []\nclass A:\n    @functools.cache\n    def f(self):\n        pass\n"
                   "import functools\n")
        result = self.check("--output-format", "github", ".")
        self.assertExit(result, 1)
        lines = result.stdout_lines()
        self.assertGreaterEqual(len(lines), 3, result.describe())
        for line in lines:
            self.assertEqual(github_annotation_errors(line), [], line)

    def test_the_checker_rejects_what_github_rejects(self):
        self.assertEqual(github_annotation_errors("::warning file=a.py,line=2::m"), [])
        for bad in ("::warning file=a.py,line=2,col=13,endLine=5,endColumn=2::m",
                    "::warning file=a:b.py,line=2::m", "::warning file=a.py,line=0::m",
                    "::warning file=a.py,line=2,color=1::m", "::warning file=a.py,line=2::50%"):
            self.assertNotEqual(github_annotation_errors(bad), [], bad)


class GitlabTest(HeaplintTestCase):
    def check(self, *args, env=None, **kwargs):
        # A real GitLab job sets CI_PROJECT_DIR; these tests choose it themselves.
        if env is None:
            env = base_env()
            env.pop("CI_PROJECT_DIR", None)
        return super().check(*args, env=env, **kwargs)

    def test_code_quality_report(self):
        self.write("bad.py", TWO_FINDINGS)
        result = self.check("--output-format", "gitlab", "bad.py")
        self.assertExit(result, 1)
        report = json.loads(result.stdout)
        self.assertEqual(len(report), 2)
        for entry, row in zip(report, (2, 3)):
            self.assertEqual(
                sorted(entry), ["check_name", "description", "fingerprint", "location", "severity"]
            )
            self.assertEqual(entry["check_name"], "MEM101")
            self.assertTrue(entry["description"].startswith("MEM101: "))
            self.assertEqual(entry["severity"], "major")
            self.assertEqual(entry["location"], {"path": "bad.py", "lines": {"begin": row, "end": row}})
            self.assertRegex(entry["fingerprint"], r"^[0-9a-f]{16}$")
        self.assertNotEqual(report[0]["fingerprint"], report[1]["fingerprint"])

    def test_paths_relative_to_the_gitlab_project(self):
        self.write("sub/bad.py", TWO_FINDINGS)
        result = self.check(
            "--output-format", "gitlab", "bad.py", cwd=self.dir / "sub",
            env=base_env(CI_PROJECT_DIR=str(self.dir)),
        )
        self.assertEqual([e["location"]["path"] for e in json.loads(result.stdout)], ["sub/bad.py"] * 2)

    def test_fingerprints_survive_moving_lines(self):
        self.write("bad.py", TWO_FINDINGS)
        before = json.loads(self.check("--output-format", "gitlab", "bad.py").stdout)
        self.write("bad.py", "import os\n\n\n" + TWO_FINDINGS)
        after = json.loads(self.check("--output-format", "gitlab", "bad.py").stdout)
        self.assertEqual([e["fingerprint"] for e in before], [e["fingerprint"] for e in after])
        self.assertEqual(after[0]["location"]["lines"]["begin"], 5)


class JunitTest(HeaplintTestCase):
    def test_one_suite_per_file_one_case_per_finding(self):
        self.write("a.py", TWO_FINDINGS)
        self.write("pkg/b.py", f"xs = open('')\n{SUM_LINE}\n")
        self.write("clean.py", "x = 1\n")
        result = self.check("--output-format", "junit", ".")
        self.assertExit(result, 1)
        self.assertTrue(result.stdout.startswith('<?xml version="1.0" encoding="UTF-8"?>\n'))
        root = ElementTree.fromstring(result.stdout)
        self.assertEqual(root.tag, "testsuites")
        self.assertEqual(root.attrib, {"name": "heaplint", "tests": "3", "failures": "3", "errors": "0"})
        suites = root.findall("testsuite")
        self.assertEqual([s.attrib["name"] for s in suites], ["a.py", "pkg/b.py"])
        self.assertEqual(suites[0].attrib["tests"], "2")
        self.assertEqual(suites[0].attrib["failures"], "2")
        case = suites[1].find("testcase")
        self.assertEqual(
            case.attrib,
            {"name": "org.heaplint.MEM101", "classname": "pkg.b", "line": "2", "column": str(SUM_COLUMN)},
        )
        failure = case.find("failure")
        self.assertEqual(failure.attrib["message"], SUM_MESSAGE)
        self.assertEqual(failure.text, f"line 2, col {SUM_COLUMN}, {SUM_MESSAGE}")

    def test_no_findings_is_one_passing_case(self):
        self.write("clean.py", "x = 1\n")
        result = self.check("--output-format", "junit", "clean.py")
        self.assertExit(result, 0)
        root = ElementTree.fromstring(result.stdout)
        self.assertEqual(root.attrib["failures"], "0")
        self.assertEqual(len(root.findall("testsuite/testcase")), 1)
        self.assertIsNone(root.find("testsuite/testcase/failure"))


class PylintTest(HeaplintTestCase):
    def test_pylint_lines(self):
        self.write("bad.py", TWO_FINDINGS)
        result = self.check("--output-format", "pylint", "bad.py")
        self.assertExit(result, 1)
        self.assertEqual(
            result.stdout_lines(),
            [f"bad.py:2: [MEM101] {SUM_MESSAGE}", f"bad.py:3: [MEM101] {ANY_MESSAGE}"],
        )


class OutputFileTest(HeaplintTestCase):
    def test_report_goes_to_the_file_and_exit_code_is_kept(self):
        self.write("bad.py", TWO_FINDINGS)
        result = self.check("--output-format", "pylint", "--output-file", "out/report.txt", "bad.py")
        self.assertExit(result, 2)  # the directory does not exist
        self.assertEqual(len(result.stderr_lines()), 1, result.describe())
        (self.dir / "out").mkdir()
        result = self.check("--output-format", "pylint", "--output-file", "out/report.txt", "bad.py")
        self.assertExit(result, 1)
        self.assertEqual(result.stdout, "")
        self.assertEqual(
            self.read("out/report.txt").decode(),
            f"bad.py:2: [MEM101] {SUM_MESSAGE}\nbad.py:3: [MEM101] {ANY_MESSAGE}\n",
        )
        self.assertEqual(sorted(p.name for p in (self.dir / "out").iterdir()), ["report.txt"])

    def test_a_new_report_gets_the_usual_mode_and_an_existing_one_keeps_its_own(self):
        self.write("bad.py", TWO_FINDINGS)
        previous = os.umask(0o022)
        try:
            self.assertExit(self.check("-o", "report.txt", "bad.py"), 1)
            self.assertEqual(stat.S_IMODE((self.dir / "report.txt").stat().st_mode), 0o644)
            (self.dir / "report.txt").chmod(0o640)
            self.assertExit(self.check("-o", "report.txt", "bad.py"), 1)
            self.assertEqual(stat.S_IMODE((self.dir / "report.txt").stat().st_mode), 0o640)
            os.umask(0o077)
            self.assertExit(self.check("-o", "private.txt", "bad.py"), 1)
            self.assertEqual(stat.S_IMODE((self.dir / "private.txt").stat().st_mode), 0o600)
        finally:
            os.umask(previous)

    def test_concise_report_with_summary(self):
        self.write("bad.py", TWO_FINDINGS)
        result = self.check("-o", "report.txt", "bad.py")
        self.assertExit(result, 1)
        self.assertEqual(result.stdout, "")
        text = self.read("report.txt").decode()
        self.assertIn("bad.py:2:", text)
        self.assertIn("Found 2 findings.", text)


if __name__ == "__main__":
    unittest.main()
