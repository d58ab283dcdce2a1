import { test } from 'node:test';
import assert from 'node:assert/strict';
import { interfaceOf } from './announce.ts';

test('the interface holding an address, from `ip -j -4 addr show`', () => {
  const json = JSON.stringify([
    { ifname: 'lo', addr_info: [{ family: 'inet', local: '127.0.0.1' }] },
    { ifname: 'eth0', addr_info: [{ family: 'inet', local: '10.213.128.16' }] },
  ]);
  assert.equal(interfaceOf(json, '10.213.128.16'), 'eth0');
  assert.equal(interfaceOf(json, '10.213.128.17'), undefined);
  assert.equal(interfaceOf('not json', '10.213.128.16'), undefined);
});
