"""End-to-end tests of notebook documents in `heaplint server` (LSP 3.17 notebookDocument/didOpen,
didChange, didClose), as Ruff's server handles them: the code cells are checked together, joined as
`heaplint check nb.ipynb` joins them, and each cell's findings are published on the cell's URI with
positions within the cell (push mode) or returned for the cell's URI (pull mode)."""

from __future__ import annotations

import json
import unittest

from e2e_support import BINARY, SUM_COLUMN, SUM_FIXED, SUM_LINE, HeaplintTestCase, base_env
from lsp_client import LspClient

# Non-ASCII text before the finding: "é" is 2 bytes and 1 UTF-16 unit, "😀" 4 bytes and 2 units.
FINDING_LINE = "label = 'café 😀'; total = sum([x * x for x in xs])"
UTF16_START = len(FINDING_LINE[: FINDING_LINE.index("[")].encode("utf-16-le")) // 2
MARKUP, CODE = 1, 2


def apply_edits(text: str, edits: list[dict]) -> str:
    """Applies LSP text edits (ASCII text: UTF-16 columns are characters), last first."""
    lines = text.split("\n")
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line) + 1)

    def offset(position: dict) -> int:
        return offsets[position["line"]] + position["character"]

    for edit in sorted(edits, key=lambda e: offset(e["range"]["start"]), reverse=True):
        start, end = offset(edit["range"]["start"]), offset(edit["range"]["end"])
        text = text[:start] + edit["newText"] + text[end:]
    return text


class NotebookDocumentTest(HeaplintTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.uri = (self.dir / "analysis.ipynb").as_uri()

    def cell_uri(self, name: str) -> str:
        # VS Code's form: the notebook's path, the cell in the fragment.
        return f"vscode-notebook-cell:{(self.dir / 'analysis.ipynb')}#{name}"

    def client(self, pull: bool = False) -> LspClient:
        client = LspClient([BINARY, "server"], cwd=str(self.dir), env=base_env())
        self.addCleanup(client.close)
        capabilities = {"notebookDocument": {"synchronization": {}}}
        if pull:
            capabilities["textDocument"] = {"diagnostic": {}}
        response = client.initialize(capabilities=capabilities, root_uri=self.dir.as_uri())
        self.assertEqual(response["result"]["capabilities"]["notebookDocumentSync"],
                         {"notebookSelector": [{"cells": [{"language": "python"}]}], "save": False})
        return client

    def open(self, client: LspClient, cells: list[tuple[str, int, str]], version: int = 1) -> None:
        client.notify("notebookDocument/didOpen", {
            "notebookDocument": {
                "uri": self.uri, "notebookType": "jupyter-notebook", "version": version,
                "cells": [{"kind": kind, "document": self.cell_uri(name)} for name, kind, _ in cells]},
            "cellTextDocuments": [
                {"uri": self.cell_uri(name), "languageId": "python" if kind == CODE else "markdown",
                 "version": 1, "text": text} for name, kind, text in cells]})

    def change(self, client: LspClient, version: int, cells: dict) -> None:
        client.notify("notebookDocument/didChange", {
            "notebookDocument": {"uri": self.uri, "version": version}, "change": {"cells": cells}})

    def published(self, client: LspClient, version: int, *names: str) -> dict[str, list[dict]]:
        """Diagnostics per cell URI from the publications of one notebook version: one for each
        of the named cells is awaited."""
        cells: dict[str, list[dict]] = {}
        while len(cells) < len(names):
            message = client.wait_for(
                lambda m: m.get("method") == "textDocument/publishDiagnostics"
                and m["params"]["uri"] in {self.cell_uri(name) for name in names}
                and m["params"].get("version") == version
                and m["params"]["uri"] not in cells)
            cells[message["params"]["uri"]] = message["params"]["diagnostics"]
        return cells

    def cleared(self, client: LspClient, name: str) -> list[dict]:
        """The diagnostics of the publication that drops a cell (it names no version)."""
        return client.wait_for(
            lambda m: m.get("method") == "textDocument/publishDiagnostics"
            and m["params"]["uri"] == self.cell_uri(name)
            and "version" not in m["params"])["params"]["diagnostics"]

    def test_findings_are_published_per_cell_with_positions_in_the_cell(self) -> None:
        client = self.client()
        self.open(client, [
            ("intro", MARKUP, "# Totals\n"),
            ("load", CODE, "%matplotlib inline\nxs = open('xs.txt')\n"),
            ("sum", CODE, "!pip list\n" + FINDING_LINE + "\n"),
        ])
        published = self.published(client, 1, "intro", "load", "sum")
        self.assertEqual(published[self.cell_uri("intro")], [])
        self.assertEqual(published[self.cell_uri("load")], [])
        [finding] = published[self.cell_uri("sum")]
        self.assertEqual(finding["code"], "MEM101")
        self.assertEqual(finding["range"]["start"], {"line": 1, "character": UTF16_START})
        self.assertEqual(finding["range"]["end"]["line"], 1)
        # The fix's edits are in the cell's coordinates too.
        edit_lines = {e["range"]["start"]["line"] for e in finding["data"]["fix"]["edits"]}
        self.assertEqual(edit_lines, {1})
        self.assertEqual(client.shutdown_and_exit(), 0)

    def test_edits_inserted_moved_and_removed_cells(self) -> None:
        client = self.client()
        self.open(client, [("a", CODE, "import math\n"), ("b", CODE, SUM_LINE + "\n")])
        self.assertEqual(len(self.published(client, 1, "a", "b")[self.cell_uri("b")]), 1)

        # Editing the cell's text removes the finding.
        self.change(client, 2, {"textContent": [{
            "document": {"uri": self.cell_uri("b"), "version": 2},
            "changes": [{"range": {"start": {"line": 0, "character": SUM_COLUMN - 1},
                                   "end": {"line": 0, "character": SUM_COLUMN}}, "text": ""}]}]})
        # "[x * x ...])" without its "[": a syntax error, and no MEM101.
        self.assertEqual([d["code"] for d in self.published(client, 2, "b")[self.cell_uri("b")]], [])

        # A new first cell with a finding on its second line: the other cells' rows do not move.
        self.change(client, 3, {"structure": {
            "array": {"start": 0, "deleteCount": 0, "cells": [{"kind": CODE, "document": self.cell_uri("new")}]},
            "didOpen": [{"uri": self.cell_uri("new"), "languageId": "python", "version": 1,
                         "text": "import gc\n" + SUM_LINE + "\n"}]}})
        published = self.published(client, 3, "new", "a", "b")
        [finding] = published[self.cell_uri("new")]
        self.assertEqual(finding["range"]["start"], {"line": 1, "character": SUM_COLUMN - 1})
        self.assertEqual(published[self.cell_uri("a")], [])

        # Moving the new cell to the end: VS Code removes the cells and inserts them again in their
        # new order, without their text, which the server keeps.
        self.change(client, 4, {"structure": {"array": {
            "start": 0, "deleteCount": 3,
            "cells": [{"kind": CODE, "document": self.cell_uri(name)} for name in ("a", "b", "new")]}}})
        published = self.published(client, 4, "new", "a", "b")
        self.assertEqual(published[self.cell_uri("new")][0]["range"]["start"]["line"], 1)
        self.assertEqual(published[self.cell_uri("a")], [])

        # Removing a cell for good clears what was published for it.
        self.change(client, 5, {"structure": {"array": {"start": 2, "deleteCount": 1},
                                              "didClose": [{"uri": self.cell_uri("new")}]}})
        self.assertEqual(self.cleared(client, "new"), [])
        self.published(client, 5, "a", "b")
        self.assertEqual(client.shutdown_and_exit(), 0)

    def test_a_markdown_cell_turned_into_code_is_checked(self) -> None:
        client = self.client()
        self.open(client, [("m", MARKUP, SUM_LINE + "\n")])
        self.assertEqual(self.published(client, 1, "m")[self.cell_uri("m")], [])
        self.change(client, 2, {"data": [{"kind": CODE, "document": self.cell_uri("m")}]})
        self.assertEqual(len(self.published(client, 2, "m")[self.cell_uri("m")]), 1)
        self.assertEqual(client.shutdown_and_exit(), 0)

    def test_close_clears_every_cell(self) -> None:
        client = self.client()
        self.open(client, [("a", CODE, SUM_LINE + "\n"), ("b", CODE, "x = 1\n")])
        self.published(client, 1, "a", "b")
        client.notify("notebookDocument/didClose", {
            "notebookDocument": {"uri": self.uri},
            "cellTextDocuments": [{"uri": self.cell_uri("a")}, {"uri": self.cell_uri("b")}]})
        for name in ("a", "b"):
            self.assertEqual(self.cleared(client, name), [])
        self.assertEqual(client.shutdown_and_exit(), 0)

    def test_pull_mode_answers_for_a_cell(self) -> None:
        client = self.client(pull=True)
        self.open(client, [("a", CODE, "import gc\n"), ("b", CODE, "y = 1\n" + SUM_LINE + "\n")])
        report = client.request("textDocument/diagnostic",
                                {"textDocument": {"uri": self.cell_uri("b")}})["result"]
        self.assertEqual(report["kind"], "full")
        self.assertEqual([(d["code"], d["range"]["start"]) for d in report["items"]],
                         [("MEM101", {"line": 1, "character": SUM_COLUMN - 1})])
        empty = client.request("textDocument/diagnostic",
                               {"textDocument": {"uri": self.cell_uri("a")}})["result"]
        self.assertEqual(empty["items"], [])
        self.assertEqual(client.shutdown_and_exit(), 0)

    def test_quick_fixes_and_hover_in_a_cell(self) -> None:
        client = self.client()
        cell_b = self.cell_uri("b")
        text_b = "y = 1\n" + SUM_LINE + "\n"
        self.open(client, [("a", CODE, "import gc\n"), ("m", MARKUP, "Notes\n"), ("b", CODE, text_b),
                           ("c", CODE, "z = 2  # noqa: MEM101\n")])
        [finding] = self.published(client, 1, "a", "m", "b", "c")[cell_b]
        actions = client.request("textDocument/codeAction", {
            "textDocument": {"uri": cell_b}, "range": finding["range"],
            "context": {"diagnostics": [finding]}})["result"]
        self.assertEqual(sorted(a["title"] for a in actions),
                         ["Disable MEM101 for this line", "Pass a generator expression: remove the brackets",
                          "heaplint: Fix all auto-fixable problems"])
        fix = next(a for a in actions if a.get("isPreferred"))
        self.assertEqual(list(fix["edit"]["changes"]), [cell_b])  # the cell, not the notebook
        self.assertEqual(apply_edits(text_b, fix["edit"]["changes"][cell_b]),
                         "y = 1\n" + SUM_FIXED + "\n")
        self.assertEqual(fix["diagnostics"][0]["range"], finding["range"])
        noqa = next(a for a in actions if a["title"] == "Disable MEM101 for this line")
        self.assertEqual(apply_edits(text_b, noqa["edit"]["changes"][cell_b]),
                         "y = 1\n" + SUM_LINE + "  # noqa: MEM101\n")
        # Fix all (on save) fixes the whole notebook: each changed cell is replaced.
        [fix_all] = client.request("textDocument/codeAction", {
            "textDocument": {"uri": cell_b}, "range": finding["range"],
            "context": {"diagnostics": [], "only": ["source.fixAll.heaplint"]}})["result"]
        self.assertEqual(fix_all["kind"], "source.fixAll.heaplint")
        changes = fix_all["edit"]["changes"]
        self.assertEqual(sorted(changes), [cell_b, self.cell_uri("c")])
        self.assertEqual(apply_edits(text_b, changes[cell_b]), "y = 1\n" + SUM_FIXED + "\n")
        # HL100: that cell's `# noqa: MEM101` silences nothing.
        self.assertEqual(apply_edits("z = 2  # noqa: MEM101\n", changes[self.cell_uri("c")]),
                         "z = 2\n")

        hover = client.request("textDocument/hover", {
            "textDocument": {"uri": self.cell_uri("c")},
            "position": {"line": 0, "character": len("z = 2  # noqa: MEM1")}})["result"]
        self.assertIn("MEM101", hover["contents"]["value"])
        self.assertEqual(hover["range"]["start"], {"line": 0, "character": len("z = 2  # noqa: ")})
        markdown = client.request("textDocument/hover", {
            "textDocument": {"uri": self.cell_uri("m")}, "position": {"line": 0, "character": 1}})
        self.assertIsNone(markdown["result"])
        self.assertEqual(client.shutdown_and_exit(), 0)

    def test_fix_all_command_fixes_every_cell_and_keeps_magics(self) -> None:
        client = self.client()
        cells = [("a", CODE, "%matplotlib inline\n" + SUM_LINE + "\n"), ("m", MARKUP, "Notes\n"),
                 ("b", CODE, "!pip list\nt2 = " + SUM_LINE.split(" = ", 1)[1]), ("c", CODE, "x = 1\n")]
        self.open(client, cells)
        self.published(client, 1, "a", "m", "b", "c")
        # The editor names the active cell; the whole notebook is fixed.
        response = client.request("workspace/executeCommand", {
            "command": "heaplint.applyAutofix", "arguments": [{"uri": self.cell_uri("c")}]})
        self.assertIsNone(response["result"])
        apply = client.wait_for(lambda m: m.get("method") == "workspace/applyEdit")
        changes = apply["params"]["edit"]["changes"]
        self.assertEqual(sorted(changes), sorted([self.cell_uri("a"), self.cell_uri("b")]))
        self.assertEqual(apply_edits(cells[0][2], changes[self.cell_uri("a")]),
                         "%matplotlib inline\n" + SUM_FIXED + "\n")
        self.assertEqual(apply_edits(cells[2][2], changes[self.cell_uri("b")]),
                         "!pip list\nt2 = " + SUM_FIXED.split(" = ", 1)[1])
        self.assertEqual(client.shutdown_and_exit(), 0)

    def test_the_workspace_index_reads_notebooks_on_disk_as_the_cli_does(self) -> None:
        # A notebook that makes Point hot: MEM401 (preview) flags models.py, in the CLI and in the
        # server, whose index reads the notebook's code cells rather than its JSON.
        self.write("pkg/__init__.py", "")
        models = "class Point:\n    def __init__(self, x):\n        self.x = x\n"
        self.write("pkg/models.py", models)
        self.write("heaplint.toml", "preview = true\n")
        cell = {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None,
                "source": ["from pkg.models import Point\n",
                           "rows = [Point(x) for x in open('data.txt')]\n"]}
        self.write("analysis.ipynb", json.dumps({"cells": [cell], "metadata": {}, "nbformat": 4,
                                                 "nbformat_minor": 5}))
        self.assertIn("pkg/models.py:1:7: MEM401", self.check("--no-cache", ".").stdout)
        client = self.client()
        models_uri = (self.dir / "pkg/models.py").as_uri()
        client.notify("textDocument/didOpen", {"textDocument": {
            "uri": models_uri, "languageId": "python", "version": 1, "text": models}})
        client.wait_for(lambda m: m.get("method") == "textDocument/publishDiagnostics"
                        and m["params"]["uri"] == models_uri
                        and [d["code"] for d in m["params"]["diagnostics"]] == ["MEM401"])
        self.assertEqual(client.shutdown_and_exit(), 0)

    def test_malformed_notebook_messages_are_errors_not_crashes(self) -> None:
        client = self.client()
        client.notify("notebookDocument/didOpen", {"notebookDocument": {"uri": self.uri}})
        self.change(client, 2, {"structure": {"array": {"start": 5, "deleteCount": 1}}})
        logged = client.wait_for(lambda m: m.get("method") == "window/logMessage"
                                 and "notebookDocument/" in m["params"]["message"])
        self.assertEqual(logged["params"]["type"], 1)
        self.open(client, [("a", CODE, SUM_LINE + "\n")])
        self.change(client, 2, {"structure": {"array": {"start": 5, "deleteCount": 1}}})
        self.assertEqual(len(self.published(client, 1, "a")[self.cell_uri("a")]), 1)
        self.assertEqual(client.shutdown_and_exit(), 0)


if __name__ == "__main__":
    unittest.main()
