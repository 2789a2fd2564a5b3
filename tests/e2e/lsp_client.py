"""A minimal LSP client over stdio for the end-to-end tests and the latency benchmark.

Not a test module itself. Standard library only: frames JSON-RPC messages with Content-Length
headers, reads the server's messages on a thread, and answers the server's own requests.
"""

from __future__ import annotations

import json
import queue
import subprocess
import threading
import time
from typing import Any, Callable


class LspClient:
    def __init__(self, command: list[str], cwd: str | None = None, env: dict[str, str] | None = None):
        self.process = subprocess.Popen(
            command,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd=cwd,
            env=env,
        )
        self._next_id = 1
        self._messages: "queue.Queue[dict[str, Any] | None]" = queue.Queue()
        self._pending: list[dict[str, Any]] = []
        self._reader = threading.Thread(target=self._read_loop, daemon=True)
        self._reader.start()
        self.server_requests: list[dict[str, Any]] = []

    # -- wire ---------------------------------------------------------------------------------------
    def send_raw(self, body: bytes) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.process.stdin.flush()

    def send(self, message: dict[str, Any]) -> None:
        self.send_raw(json.dumps(message).encode("utf-8"))

    def _read_loop(self) -> None:
        stream = self.process.stdout
        assert stream is not None
        while True:
            length = None
            while True:
                line = stream.readline()
                if not line:
                    self._messages.put(None)
                    return
                line = line.strip()
                if not line:
                    break
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value.strip())
            if length is None:
                continue
            body = stream.read(length)
            message = json.loads(body)
            message["_received"] = time.perf_counter()
            self._messages.put(message)

    # -- messages -----------------------------------------------------------------------------------
    def wait_for(self, accept: Callable[[dict[str, Any]], bool], timeout: float = 10.0) -> dict[str, Any]:
        for index, message in enumerate(self._pending):
            if accept(message):
                return self._pending.pop(index)
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("no matching message from the server")
            try:
                message = self._messages.get(timeout=left)
            except queue.Empty:
                raise TimeoutError("no matching message from the server") from None
            if message is None:
                raise EOFError("the server closed its output")
            if "method" in message and "id" in message:
                # The server asks something of us (registerCapability, refresh): agree.
                self.server_requests.append(message)
                self.send({"jsonrpc": "2.0", "id": message["id"], "result": None})
            if accept(message):
                return message
            self._pending.append(message)

    def request(self, method: str, params: Any = None, timeout: float = 10.0) -> dict[str, Any]:
        request_id = self._next_id
        self._next_id += 1
        message: dict[str, Any] = {"jsonrpc": "2.0", "id": request_id, "method": method}
        if params is not None:
            message["params"] = params
        self.send(message)
        return self.wait_for(lambda m: m.get("id") == request_id and "method" not in m, timeout)

    def notify(self, method: str, params: Any = None) -> None:
        message: dict[str, Any] = {"jsonrpc": "2.0", "method": method}
        if params is not None:
            message["params"] = params
        self.send(message)

    def diagnostics(self, uri: str, version: int | None = None, timeout: float = 10.0) -> dict[str, Any]:
        """The next publishDiagnostics for `uri` (and `version`, when given)."""

        def accept(message: dict[str, Any]) -> bool:
            if message.get("method") != "textDocument/publishDiagnostics":
                return False
            params = message["params"]
            return params["uri"] == uri and (version is None or params.get("version") == version)

        return self.wait_for(accept, timeout)

    def initialize(self, capabilities: dict[str, Any] | None = None, root_uri: str | None = None,
                   initialization_options: Any = None) -> dict[str, Any]:
        params: dict[str, Any] = {"processId": None, "rootUri": root_uri, "capabilities": capabilities or {}}
        if initialization_options is not None:
            params["initializationOptions"] = initialization_options
        response = self.request("initialize", params)
        self.notify("initialized", {})
        return response

    def shutdown_and_exit(self, timeout: float = 10.0) -> int:
        self.request("shutdown")
        self.notify("exit")
        return self.process.wait(timeout=timeout)

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        for stream in (self.process.stdin, self.process.stdout, self.process.stderr):
            if stream is not None:
                stream.close()
