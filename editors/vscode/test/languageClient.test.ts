// The extension's own server options, started by vscode-languageclient's node transport (the code
// that spawns the server in VS Code), talking to the real heaplint binary: initialize with the
// extension's initialization options, diagnostics for an opened file, and the server commands
// behind "Fix all" and "Show rule documentation". VS Code itself is not here: test/stubs/vscode
// stands in for the few parts of its API that vscode-languageclient touches on this path.
import assert from 'node:assert/strict';
import * as fs from 'fs';
import { test } from 'node:test';
import * as os from 'os';
import * as path from 'path';
import { pathToFileURL } from 'url';
import {
  ApplyWorkspaceEditRequest,
  createProtocolConnection,
  DidOpenTextDocumentNotification,
  ExecuteCommandRequest,
  ExitNotification,
  InitializedNotification,
  InitializeRequest,
  LanguageClient,
  PublishDiagnosticsNotification,
  PublishDiagnosticsParams,
  ShutdownRequest,
} from 'vscode-languageclient/node';
import { clientOptions, nodeEnvironment, resolveBinary, serverOptions } from '../src/server';
import { readSettings } from '../src/settings';

const binary = process.env.HEAPLINT_BINARY;
// MEM101 needs an input that grows with the data (a file's lines); MEM501 a collection per item.
const SOURCE = 'import gc\nxs = open("data.txt")\ntotal = sum([len(x) for x in xs])\nfor x in xs:\n    gc.collect()\n';

test('the extension\'s server options start the server and get diagnostics', { skip: !binary && 'set HEAPLINT_BINARY', timeout: 60000 }, async () => {
  const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'heaplint-vscode-'));
  const file = path.join(workspace, 'sample.py');
  fs.writeFileSync(file, SOURCE);
  const uri = pathToFileURL(file).toString();

  // As the extension does (extension.ts start()): settings, the binary (here found on PATH), the
  // server and client options.
  const settings = readSettings({ get: <T>(key: string) => ({ ignore: ['MEM501'] } as Record<string, unknown>)[key] as T });
  const savedPath = process.env.PATH;
  process.env.PATH = `${path.dirname(binary!)}${path.delimiter}${savedPath}`;
  const resolved = await resolveBinary(settings, nodeEnvironment(async () => undefined));
  process.env.PATH = savedPath;
  assert.equal(resolved.source, 'path');
  assert.equal(fs.realpathSync(resolved.command), fs.realpathSync(binary!));
  const options = clientOptions(settings);
  const log: string[] = [];
  options.outputChannel = { append: (text: string) => log.push(text), appendLine: (text: string) => log.push(text) } as never;
  const client = new LanguageClient('heaplint', 'heaplint', serverOptions(resolved, workspace), options);

  // vscode-languageclient's node transport: spawns the process and frames its messages.
  const transports = await (client as unknown as { createMessageTransports(encoding: string): Promise<{ reader: never; writer: never }> }).createMessageTransports('utf-8');
  const spawned = (client as unknown as { _serverProcess: { spawnargs: string[]; exitCode: number | null; kill(): boolean; once(event: string, listener: (code: number) => void): void } })._serverProcess;
  assert.deepEqual(spawned.spawnargs.slice(1), ['server', '--stdio']);
  const connection = createProtocolConnection(transports.reader, transports.writer);
  const published: PublishDiagnosticsParams[] = [];
  let notifyPublished: () => void = () => undefined;
  connection.onNotification(PublishDiagnosticsNotification.type, (params) => {
    published.push(params);
    notifyPublished();
  });
  const edits: unknown[] = [];
  connection.onRequest(ApplyWorkspaceEditRequest.type, (params) => {
    edits.push(params.edit);
    return { applied: true };
  });
  connection.listen();

  try {
    const initialized = await connection.sendRequest(InitializeRequest.type, {
      processId: process.pid,
      rootUri: pathToFileURL(workspace).toString(),
      capabilities: {},
      initializationOptions: options.initializationOptions,
      workspaceFolders: null,
    });
    assert.equal(initialized.serverInfo?.name, 'heaplint');
    assert.deepEqual(initialized.capabilities.executeCommandProvider?.commands, ['heaplint.applyAutofix', 'heaplint.ruleDocumentation']);
    await connection.sendNotification(InitializedNotification.type, {});

    const diagnostics = new Promise<void>((resolve) => {
      notifyPublished = () => {
        if (published.some((p) => p.uri === uri)) resolve();
      };
    });
    await connection.sendNotification(DidOpenTextDocumentNotification.type, {
      textDocument: { uri, languageId: 'python', version: 1, text: SOURCE },
    });
    await diagnostics;
    const found = published.filter((p) => p.uri === uri).pop()!.diagnostics;
    // MEM101 on line 3; MEM501 (gc.collect) is ignored through the extension's settings.
    assert.deepEqual(found.map((d) => [d.code, d.source, d.range.start.line]), [['MEM101', 'heaplint', 2]]);

    const rule = await connection.sendRequest(ExecuteCommandRequest.type, { command: 'heaplint.ruleDocumentation', arguments: ['MEM101'] });
    assert.match(rule.markdown, /^# MEM101 list-comprehension-in-reducer/);
    await connection.sendRequest(ExecuteCommandRequest.type, { command: 'heaplint.applyAutofix', arguments: [{ uri, version: 1 }] });
    assert.equal(edits.length, 1);
    assert.match(JSON.stringify(edits[0]), /len\(x\) for x in xs/);

    const exited = new Promise<number>((resolve) => spawned.once('exit', resolve));
    await connection.sendRequest(ShutdownRequest.type);
    await connection.sendNotification(ExitNotification.type);
    assert.equal(await exited, 0);
  } finally {
    connection.dispose();
    if (spawned.exitCode === null) spawned.kill();  // a failed assertion must not leave it running
    fs.rmSync(workspace, { recursive: true, force: true });
  }
});
