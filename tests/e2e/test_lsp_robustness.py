"""The language server under hostile input (issue 11): framing whose Content-Length is wrong,
JSON nested 200,000 deep, a 100 MB document, and a soak of 50,000 random edits whose final
diagnostics must equal `heaplint check` on the final text, with memory flat."""

from __future__ import annotations

import json
import os
import random
import time
import unittest

from e2e_support import BINARY, TIMEOUT, HeaplintTestCase, base_env
from lsp_client import LspClient

SLOWDOWN = float(os.environ.get("HEAPLINT_TEST_SLOWDOWN", "1"))


def rss_mb(pid: int, field: str = "VmRSS") -> float:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    return 0.0


class ServerRobustnessTest(HeaplintTestCase):
    def client(self, **env: str) -> LspClient:
        client = LspClient([BINARY, "server"], cwd=str(self.dir), env=base_env(**env))
        self.addCleanup(client.close)
        client.initialize(root_uri=self.dir.as_uri())
        return client

    def request_message(self, request_id: int, method: str = "no/suchMethod") -> bytes:
        return json.dumps({"jsonrpc": "2.0", "id": request_id, "method": method,
                           "params": {}}).encode()

    def test_a_content_length_longer_than_the_body_does_not_hold_the_next_messages(self):
        client = self.client()
        body = self.request_message(900)
        client.process.stdin.write(b"Content-Length: %d\r\n\r\n" % (len(body) + 500) + body)
        client.process.stdin.flush()
        for request_id in (901, 902, 903):
            client.send_raw(self.request_message(request_id))
        for request_id in (900, 901, 902, 903):
            answer = client.wait_for(lambda m, i=request_id: m.get("id") == i, timeout=5)
            self.assertEqual(answer["error"]["code"], -32601)
        self.assertEqual(client.shutdown_and_exit(), 0)

    def test_a_content_length_shorter_than_the_body_loses_only_that_message(self):
        client = self.client()
        body = self.request_message(910)
        client.process.stdin.write(b"Content-Length: %d\r\n\r\n" % (len(body) - 5) + body)
        client.process.stdin.flush()
        self.assertEqual(client.wait_for(lambda m: "error" in m and m.get("id") is None,
                                         timeout=5)["error"]["code"], -32700)
        for request_id in (911, 912, 913):
            client.send_raw(self.request_message(request_id))
            answer = client.wait_for(lambda m, i=request_id: m.get("id") == i, timeout=5)
            self.assertEqual(answer["error"]["code"], -32601)
        self.assertEqual(client.shutdown_and_exit(), 0)

    def test_json_nested_200000_deep_is_a_parse_error(self):
        client = self.client()
        depth = 200_000
        body = (b'{"jsonrpc": "2.0", "id": 920, "method": "textDocument/hover", "params": '
                + b"[" * depth + b"]" * depth + b"}")
        client.send_raw(body)
        error = client.wait_for(lambda m: "error" in m and m.get("id") is None, timeout=10)
        self.assertEqual(error["error"]["code"], -32700)
        self.assertIn("deep", error["error"]["message"])
        self.assertEqual(client.request("no/suchMethod", {})["error"]["code"], -32601)
        self.assertEqual(client.shutdown_and_exit(), 0)

    def test_a_100_mb_document_is_not_analysed_and_the_server_stays_responsive(self):
        client = self.client()
        uri = (self.dir / "huge.py").as_uri()
        text = "total = sum([x * x for x in xs])\n" * (100 * (1 << 20) // 33)
        started = time.monotonic()
        client.notify("textDocument/didOpen", {"textDocument": {
            "uri": uri, "languageId": "python", "version": 1, "text": text}})
        warning = client.wait_for(lambda m: m.get("method") == "window/showMessage",
                                  timeout=60 * SLOWDOWN)
        self.assertIn("file size limit", warning["params"]["message"])
        self.assertEqual(client.diagnostics(uri, 1, timeout=60 * SLOWDOWN)["params"]["diagnostics"],
                         [])
        client.notify("textDocument/didChange", {
            "textDocument": {"uri": uri, "version": 2},
            "contentChanges": [{"range": {"start": {"line": 0, "character": 0},
                                          "end": {"line": 0, "character": 5}}, "text": "grand"}]})
        self.assertEqual(client.diagnostics(uri, 2, timeout=60 * SLOWDOWN)["params"]["diagnostics"],
                         [])
        hover = client.request("textDocument/hover", {"textDocument": {"uri": uri},
                                                      "position": {"line": 0, "character": 2}})
        self.assertIn("result", hover)
        self.assertLess(time.monotonic() - started, 60 * SLOWDOWN)
        if SLOWDOWN == 1:
            self.assertLess(rss_mb(client.process.pid, "VmHWM"), 2048)
        # Cut below the limit, the document is analysed again.
        client.notify("textDocument/didChange", {
            "textDocument": {"uri": uri, "version": 3},
            "contentChanges": [{"text": "total = sum([x * x for x in open(p)])\n"}]})
        codes = [d["code"] for d in client.diagnostics(uri, 3)["params"]["diagnostics"]]
        self.assertEqual(codes, ["MEM101"])
        self.assertEqual(client.shutdown_and_exit(), 0)


PIECES = ["x", "(", ")", "[", "]", ":", " ", "\n", "    ", "#", "'", '"', "sum([a for a in b])",
          "import gc\n", "gc.collect()\n", "def f():\n", "class K:\n    pass\n", "lambda: 0",
          "@functools.cache\n", "for p in ps:\n    out.append(K(p))\n", "\\\n", "# noqa\n"]
START = ("import functools\nimport gc\n\n\nclass K:\n    def __init__(self, v):\n        self.v = v\n"
         "\n\ndef build(ps):\n    out = []\n    for p in ps:\n        out.append(K(p))\n"
         "    return sum([x for x in out])\n")


class ServerSoakTest(HeaplintTestCase):
    EDITS = int(os.environ.get("HEAPLINT_SOAK_EDITS", "50000"))

    def test_random_edits_end_with_the_diagnostics_of_heaplint_check(self):
        generator = random.Random(20261202)
        client = LspClient([BINARY, "server"], cwd=str(self.dir), env=base_env())
        self.addCleanup(client.close)
        client.initialize(root_uri=self.dir.as_uri())
        path = self.dir / "soak.py"
        uri = path.as_uri()
        text = START
        client.notify("textDocument/didOpen", {"textDocument": {
            "uri": uri, "languageId": "python", "version": 1, "text": text}})
        version = 1
        rss_at = {}
        for edit in range(self.EDITS):
            lines = text.split("\n")
            line = generator.randrange(len(lines))
            column = generator.randrange(len(lines[line]) + 1)
            start = sum(len(l) + 1 for l in lines[:line]) + column
            if generator.random() < 0.25 and start < len(text):
                end = min(len(text), start + generator.randrange(1, 5))
                end_line = text.count("\n", 0, end)
                end_column = end - (text.rfind("\n", 0, end) + 1)
                replacement = ""
            else:
                end, end_line, end_column = start, line, column
                replacement = generator.choice(PIECES)
            # Keep the document small: random edits soon make it mostly syntax errors, whose
            # re-parse costs grow faster than its size (tree-sitter's error recovery).
            if len(text) > 3_000 or edit % 2_000 == 999:
                start, line, column = 0, 0, 0
                end = len(text)
                end_line = text.count("\n")
                end_column = len(text) - (text.rfind("\n") + 1)
                replacement = START
            text = text[:start] + replacement + text[end:]
            version += 1
            client.notify("textDocument/didChange", {
                "textDocument": {"uri": uri, "version": version},
                "contentChanges": [{"range": {"start": {"line": line, "character": column},
                                              "end": {"line": end_line, "character": end_column}},
                                    "text": replacement}]})
            if edit % 500 == 0:
                position = {"line": line, "character": column}
                hover = client.request("textDocument/hover", {"textDocument": {"uri": uri},
                                                              "position": position}, timeout=60)
                self.assertIn("result", hover)
                actions = client.request("textDocument/codeAction", {
                    "textDocument": {"uri": uri},
                    "range": {"start": {"line": 0, "character": 0}, "end": position},
                    "context": {"diagnostics": []}}, timeout=60)
                self.assertIn("result", actions)
                client._pending = [m for m in client._pending
                                   if m.get("method") != "textDocument/publishDiagnostics"]
            if edit in (self.EDITS // 5, self.EDITS - 1):
                rss_at[edit] = rss_mb(client.process.pid)
        final = client.diagnostics(uri, version, timeout=60)["params"]["diagnostics"]
        # That push may carry the findings from before an edit that left its run broken; the
        # text's own analysis follows once typing pauses (docs/editors.md). The last push counts.
        while True:
            try:
                final = client.diagnostics(uri, version,
                                           timeout=2 * SLOWDOWN)["params"]["diagnostics"]
            except TimeoutError:
                break
        served = sorted((d["code"], d["range"]["start"]["line"] + 1,
                         d["range"]["start"]["character"] + 1) for d in final)
        self.assertEqual(client.shutdown_and_exit(timeout=TIMEOUT), 0)

        path.write_text(text)
        checked = self.check("--no-cache", "--output-format", "json", "soak.py")
        self.assertIn(checked.returncode, (0, 1), checked.describe())
        expected = sorted((d["code"], d["location"]["row"], d["location"]["column"])
                          for d in json.loads(checked.stdout))
        self.assertEqual(served, expected)
        if os.environ.get("HEAPLINT_TEST_TIMINGS"):
            print(f"\n  {self.EDITS} edits, {len(text)} bytes and {len(expected)} findings at the "
                  f"end, RSS {rss_at[self.EDITS // 5]:.0f} MB then {rss_at[self.EDITS - 1]:.0f} MB")
        first, last = rss_at[self.EDITS // 5], rss_at[self.EDITS - 1]
        # Under the sanitizers (scripts/sanitize.sh sets HEAPLINT_TEST_SLOWDOWN) ASan holds freed
        # memory in its quarantine, so RSS grows without a leak (59 -> 167 MB measured): there
        # LeakSanitizer, not this bound, catches what is never freed.
        if SLOWDOWN == 1:
            self.assertLess(last, first * 1.5 + 20,
                            f"RSS grew from {first:.0f} MB to {last:.0f} MB")


if __name__ == "__main__":
    unittest.main()
