import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as os from 'os';
import * as path from 'path';
import { clientOptions, Environment, FIND_BINARY_CODE, resolveBinary, serverOptions } from '../src/server';
import { readSettings, Settings } from '../src/settings';

const defaults: Settings = readSettings({ get: () => undefined });

function environment(overrides: Partial<Environment> & { calls?: string[] } = {}): Environment {
  return {
    pythonInterpreter: async () => undefined,
    runPython: async () => {
      throw new Error('no heaplint module');
    },
    which: () => undefined,
    ...overrides,
  };
}

test('heaplint.path wins over everything else', async () => {
  const resolved = await resolveBinary(
    { ...defaults, path: '~/bin/heaplint' },
    environment({ pythonInterpreter: async () => '/venv/bin/python', which: () => '/usr/bin/heaplint' }),
  );
  assert.deepEqual(resolved, { command: path.join(os.homedir(), 'bin/heaplint'), source: 'setting' });
});

test('the selected Python environment comes next, through find_heaplint_bin()', async () => {
  const asked: string[][] = [];
  const resolved = await resolveBinary(
    defaults,
    environment({
      pythonInterpreter: async () => '/venv/bin/python',
      runPython: async (interpreter, code) => {
        asked.push([interpreter, code]);
        return '/venv/bin/heaplint\n';
      },
      which: () => '/usr/bin/heaplint',
    }),
  );
  assert.deepEqual(resolved, { command: '/venv/bin/heaplint', source: 'python' });
  assert.deepEqual(asked, [['/venv/bin/python', FIND_BINARY_CODE]]);
});

test('PATH when the environment has no heaplint package', async () => {
  const resolved = await resolveBinary(
    defaults,
    environment({ pythonInterpreter: async () => '/venv/bin/python', which: () => '/usr/local/bin/heaplint' }),
  );
  assert.deepEqual(resolved, { command: '/usr/local/bin/heaplint', source: 'path' });
});

test('a clear error when there is no binary anywhere', async () => {
  await assert.rejects(resolveBinary(defaults, environment()), /pip install heaplint/);
});

test('the server runs as `heaplint server` over stdio, with the settings as initialization options', () => {
  const options = serverOptions({ command: '/venv/bin/heaplint', source: 'python' }, '/project');
  assert.deepEqual(options, {
    command: '/venv/bin/heaplint',
    args: ['server'],
    transport: 0,
    options: { cwd: '/project' },
  });
  const client = clientOptions({ ...defaults, ignore: ['MEM501'] });
  assert.deepEqual(client.initializationOptions, { ignore: ['MEM501'], unsafeFixes: false });
  assert.deepEqual(client.documentSelector, [
    { scheme: 'file', language: 'python' },
    { scheme: 'untitled', language: 'python' },
    { scheme: 'vscode-notebook-cell', language: 'python' },
  ]);
});
