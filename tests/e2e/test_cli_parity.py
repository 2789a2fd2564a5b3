"""End-to-end tests of the everyday parity with `ruff check` (issue 13): subcommands, the
--output-format values, --statistics as JSON, `heaplint rule --all`, environment variables."""

from __future__ import annotations

import json
import unittest

from e2e_support import ONE_FINDING, HeaplintTestCase, base_env

FORMATS = "concise, full, github, gitlab, json, json-lines, junit, pylint, sarif"


class SubcommandTest(HeaplintTestCase):
    def test_version_subcommand_and_flags(self):
        text = self.heaplint("version")
        self.assertExit(text, 0)
        self.assertRegex(text.stdout, r"^heaplint \d+\.\d+\.\d+\n$")
        for flag in ("-V", "--version"):
            self.assertEqual(self.heaplint(flag).stdout, text.stdout)
        as_json = self.heaplint("version", "--output-format", "json")
        self.assertExit(as_json, 0)
        self.assertEqual(json.loads(as_json.stdout), {"version": text.stdout.split()[1]})

    def test_a_typo_names_the_closest_subcommand(self):
        for typed, meant in (("chek", "check"), ("rulles", "rules"), ("verison", "version"),
                             ("sever", "server")):
            with self.subTest(typed=typed):
                result = self.heaplint(typed, ".")
                self.assertUsageError(result)
                self.assertIn(f"unknown subcommand `{typed}` (did you mean `{meant}`?)",
                              result.stderr)
        far = self.heaplint("lint-everything")
        self.assertUsageError(far)
        self.assertIn("expected one of check", far.stderr)

    def test_rule_all(self):
        every = self.heaplint("rule", "--all")
        self.assertExit(every, 0)
        rules = json.loads(self.heaplint("rules", "--json").stdout)
        for rule in rules:
            self.assertIn(f"# {rule['name']} ({rule['code']})", every.stdout)
        listed = json.loads(self.heaplint("rule", "--all", "--output-format", "json").stdout)
        self.assertEqual([r["code"] for r in listed], [r["code"] for r in rules])
        one = json.loads(self.heaplint("rule", "MEM101", "--output-format", "json").stdout)
        self.assertEqual(one["code"], "MEM101")
        self.assertUsageError(self.heaplint("rule"))
        self.assertUsageError(self.heaplint("rule", "MEM101", "--all"))


class OutputFormatValueTest(HeaplintTestCase):
    def test_error_lists_the_names_and_numbers_are_refused(self):
        self.write("a.py")
        for value in ("xml", "0", "2"):
            with self.subTest(value=value):
                result = self.check("--output-format", value, "a.py")
                self.assertUsageError(result)
                self.assertIn(f"`{value}` is not an output format (expected one of {FORMATS})",
                              result.stderr)
                self.assertNotIn("->", result.stderr)
        self.assertExit(self.check("--output-format", "JSON", "a.py"), 1)

    def test_help_shows_no_enum_map(self):
        result = self.check("--help")
        self.assertExit(result, 0)
        self.assertIn("--output-format FORMAT", result.stdout)
        self.assertNotIn("->", result.stdout)
        self.assertNotIn("{concise", result.stdout)

    def test_environment_variables(self):
        self.write("a.py")
        self.check("a.py", env=base_env(HEAPLINT_NO_CACHE="1"))
        self.assertFalse((self.dir / ".heaplint_cache").exists())
        self.check("a.py")
        self.assertTrue((self.dir / ".heaplint_cache").exists())
        result = self.check("a.py", env=base_env(HEAPLINT_OUTPUT_FORMAT="json"))
        self.assertEqual(json.loads(result.stdout)[0]["code"], "MEM101")
        # The command line wins over the environment.
        result = self.check("--output-format", "concise", "a.py",
                            env=base_env(HEAPLINT_OUTPUT_FORMAT="json"))
        self.assertEqual(len(result.findings()), 1)
        self.assertUsageError(self.check("a.py", env=base_env(HEAPLINT_OUTPUT_FORMAT="xml")))


class StatisticsTest(HeaplintTestCase):
    def test_statistics_as_json(self):
        self.write("a.py", ONE_FINDING + "flag = any([x > 1 for x in xs])\n")
        result = self.check("--statistics", "--output-format", "json", "a.py")
        self.assertExit(result, 1)
        self.assertEqual(json.loads(result.stdout), [{
            "code": "MEM101", "name": "list-comprehension-in-reducer", "count": 2,
            "fixable": False, "fixable_count": 1,
        }])

    def test_statistics_in_other_formats_is_a_usage_error(self):
        self.write("a.py")
        result = self.check("--statistics", "--output-format", "sarif", "a.py")
        self.assertUsageError(result)
        self.assertIn("--statistics", result.stderr)


if __name__ == "__main__":
    unittest.main()
