/** @module tools/workloads/clients/args.test — the clients' shared command line and their own options. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { numberOption, parseClientArgs } from './args.ts';

void test('common options with defaults; extras by kebab-case flag, typed by their default', () => {
  const a = parseClientArgs(['--host', '10.0.0.2', '--log', '/tmp/x.log', '--pause-ms', '5'], 6379, { pauseMs: 1, prefix: 'k' });
  assert.deepEqual(a, { host: '10.0.0.2', log: '/tmp/x.log', port: 6379, durationMs: 0, pauseMs: 5, prefix: 'k' });
  const b = parseClientArgs(['--host', 'h', '--log', 'l', '--port', '8080', '--duration-ms', '1500', '--prefix', 'run2-'], 80, { prefix: 'k' });
  assert.equal(b.port, 8080);
  assert.equal(b.durationMs, 1500);
  assert.equal(b.prefix, 'run2-');
});

void test('a missing required option, an unknown one or a bad number is refused naming it', () => {
  assert.throws(() => parseClientArgs(['--log', 'l'], 1, {}), /--host is required/);
  assert.throws(() => parseClientArgs(['--host', 'h'], 1, {}), /--log is required/);
  assert.doesNotThrow(() => parseClientArgs(['--host', 'h'], 1, {}, ['log']));
  assert.throws(() => parseClientArgs(['--host', 'h', '--log', 'l', '--bogus', '1'], 1, {}), /bogus/);
  assert.throws(() => parseClientArgs(['--host', 'h', '--log', 'l', '--port', '70000'], 1, {}), /--port must be a number from 1 to 65535, got "70000"/);
  assert.throws(() => parseClientArgs(['--host', 'h', '--log', 'l', '--rate', 'fast'], 1, { rate: 200 }), /--rate must be/);
});

void test('numberOption: absent gives the default; empty, negative or not a number is refused', () => {
  assert.equal(numberOption('x', undefined, 3, 0), 3);
  assert.equal(numberOption('x', '0.5', 3, 0), 0.5);
  for (const bad of ['', ' ', '-1', 'NaN', 'Infinity']) assert.throws(() => numberOption('x', bad, 3, 0), /--x must be/);
});
