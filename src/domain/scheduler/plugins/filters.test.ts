import { test } from 'node:test';
import assert from 'node:assert/strict';
import { newCycle } from '../cycle.ts';
import { emptyMemory } from '../memory.ts';
import { ReservationBook } from '../reservations.ts';
import { container, node, PARAMS, request, res, view } from '../test-support.ts';
import type { NodeView, PlacementRequest } from '../types.ts';
import type { FilterPlugin, ScheduleOptions } from '../framework.ts';
import { colourRoom, NAME as COLOUR } from './colour-room.ts';
import { fitsResources, NAME as FITS, REASONS as FIT } from './fits-resources.ts';
import { nodeAwake, NAME as AWAKE } from './node-awake.ts';

const run = (f: FilterPlugin, n: NodeView, r: PlacementRequest, o: ScheduleOptions = {}) => f.filter(newCycle(view(0, [n]), r, PARAMS, o), r, n);
const reason = (f: FilterPlugin, n: NodeView, r: PlacementRequest, o?: ScheduleOptions) => run(f, n, r, o)?.reason ?? 'ok';
const small = request('c', 500, 512);

test('node-awake: only active passes; each other state has its reason, and refusals are shared constants', () => {
  assert.equal(reason(nodeAwake, node('a'), small), 'ok');
  assert.equal(reason(nodeAwake, node('a', { state: 'draining' }), small), 'draining');
  assert.equal(reason(nodeAwake, node('a', { state: 'sleeping' }), small), 'asleep');
  assert.equal(reason(nodeAwake, node('a', { state: 'waking' }), small), 'waking');
  assert.equal(reason(nodeAwake, node('a', { state: 'unreachable' }), small), 'unreachable');
  assert.equal(run(nodeAwake, node('a', { state: 'sleeping' }), small), run(nodeAwake, node('b', { state: 'sleeping' }), small));
  assert.equal(run(nodeAwake, node('a', { state: 'sleeping' }), small)?.plugin, AWAKE);
});

test('fits-resources: requests on the node plus the request must fit, exactly full is fine', () => {
  const n = node('a', { containers: [container('x', 'a', { request: res(3000, 6144) })] }); // free 1000m, 2048 MiB
  assert.equal(reason(fitsResources, n, request('c', 1000, 2048)), 'ok');
  assert.equal(reason(fitsResources, n, request('c', 1000, 2049)), FIT.memory);
  assert.equal(reason(fitsResources, n, request('c', 1001, 2048)), FIT.cpu);
  assert.equal(reason(fitsResources, n, request('c', 2000, 4096)), FIT.memory, 'memory is checked first');
  const s = run(fitsResources, n, request('c', 1000, 4096))!;
  assert.deepEqual(s, { plugin: FITS, reason: FIT.memory, detail: 'needs 4096 MiB, free 2048 MiB of 8192 MiB', compact: { prefix: 'needs 4096 MiB, free', value: '2048' } });
});

test('fits-resources: measured use does not matter, requests do', () => {
  const n = node('a', { containers: [container('x', 'a', { request: res(500, 512), usage: res(3900, 8000) })] });
  assert.equal(reason(fitsResources, n, request('c', 3500, 7680)), 'ok');
});

test('fits-resources: network is checked only when the request asks for some', () => {
  const n = node('a', { containers: [container('x', 'a', { request: res(100, 100, 1000) })] });
  assert.equal(reason(fitsResources, n, request('c', 100, 100)), 'ok');
  assert.equal(reason(fitsResources, n, request('c', 100, 100, { networkMbps: 1 })), FIT.network);
});

test('fits-resources: reservations of the tick count, the request\'s own does not, and a listed container is not counted twice', () => {
  const n = node('a', { containers: [container('x', 'a', { request: res(2000, 4096) })] });
  const book = new ReservationBook();
  book.reserve('a', request('other', 1000, 2048));
  assert.equal(reason(fitsResources, n, request('c', 1000, 2048), { reservations: book }), 'ok', '4096 + 2048 + 2048 = 8192');
  book.reserve('a', request('third', 100, 100));
  assert.equal(reason(fitsResources, n, request('c', 1000, 2048), { reservations: book }), FIT.memory);
  book.reserve('a', request('c', 1000, 2048));
  assert.equal(reason(fitsResources, n, request('c', 900, 1900), { reservations: book }), 'ok', 'a retry of c ignores c\'s own reservation (2000 + 1000 + 100 + 900 = 4000m)');
  book.unreserve('third');
  book.reserve('a', request('x', 2000, 4096)); // x is already listed on a
  assert.equal(reason(fitsResources, n, request('c', 1000, 2048), { reservations: book }), 'ok');
});

test('colour-room: a red node is refused, a green one passes', () => {
  assert.equal(reason(colourRoom, node('a', { usage: { cpu: 0.76, memory: 0.76, network: 0.76 } }), small), 'red');
  assert.equal(reason(colourRoom, node('a', { usage: { cpu: 0.05, memory: 0.05, network: 0 } }), small), 'ok');
  assert.equal(run(colourRoom, node('a', { usage: { cpu: 0.76, memory: 0.76, network: 0.76 } }), small)?.plugin, COLOUR);
});

test('colour-room: hysteresis comes from the memory — a node that was red stays red down to 0.70', () => {
  const n = node('a', { usage: { cpu: 0.72, memory: 0.72, network: 0.72 } });
  const memory = emptyMemory();
  memory.nodes['a'] = { colour: 'red', colourSince: 0 };
  assert.equal(reason(colourRoom, n, request('c', 0, 0), { memory }), 'red');
  assert.equal(reason(colourRoom, n, request('c', 0, 0)), 'ok');
});

test('colour-room: predicted Wi uses the request\'s app type and must stay ≤ redAbove', () => {
  // Wm 0.9, Wc 0.6, Wn 0.5 (blue under balanced: 0.669); +400m, +512 MiB → Wm 0.9625, Wc 0.7
  const n = node('a', { usage: { cpu: 0.6, memory: 0.9, network: 0.5 } });
  const s = run(colourRoom, n, request('c', 400, 512, { appType: 'memory-intensive' }));
  assert.equal(s?.reason, 'would-turn-red', '0.5·0.9625 + 0.3·0.7 + 0.2·0.5 = 0.791');
  assert.match(s.detail, /Wi after placing would be 0\.79 > redAbove 0\.75/);
  assert.equal(reason(colourRoom, n, request('c', 400, 512, { appType: 'cpu-intensive' })), 'ok', '0.3·0.9625 + 0.5·0.7 + 0.2·0.5 = 0.739');
});

test('colour-room: predicted CPU must stay ≤ W so a placement never triggers a relief', () => {
  const n = node('a', { usage: { cpu: 0.7, memory: 0.1, network: 0 } });
  assert.equal(reason(colourRoom, n, request('c', 400, 0)), 'ok', '0.7 + 0.1 = 0.8 is not above W');
  assert.equal(reason(colourRoom, n, request('c', 600, 0)), 'would-overload-cpu', '0.7 + 0.15 = 0.85');
});

test('colour-room: a move predicts with the container\'s measured use, not its request', () => {
  const n = node('a', { usage: { cpu: 0.5, memory: 0.1, network: 0 } });
  const move = { ...request('c', 100, 100), usage: res(1600, 100) };
  assert.equal(reason(colourRoom, n, request('c', 100, 100)), 'ok');
  assert.equal(reason(colourRoom, n, move), 'would-overload-cpu', '0.5 + 1600/4000 = 0.9');
});
