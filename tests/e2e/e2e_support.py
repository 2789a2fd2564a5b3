"""Shared helpers for the end-to-end tests: locate the binary, run it, make temporary projects.

Not a test module itself (ctest runs only tests/e2e/test_*.py). Standard library only.
"""

from __future__ import annotations

import ast
import dataclasses
import os
import re
import shutil
import subprocess
import tempfile
import unittest
from pathlib import Path

SOURCE_DIR = Path(os.environ.get("HEAPLINT_SOURCE_DIR", Path(__file__).resolve().parents[2]))


def _find_binary() -> str:
    configured = os.environ.get("HEAPLINT_BINARY")
    if configured:
        return str(Path(configured).resolve())
    for candidate in (SOURCE_DIR / "build" / "heaplint", SOURCE_DIR / "build-e2e" / "heaplint"):
        if candidate.is_file():
            return str(candidate)
    raise unittest.SkipTest("set HEAPLINT_BINARY to the built heaplint binary")


BINARY = _find_binary()
# How much slower the binary runs than a Release build (scripts/sanitize.sh sets it for the
# sanitizers); every subprocess's timeout stretches by it.
SLOWDOWN = float(os.environ.get("HEAPLINT_TEST_SLOWDOWN", "1"))
TIMEOUT = 60 * SLOWDOWN

# `path:row:col: CODE [*] message`
CONCISE = re.compile(
    r"^(?P<path>.+?):(?P<row>\d+):(?P<col>\d+): (?P<code>[A-Z]+\d+) (?P<fixable>\[\*\] )?(?P<message>.+)$"
)

# The canonical finding: `sum()` of a list comprehension, safely fixable.
# Over the lines of a file: data, so MEM101 speaks (over a small literal it would stay quiet).
SUM_LINE = "total = sum([x * x for x in open(p)])"
SUM_FIXED = "total = sum(x * x for x in open(p))"
SUM_COLUMN = SUM_LINE.index("[") + 1  # 13
SUM_END_COLUMN = SUM_LINE.index("]") + 2  # exclusive end, as Ruff reports it
# `any()` of a list comprehension: the fix is unsafe (a generator stops early).
ANY_LINE = "flag = any([x > 1 for x in open(p)])"
ANY_FIXED = "flag = any(x > 1 for x in open(p))"
ANY_COLUMN = ANY_LINE.index("[") + 1  # 12
SUM_MESSAGE = (
    "`sum()` is given a list comprehension over the result of `open()`: the whole list is built in "
    "memory only to be consumed once"
)
ANY_MESSAGE = (
    "`any()` is given a list comprehension over the result of `open()`: the whole list is built in "
    "memory only to be consumed once"
)
CLEAN_SOURCE = "def double(values):\n    return [v * 2 for v in values]\n\n\nprint(sum(double([1, 2])))\n"
ONE_FINDING = f"xs = open('xs.txt')\n{SUM_LINE}\n"


@dataclasses.dataclass
class Result:
    args: list[str]
    returncode: int
    stdout_bytes: bytes
    stderr_bytes: bytes

    @property
    def stdout(self) -> str:
        return self.stdout_bytes.decode("utf-8", errors="surrogateescape")

    @property
    def stderr(self) -> str:
        return self.stderr_bytes.decode("utf-8", errors="surrogateescape")

    def stdout_lines(self) -> list[str]:
        return self.stdout.splitlines()

    def stderr_lines(self) -> list[str]:
        return self.stderr.splitlines()

    def findings(self) -> list[tuple[str, int, int, str]]:
        """(path, row, column, code) of every concise finding line on stdout."""
        out = []
        for line in self.stdout_lines():
            match = CONCISE.match(line)
            if match:
                out.append((match["path"], int(match["row"]), int(match["col"]), match["code"]))
        return out

    def describe(self) -> str:
        return (
            f"\n$ heaplint {' '.join(self.args)}\n-- exit code: {self.returncode}\n"
            f"-- stdout:\n{self.stdout}\n-- stderr:\n{self.stderr}"
        )


def base_env(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    # Output text is compared: no colours, and no git settings leaking in from the caller.
    env["NO_COLOR"] = "1"
    for name in ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE"):
        env.pop(name, None)
    env.update(extra)
    return env


def parses(source: str | bytes) -> bool:
    try:
        ast.parse(source)
    except SyntaxError:
        return False
    return True


class HeaplintTestCase(unittest.TestCase):
    maxDiff = None

    def setUp(self) -> None:
        temporary = tempfile.TemporaryDirectory(prefix="heaplint-e2e-")
        self.addCleanup(temporary.cleanup)
        # The binary shows paths relative to its real working directory.
        self.dir = Path(os.path.realpath(temporary.name))

    # -- files -------------------------------------------------------------------------------------
    def write(self, relative: str, content: str | bytes = ONE_FINDING, mode: int | None = None) -> Path:
        path = self.dir / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, str):
            content = content.encode("utf-8")
        path.write_bytes(content)
        if mode is not None:
            path.chmod(mode)
        return path

    def read(self, relative: str) -> bytes:
        return (self.dir / relative).read_bytes()

    def git_init(self, relative: str = ".") -> None:
        if shutil.which("git") is None:
            self.skipTest("git is not installed")
        subprocess.run(
            ["git", "init", "-q", str(self.dir / relative)],
            check=True,
            env=base_env(),
            timeout=TIMEOUT,
            stdout=subprocess.DEVNULL,
        )

    # -- running -----------------------------------------------------------------------------------
    def heaplint(
        self,
        *args: str,
        cwd: Path | str | None = None,
        stdin: str | bytes | None = None,
        env: dict[str, str] | None = None,
        user: int | None = None,
    ) -> Result:
        if isinstance(stdin, str):
            stdin = stdin.encode("utf-8")
        completed = subprocess.run(
            [BINARY, *args],
            cwd=str(cwd if cwd is not None else self.dir),
            input=stdin if stdin is not None else b"",
            capture_output=True,
            env=env if env is not None else base_env(),
            timeout=TIMEOUT,
            user=user,
        )
        return Result(list(args), completed.returncode, completed.stdout, completed.stderr)

    def unprivileged_user(self) -> int | None:
        """The user to run the binary as so that mode-000 files really are unreadable: None when
        this process is not root, `nobody` when it is (the temporary directory is opened up)."""
        if os.geteuid() != 0:
            return None
        nobody = 65534
        self.dir.chmod(0o755)
        try:
            probe = subprocess.run([BINARY, "check", "--help"], user=nobody, capture_output=True,
                                   timeout=TIMEOUT, cwd=str(self.dir))
        except OSError as error:
            self.skipTest(f"cannot run the binary as an unprivileged user: {error}")
        if probe.returncode != 0:
            self.skipTest("cannot run the binary as an unprivileged user")
        return nobody

    def check(self, *args: str, **kwargs) -> Result:
        return self.heaplint("check", *args, **kwargs)

    # -- assertions --------------------------------------------------------------------------------
    def assertExit(self, result: Result, code: int) -> None:
        self.assertEqual(result.returncode, code, result.describe())

    def assertNoCrash(self, result: Result) -> None:
        self.assertGreaterEqual(result.returncode, 0, "killed by a signal" + result.describe())
        self.assertIn(result.returncode, (0, 1), result.describe())
        self.assertNotIn("internal error", result.stderr, result.describe())

    def assertUsageError(self, result: Result) -> None:
        """Exit 2 with exactly one line on stderr starting with `heaplint: error:`."""
        self.assertExit(result, 2)
        lines = result.stderr_lines()
        self.assertEqual(len(lines), 1, result.describe())
        self.assertTrue(lines[0].startswith("heaplint: error:"), result.describe())

    def assertFindings(self, result: Result, expected: list[tuple[str, int, int, str]]) -> None:
        self.assertEqual(result.findings(), expected, result.describe())
