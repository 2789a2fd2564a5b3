// Which heaplint binary the extension starts, and the options vscode-languageclient starts it
// with. No `vscode` import except through vscode-languageclient's types, so that the tests build
// exactly these options outside VS Code.
import { execFile } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { Executable, LanguageClientOptions } from 'vscode-languageclient/node';
import { initializationOptions, Settings } from './settings';

export const SERVER_ARGS = ['server'];

export type BinarySource = 'setting' | 'python' | 'path';

export interface ResolvedBinary {
  command: string;
  source: BinarySource;
}

// What resolving needs from the outside world, so that tests can stand in for it.
export interface Environment {
  // The interpreter of the Python environment the Python extension has selected, if any.
  pythonInterpreter(): Promise<string | undefined>;
  // Runs `python -c code` and returns its standard output; rejects when it fails.
  runPython(interpreter: string, code: string): Promise<string>;
  // The full path of `name` on PATH, if it is there.
  which(name: string): string | undefined;
}

export const FIND_BINARY_CODE = 'import heaplint; print(heaplint.find_heaplint_bin())';

function expandHome(value: string): string {
  return value === '~' || value.startsWith('~/') ? path.join(os.homedir(), value.slice(1)) : value;
}

// heaplint.path when it is set; else the binary of the heaplint package in the selected Python
// environment (`pip install heaplint`); else `heaplint` on PATH.
export async function resolveBinary(settings: Settings, environment: Environment): Promise<ResolvedBinary> {
  if (settings.path) return { command: expandHome(settings.path), source: 'setting' };
  const interpreter = await environment.pythonInterpreter();
  if (interpreter) {
    try {
      const found = (await environment.runPython(interpreter, FIND_BINARY_CODE)).trim();
      if (found) return { command: found, source: 'python' };
    } catch {
      // heaplint is not installed in that environment: PATH is next.
    }
  }
  const onPath = environment.which(process.platform === 'win32' ? 'heaplint.exe' : 'heaplint');
  if (onPath) return { command: onPath, source: 'path' };
  throw new Error(
    'heaplint: no heaplint binary found. Install it with `pip install heaplint` in the selected ' +
      'Python environment, put it on PATH, or set `heaplint.path`.',
  );
}

// vscode-languageclient appends `--stdio` for this transport: `heaplint server --stdio`.
// TransportKind.stdio is 0; the value is spelled out to keep this module free of `vscode`.
export function serverOptions(binary: ResolvedBinary, cwd?: string): Executable {
  return {
    command: binary.command,
    args: [...SERVER_ARGS],
    transport: 0 /* TransportKind.stdio */,
    options: cwd ? { cwd } : {},
  };
}

export function clientOptions(settings: Settings): LanguageClientOptions {
  return {
    documentSelector: [
      { scheme: 'file', language: 'python' },
      { scheme: 'untitled', language: 'python' },
      // Notebook cells: the server checks notebooks (notebookDocumentSync), as Ruff's does.
      { scheme: 'vscode-notebook-cell', language: 'python' },
    ],
    initializationOptions: initializationOptions(settings),
  };
}

// The real environment, for the extension.
export function nodeEnvironment(pythonInterpreter: () => Promise<string | undefined>): Environment {
  return {
    pythonInterpreter,
    runPython(interpreter: string, code: string): Promise<string> {
      return new Promise((resolve, reject) => {
        execFile(interpreter, ['-c', code], { timeout: 20000 }, (error, stdout) => {
          if (error) reject(error);
          else resolve(stdout);
        });
      });
    },
    which(name: string): string | undefined {
      for (const directory of (process.env.PATH ?? '').split(path.delimiter)) {
        if (!directory) continue;
        const candidate = path.join(directory, name);
        try {
          fs.accessSync(candidate, fs.constants.X_OK);
          if (fs.statSync(candidate).isFile()) return candidate;
        } catch {
          // not here
        }
      }
      return undefined;
    },
  };
}
