"""End-to-end tests of inputs that are not clean Python: bad UTF-8, NUL bytes, syntax errors, odd
line endings, deep nesting, random bytes. heaplint must warn on one line and never crash."""

from __future__ import annotations

import json
import random
import unittest

from e2e_support import SUM_COLUMN, SUM_LINE, HeaplintTestCase


class RobustnessTest(HeaplintTestCase):
    def assertOneWarning(self, result, path: str) -> None:
        warnings = [line for line in result.stderr_lines() if line.startswith("warning:")]
        self.assertEqual(len(warnings), 1, result.describe())
        self.assertIn(path, warnings[0])
        # Every stderr line is a complete one-line message.
        for line in result.stderr_lines():
            self.assertTrue(line.startswith("warning:"), result.describe())

    def test_invalid_utf8(self):
        self.write("latin1.py", b'name = "caf\xe9"\n' + SUM_LINE.encode() + b"\n")
        result = self.check("latin1.py")
        self.assertNoCrash(result)
        self.assertOneWarning(result, "latin1.py")
        self.assertIn("UTF-8", result.stderr)
        # Checked as far as it parses: the finding after the bad byte is still reported.
        self.assertFindings(result, [("latin1.py", 2, SUM_COLUMN, "MEM101")])

    def test_invalid_utf8_in_every_output_format(self):
        self.write("bad.py", b"x = '\xff\xfe'; " + SUM_LINE.encode() + b"\n")
        for output_format in ("concise", "full", "json"):
            with self.subTest(output_format=output_format):
                result = self.check("--output-format", output_format, "bad.py")
                self.assertNoCrash(result)
                if output_format == "json":
                    # The JSON must stay valid (and valid UTF-8) even though the source is not.
                    data = json.loads(result.stdout_bytes.decode("utf-8"))
                    self.assertEqual(len(data), 1)

    def test_nul_bytes(self):
        self.write("nul.py", b"a = 1\x00\n" + SUM_LINE.encode() + b"\n")
        result = self.check("nul.py")
        self.assertNoCrash(result)
        self.assertOneWarning(result, "nul.py")

    def test_syntax_error(self):
        source = f"{SUM_LINE}\ndef broken(:\n    pass\n{SUM_LINE}\n"
        self.write("broken.py", source)
        result = self.check("broken.py")
        self.assertNoCrash(result)
        self.assertExit(result, 1)
        self.assertOneWarning(result, "broken.py")
        self.assertIn("syntax error", result.stderr)
        # The line before the error parses and is still checked.
        self.assertIn(("broken.py", 1, SUM_COLUMN, "MEM101"), result.findings())

    def test_warnings_for_several_bad_files_one_line_each(self):
        # A file no rule reads is not parsed: `weakref` has MEM306 read this one.
        self.write("a.py", "import weakref\ndef broken(:\n")
        self.write("b.py", b"x = \"\xff\"\n")
        self.write("c.py", "ok = 1\n")
        result = self.check(".")
        self.assertNoCrash(result)
        warnings = [line for line in result.stderr_lines() if line.startswith("warning:")]
        self.assertEqual(len(warnings), 2, result.describe())
        self.assertIn("a.py", warnings[0])
        self.assertIn("b.py", warnings[1])

    def test_quiet_hides_warnings(self):
        self.write("broken.py", "def broken(:\n")
        result = self.check("-q", "broken.py")
        self.assertNoCrash(result)
        self.assertEqual(result.stderr, "")

    def test_empty_and_comment_only_files(self):
        self.write("empty.py", "")
        self.write("comments.py", "# just a comment\n\n\n")
        self.write("whitespace.py", "   \n\t\n")
        result = self.check(".")
        self.assertExit(result, 0)
        self.assertEqual(result.stdout, "All checks passed!\n")
        self.assertEqual(result.stderr, "")

    def test_crlf_line_endings(self):
        self.write("crlf.py", f"xs = open('x')\r\n\r\n{SUM_LINE}\r\n")
        result = self.check("crlf.py")
        self.assertExit(result, 1)
        self.assertEqual(result.stderr, "")
        self.assertFindings(result, [("crlf.py", 3, SUM_COLUMN, "MEM101")])

    def test_carriage_return_line_endings(self):
        # A lone `\r` ends a line in Python (the file parses with CPython).
        self.write("cr.py", f"xs = open('x')\r{SUM_LINE}\r")
        result = self.check("cr.py")
        self.assertExit(result, 1)
        self.assertEqual(result.stderr, "")
        self.assertFindings(result, [("cr.py", 2, SUM_COLUMN, "MEM101")])

    def test_byte_order_mark(self):
        # The BOM is not part of the text: columns on line 1 are as without it (Ruff's LineColumn).
        self.write("bom.py", "\ufeff" + SUM_LINE + "\n")
        result = self.check("bom.py", "--output-format", "json")
        self.assertExit(result, 1)
        self.assertEqual(result.stderr, "")
        data = json.loads(result.stdout)
        self.assertEqual(data[0]["location"], {"row": 1, "column": SUM_COLUMN})

    def test_deep_nesting_does_not_overflow(self):
        depth = 20000
        sources = {
            "parens.py": "x = " + "(" * depth + "1" + ")" * depth + "\n",
            "lists.py": "x = " + "[" * depth + "]" * depth + "\n",
            "unary.py": "x = " + "-" * depth * 2 + "1\n",
            "binary.py": "x = 1" + " + 1" * depth * 2 + "\n",
            "calls.py": "x = " + "f(" * depth + ")" * depth + "\n",
            "unclosed.py": "x = " + "(" * depth + "\n",
        }
        for name, body in sources.items():
            self.write(name, body + SUM_LINE + "\n")
        result = self.check("-q", ".")
        self.assertNoCrash(result)

    def test_long_line(self):
        self.write("long.py", "x = " + " + ".join(["1"] * 100000) + "; " + SUM_LINE + "\n")
        result = self.check("long.py")
        self.assertNoCrash(result)
        self.assertEqual(len(result.findings()), 1)

    def test_random_bytes(self):
        generator = random.Random(20240521)
        for i in range(10):
            size = generator.randrange(1, 20000)
            self.write(f"random{i}.py", bytes(generator.randrange(256) for _ in range(size)))
        # Also plausible-looking garbage: shuffled Python tokens.
        tokens = ["sum(", "[", "]", ")", "for", "x", "in", "if", "lambda", ":", "\n", "    ", "'",
                  '"""', "#", "\\", "async", "await", "{", "}", ",", "=", "*", "**", "\r\n", "\t"]
        for i in range(10):
            self.write(f"tokens{i}.py", " ".join(generator.choice(tokens) for _ in range(3000)))
        for args in ((".",), ("--fix", "--unsafe-fixes", "."), ("--output-format", "full", ".")):
            with self.subTest(args=args):
                result = self.check(*args)
                self.assertNoCrash(result)

    def test_fix_on_invalid_utf8_keeps_the_bytes(self):
        self.write("latin1.py", b'name = "caf\xe9"\n' + SUM_LINE.encode() + b"\n")
        result = self.check("--fix", "latin1.py")
        self.assertNoCrash(result)
        content = self.read("latin1.py")
        # Either left alone or fixed, but never with the invalid byte mangled.
        self.assertTrue(content.startswith(b'name = "caf\xe9"\n'), content)

    def test_directory_named_like_a_python_file(self):
        (self.dir / "pkg.py").mkdir()
        self.write("pkg.py/inner.py")
        result = self.check(".")
        self.assertExit(result, 1)
        self.assertFindings(result, [("pkg.py/inner.py", 2, SUM_COLUMN, "MEM101")])

    def test_broken_symlink_in_a_directory_is_skipped(self):
        (self.dir / "dangling.py").symlink_to(self.dir / "missing.py")
        self.write("ok.py")
        result = self.check(".")
        self.assertIn(result.returncode, (1, 2), result.describe())
        self.assertIn("ok.py", result.stdout)


if __name__ == "__main__":
    unittest.main()
