import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ZERO_PAGE } from '../../domain/pages/page-delta.ts';
import { PackLedger, packsOfUpload } from './pack-ledger.ts';
import { isCode } from '../../../test/support/errors.ts';

const recipe = (...pages: string[]) => ({ files: [{ name: 'pages-1.img', pages }] });

void test('an upload is split into packs in cut order', () => {
  const packs = packsOfUpload(['p1', 'p2'], ['a', 'b', 'c'], 2);
  assert.deepEqual(packs, [{ pack: 'p1', addresses: ['a', 'b'] }, { pack: 'p2', addresses: ['c'] }]);
  assert.throws(() => packsOfUpload(['p1'], ['a', 'b', 'c'], 2), isCode('FERRY_ERR_INTERNAL'));
});

void test('a point names the packs holding its pages, staged ones included; the zero page needs none', () => {
  const ledger = new PackLedger();
  ledger.stage({ pack: 'p1', addresses: ['a', 'b'] });
  ledger.commit();
  ledger.stage({ pack: 'p2', addresses: ['c'] });
  assert.deepEqual(ledger.packsFor(recipe('a', ZERO_PAGE, 'c', 'a')).sort(), ['p1', 'p2']);
  assert.deepEqual(ledger.packsFor(recipe('b')), ['p1']);
  assert.throws(() => ledger.packsFor(recipe('x')), isCode('FERRY_ERR_INTERNAL', /page x/));
});

void test('a failed point leaves the ledger as it was', () => {
  const ledger = new PackLedger();
  ledger.stage({ pack: 'p1', addresses: ['a'] });
  assert.equal(ledger.holds('a'), true);
  ledger.rollback();
  assert.equal(ledger.holds('a'), false);
  assert.deepEqual([...ledger.reusable(0.5)], []);
  assert.equal(ledger.holds(ZERO_PAGE), true);
});

void test('packs no kept point names are forgotten; a page also in a kept pack stays held there', () => {
  const ledger = new PackLedger();
  ledger.stage({ pack: 'p1', addresses: ['a', 'b'] });
  ledger.stage({ pack: 'p2', addresses: ['b', 'c'] });
  ledger.commit();
  assert.deepEqual(ledger.packsFor(recipe('b')), ['p2'], 'the newest pack holding a page wins');
  assert.equal(ledger.retain(new Set(['p1'])), 1);
  assert.equal(ledger.holds('c'), false);
  assert.deepEqual(ledger.packsFor(recipe('a', 'b')), ['p1']);
  assert.deepEqual(ledger.counts, { packs: 1, pages: 2 });
  assert.equal(ledger.pagesOf('p1'), 2);
  assert.equal(ledger.pagesOf('p2'), undefined);
});

void test('a pack the last point used sparsely is not reused; its pages, once uploaded again, leave it behind', () => {
  const ledger = new PackLedger();
  ledger.stage({ pack: 'p1', addresses: ['a', 'b', 'c', 'd'] });
  ledger.stage({ pack: 'p2', addresses: ['e', 'f'] });
  assert.deepEqual(ledger.packsFor(recipe('a', 'b', 'c', 'd', 'e', 'f')).sort(), ['p1', 'p2']);
  ledger.commit();
  assert.deepEqual([...ledger.reusable(0.5)].sort(), ['a', 'b', 'c', 'd', 'e', 'f'], 'every pack was used whole');
  // The next point still has only 'a' of p1 (its other pages were overwritten by 'x', 'y', 'z').
  ledger.stage({ pack: 'p3', addresses: ['x', 'y', 'z'] });
  assert.deepEqual(ledger.packsFor(recipe('a', 'x', 'y', 'z', 'e', 'f')).sort(), ['p1', 'p2', 'p3']);
  ledger.commit();
  assert.deepEqual([...ledger.reusable(0.5)].sort(), ['e', 'f', 'x', 'y', 'z'], 'p1 is used at 1 of 4 pages: not reused');
  // So 'a' goes up again in p4, and the point after that no longer names p1.
  ledger.stage({ pack: 'p4', addresses: ['a'] });
  assert.deepEqual(ledger.packsFor(recipe('a', 'x', 'y', 'z', 'e', 'f')).sort(), ['p2', 'p3', 'p4']);
});
