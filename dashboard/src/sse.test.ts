/** @module dashboard/sse.test — the SSE parser across chunk boundaries. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SseParser } from './sse.ts';

test('events split anywhere are put back together', () => {
  const p = new SseParser();
  assert.deepEqual(p.push('event: nodes\nda'), []);
  assert.deepEqual(p.push('ta: {"a":1}\n\n: comment\n\nevent: event\r\ndata: x\r\ndata: y\r\n\r\n'), [
    { event: 'nodes', data: '{"a":1}' },
    { event: 'event', data: 'x\ny' },
  ]);
  assert.deepEqual(p.push('data: plain\n\n'), [{ event: 'message', data: 'plain' }]);
});
