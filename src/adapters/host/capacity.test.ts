import { test } from 'node:test';
import assert from 'node:assert/strict';
import { shortfall } from './capacity.ts';

const MiB = 1048576;

test('capacity shortfall names memory first, then disk, counting headroom', () => {
  assert.equal(shortfall({ memoryBytes: 100 * MiB, diskBytes: 100 * MiB }, { memAvailableBytes: 200 * MiB, diskFreeBytes: 200 * MiB }, 0.1), undefined);
  assert.equal(shortfall({ memoryBytes: 100 * MiB, diskBytes: 0 }, { memAvailableBytes: 105 * MiB, diskFreeBytes: 1e12 }, 0.1)?.code, 'FERRY_ERR_INSUFFICIENT_MEMORY');
  const disk = shortfall({ memoryBytes: 0, diskBytes: 100 * MiB }, { memAvailableBytes: 1e12, diskFreeBytes: 64 * MiB }, 0.1);
  assert.equal(disk?.code, 'FERRY_ERR_INSUFFICIENT_DISK');
  assert.match(disk?.message ?? '', /64\.0 MiB of disk free/);
});
