// End-to-end client for `heaplint server` built on the npm packages VS Code's own language client
// uses: vscode-jsonrpc (framing, dispatch) and vscode-languageserver-protocol (typed requests).
//
//   node vscode_client.js /path/to/heaplint push|pull
//
// Opens a file, checks the MEM101 diagnostic at its UTF-16 position on a line with non-ASCII text
// before the finding, applies the quick fix (as incremental changes) and sees the diagnostic go,
// then edits incrementally and sees diagnostics follow. Exits non-zero on the first failed check.
'use strict';

const assert = require('node:assert/strict');
const childProcess = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const url = require('node:url');
const rpc = require('vscode-jsonrpc/node');
const protocol = require('vscode-languageserver-protocol');

const [binary, mode] = process.argv.slice(2);
if (!binary || !['push', 'pull'].includes(mode)) {
  console.error('usage: node vscode_client.js HEAPLINT_BINARY push|pull');
  process.exit(2);
}

// "é" is one UTF-16 unit, "😀" two: JavaScript string indices are UTF-16 units, as LSP's default.
const FINDING_LINE = "label = 'café 😀'; total = sum([x * x for x in xs])";
const TEXT = `xs = open('xs.txt')\n${FINDING_LINE}\n`;
const START = FINDING_LINE.indexOf('[');
const END = FINDING_LINE.indexOf(']') + 1;

function applyEdits(text, edits) {
  const lineStarts = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === '\n') lineStarts.push(i + 1);
  const offset = (p) => lineStarts[p.line] + p.character;
  const sorted = [...edits].sort((a, b) => offset(b.range.start) - offset(a.range.start));
  for (const edit of sorted) {
    text = text.slice(0, offset(edit.range.start)) + edit.newText + text.slice(offset(edit.range.end));
  }
  return text;
}

function withTimeout(promise, what, ms = 15000) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

async function main() {
  const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'heaplint-vscode-'));
  const file = path.join(workspace, 'example.py');
  fs.writeFileSync(file, TEXT);
  const uri = url.pathToFileURL(file).href;

  const server = childProcess.spawn(binary, ['server'], { cwd: workspace, stdio: ['pipe', 'pipe', 'inherit'] });
  const exited = new Promise((resolve) => server.on('exit', (code) => resolve(code)));
  const connection = protocol.createProtocolConnection(
    new rpc.StreamMessageReader(server.stdout), new rpc.StreamMessageWriter(server.stdin));

  // Push mode: remember every publication, keyed by version.
  const published = new Map();
  const waiters = [];
  connection.onNotification(protocol.PublishDiagnosticsNotification.type, (params) => {
    if (params.uri !== uri) return;
    published.set(params.version, params.diagnostics);
    for (const waiter of waiters.splice(0)) waiter();
  });
  connection.onRequest(protocol.RegistrationRequest.type, () => null);
  connection.onRequest(protocol.DiagnosticRefreshRequest.type, () => null);
  connection.listen();

  let text = TEXT;
  let version = 1;
  let previousResultId;
  async function diagnosticsFor(wantedVersion) {
    if (mode === 'pull') {
      const report = await withTimeout(connection.sendRequest(protocol.DocumentDiagnosticRequest.type, {
        textDocument: { uri }, previousResultId,
      }), 'textDocument/diagnostic');
      assert.equal(report.kind, 'full', 'a changed document gets a full report');
      previousResultId = report.resultId;
      return report.items;
    }
    while (!published.has(wantedVersion)) {
      await withTimeout(new Promise((resolve) => waiters.push(resolve)), `diagnostics for version ${wantedVersion}`);
    }
    return published.get(wantedVersion);
  }
  async function change(changes) {
    version += 1;
    for (const c of changes) text = applyEdits(text, [{ range: c.range, newText: c.text }]);
    await connection.sendNotification(protocol.DidChangeTextDocumentNotification.type, {
      textDocument: { uri, version }, contentChanges: changes,
    });
    return diagnosticsFor(version);
  }

  const capabilities = {
    general: { positionEncodings: ['utf-16'] },
    textDocument: {
      synchronization: { dynamicRegistration: false },
      publishDiagnostics: { versionSupport: true },
      codeAction: { codeActionLiteralSupport: { codeActionKind: { valueSet: ['quickfix', 'source'] } } },
      hover: { contentFormat: ['markdown', 'plaintext'] },
    },
    workspace: { didChangeWatchedFiles: { dynamicRegistration: true } },
  };
  if (mode === 'pull') capabilities.textDocument.diagnostic = { dynamicRegistration: false };
  const init = await withTimeout(connection.sendRequest(protocol.InitializeRequest.type, {
    processId: process.pid, rootUri: url.pathToFileURL(workspace).href, capabilities,
    workspaceFolders: [{ uri: url.pathToFileURL(workspace).href, name: 'workspace' }],
  }), 'initialize');
  assert.equal(init.capabilities.positionEncoding, 'utf-16');
  assert.equal(Boolean(init.capabilities.diagnosticProvider), mode === 'pull');
  await connection.sendNotification(protocol.InitializedNotification.type, {});

  await connection.sendNotification(protocol.DidOpenTextDocumentNotification.type, {
    textDocument: { uri, languageId: 'python', version, text },
  });
  let diagnostics = await diagnosticsFor(1);
  assert.equal(diagnostics.length, 1, JSON.stringify(diagnostics));
  const [finding] = diagnostics;
  assert.equal(finding.code, 'MEM101');
  assert.equal(finding.source, 'heaplint');
  assert.equal(finding.severity, protocol.DiagnosticSeverity.Warning);
  assert.match(finding.codeDescription.href, /MEM101/);
  assert.deepEqual(finding.range, { start: { line: 1, character: START }, end: { line: 1, character: END } });
  console.log(`ok diagnostics at UTF-16 ${START}-${END}`);

  const actions = await withTimeout(connection.sendRequest(protocol.CodeActionRequest.type, {
    textDocument: { uri }, range: finding.range, context: { diagnostics: [finding], only: ['quickfix'] },
  }), 'textDocument/codeAction');
  const fix = actions.find((a) => a.kind === 'quickfix' && !a.title.startsWith('Disable'));
  assert.ok(fix, `a quick fix among ${JSON.stringify(actions)}`);
  assert.ok(actions.some((a) => a.title === 'Disable MEM101 for this line'));
  // Send the fix as incremental changes, last one first so earlier positions stay valid.
  const edits = [...fix.edit.changes[uri]].sort((a, b) => b.range.start.character - a.range.start.character);
  diagnostics = await change(edits.map((e) => ({ range: e.range, text: e.newText })));
  assert.equal(text, `xs = open('xs.txt')\n${FINDING_LINE.replace('[', '').replace(']', '')}\n`);
  assert.deepEqual(diagnostics, [], 'the quick fix removes the finding');
  console.log('ok quick fix applied, diagnostic gone');

  // A new line on top, then the brackets typed back one keystroke at a time.
  diagnostics = await change([{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: '# é\n' }]);
  assert.deepEqual(diagnostics, []);
  diagnostics = await change([{ range: { start: { line: 2, character: START }, end: { line: 2, character: START } }, text: '[' }]);
  diagnostics = await change([{ range: { start: { line: 2, character: END - 1 }, end: { line: 2, character: END - 1 } }, text: ']' }]);
  assert.equal(diagnostics.length, 1, JSON.stringify(diagnostics));
  assert.deepEqual(diagnostics[0].range, { start: { line: 2, character: START }, end: { line: 2, character: END } });
  console.log('ok incremental edits: diagnostic follows to line 3');

  // Hover on the code of a noqa comment.
  diagnostics = await change([{ range: { start: { line: 2, character: FINDING_LINE.length }, end: { line: 2, character: FINDING_LINE.length } }, text: '  # noqa: MEM101' }]);
  assert.deepEqual(diagnostics, [], 'noqa silences the line');
  const hover = await withTimeout(connection.sendRequest(protocol.HoverRequest.type, {
    textDocument: { uri }, position: { line: 2, character: FINDING_LINE.length + 11 },
  }), 'textDocument/hover');
  assert.match(hover.contents.value, /list-comprehension-in-reducer/);
  console.log('ok hover on noqa code');

  await withTimeout(connection.sendRequest(protocol.ShutdownRequest.type), 'shutdown');
  await connection.sendNotification(protocol.ExitNotification.type);
  const code = await withTimeout(exited, 'the server to exit');
  assert.equal(code, 0, 'exit code after shutdown');
  connection.dispose();
  fs.rmSync(workspace, { recursive: true, force: true });
  console.log(`PASS ${mode}`);
}

main().catch((error) => {
  console.error(`FAIL ${mode}: ${error.stack || error}`);
  process.exit(1);
});
