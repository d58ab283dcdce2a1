import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ReservationBook } from './reservations.ts';
import { container, node, request, res, view } from './test-support.ts';

test('reserve, replace, unreserve', () => {
  const book = new ReservationBook();
  book.reserve('a', request('x', 100, 200));
  book.reserve('a', request('y', 300, 400));
  assert.equal(book.size, 2);
  assert.deepEqual(book.on('a')?.map((r) => r.container), ['x', 'y']);
  book.reserve('b', request('x', 100, 200));
  assert.deepEqual(book.on('a')?.map((r) => r.container), ['y'], 'reserving x elsewhere moves it');
  assert.equal(book.of('x')?.node, 'b');
  book.unreserve('y');
  assert.equal(book.on('a'), undefined);
  book.unreserve('nobody');
  assert.equal(book.size, 1);
  book.clear();
  assert.equal(book.size, 0);
});

test('a move is reserved with its measured use as load and its request against capacity', () => {
  const book = new ReservationBook();
  const r = book.reserve('a', { ...request('x', 100, 200), usage: res(900, 50) });
  assert.deepEqual(r.request, res(100, 200));
  assert.deepEqual(r.load, res(900, 50));
});

test('settle drops reservations the view now lists on their node', () => {
  const book = new ReservationBook();
  book.reserve('a', request('x', 100, 200));
  book.reserve('a', request('y', 100, 200));
  book.settle(view(0, [node('a', { containers: [container('x', 'a')] }), node('b')]));
  assert.deepEqual(book.all().map((r) => r.container), ['y']);
});
