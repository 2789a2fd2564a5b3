"""The README front page: under 10 KB, every link resolves to a file in the repository (and an
anchor to a heading of that file), and the Quick start still holds exactly its two commands.
Standard library only; it does not run the binary."""

from __future__ import annotations

import os
import re
import subprocess
import unittest
from pathlib import Path

SOURCE_DIR = Path(os.environ.get("HEAPLINT_SOURCE_DIR", Path(__file__).resolve().parents[2]))
README = SOURCE_DIR / "README.md"
MAX_BYTES = 10 * 1024
QUICK_START = [
    "scripts/build.sh && build/heaplint check --exit-zero examples/",
    "scripts/build.sh && ctest --test-dir build --output-on-failure -j2",
]
FENCE = re.compile(r"^```[^\n]*\n.*?^```\s*$", re.M | re.S)
INLINE_CODE = re.compile(r"`[^`\n]*`")
LINK = re.compile(r"!?\[[^\]\n]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
REFERENCE = re.compile(r"^\s{0,3}\[[^\]\n]+\]:\s*<?(\S+?)>?(?:\s.*)?$", re.M)
AUTOLINK = re.compile(r"<((?:https?|ftp|mailto):[^>\s]+)>")


def links(markdown: str) -> list[str]:
    prose = INLINE_CODE.sub("", FENCE.sub("", markdown))
    return LINK.findall(prose) + REFERENCE.findall(prose) + AUTOLINK.findall(prose)


def slug(heading: str) -> str:
    """GitHub's anchor for a heading."""
    text = re.sub(r"[`*_]|\[([^\]]*)\]\([^)]*\)", r"\1", heading.strip().lower())
    return re.sub(r"[^\w\- ]", "", text).replace(" ", "-")


def anchors(markdown: str) -> set[str]:
    return {slug(m.group(1)) for m in re.finditer(r"^#{1,6}\s+(.+?)\s*#*\s*$",
                                                  FENCE.sub("", markdown), re.M)}


def tracked_files() -> set[str] | None:
    try:
        listed = subprocess.run(["git", "-C", str(SOURCE_DIR), "ls-files", "-z", "--cached",
                                 "--others", "--exclude-standard"], capture_output=True,
                                timeout=60, check=True)
    except (OSError, subprocess.SubprocessError):
        return None
    return set(filter(None, listed.stdout.decode().split("\0")))


class ReadmeTest(unittest.TestCase):
    def setUp(self) -> None:
        self.text = README.read_text(encoding="utf-8")

    def test_front_page_is_under_10_kb(self):
        self.assertLess(len(self.text.encode("utf-8")), MAX_BYTES)

    def test_every_link_resolves_to_a_file_in_the_repository(self):
        found = links(self.text)
        self.assertGreater(len(found), 5, found)
        files = tracked_files()
        for target in found:
            with self.subTest(link=target):
                self.assertNotRegex(target, r"^[a-z][a-z0-9+.-]*:",
                                    "the front page links only to files in the repository")
                path_part, _, fragment = target.partition("#")
                resolved = (README.parent / path_part).resolve() if path_part else README
                self.assertTrue(resolved.is_relative_to(SOURCE_DIR.resolve()), target)
                self.assertTrue(resolved.exists(), f"{target}: no such file")
                if files is not None and resolved.is_file():
                    self.assertIn(resolved.relative_to(SOURCE_DIR.resolve()).as_posix(), files,
                                  f"{target} is not in the repository")
                if fragment:
                    self.assertIn(fragment, anchors(resolved.read_text(encoding="utf-8")),
                                  f"{target}: no such heading")

    def test_the_link_checker_catches_what_it_must(self):
        self.assertEqual(links("[a](docs/x.md) `[b](no.md)`\n[c]: y.md\n<https://e.invalid>\n"
                               "```\n[d](code.md)\n```\n![e](img.png)"),
                         ["docs/x.md", "img.png", "y.md", "https://e.invalid"])
        self.assertEqual(slug("From `source`, fast!"), "from-source-fast")

    def test_quick_start_holds_exactly_its_two_commands(self):
        section = self.text.split("## Quick start", 1)[1]
        block = FENCE.search(section)
        self.assertIsNotNone(block)
        commands = [line for line in block.group(0).splitlines()[1:-1] if line.strip()]
        self.assertEqual(commands, QUICK_START)
        ci = (SOURCE_DIR / ".ci" / "run").read_text()
        self.assertIn(QUICK_START[1], ci)


if __name__ == "__main__":
    unittest.main()
