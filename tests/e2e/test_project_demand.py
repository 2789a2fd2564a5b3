"""End-to-end tests of a check run that parses a file for the project rules only when a join
needs its facts (issue 14): the files a finding depends on are still read, in whatever file
they are, and a file no join needs is never parsed."""

from __future__ import annotations

import unittest

from e2e_support import HeaplintTestCase

# A closure made per call over its argument, connected to a signal of the package. Only this
# file may hold a MEM301 finding: the others define the signal and what holds its receivers.
WIDGET = ("from pkg import signals\n\n\n"
          "def watch(name):\n"
          "    def on_change(*args):\n"
          "        print(name, args)\n\n"
          "    signals.changed.connect(on_change)\n")
SIGNAL = ("class Signal:\n"
          "    def __init__(self):\n"
          "        self.receivers = []\n\n"
          "    def connect(self, receiver{weak}):\n"
          "        self.receivers.append(receiver)\n")

# A hidden cache (MEM204) whose keys come from a caller in another module: the lines of a file.
LOOKUP = ("def first_seen(event_id, _seen=set()):\n"
          "    if event_id in _seen:\n"
          "        return False\n"
          "    _seen.add(event_id)\n"
          "    return True\n")
READER = ("from .lookup import first_seen\n\n\n"
          "def count_new_events(path):\n"
          "    with open(path) as handle:\n"
          "        return sum(first_seen(line{passed}) for line in handle)\n")


# MEM301 is a preview rule; alone, its join still asks only for the files it may need.
MEM301 = ("--preview", "--select", "MEM301")


class ProjectDemandTest(HeaplintTestCase):
    def findings(self, *args: str) -> list[tuple[str, int, int, str]]:
        result = self.check("--no-cache", *args, ".")
        self.assertNoCrash(result)
        return result.findings()

    def write_signal_package(self, weak: str) -> None:
        self.write("pkg/__init__.py", "")
        self.write("pkg/widget.py", WIDGET)
        self.write("pkg/signals.py", "from .dispatch import Signal\n\nchanged = Signal()\n")
        self.write("pkg/dispatch/__init__.py", "from .signal import Signal\n")
        self.write("pkg/dispatch/signal.py", SIGNAL.format(weak=weak))

    def test_what_holds_a_registry_is_read_through_files_without_candidates(self):
        # The signal, its class, the class's re-export and the package holding the signal are in
        # four files none of which MEM301 may report in; whether the class keeps its receivers
        # weakly (`weak=True` by default, as Django's dispatcher) decides.
        self.write_signal_package(", weak=True")
        self.assertEqual(self.findings(*MEM301), [])
        self.write_signal_package("")
        self.assertEqual(self.findings(*MEM301), [("pkg/widget.py", 8, 5, "MEM301")])

    def test_the_cache_keeps_what_each_file_said(self):
        # A file only read in one run (nothing needed it) must still be analysed in a later run
        # that needs it, and a changed file read again; every warm run gives what a cold one does.
        self.write("pkg/__init__.py", "")
        self.write("pkg/signals.py", "from .dispatch import Signal\n\nchanged = Signal()\n")
        self.write("pkg/dispatch/__init__.py", "from .signal import Signal\n")
        self.write("pkg/dispatch/signal.py", SIGNAL.format(weak=""))
        warm = self.check(*MEM301, ".")
        self.assertEqual(warm.findings(), [])
        self.write("pkg/widget.py", WIDGET)
        expected = [("pkg/widget.py", 8, 5, "MEM301")]
        self.assertEqual(self.check(*MEM301, ".").findings(), expected)
        self.assertEqual(self.check(*MEM301, ".").findings(), expected)
        self.write("pkg/dispatch/signal.py", SIGNAL.format(weak=", weak=True"))
        self.assertEqual(self.check(*MEM301, ".").findings(), [])
        self.assertEqual(self.check(*MEM301, ".").findings(), [])
        self.write("pkg/dispatch/signal.py", SIGNAL.format(weak=""))
        self.assertEqual(self.check(*MEM301, ".").findings(), expected)
        self.assertEqual(self.findings(*MEM301), expected)

    def test_callers_in_other_files_decide_a_hidden_cache(self):
        self.write("pkg/__init__.py", "")
        self.write("pkg/lookup.py", LOOKUP)
        self.write("pkg/reader.py", READER.format(passed=""))
        self.assertEqual(self.findings(), [("pkg/lookup.py", 1, 26, "MEM204")])
        # A caller that passes its own set makes the default an accumulator, not a cache.
        self.write("pkg/reader.py", READER.format(passed=", set()"))
        self.assertEqual(self.findings(), [])
        # However the constructor's call is spaced.
        self.write("pkg/reader.py", READER.format(passed=""))
        self.write("pkg/lookup.py", LOOKUP.replace("set()", "set \t()"))
        self.assertEqual(self.findings(), [("pkg/lookup.py", 1, 26, "MEM204")])

    def test_a_removal_in_the_registry_module_itself(self):
        # A subscribe function imported by name: its module is the registry, and the removal
        # in that module (whose text never names it) undoes the registration.
        events = ("_handlers = []\n\n\n"
                  "def subscribe(callback):\n    _handlers.append(callback)\n\n\n"
                  "def unsubscribe(callback):\n    _handlers.remove(callback)\n")
        self.write("pkg/__init__.py", "")
        self.write("pkg/handler.py", "from pkg.events import subscribe\n\n\n"
                                     "def handle(user_id):\n"
                                     "    def on_done(result):\n"
                                     "        print(user_id, result)\n\n"
                                     "    subscribe(on_done)\n")
        self.write("pkg/events.py", events)
        self.assertEqual(self.findings(*MEM301), [("pkg/handler.py", 8, 5, "MEM301")])
        self.write("pkg/events.py", events + "\n\ndef reset(callback):\n    unsubscribe(callback)\n")
        self.assertEqual(self.findings(*MEM301), [])

    def write_points(self) -> None:
        # A slotless class made a million times in its own module: MEM401 by default.
        self.write("pkg/points.py", "class Point:\n"
                                    "    def __init__(self, x):\n"
                                    "        self.x = x\n\n\n"
                                    "GRID = [Point(i) for i in range(1_000_000)]\n")
        self.assertEqual(self.findings(), [("pkg/points.py", 1, 7, "MEM401")])

    def test_a_subclass_elsewhere_decides_a_hot_class(self):
        # MEM401 by default: a class made a million times in its own module. A subclass that
        # keeps its `__dict__`, in a file MEM401 may not report in (no `range`), makes the class
        # an extension point; that file must be read for the join to know it.
        self.write("pkg/__init__.py", "")
        self.write_points()
        self.write("pkg/labelled.py", "from .points import Point\n\n\n"
                                      "class Labelled(Point):\n"
                                      "    label = ''\n")
        self.assertEqual(self.findings(), [])
        # A class made a million times by another module's loop is preview's business.
        self.write("pkg/labelled.py", "from .points import Point\n\n\n"
                                      "class Other:\n"
                                      "    def __init__(self, x):\n"
                                      "        self.x = x\n")
        self.write("pkg/make.py", "from .labelled import Other\n\n\n"
                                  "ALL = [Other(i) for i in range(1_000_000)]\n")
        self.assertEqual(self.findings(), [("pkg/points.py", 1, 7, "MEM401")])
        self.assertEqual(self.findings("--preview", "--select", "MEM401"),
                         [("pkg/labelled.py", 4, 7, "MEM401"), ("pkg/points.py", 1, 7, "MEM401")])

    def test_a_subclass_through_a_re_export_decides_a_hot_class(self):
        # The subclass's file names only the package's alias of the class: the join needs the
        # package's re-export to find it.
        self.write("pkg/__init__.py", "from .points import Point as Base\n")
        self.write_points()
        self.write("pkg/labelled.py", "from . import Base\n\n\n"
                                      "class Labelled(Base):\n"
                                      "    label = ''\n")
        self.assertEqual(self.findings(), [])
        self.assertEqual(self.findings("--preview", "--select", "MEM401"), [])

    def test_a_file_no_join_needs_is_not_parsed(self):
        # Without a file any project rule may report in, the broken file is not even parsed, so
        # it gets no syntax-error warning; once a hidden cache may need its calls, it is.
        self.write("broken.py", "def f(:\n    return g(x)\n")
        self.write("clean.py", "def double(values):\n    return [v * 2 for v in values]\n")
        # What reading a file finds is still said, parsed or not.
        self.write("cookie.py", "# -*- coding: uft-8 -*-\nx = 1\n")
        self.write("bytes.py", b"x = 1  # caf\xe9\n")
        result = self.check("--no-cache", ".")
        self.assertExit(result, 0)
        self.assertNotIn("broken.py", result.stderr, result.describe())
        self.assertIn("cookie.py:1:15: unknown encoding `uft-8`", result.stderr, result.describe())
        self.assertIn("bytes.py:1:13: not valid UTF-8", result.stderr, result.describe())
        self.write("lookup.py", LOOKUP)
        result = self.check("--no-cache", ".")
        self.assertIn("broken.py:1:7: syntax error", result.stderr, result.describe())
        # A warm run warns as a cold one, whatever an earlier run needed.
        self.assertIn("broken.py:1:7: syntax error", self.check(".").stderr)
        (self.dir / "lookup.py").unlink()
        self.assertNotIn("broken.py", self.check(".").stderr)
        self.assertNotIn("broken.py", self.check("--no-cache", ".").stderr)


if __name__ == "__main__":
    unittest.main()
