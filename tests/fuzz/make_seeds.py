"""Writes the fuzz targets' seed corpora (never committed): small Python texts cut from the fixtures
and from the CPython, Django and SymPy corpora, files in other encodings (PEP 263), notebooks,
language server transcripts, configuration files and noqa comments.

    python3 tests/fuzz/make_seeds.py OUT_DIR [--no-corpora]

OUT_DIR/<target>/ gets one file per seed. Python seeds stay under 1 KiB (scripts/sanitize.sh fuzzes
with -max_len=1024, 4096 for the server's transcripts): small inputs keep each run fast.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import pathlib
import random
import sys

SOURCE_DIR = pathlib.Path(__file__).resolve().parents[2]
MAX_SEED = 1024
PYTHON_SEEDS_PER_CORPUS = 300


def write(folder: pathlib.Path, data: bytes) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / hashlib.sha1(data).hexdigest()).write_bytes(data)


def pieces(text: bytes) -> list[bytes]:
    """The text cut at top-level statements into pieces of at most MAX_SEED bytes."""
    out, current = [], b""
    for line in text.splitlines(keepends=True):
        starts_statement = line[:1] not in (b" ", b"\t", b"\n", b"\r", b"#", b")", b"]", b"}")
        if starts_statement and current and len(current) + len(line) > MAX_SEED // 2:
            out.append(current)
            current = b""
        current += line
    if current:
        out.append(current)
    return [piece for piece in out if 0 < len(piece) <= MAX_SEED]


def head(text: bytes) -> bytes:
    """The whole lines that fit in MAX_SEED bytes: a seed from a file with no short statement."""
    cut = text[:MAX_SEED]
    return cut[:cut.rfind(b"\n") + 1] if b"\n" in cut else cut


# PEP 263: files in other encodings, decoded on the way in and encoded back by --fix
# (tests/e2e/test_encoding.py). fuzz_analyze and fuzz_fix read a coding cookie as the CLI does.
SUM_LINE = "total = sum([x * 2 for x in xs])\n"
ENCODED_SEEDS = [
    ("# -*- coding: latin-1 -*-\nxs = [1, 2, 3]\nname = 'caf\xe9'; " + SUM_LINE).encode("latin-1"),
    ("# coding: euc-jp\nxs = [1, 2, 3]\nname = '\u30bd'; " + SUM_LINE).encode("euc-jp"),
    ("# coding: shift_jis\nxs = [1]\nname = '\u30bd'\n" + SUM_LINE).encode("shift_jis"),
    ("#!/usr/bin/env python\n# vim: set fileencoding=cp1252 :\ns = '\u20ac'\n" + SUM_LINE)
    .encode("cp1252"),
    ("# coding: ascii\nxs = [1]\nname = '\xe9'\n" + SUM_LINE).encode("latin-1"),
    ("# coding: bogus\nxs = [1]\n" + SUM_LINE).encode(),
    b"\xef\xbb\xbf# coding: latin-1\nxs = [1]\n" + SUM_LINE.encode(),
    b"\xef\xbb\xbfimport gc\r\ngc.collect()\r\n" + SUM_LINE.encode(),
]


def notebook(*cells: list[str]) -> bytes:
    """A Jupyter notebook whose code cells hold `cells` (tests/e2e/test_notebooks.py's shape)."""
    document = {"cells": [{"cell_type": "code", "execution_count": None, "metadata": {},
                           "outputs": [], "source": lines} for lines in cells]
                + [{"cell_type": "markdown", "metadata": {}, "source": ["# notes"]}],
                "metadata": {"kernelspec": {"name": "python3"}}, "nbformat": 4,
                "nbformat_minor": 5}
    return json.dumps(document, indent=1).encode()


# Notebooks (cli/notebook.h): fuzz_fix fixes an input that reads as one through its cells.
NOTEBOOK_SEEDS = [
    notebook(["import gc\n", "xs = [1, 2]"], ["total = sum([x for x in xs])\n", "gc.collect()"]),
    notebook(["%matplotlib inline\n", "!pip install x\n", "xs = [1]\n",
              "n = len([x for x in xs])"]),
    notebook(["from functools import lru_cache\n", "@lru_cache(maxsize=None)\n",
              "def f(x):\n", "    return x"], []),
    notebook(["total = sum([x for x in range(3)])"]),
]


def python_seeds(use_corpora: bool) -> list[bytes]:
    seeds = list(ENCODED_SEEDS)
    for path in sorted((SOURCE_DIR / "fixtures").rglob("*.py")):
        text = path.read_bytes()
        seeds.extend(pieces(text) or ([head(text)] if head(text) else []))
    if use_corpora:
        sys.path.insert(0, str(SOURCE_DIR / "tests" / "corpus"))
        import corpora  # noqa: E402 (the corpus helper lives beside the corpus verdicts)

        generator = random.Random(11)
        for name in ("cpython", "django", "sympy"):
            files = sorted(pathlib.Path(corpora.ensure(name)).rglob("*.py"))
            for path in generator.sample(files, min(len(files), PYTHON_SEEDS_PER_CORPUS)):
                cut = pieces(path.read_bytes())
                if cut:
                    seeds.append(generator.choice(cut))
    return seeds


def message(method: str, params, request_id=None) -> bytes:
    body = {"jsonrpc": "2.0", "method": method, "params": params}
    if request_id is not None:
        body["id"] = request_id
    return json.dumps(body).encode()


def server_seeds(python: list[bytes]) -> list[bytes]:
    uri = "file:///fuzz/module.py"
    seeds = []
    for number, text in enumerate(python[:40]):
        source = text.decode("utf-8", "replace")[:1500]
        line = source.count("\n") // 2
        transcript = [
            message("initialize", {"capabilities": {"general": {"positionEncodings": ["utf-8"]}},
                                   "rootUri": None}, 1),
            message("initialized", {}),
            message("textDocument/didOpen", {"textDocument": {
                "uri": uri, "languageId": "python", "version": 1, "text": source}}),
            message("textDocument/didChange", {"textDocument": {"uri": uri, "version": 2},
                                               "contentChanges": [{"range": {
                                                   "start": {"line": line, "character": 0},
                                                   "end": {"line": line, "character": 3}},
                                                   "text": "x = sum([a for a in b])\n"}]}),
            message("textDocument/hover", {"textDocument": {"uri": uri},
                                           "position": {"line": line, "character": 8}}, 2),
            message("textDocument/codeAction", {"textDocument": {"uri": uri}, "range": {
                "start": {"line": 0, "character": 0}, "end": {"line": line + 1, "character": 0}},
                "context": {"diagnostics": []}}, 3),
            message("textDocument/diagnostic", {"textDocument": {"uri": uri}}, 4),
            message("workspace/didChangeConfiguration", {"settings": {"heaplint": {}}}),
            message("textDocument/didClose", {"textDocument": {"uri": uri}}),
            message("shutdown", None, 5),
            message("exit", None),
        ]
        seeds.append(b"\0".join(transcript))
        if number < 5:
            framed = b"".join(b"Content-Length: %d\r\n\r\n%s" % (len(m), m) for m in transcript)
            seeds.append(b"RAW" + framed)
    return seeds


CONFIG_SEEDS = [
    b"",
    b'[tool.heaplint]\nselect = ["MEM1", "MEM401"]\nignore = ["MEM202"]\n',
    b'[project]\nrequires-python = ">=3.9"\n[tool.heaplint]\ntarget-version = "py311"\n',
    b'select = ["ALL"]\nextend-exclude = ["gen/**", "*.pyi"]\nrespect-gitignore = false\n'
    b'[per-file-ignores]\n"tests/*" = ["MEM501"]\n',
    b'[lint]\nsubscription-pairs = [["connect", "disconnect"]]\n',
    b'exclude = ["a", "b/**/c"]\ntest-file-patterns = ["test_*.py"]\n'
    b'extra-hot-classes = ["pkg.Model"]\n',
    b"[tool.heaplint]\nselect = [[[[[1]]]]]\n",
    b'a = """\nmultiline\n"""\nb = 1979-05-27T07:32:00Z\nc = { d = [1, 2.5, inf, nan] }\n',
]

NOQA_SEEDS = [
    b" noqa", b" noqa: MEM101", b" noqa:MEM101,MEM202", b" NOQA: MEM1, unbounded-lru-cache",
    b" heaplint: noqa", b" heaplint: noqa: MEM401", b" type: ignore # noqa: E501 MEM101",
    b" noqa : MEM101 ,", b" ruff: noqa: MEM101",
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=pathlib.Path)
    parser.add_argument("--no-corpora", action="store_true",
                        help="only the fixtures (no corpus download)")
    arguments = parser.parse_args()
    python = python_seeds(not arguments.no_corpora)
    for target in ("analyze", "fix", "incremental"):
        for seed in python:
            write(arguments.out / target, seed)
    for seed in NOTEBOOK_SEEDS:
        write(arguments.out / "fix", seed)
    for seed in server_seeds(python):
        write(arguments.out / "server", seed)
    for seed in CONFIG_SEEDS:
        for selector in (b"\x00", b"\x01"):
            write(arguments.out / "config", selector + seed)
    for seed in NOQA_SEEDS:
        write(arguments.out / "noqa", seed)
    counts = {folder.name: len(list(folder.iterdir())) for folder in sorted(arguments.out.iterdir())}
    print("seeds:", ", ".join(f"{name} {count}" for name, count in counts.items()))


if __name__ == "__main__":
    main()
