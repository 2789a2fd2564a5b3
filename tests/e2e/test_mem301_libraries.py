"""End-to-end tests of MEM301 with `[tool.heaplint.libraries]`: a project names the registries the
built-in table does not know, and MEM301 follows what the configuration says they do."""

from __future__ import annotations

import unittest

from e2e_support import HeaplintTestCase

# A closure made per call over its argument (a bound method of `self` is reported only in preview).
WIDGET = ("from myapp.signals import changed\n\n\n"
          "def watch(name):\n"
          "    changed.connect(lambda *args: print(name, args))\n")


class Mem301LibrariesTest(HeaplintTestCase):
    def mem301(self) -> list[tuple[str, int, int, str]]:
        result = self.check("--no-cache", "--preview", "--select", "MEM301", ".")
        self.assertNoCrash(result)
        return result.findings()

    def test_weak_and_strong_registries_from_the_configuration(self):
        self.git_init()
        self.write("widget.py", WIDGET)
        # Unknown to the table and defined outside the project: held strongly.
        self.assertEqual(self.mem301(), [("widget.py", 5, 5, "MEM301")])
        self.write("pyproject.toml",
                   "[tool.heaplint.libraries]\nweak-registries = [\"myapp.signals.\"]\n")
        self.assertEqual(self.mem301(), [])
        # A strong entry overrides the built-in table (blinker holds weakly by default).
        self.write("widget.py", WIDGET.replace("from myapp.signals import changed",
                                               "from blinker import signal\n\n"
                                               "changed = signal('changed')"))
        self.assertEqual(self.mem301(), [])
        self.write("pyproject.toml",
                   "[tool.heaplint.libraries]\nstrong-registries = [\"blinker.\"]\n")
        self.assertEqual(len(self.mem301()), 1)


if __name__ == "__main__":
    unittest.main()
