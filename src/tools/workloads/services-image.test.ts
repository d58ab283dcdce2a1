/** @module tools/workloads/services-image.test — the services image's script and lighttpd configuration say what services-spec.ts says. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { workloadSpec } from './catalog.ts';
import { SERVICES_LIGHTTPD_CONF, SERVICES_PACKAGES, SERVICES_SCRIPT, servicesRecipe } from './services-image.ts';
import { DNS_ADDRESS, DNS_NAME, DNS_PORT, HTTP_PORT, LARGE_BYTES, REDIS_PORT, WWW_ROOT, largeBody } from './services-spec.ts';

const script = readFileSync(SERVICES_SCRIPT, 'utf8');
const conf = readFileSync(SERVICES_LIGHTTPD_CONF, 'utf8');

void test('the entry script starts the three servers on the spec ports, as root, plus the heartbeat; sh -n accepts it', () => {
  assert.match(script, new RegExp(`redis-server --bind 0\\.0\\.0\\.0 --port ${REDIS_PORT} --save '' --appendonly no --protected-mode no`));
  assert.match(script, /--daemonize no/);
  assert.match(script, /lighttpd -D -f \/etc\/lighttpd\/ferry\.conf/);
  assert.match(script, new RegExp(`--port=${DNS_PORT} `));
  assert.ok(script.includes(`--address=/${DNS_NAME}/${DNS_ADDRESS}`));
  assert.match(script, /--user=root/);
  assert.match(script, new RegExp(`loop -q ${workloadSpec('services').heartbeatPath}`));
  assert.doesNotMatch(script, /--user=(?!root)|--daemonize yes/);
  const syntax = spawnSync('sh', ['-n', SERVICES_SCRIPT], { encoding: 'utf8' });
  assert.equal(syntax.status, 0, syntax.stderr);
});

void test('lighttpd serves the spec root and port, keeps connections alive, does not drop to another user', () => {
  assert.ok(conf.includes(`server.document-root = "${WWW_ROOT}"`));
  assert.ok(conf.includes(`server.port = ${HTTP_PORT}`));
  assert.doesNotMatch(conf, /^\s*server\.username/m);
  const keepAlive = /server\.max-keep-alive-requests = (\d+)/.exec(conf);
  assert.ok(Number(keepAlive?.[1]) > 1000);
});

void test('the recipe is Debian packages plus the script, the configuration and loop.c; the large file is 64 KiB', () => {
  const r = servicesRecipe(workloadSpec('services'));
  assert.equal(r.image, 'ferry/services:1');
  assert.deepEqual(r.inputFiles.map((f) => f.split('/').at(-1)), ['services.sh', 'services-lighttpd.conf', 'loop.c']);
  for (const p of SERVICES_PACKAGES) assert.ok(r.facts.includes(p));
  assert.deepEqual(r.changes, ['CMD ["/usr/local/bin/services"]', 'WORKDIR /data']);
  assert.equal(largeBody().length, LARGE_BYTES);
  assert.equal(largeBody()[251], 0);
});
