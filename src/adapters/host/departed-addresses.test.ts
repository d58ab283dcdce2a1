import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DepartedAddresses, pickAddress } from './departed-addresses.ts';

test('the lowest free address of a host\'s slice, never the subnet\'s network or broadcast address', () => {
  assert.equal(pickAddress('10.213.128.16/28', '10.213.128.0/24', new Set()), '10.213.128.16');
  assert.equal(pickAddress('10.213.128.16/28', '10.213.128.0/24', new Set(['10.213.128.16', '10.213.128.17'])), '10.213.128.18');
  assert.equal(pickAddress('10.213.128.0/28', '10.213.128.0/24', new Set(['10.213.128.1'])), '10.213.128.2');
  assert.equal(pickAddress('10.213.128.240/28', '10.213.128.0/24', new Set(Array.from({ length: 15 }, (_, i) => `10.213.128.${240 + i}`))), undefined);
  assert.throws(() => pickAddress('10.213.128.16', '10.213.128.0/24', new Set()), /not an IPv4 block/);
});

test('departed addresses survive a new instance and come off the list when they return', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'ferry-departed-'));
  try {
    const file = path.join(dir, 'departed.json');
    const a = new DepartedAddresses(file);
    await Promise.all([a.add('10.0.0.5'), a.add('10.0.0.6')]);
    assert.deepEqual([...(await new DepartedAddresses(file).list())].sort(), ['10.0.0.5', '10.0.0.6']);
    await a.remove('10.0.0.5');
    assert.deepEqual([...(await a.list())], ['10.0.0.6']);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
