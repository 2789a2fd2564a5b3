import assert from 'node:assert/strict';
import { test } from 'node:test';
import { initializationOptions, readSettings } from '../src/settings';

function reader(values: Record<string, unknown>) {
  return { get: <T>(key: string) => values[key] as T | undefined };
}

test('defaults when nothing is set', () => {
  assert.deepEqual(readSettings(reader({})), {
    path: '',
    select: [],
    ignore: [],
    unsafeFixes: false,
    preview: false,
  });
});

test('reads every setting and drops values of the wrong type', () => {
  const settings = readSettings(
    reader({ path: ' /opt/heaplint ', select: ['MEM1', 3, 'MEM501'], ignore: 'MEM2', unsafeFixes: true, preview: 'yes' }),
  );
  assert.deepEqual(settings, {
    path: '/opt/heaplint',
    select: ['MEM1', 'MEM501'],
    ignore: [],
    unsafeFixes: true,
    preview: false,
  });
});

test('initialization options leave an empty select out', () => {
  const settings = readSettings(reader({ ignore: ['MEM202'], unsafeFixes: true }));
  assert.deepEqual(initializationOptions(settings), { ignore: ['MEM202'], unsafeFixes: true });
  assert.deepEqual(initializationOptions({ ...settings, select: ['MEM101'] }).select, ['MEM101']);
  assert.equal(initializationOptions({ ...settings, preview: true }).preview, true);
});
