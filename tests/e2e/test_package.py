"""End-to-end tests of installation: `cmake --install` puts the binary and the man page in place,
and `cpack -G DEB` builds a Debian package that lists them, depends on the libraries the binary
links against, and runs when unpacked into an empty root."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import unittest
from pathlib import Path

from e2e_support import BINARY, ONE_FINDING

BUILD_DIR = Path(BINARY).parent
TIMEOUT = 240
VERSION_PREFIX = "heaplint "


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(list(args), cwd=str(cwd) if cwd else None, capture_output=True,
                          text=True, timeout=TIMEOUT)


@unittest.skipUnless((BUILD_DIR / "CPackConfig.cmake").is_file(),
                     "HEAPLINT_BINARY is not in a CMake build directory")
class PackageTest(unittest.TestCase):
    def setUp(self) -> None:
        temporary = tempfile.TemporaryDirectory(prefix="heaplint-package-")
        self.addCleanup(temporary.cleanup)
        self.dir = Path(temporary.name)
        self.version = run(BINARY, "--version").stdout.strip()
        self.assertTrue(self.version.startswith(VERSION_PREFIX), self.version)

    def assertRuns(self, binary: Path) -> None:
        version = run(str(binary), "--version")
        self.assertEqual(version.returncode, 0, version.stderr)
        self.assertEqual(version.stdout.strip(), self.version)
        sample = self.dir / "sample.py"
        sample.write_text(ONE_FINDING)
        check = run(str(binary), "check", "--isolated", str(sample))
        self.assertEqual(check.returncode, 1, check.stdout + check.stderr)
        self.assertIn("MEM101", check.stdout)

    def test_cmake_install(self):
        prefix = self.dir / "prefix"
        result = run("cmake", "--install", str(BUILD_DIR), "--prefix", str(prefix))
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        self.assertRuns(prefix / "bin" / "heaplint")
        man_page = (prefix / "share" / "man" / "man1" / "heaplint.1").read_text()
        self.assertIn(".TH HEAPLINT 1", man_page)
        self.assertIn(self.version, man_page)  # the version filled in
        self.assertIn("--force-exclude".replace("-", "\\-"), man_page)
        if shutil.which("man"):
            rendered = run("man", "-l", "-P", "cat", str(prefix / "share/man/man1/heaplint.1"))
            self.assertEqual(rendered.returncode, 0, rendered.stderr)
            self.assertIn("find memory antipatterns in Python code", rendered.stdout)

    @unittest.skipUnless(shutil.which("cpack") and shutil.which("dpkg-deb"), "cpack or dpkg-deb missing")
    def test_debian_package(self):
        output = self.dir / "packages"
        result = run("cpack", "-G", "DEB", "-B", str(output), "--config",
                     str(BUILD_DIR / "CPackConfig.cmake"), cwd=BUILD_DIR)
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        packages = list(output.glob("heaplint_*.deb"))
        self.assertEqual(len(packages), 1, list(output.iterdir()))
        package = packages[0]

        contents = run("dpkg-deb", "--contents", str(package)).stdout
        self.assertRegex(contents, r"(?m)^-rwxr-xr-x .* \./usr/bin/heaplint$")
        self.assertIn("./usr/share/man/man1/heaplint.1", contents)

        depends = run("dpkg-deb", "--field", str(package), "Depends").stdout
        for library in ("libc6", "libstdc++6", "libtomlplusplus3"):
            self.assertIn(library, depends)
        self.assertEqual(run("dpkg-deb", "--field", str(package), "Version").stdout.strip(),
                         self.version.removeprefix(VERSION_PREFIX))

        root = self.dir / "root"
        unpacked = run("dpkg-deb", "-x", str(package), str(root))
        self.assertEqual(unpacked.returncode, 0, unpacked.stderr)
        self.assertRuns(root / "usr" / "bin" / "heaplint")


if __name__ == "__main__":
    unittest.main()
