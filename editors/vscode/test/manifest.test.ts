// package.json against the code and the project: the version is heaplint's (CMakeLists.txt), and
// every command the code registers is declared.
import assert from 'node:assert/strict';
import * as fs from 'fs';
import { test } from 'node:test';
import * as path from 'path';

const root = path.resolve(__dirname, '..', '..');
const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));

test('the extension has the version of heaplint it belongs to', () => {
  const cmake = fs.readFileSync(path.join(root, '..', '..', 'CMakeLists.txt'), 'utf8');
  const match = /project\(heaplint VERSION ([0-9.]+)/.exec(cmake);
  assert.ok(match, 'no version in CMakeLists.txt');
  assert.equal(manifest.version, match[1]);
});

test('commands, settings and the fix-all code action kind are declared', () => {
  const commands = manifest.contributes.commands.map((c: { command: string }) => c.command).sort();
  assert.deepEqual(commands, ['heaplint.fixAll', 'heaplint.restart', 'heaplint.showRuleDocumentation']);
  const source = fs.readFileSync(path.join(root, 'src', 'extension.ts'), 'utf8');
  for (const command of commands) assert.ok(source.includes(`'${command}'`), `${command} is not registered`);
  const settings = Object.keys(manifest.contributes.configuration.properties).sort();
  assert.deepEqual(settings, [
    'heaplint.ignore',
    'heaplint.path',
    'heaplint.preview',
    'heaplint.select',
    'heaplint.trace.server',
    'heaplint.unsafeFixes',
  ]);
  assert.equal(manifest.contributes.codeActions[0].actions.kind, 'source.fixAll.heaplint');
});
