import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FerryError } from '../../../core/errors.ts';
import { parsePlanetLabDay, PLANETLAB_SAMPLES } from './planetlab.ts';

const line = (v: number): string => Array.from({ length: PLANETLAB_SAMPLES }, (_, i) => (i === 0 ? v : 50)).join(',');

test('a day parses into fractions per VM, header kept', () => {
  const d = parsePlanetLabDay(`# test day, 2 VMs\n${line(24)}\n${line(100)}\n`);
  assert.equal(d.header, 'test day, 2 VMs');
  assert.equal(d.vms.length, 2);
  assert.ok(Math.abs((d.vms[0]?.[0] ?? 0) - 0.24) < 1e-6);
  assert.equal(d.vms[1]?.[0], 1);
  assert.equal(d.vms[1]?.[1], 0.5);
});

test('a short line or a value that is not a percentage is refused with where it is', () => {
  const is = (re: RegExp) => (e: unknown) => e instanceof FerryError && e.code === 'FERRY_ERR_INVALID_INPUT' && re.test(e.message);
  assert.throws(() => parsePlanetLabDay('# h\n1,2,3\n'), is(/line 2: 3 samples, expected 288/));
  assert.throws(() => parsePlanetLabDay(`# h\n${line(101)}\n`), is(/line 2, sample 1: "101"/));
  assert.throws(() => parsePlanetLabDay('# only a header\n'), is(/no VM lines/));
});
