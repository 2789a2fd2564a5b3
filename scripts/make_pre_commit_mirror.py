#!/usr/bin/env python3
"""Writes the pre-commit mirror repository's files (integrations/heaplint-pre-commit/) for one
heaplint release into a directory: the hooks install heaplint==VERSION from PyPI.

    scripts/make_pre_commit_mirror.py OUTPUT_DIR [--version X.Y.Z]

The version defaults to the one in CMakeLists.txt. Commit the result to the mirror repository and
tag it vX.Y.Z once heaplint X.Y.Z is on PyPI.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

SOURCE_DIR = Path(__file__).resolve().parents[1]
TEMPLATE = SOURCE_DIR / "integrations" / "heaplint-pre-commit"


def project_version() -> str:
    cmake = (SOURCE_DIR / "CMakeLists.txt").read_text(encoding="utf-8")
    match = re.search(r"project\(heaplint VERSION ([0-9]+\.[0-9]+\.[0-9]+)", cmake)
    if not match:
        raise SystemExit("make_pre_commit_mirror: no version in CMakeLists.txt's project()")
    return match.group(1)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("output", type=Path)
    parser.add_argument("--version", default=None)
    options = parser.parse_args()
    version = options.version or project_version()
    if not re.fullmatch(r"[0-9]+\.[0-9]+\.[0-9]+", version):
        print(f"make_pre_commit_mirror: not a version: {version}", file=sys.stderr)
        return 2
    options.output.mkdir(parents=True, exist_ok=True)
    for template in sorted(TEMPLATE.iterdir()):
        text = template.read_text(encoding="utf-8").replace("@VERSION@", version)
        (options.output / template.name).write_text(text, encoding="utf-8")
    print(f"make_pre_commit_mirror: heaplint {version} hooks in {options.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
