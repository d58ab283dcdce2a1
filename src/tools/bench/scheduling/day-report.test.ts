import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultDay, profileEnv, steps } from './day-script.ts';
import { dayTable, meanAwake, nodeHoursAwake, type PolicyDay } from './day-report.ts';

test('awake hosts integrate into node-hours of the 24-hour day the script stands for', () => {
  const day = defaultDay(300);
  // 6 hosts for the first 100 s, 2 for the rest: (6·100 + 2·200) host-seconds × 24/300 h/s = 80 node-hours.
  assert.equal(nodeHoursAwake([{ t: 0, awake: 6 }, { t: 100, awake: 2 }], day), 80);
  assert.ok(Math.abs(meanAwake([{ t: 0, awake: 6 }, { t: 100, awake: 2 }], day) - 80 / 24) < 1e-9);
  // A sample past the end counts for nothing.
  assert.equal(nodeHoursAwake([{ t: 0, awake: 1 }, { t: 400, awake: 6 }], day), 24);
});

test('the day starts steady containers first, stops before it starts at the same second, and profiles follow the phases', () => {
  const day = defaultDay(300);
  const s = steps(day);
  assert.equal(s[0]?.kind, 'start');
  const at100 = s.filter((x) => x.at === 100).map((x) => x.kind);
  assert.deepEqual(at100, ['start', 'start', 'start', 'start']);
  const at200 = s.filter((x) => x.at === 200);
  assert.ok(at200.every((x) => x.kind === 'stop'));
  assert.equal(at200.length, 6);
  const web = day.containers.find((c) => c.name === 'web-1');
  assert.ok(web);
  assert.equal(profileEnv(web), 'PROFILE=0:80,100:160,200:20');
});

test('the table gives ratios against spread', () => {
  const d = (policy: string, nodeHours: number): PolicyDay => ({ policy, nodeHoursAwake: nodeHours, meanAwake: nodeHours / 24, migrations: 0, failedMigrations: 0, slaSeconds: 3, slaByContainer: {}, unschedulable: 0, timeline: [] });
  const t = dayTable([d('spread', 144), d('elastic', 72)]);
  assert.match(t, /\| elastic \| 72\.0 \| 0\.50 \|/);
  assert.match(t, /\| spread \| 144\.0 \| 1\.00 \|/);
});
