"""End-to-end tests of the result cache: warm runs print exactly what cold runs print, cross-file
findings follow partial changes, settings and versions key the cache, --no-cache and `clean`."""

from __future__ import annotations

import os
import shutil
import subprocess
import unittest

from e2e_support import BINARY, SOURCE_DIR, SUM_LINE, HeaplintTestCase, base_env

STATS = base_env(HEAPLINT_CACHE_STATS="1")
MODELS = "class Point:\n    def __init__(self, x):\n        self.x = x\n"
USE_HOT = "from pkg.models import Point\n\npoints = [Point(i) for i in open('rows.txt')]\n"
PREVIEW = "preview = true\n"  # MEM401 is a preview rule
USE_COLD = "from pkg.models import Point\n\npoint = Point(1)\n"


class CacheTest(HeaplintTestCase):
    def stats(self, result) -> str:
        lines = [line for line in result.stderr_lines() if line.startswith("heaplint cache:")]
        self.assertEqual(len(lines), 1, result.describe())
        return lines[0]

    def project(self) -> None:
        self.write("heaplint.toml", PREVIEW)
        self.write("pkg/__init__.py", "")
        self.write("pkg/models.py", MODELS)
        self.write("pkg/use.py", USE_HOT)
        self.write("a.py", f"xs = open('')\n{SUM_LINE}\n")
        self.write("broken.py", b"x = (\n\xff\n")
        shutil.copytree(SOURCE_DIR / "fixtures" / "mem2" / "MEM201_project", self.dir / "m201")

    def test_warm_output_is_byte_identical_in_every_format(self):
        self.project()
        for output_format in ("concise", "full", "json", "sarif", "junit", "gitlab"):
            with self.subTest(output_format):
                shutil.rmtree(self.dir / ".heaplint_cache", ignore_errors=True)
                cold = self.check("--output-format", output_format, "--unsafe-fixes", ".", env=STATS)
                warm = self.check("--output-format", output_format, "--unsafe-fixes", ".", env=STATS)
                self.assertEqual(self.stats(cold), "heaplint cache: 0 reused, 9 analysed")
                self.assertEqual(self.stats(warm), "heaplint cache: 9 reused, 0 analysed")
                self.assertEqual(warm.stdout_bytes, cold.stdout_bytes)
                self.assertEqual(warm.stderr_bytes, cold.stderr_bytes.replace(
                    b"0 reused, 9 analysed", b"9 reused, 0 analysed"))
                self.assertEqual(warm.returncode, cold.returncode)
        codes = {finding[3] for finding in self.check(".").findings()}
        self.assertEqual(codes, {"MEM101", "MEM201", "MEM401"})

    def test_cache_directory_layout(self):
        self.write("a.py")
        self.check("a.py")
        cache = self.dir / ".heaplint_cache"
        self.assertTrue(
            (cache / "CACHEDIR.TAG").read_text().startswith(
                "Signature: 8a477f597d28d172789f06886806bc55\n"
            )
        )
        self.assertIn("*", (cache / ".gitignore").read_text().splitlines())
        versions = [p for p in cache.iterdir() if p.is_dir()]
        self.assertEqual(len(versions), 1)
        self.assertRegex(versions[0].name, r"^\d+\.\d+\.\d+$")

    def test_cross_file_finding_follows_a_change_in_another_file(self):
        self.write("heaplint.toml", PREVIEW)
        self.write("pkg/__init__.py", "")
        self.write("pkg/models.py", MODELS)
        self.write("pkg/use.py", USE_HOT)
        self.assertEqual([f[3] for f in self.check(".").findings()], ["MEM401"])
        # The loop that made Point hot goes away: models.py is reused from the cache, yet the
        # finding in it must go.
        self.write("pkg/use.py", USE_COLD)
        result = self.check(".", env=STATS)
        self.assertEqual(self.stats(result), "heaplint cache: 2 reused, 1 analysed")
        self.assertExit(result, 0)
        self.assertEqual(result.findings(), [])
        # And back.
        self.write("pkg/use.py", USE_HOT)
        result = self.check(".", env=STATS)
        self.assertEqual(self.stats(result), "heaplint cache: 2 reused, 1 analysed")
        self.assertFindings(result, [("pkg/models.py", 1, 7, "MEM401")])
        # The class gains slots: only models.py is analysed again.
        self.write("pkg/models.py", MODELS.replace("class Point:\n", "class Point:\n    __slots__ = ('x',)\n"))
        result = self.check(".", env=STATS)
        self.assertEqual(self.stats(result), "heaplint cache: 2 reused, 1 analysed")
        self.assertExit(result, 0)

    def test_noqa_on_cached_files_still_silences_project_findings(self):
        self.write("heaplint.toml", PREVIEW)
        self.write("pkg/__init__.py", "")
        self.write("pkg/models.py", MODELS.replace("class Point:", "class Point:  # noqa: MEM401"))
        self.write("pkg/use.py", USE_COLD)
        # While nothing uses Point in a loop, HL100 rightly calls the noqa unused.
        self.assertExit(self.check(".", "--ignore", "HL100"), 0)
        self.write("pkg/use.py", USE_HOT)
        result = self.check(".", "--ignore", "HL100", env=STATS)
        self.assertEqual(self.stats(result), "heaplint cache: 2 reused, 1 analysed")
        self.assertExit(result, 0)
        # Used by the project join, on files restored from the cache: no HL100 either.
        self.assertExit(self.check("."), 0)

    def test_settings_key_the_cache(self):
        # `weakref` keeps the file read by MEM306 without MEM101: a file no rule reads is not
        # analysed, so not cached either.
        self.write("a.py", f"import weakref\nxs = open('')\n{SUM_LINE}\n")
        self.check("a.py")
        result = self.check("--ignore", "MEM101", "a.py", env=STATS)
        self.assertEqual(self.stats(result), "heaplint cache: 0 reused, 1 analysed")
        self.assertExit(result, 0)
        result = self.check("a.py", env=STATS)
        self.assertEqual(self.stats(result), "heaplint cache: 1 reused, 0 analysed")
        self.assertExit(result, 1)

    def test_another_build_of_the_same_version_does_not_reuse_results(self):
        # A rebuilt binary may have other rules under the same version number.
        self.write("a.py", f"xs = open('')\n{SUM_LINE}\n")
        self.check("a.py")
        self.assertEqual(self.stats(self.check("a.py", env=STATS)),
                         "heaplint cache: 1 reused, 0 analysed")
        rebuilt = self.dir / "bin" / "heaplint"
        rebuilt.parent.mkdir()
        shutil.copy(BINARY, rebuilt)  # a new modification time, as a rebuild gives
        os.utime(rebuilt, (1_000_000_000, 1_000_000_000))
        completed = subprocess.run([str(rebuilt), "check", "a.py"], cwd=self.dir,
                                   capture_output=True, env=STATS, timeout=60)
        stats = [line for line in completed.stderr.decode().splitlines()
                 if line.startswith("heaplint cache:")]
        self.assertEqual(stats, ["heaplint cache: 0 reused, 1 analysed"])

    def test_the_same_file_seen_from_elsewhere_is_analysed_again(self):
        # Displayed paths (and test-file detection) depend on where heaplint runs.
        self.write("tests/helpers.py", "import gc\n\n\ndef f(path):\n    for line in open(path): gc.collect()\n")
        cache = str(self.dir / "cache")
        self.assertExit(self.check("--cache-dir", cache, "tests"), 0)
        result = self.check("--cache-dir", cache, ".", cwd=self.dir / "tests", env=STATS)
        self.assertEqual(self.stats(result), "heaplint cache: 0 reused, 1 analysed")
        self.assertFindings(result, [("helpers.py", 5, 29, "MEM501")])

    def test_no_cache_and_clean(self):
        self.write("a.py")
        self.check("--no-cache", "a.py")
        self.assertFalse((self.dir / ".heaplint_cache").exists())
        self.check("a.py")
        self.assertTrue((self.dir / ".heaplint_cache").is_dir())
        result = self.heaplint("clean")
        self.assertExit(result, 0)
        self.assertFalse((self.dir / ".heaplint_cache").exists())
        self.assertExit(self.heaplint("clean"), 0)  # nothing to do
        # A directory heaplint did not make is left alone.
        (self.dir / "other").mkdir()
        self.assertUsageError(self.heaplint("clean", "--cache-dir", "other"))
        self.assertTrue((self.dir / "other").is_dir())

    def test_cache_dir_from_the_environment(self):
        self.write("a.py")
        self.check("a.py", env=base_env(HEAPLINT_CACHE_DIR=str(self.dir / "elsewhere")))
        self.assertFalse((self.dir / ".heaplint_cache").exists())
        self.assertTrue((self.dir / "elsewhere" / "CACHEDIR.TAG").is_file())

    def test_corrupt_or_unwritable_cache_is_ignored(self):
        self.write("a.py")
        cold = self.check("a.py")
        for cache_file in (self.dir / ".heaplint_cache").rglob("*.bin"):
            data = cache_file.read_bytes()
            cache_file.write_bytes(data[: len(data) // 2] + b"\xff" * 7)
        result = self.check("a.py", env=STATS)
        self.assertEqual(self.stats(result), "heaplint cache: 0 reused, 1 analysed")
        self.assertEqual(result.stdout, cold.stdout)
        (self.dir / "blocked").write_text("a file where the cache directory should be")
        result = self.check("--cache-dir", "blocked/cache", "a.py")
        self.assertEqual(result.stdout, cold.stdout)
        self.assertEqual(result.stderr, "")


if __name__ == "__main__":
    unittest.main()
