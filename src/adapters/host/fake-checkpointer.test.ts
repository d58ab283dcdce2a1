import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { isCode } from '../../../test/support/errors.ts';
import { FakeEngine } from '../docker/fake-engine.ts';
import { checkpointerConformance } from './checkpointer.conformance.ts';
import { FakeCheckpointer } from './fake-checkpointer.ts';

checkpointerConformance('Checkpointer conformance: FakeCheckpointer', async () => {
  const engine = new FakeEngine({ images: ['ferry/loop:1'] });
  const scratch = await mkdtemp(path.join(tmpdir(), 'ferry-fake-ckpt-'));
  return { checkpointer: new FakeCheckpointer(engine), engine, image: 'ferry/loop:1', scratch, cleanup: () => rm(scratch, { recursive: true, force: true }) };
});

// What only the fake promises: the record of calls, in order, and failures on demand.
test('the fake records every call in order, into a shared journal too, and fails the next call of a method when told', async () => {
  const engine = new FakeEngine({ images: ['ferry/loop:1'] });
  const journal: string[] = [];
  const k = new FakeCheckpointer(engine, { journal });
  const id = await engine.createContainer('c1', { Image: 'ferry/loop:1' });
  await engine.startContainer(id);
  const pid = (await engine.inspectContainer(id)).State.Pid;
  k.failNext('lockNetwork');
  await assert.rejects(k.lockNetwork(pid), isCode('FERRY_ERR_NET_LOCK', /told to fail/));
  assert.equal(await k.networkLocked(pid), false, 'a failed lock locks nothing');
  await k.lockNetwork(pid);
  k.failNext('unlockNetwork', new Error('boom'));
  await assert.rejects(k.unlockNetwork(pid), /boom/);
  assert.deepEqual(k.methods(), ['lockNetwork', 'networkLocked', 'lockNetwork', 'unlockNetwork']);
  assert.deepEqual(journal, k.methods().map((m) => `checkpointer.${m}`));
  assert.deepEqual(k.calls[0], { method: 'lockNetwork', args: [pid] });
});
