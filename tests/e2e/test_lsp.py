"""End-to-end tests of `heaplint server` against the real binary.

Two real clients run their own scripts from tests/e2e/lsp/: Debian's neovim (headless, its built-in
LSP client) and a node script on the npm packages vscode-languageserver-protocol and vscode-jsonrpc
(push and pull mode). A raw stdio client (lsp_client.py) checks framing, errors and exit codes.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import unittest
from pathlib import Path

from e2e_support import BINARY, SOURCE_DIR, TIMEOUT, HeaplintTestCase, base_env
from lsp_client import LspClient

SCRIPTS = Path(__file__).resolve().parent / "lsp"
# Non-ASCII text before the finding: "é" is 2 bytes and 1 UTF-16 unit, "😀" 4 bytes and 2 units.
FINDING_LINE = "label = 'café 😀'; total = sum([x * x for x in xs])"
SOURCE = f"xs = open('xs.txt')\n{FINDING_LINE}\n"
UTF16_START = len(FINDING_LINE[: FINDING_LINE.index("[")].encode("utf-16-le")) // 2


class NeovimClientTest(HeaplintTestCase):
    def test_neovim_diagnostics_quick_fix_edits_and_hover(self) -> None:
        nvim = shutil.which("nvim")
        if nvim is None:
            self.skipTest("neovim is not installed (scripts/build.sh installs it)")
        path = self.write("example.py", SOURCE)
        completed = subprocess.run(
            [nvim, "--headless", "-u", "NONE", "-i", "NONE", "-n",
             "-c", f"luafile {SCRIPTS / 'neovim_client.lua'}"],
            cwd=self.dir,
            env=base_env(HEAPLINT_BINARY=BINARY, HEAPLINT_FILE=str(path), XDG_STATE_HOME=str(self.dir),
                         XDG_DATA_HOME=str(self.dir), XDG_CONFIG_HOME=str(self.dir)),
            capture_output=True,
            timeout=TIMEOUT * 2,
        )
        output = completed.stdout.decode(errors="replace") + completed.stderr.decode(errors="replace")
        self.assertEqual(completed.returncode, 0, output)
        self.assertIn("PASS", output)
        self.assertIn(f"ok diagnostic at UTF-16 {UTF16_START}-", output)


class VscodeClientTest(HeaplintTestCase):
    def run_client(self, mode: str) -> str:
        node = shutil.which("node")
        if node is None:
            self.skipTest("node is not installed")
        if not (SOURCE_DIR / "node_modules" / "vscode-languageserver-protocol").is_dir():
            self.skipTest("node_modules is missing: run scripts/build.sh (npm ci)")
        completed = subprocess.run(
            [node, str(SCRIPTS / "vscode_client.js"), BINARY, mode],
            cwd=self.dir,
            env=base_env(NODE_PATH=str(SOURCE_DIR / "node_modules")),
            capture_output=True,
            timeout=TIMEOUT * 2,
        )
        output = completed.stdout.decode(errors="replace") + completed.stderr.decode(errors="replace")
        self.assertEqual(completed.returncode, 0, output)
        self.assertIn(f"PASS {mode}", output)
        return output

    def test_push_mode(self) -> None:
        output = self.run_client("push")
        self.assertIn(f"ok diagnostics at UTF-16 {UTF16_START}-", output)

    def test_pull_mode(self) -> None:
        output = self.run_client("pull")
        self.assertIn("ok quick fix applied, diagnostic gone", output)


class StdioProtocolTest(HeaplintTestCase):
    def client(self, *extra_args: str) -> LspClient:
        client = LspClient([BINARY, "server", *extra_args], cwd=str(self.dir), env=base_env())
        self.addCleanup(client.close)
        return client

    def test_exit_code_zero_after_shutdown(self) -> None:
        client = self.client()
        client.initialize(root_uri=self.dir.as_uri())
        self.assertEqual(client.shutdown_and_exit(), 0)

    def test_stdio_flag_that_clients_append_is_accepted(self) -> None:
        client = self.client("--stdio")  # vscode-languageclient's TransportKind.stdio
        response = client.initialize(root_uri=self.dir.as_uri())
        self.assertEqual(response["result"]["serverInfo"]["name"], "heaplint")
        self.assertEqual(client.shutdown_and_exit(), 0)

    def test_stdin_closing_without_shutdown_exits_one(self) -> None:
        client = self.client()
        client.initialize(root_uri=self.dir.as_uri())
        client.process.stdin.close()
        self.assertEqual(client.process.wait(timeout=TIMEOUT), 1)

    def test_malformed_input_gets_errors_not_a_crash(self) -> None:
        client = self.client()
        client.initialize(root_uri=self.dir.as_uri())
        client.send_raw(b"{this is not json")
        self.assertEqual(client.wait_for(lambda m: "error" in m)["error"]["code"], -32700)
        # A header block without Content-Length, then a proper message still gets through.
        client.process.stdin.write(b"X-Nonsense: 1\r\n\r\n")
        client.process.stdin.flush()
        self.assertEqual(client.wait_for(lambda m: "error" in m)["error"]["code"], -32700)
        self.assertEqual(client.request("no/suchMethod", {})["error"]["code"], -32601)
        bad = client.request("textDocument/codeAction", {"textDocument": {"uri": 3}})
        self.assertEqual(bad["error"]["code"], -32602)
        client.send_raw("\u00ff\u00fe".encode("latin-1"))  # not UTF-8
        self.assertEqual(client.wait_for(lambda m: "error" in m)["error"]["code"], -32700)
        uri = (self.dir / "a.py").as_uri()
        client.notify("textDocument/didOpen", {"textDocument": {
            "uri": uri, "languageId": "python", "version": 1, "text": SOURCE}})
        published = client.diagnostics(uri, 1)
        self.assertEqual(published["params"]["diagnostics"][0]["range"]["start"],
                         {"line": 1, "character": UTF16_START})
        self.assertEqual(client.shutdown_and_exit(), 0)
        self.assertNotIn(b"internal error", client.process.stderr.read())

    def test_cross_file_class_is_flagged_after_the_workspace_index_and_on_save(self) -> None:
        self.write("pkg/__init__.py", "")
        models = "class Point:\n    def __init__(self, x):\n        self.x = x\n"
        self.write("pkg/models.py", models)
        self.write("pkg/load.py", "from .models import Point\n")
        self.write("heaplint.toml", "preview = true\n")  # MEM401 is a preview rule
        client = self.client()
        client.initialize(root_uri=self.dir.as_uri())
        load_uri = (self.dir / "pkg/load.py").as_uri()
        models_uri = (self.dir / "pkg/models.py").as_uri()
        client.notify("textDocument/didOpen", {"textDocument": {
            "uri": models_uri, "languageId": "python", "version": 1, "text": models}})
        client.notify("textDocument/didOpen", {"textDocument": {
            "uri": load_uri, "languageId": "python", "version": 1,
            "text": "from .models import Point\n"}})
        # Make Point hot in load.py and save: models.py is re-published with MEM401.
        hot = "from .models import Point\n\n\ndef make(path):\n    return [Point(x) for x in open(path)]\n"
        client.notify("textDocument/didChange", {"textDocument": {"uri": load_uri, "version": 2},
                                                 "contentChanges": [{"text": hot}]})
        client.notify("textDocument/didSave", {"textDocument": {"uri": load_uri}})

        def flagged(message: dict) -> bool:
            if message.get("method") != "textDocument/publishDiagnostics":
                return False
            params = message["params"]
            return params["uri"] == models_uri and any(d["code"] == "MEM401" for d in params["diagnostics"])

        client.wait_for(flagged)
        self.assertEqual(client.shutdown_and_exit(), 0)

    def test_configuration_file_is_read_and_reloaded_when_it_changes(self) -> None:
        self.write("pyproject.toml", '[tool.heaplint]\nignore = ["MEM101"]\n')
        client = self.client()
        client.initialize(
            capabilities={"workspace": {"didChangeWatchedFiles": {"dynamicRegistration": True}}},
            root_uri=self.dir.as_uri())
        uri = (self.dir / "a.py").as_uri()
        client.notify("textDocument/didOpen", {"textDocument": {
            "uri": uri, "languageId": "python", "version": 1, "text": SOURCE}})

        self.assertEqual(client.diagnostics(uri, 1)["params"]["diagnostics"], [])
        version = 1

        # Earlier publications may still arrive (the workspace scan re-publishes when done): a new
        # version, sent after the change, marks the first publication made with the new settings.
        def reload_and_check(configuration: str) -> list[str]:
            nonlocal version
            self.write("pyproject.toml", configuration)
            client.notify("workspace/didChangeWatchedFiles", {
                "changes": [{"uri": (self.dir / "pyproject.toml").as_uri(), "type": 2}]})
            version += 1
            client.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": version},
                                                     "contentChanges": [{"text": SOURCE}]})
            return [d["code"] for d in client.diagnostics(uri, version)["params"]["diagnostics"]]

        # Broken: shown to the user, and the defaults apply (MEM101 comes back).
        self.assertEqual(reload_and_check('[tool.heaplint]\nignore = ["MEM101"\n'), ["MEM101"])
        shown = client.wait_for(lambda m: m.get("method") == "window/showMessage")
        self.assertEqual(shown["params"]["type"], 1)
        self.assertIn("pyproject.toml:", shown["params"]["message"])
        # Repaired: read again.
        self.assertEqual(reload_and_check('[tool.heaplint]\nignore = ["MEM1"]\n'), [])
        self.assertEqual(client.shutdown_and_exit(), 0)


if __name__ == "__main__":
    unittest.main()
