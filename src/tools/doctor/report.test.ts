/** @module tools/doctor/report.test — the doctor's report model: verdicts, fix plans, text form. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { allRequiredPresent, describeFix, fixPlanEmpty, formatReport, missing, planFixes, verdict, type Check, type DoctorReport } from './report.ts';

const check = (id: string, status: Check['status'], fix?: Check['fix']): Check => ({
  id, group: 'binary', title: id, status, detail: `${id} detail`, why: `${id} why`, ...(fix ? { fix } : {}),
});

void test('only missing checks fail; limitations and facts do not', () => {
  const checks = [check('a', 'ok'), check('netem', 'limitation'), check('soft-dirty', 'fact')];
  assert.equal(allRequiredPresent(checks), true);
  assert.equal(allRequiredPresent([...checks, check('b', 'missing')]), false);
  assert.deepEqual(missing([...checks, check('b', 'missing')]).map((c) => c.id), ['b']);
});

void test('planFixes merges apt packages, keeps the CRIU prefix, lists manual ones', () => {
  const plan = planFixes([
    check('dockerd', 'missing', { kind: 'apt', packages: ['docker.io'] }),
    check('runc', 'missing', { kind: 'apt', packages: ['docker.io'] }),
    check('getfattr', 'missing', { kind: 'apt', packages: ['attr'] }),
    check('tc', 'ok', { kind: 'apt', packages: ['iproute2'] }),
    check('criu', 'missing', { kind: 'criu-prefix', prefix: '/opt/ferry/criu' }),
    check('root', 'missing', { kind: 'manual', text: 'run as root' }),
    check('netem', 'limitation'),
  ]);
  assert.deepEqual(plan.aptPackages, ['attr', 'docker.io']);
  assert.equal(plan.criuPrefix, '/opt/ferry/criu');
  assert.deepEqual(plan.manual.map((c) => c.id), ['root']);
  assert.equal(fixPlanEmpty(plan), false);
  assert.equal(fixPlanEmpty(planFixes([check('a', 'ok')])), true);
});

void test('describeFix says what --fix does', () => {
  assert.match(describeFix({ kind: 'apt', packages: ['attr'] }), /apt-get install attr/);
  assert.match(describeFix({ kind: 'criu-prefix', prefix: '/p' }), /into \/p/);
  assert.equal(describeFix(undefined), 'no automatic fix');
});

void test('formatReport shows why and fix for missing ones, and a verdict', () => {
  const report: DoctorReport = {
    checks: [check('dockerd', 'ok'), check('criu', 'missing', { kind: 'criu-prefix', prefix: '/opt/ferry/criu' }), check('netem', 'limitation')],
    actions: ['installed with apt-get: attr'],
    ok: false,
    criu: null,
    hardwareBreakpoints: { state: 'does-not-fire', detail: 'a ptrace hardware breakpoint was accepted but never fired' },
    capSysResource: false,
  };
  const text = formatReport(report);
  assert.match(text, /^ok\s+dockerd\s+dockerd detail$/m);
  assert.match(text, /^MISSING\s+criu\s+criu detail$/m);
  assert.match(text, /why: criu why/);
  assert.match(text, /fix: unpack the newest Debian CRIU that passes the functional probe/);
  assert.match(text, /^limitation\s+netem/m);
  assert.match(text, /actions:\n {2}installed with apt-get: attr/);
  assert.match(verdict(report), /1 required prerequisite\(s\) missing: criu\. Run `ferry doctor --fix` as root\. Limitations: netem\./);
  assert.equal(verdict({ ...report, checks: [check('a', 'ok')] }), 'All required prerequisites are present.');
});
