/** @module tools/workloads/clients/launch.test — a client's command line, in a namespace or not. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { PROJECT_NODE, clientArgv, clientScript } from './launch.ts';

void test('clientArgv runs the project Node on the script, with nsenter first when a namespace is named', () => {
  assert.ok(existsSync(clientScript('redis-writer')) && existsSync(clientScript('http-load')) && existsSync(clientScript('dns-asker')));
  assert.ok(existsSync(PROJECT_NODE), PROJECT_NODE);
  assert.deepEqual(clientArgv('dns-asker', { host: '10.0.0.5', log: '/tmp/d.log' }),
    [PROJECT_NODE, '--disable-warning=ExperimentalWarning', clientScript('dns-asker'), '--host', '10.0.0.5', '--log', '/tmp/d.log']);
  const argv = clientArgv('redis-writer', { netns: 'ferry-x-c', host: 'h', port: 7000, log: 'l', durationMs: 5000, options: { 'pause-ms': 0, 'prefix': 'a' } });
  assert.deepEqual(argv.slice(0, 3), ['nsenter', '--net=/run/netns/ferry-x-c', '--']);
  assert.deepEqual(argv.slice(-10), ['--log', 'l', '--port', '7000', '--duration-ms', '5000', '--pause-ms', '0', '--prefix', 'a']);
});
