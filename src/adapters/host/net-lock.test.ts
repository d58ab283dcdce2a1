import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LOCK_TABLE, lockScript, unlockScript } from './net-lock.ts';

test('the lock drops IP and ARP, in and out, before every other hook; unlocking is idempotent', () => {
  const lock = lockScript();
  for (const family of ['inet', 'arp']) {
    for (const hook of ['input', 'output']) assert.match(lock, new RegExp(`add chain ${family} ${LOCK_TABLE} \\w+ \\{ type filter hook ${hook} priority -400; policy drop; \\}`));
  }
  assert.equal(unlockScript(), `add table inet ${LOCK_TABLE}; delete table inet ${LOCK_TABLE}; add table arp ${LOCK_TABLE}; delete table arp ${LOCK_TABLE}`);
});
