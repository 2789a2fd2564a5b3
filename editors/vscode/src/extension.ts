// The VS Code extension: starts `heaplint server` (see server.ts for which binary), restarts it
// when heaplint's settings change, and adds the commands "Fix all", "Restart server" and "Show
// rule documentation". A status bar item appears when the server cannot start or stops.
import * as vscode from 'vscode';
import { ExecuteCommandRequest, LanguageClient, State } from 'vscode-languageclient/node';
import { clientOptions, nodeEnvironment, resolveBinary, serverOptions } from './server';
import { readSettings } from './settings';

// The server's workspace/executeCommand commands (lsp/features.h).
const APPLY_AUTOFIX = 'heaplint.applyAutofix';
const RULE_DOCUMENTATION = 'heaplint.ruleDocumentation';

let client: LanguageClient | undefined;
let output: vscode.OutputChannel;
let status: vscode.StatusBarItem;

// The interpreter of the environment the Python extension has selected, when it is installed.
async function selectedPythonInterpreter(): Promise<string | undefined> {
  const python = vscode.extensions.getExtension('ms-python.python');
  if (!python) return undefined;
  try {
    const api = python.isActive ? python.exports : await python.activate();
    const environments = api?.environments;
    if (environments?.getActiveEnvironmentPath) {
      const active = environments.getActiveEnvironmentPath(vscode.workspace.workspaceFolders?.[0]?.uri);
      const resolved = await environments.resolveEnvironment?.(active);
      return resolved?.executable?.uri?.fsPath ?? active?.path;
    }
    return api?.settings?.getExecutionDetails?.(vscode.workspace.workspaceFolders?.[0]?.uri)?.execCommand?.[0];
  } catch (error) {
    output.appendLine(`heaplint: could not ask the Python extension for its interpreter: ${error}`);
    return undefined;
  }
}

function showError(message: string): void {
  status.text = '$(error) heaplint';
  status.tooltip = `${message}\nClick to show the log.`;
  status.backgroundColor = new vscode.ThemeColor('statusBarItem.errorBackground');
  status.show();
}

async function start(): Promise<void> {
  const settings = readSettings(vscode.workspace.getConfiguration('heaplint'));
  let binary;
  try {
    binary = await resolveBinary(settings, nodeEnvironment(selectedPythonInterpreter));
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    output.appendLine(message);
    showError(message);
    return;
  }
  output.appendLine(`heaplint: starting ${binary.command} server (found through ${binary.source})`);
  const options = clientOptions(settings);
  options.outputChannel = output;
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  const started = new LanguageClient('heaplint', 'heaplint', serverOptions(binary, folder), options);
  started.onDidChangeState((event) => {
    if (event.newState === State.Running) status.hide();
    else if (event.newState === State.Stopped && client === started) showError('The heaplint server stopped.');
  });
  client = started;
  try {
    await started.start();
  } catch (error) {
    const message = `heaplint: the server did not start: ${error instanceof Error ? error.message : error}`;
    output.appendLine(message);
    showError(message);
  }
}

async function stop(): Promise<void> {
  const running = client;
  client = undefined;
  if (running?.isRunning()) await running.stop();
}

async function restart(): Promise<void> {
  await stop();
  status.hide();
  await start();
}

async function fixAll(): Promise<void> {
  const editor = vscode.window.activeTextEditor;
  if (!client?.isRunning() || !editor) return;
  await client.sendRequest(ExecuteCommandRequest.type, {
    command: APPLY_AUTOFIX,
    arguments: [{ uri: editor.document.uri.toString(), version: editor.document.version }],
  });
}

// The code of the heaplint finding under the cursor, as the default answer.
function codeUnderCursor(): string {
  const editor = vscode.window.activeTextEditor;
  if (!editor) return '';
  const finding = vscode.languages
    .getDiagnostics(editor.document.uri)
    .find((d) => d.source === 'heaplint' && d.range.contains(editor.selection.active));
  const code = finding?.code;
  return typeof code === 'object' ? String(code.value) : code !== undefined ? String(code) : '';
}

async function showRuleDocumentation(): Promise<void> {
  if (!client?.isRunning()) return;
  const selector = await vscode.window.showInputBox({
    prompt: 'heaplint rule (a code such as MEM101, or a name)',
    value: codeUnderCursor(),
  });
  if (!selector) return;
  try {
    const rule = await client.sendRequest(ExecuteCommandRequest.type, {
      command: RULE_DOCUMENTATION,
      arguments: [selector.trim()],
    });
    const document = await vscode.workspace.openTextDocument({ language: 'markdown', content: rule.markdown });
    await vscode.commands.executeCommand('markdown.showPreview', document.uri);
  } catch (error) {
    void vscode.window.showErrorMessage(`heaplint: ${error instanceof Error ? error.message : error}`);
  }
}

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  output = vscode.window.createOutputChannel('heaplint');
  status = vscode.window.createStatusBarItem(vscode.StatusBarAlignment.Left);
  status.command = 'heaplint.showLog';
  context.subscriptions.push(
    output,
    status,
    vscode.commands.registerCommand('heaplint.fixAll', fixAll),
    vscode.commands.registerCommand('heaplint.restart', restart),
    vscode.commands.registerCommand('heaplint.showRuleDocumentation', showRuleDocumentation),
    vscode.commands.registerCommand('heaplint.showLog', () => output.show()),
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (event.affectsConfiguration('heaplint')) void restart();
    }),
  );
  await start();
}

export function deactivate(): Promise<void> {
  return stop();
}
