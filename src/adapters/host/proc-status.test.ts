import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CAP_SYS_RESOURCE, hasCap, parseProcStatus } from './proc-status.ts';

// A postgres process in a container, read from the host (tabs as the kernel writes them).
const POSTGRES = [
  'Name:\tpostgres', 'Umask:\t0077', 'State:\tS (sleeping)', 'Tgid:\t4242', 'Pid:\t4242', 'PPid:\t4200',
  'TracerPid:\t0', 'Uid:\t999\t999\t999\t999', 'Gid:\t999\t999\t999\t999', 'FDSize:\t64',
  'CapInh:\t0000000000000000', 'CapPrm:\t0000000000000000', 'CapEff:\t0000000000000000', 'CapBnd:\t00000000a80425fb',
].join('\n');

test('reads name, ids, tracer and effective capabilities', () => {
  const s = parseProcStatus(POSTGRES);
  assert.deepEqual(s, { name: 'postgres', uids: [999, 999, 999, 999], gids: [999, 999, 999, 999], tracerPid: 0, capEff: 0n });
});

test('a traced process names its tracer', () => {
  assert.equal(parseProcStatus(POSTGRES.replace('TracerPid:\t0', 'TracerPid:\t77'))?.tracerPid, 77);
});

test('a name with spaces and colons stays whole', () => {
  assert.equal(parseProcStatus(POSTGRES.replace('Name:\tpostgres', 'Name:\tpg: checkpointer'))?.name, 'pg: checkpointer');
});

test('CAP_SYS_RESOURCE: withheld on these machines, present on an ordinary root', () => {
  const here = parseProcStatus(POSTGRES.replace('CapEff:\t0000000000000000', 'CapEff:\t000001fffeffffff'));
  const ordinary = parseProcStatus(POSTGRES.replace('CapEff:\t0000000000000000', 'CapEff:\t000001ffffffffff'));
  assert.equal(hasCap(here?.capEff ?? 0n, CAP_SYS_RESOURCE), false);
  assert.equal(hasCap(ordinary?.capEff ?? 0n, CAP_SYS_RESOURCE), true);
  assert.equal(hasCap(here?.capEff ?? 0n, 21), true, 'CAP_SYS_ADMIN is there');
});

test('missing or malformed fields give undefined, not a guess', () => {
  assert.equal(parseProcStatus(''), undefined);
  assert.equal(parseProcStatus(POSTGRES.replace(/^Uid:.*$/m, '')), undefined);
  assert.equal(parseProcStatus(POSTGRES.replace(/^CapEff:.*$/m, 'CapEff:\tzz')), undefined);
});
