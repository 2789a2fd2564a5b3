"""End-to-end tests of module names: a file is named from the import roots Python would use (the
project root, `src/`, the configured `src`), so a folder that is neither a package nor a root
cannot make a file stand for a module of the standard library; stubs never get MEM401."""

from __future__ import annotations

import unittest

from e2e_support import HeaplintTestCase

CLASS = "class {name}:\n    def __init__(self, value):\n        self.value = value\n"
MAKER = "import {module}\n\n\ndef make(values):\n    return [{module}.{name}(v) for v in values]\n"


class ImportRootsTest(HeaplintTestCase):
    def mem401(self, *paths: str) -> list[tuple[str, int, int, str]]:
        result = self.check("--no-cache", "--select", "MEM401", *paths)
        self.assertNoCrash(result)
        return result.findings()

    def test_a_vendored_folder_does_not_shadow_the_standard_library(self):
        self.git_init()
        self.write("vendor/stubs/inspect.py", CLASS.format(name="Signature"))
        self.write("app.py", MAKER.format(module="inspect", name="Signature"))
        self.assertEqual(self.mem401("."), [])

    def test_a_stub_gets_no_mem401(self):
        self.git_init()
        self.write("shapes.pyi", CLASS.format(name="Point"))
        self.write("app.py", MAKER.format(module="shapes", name="Point"))
        self.assertEqual(self.mem401("."), [])
        # The same class in a module of the project is reported.
        (self.dir / "shapes.pyi").rename(self.dir / "shapes.py")
        self.assertEqual(self.mem401("."), [("shapes.py", 1, 7, "MEM401")])

    def test_a_src_layout_is_an_import_root(self):
        self.git_init()
        self.write("src/shapes/__init__.py", "")
        self.write("src/shapes/point.py", CLASS.format(name="Point"))
        self.write("app.py", "from shapes.point import Point\n\n\n"
                             "def make(values):\n    return [Point(v) for v in values]\n")
        self.assertEqual(self.mem401("."), [("src/shapes/point.py", 1, 7, "MEM401")])

    def test_configured_src_roots(self):
        self.write("lib/shapes.py", CLASS.format(name="Point"))
        self.write("app.py", MAKER.format(module="shapes", name="Point"))
        self.write("pyproject.toml", "[tool.heaplint]\nselect = [\"ALL\"]\n")
        self.assertEqual(self.mem401("."), [])  # `lib/` is no import root by default
        self.write("pyproject.toml", "[tool.heaplint]\nsrc = [\".\", \"lib\"]\n")
        self.assertEqual(self.mem401("."), [("lib/shapes.py", 1, 7, "MEM401")])
        settings = self.check("--show-settings", "app.py")
        self.assertIn(f"src = [\"{self.dir}\", \"{self.dir}/lib\"]", settings.stdout,
                      settings.describe())

    def test_a_bad_src_value_is_a_configuration_error(self):
        self.write("app.py", "x = 1\n")
        self.write("heaplint.toml", "src = \"lib\"\n")
        result = self.check("app.py")
        self.assertUsageError(result)
        self.assertIn("`src`: expected an array of strings", result.stderr)


if __name__ == "__main__":
    unittest.main()
