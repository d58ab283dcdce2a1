import { test } from 'node:test';
import assert from 'node:assert/strict';
import { newCycle } from '../cycle.ts';
import { emptyMemory } from '../memory.ts';
import { POLICIES } from '../policies.ts';
import { ReservationBook } from '../reservations.ts';
import { container, node, PARAMS, request, res, view } from '../test-support.ts';
import type { FilterPlugin, ScheduleOptions, ScorePlugin, SchedulingCycle, SchedulingRequest } from '../framework.ts';
import type { ClusterView, NodeState, NodeView } from '../types.ts';

/** A cluster of every kind of node: each state, full and empty, hot and cold, zero capacity, data replicas. */
function cluster(): ClusterView {
  const states: NodeState[] = ['active', 'active', 'active', 'draining', 'sleeping', 'waking', 'unreachable'];
  const nodes: NodeView[] = [];
  for (let i = 0; i < 60; i++) {
    const name = `n${String(i).padStart(2, '0')}`;
    const count = i % 5;
    const containers = Array.from({ length: count }, (_, j) => container(`${name}-${j}`, name, { request: res(300 + 200 * ((i + j) % 4), 1024 * (1 + ((i * j) % 3)), (i % 3) * 100) }));
    // Every fifth node sits in a hysteresis band (Wi 0.72 or 0.22), where the remembered colour decides.
    const u = i % 5 === 1 ? 0.72 : i % 5 === 2 ? 0.22 : (i * 37 % 100) / 100;
    const banded = i % 5 === 1 || i % 5 === 2;
    nodes.push(node(name, {
      state: states[i % states.length]!,
      capacity: i === 13 ? res(0, 0, 0) : res(4000 + (i % 3) * 2000, 8192 * (1 + (i % 2)), i % 4 === 0 ? 0 : 1000),
      containers,
      usage: banded ? { cpu: u, memory: u, network: u } : { cpu: u, memory: (u * 7) % 1, network: (u * 3) % 1 },
      dataOf: i % 6 === 0 ? ['app-1'] : [],
    }));
  }
  return view(0, nodes);
}

/** Options with reservations on a few nodes (one the request's own, one already listed) and remembered colours. */
function options(v: ClusterView): ScheduleOptions {
  const book = new ReservationBook();
  book.reserve('n01', request('r1', 500, 1024));
  book.reserve('n01', request('r2', 100, 512, { networkMbps: 50 }));
  book.reserve('n02', request('req', 700, 700)); // the request's own: ignored
  book.reserve('n06', request('n06-0', 100, 100)); // listed on n06 already: not counted twice
  book.reserve('n08', { ...request('moving', 100, 100), usage: res(2000, 3000, 300) });
  const memory = emptyMemory();
  v.nodes.forEach((n, i) => (memory.nodes[n.name] = i % 3 === 2 ? {} : { colour: i % 3 === 0 ? 'red' : 'green', colourSince: 0 }));
  return { reservations: book, memory };
}

const requests: SchedulingRequest[] = [
  { ...request('req', 500, 1024, { app: 'app-1' }) },
  { ...request('big', 3000, 9000, { appType: 'memory-intensive' }) },
  { ...request('net', 100, 100, { networkMbps: 400, appType: 'network-intensive' }) },
  { ...request('move', 200, 512, { appType: 'cpu-intensive' }), usage: res(1500, 2048, 10) },
];

const all = (v: ClusterView): Int32Array => Int32Array.from(v.nodes.map((_, i) => i));
const plugins = <T>(pick: (p: (typeof POLICIES)[string]) => readonly T[]): T[] => [...new Set(Object.values(POLICIES).flatMap(pick))];

test('batch filters pass exactly the nodes their node form passes', () => {
  const v = cluster();
  for (const f of plugins<FilterPlugin>((p) => p.filters)) {
    assert.ok(f.filterAll !== undefined, `${f.name} has a batch form`);
    for (const r of requests) {
      const o = options(v);
      const expected = v.nodes.map((n, i) => [i, n] as const).filter(([, n]) => f.filter(newCycle(v, r, PARAMS, o, false), r, n) === undefined).map(([i]) => i);
      const positions = all(v);
      const kept = f.filterAll(newCycle(v, r, PARAMS, o, false), r, positions, positions.length);
      assert.deepEqual([...positions.subarray(0, kept)], expected, `${f.name}, ${r.name}`);
    }
  }
});

test('batch scorers give exactly the scores of their node form', () => {
  const v = cluster();
  for (const s of plugins<ScorePlugin>((p) => p.scorers.map((w) => w.plugin))) {
    assert.ok(s.scoreAll !== undefined, `${s.name} has a batch form`);
    for (const r of requests) {
      const o = options(v);
      const expected = v.nodes.map((n) => s.score(newCycle(v, r, PARAMS, o, false), r, n));
      const positions = all(v);
      const out = new Float64Array(positions.length);
      s.scoreAll(newCycle(v, r, PARAMS, o, false), r, positions, positions.length, out);
      assert.deepEqual([...out], expected, `${s.name}, ${r.name}`);
    }
  }
});

/** Every column against the node forms of a fresh cycle. */
function assertColumns(cycle: SchedulingCycle, v: ClusterView, r: SchedulingRequest, o: ScheduleOptions): void {
  const c = cycle.columns();
  v.nodes.forEach((n, i) => {
    const one = newCycle(v, r, PARAMS, o, false);
    const req = one.requested(n);
    assert.deepEqual([c.requestedCpu[i], c.requestedMemory[i], c.requestedNetwork[i]], [req.cpuMillis, req.memoryMiB, req.networkMbps], `${n.name} requested`);
    assert.deepEqual([c.capacityCpu[i], c.capacityMemory[i], c.capacityNetwork[i]], [n.capacity.cpuMillis, n.capacity.memoryMiB, n.capacity.networkMbps], `${n.name} capacity`);
    assert.equal(c.usageCpu[i], one.usage(n).cpu, `${n.name} usage`);
    assert.equal(c.containerCount[i], one.containerCount(n), `${n.name} containers`);
    assert.equal(c.predicted[i], one.predictedLoad(n), `${n.name} predicted`);
    assert.equal(c.colour[i], one.colour(n), `${n.name} colour`);
  });
}

test('columns answer what the node forms answer, reservations and remembered colours included', () => {
  const v = cluster();
  for (const r of requests) {
    const o = options(v);
    assertColumns(newCycle(v, r, PARAMS, o, false), v, r, o);
  }
});

test('columns follow a node given new objects in the same view, and the next cycle drops the last one\'s reservations', () => {
  const v = cluster();
  const r = requests[0]!;
  const o = options(v);
  newCycle(v, r, PARAMS, o, false).columns();
  const n3 = v.nodes[3] as { containers: NodeView['containers']; usage: NodeView['usage'] };
  n3.containers = [...n3.containers, container('late', 'n03', { request: res(900, 900) })];
  n3.usage = { cpu: 0.74, memory: 0.74, network: 0.74 };
  assertColumns(newCycle(v, r, PARAMS, o, false), v, r, o);
  assertColumns(newCycle(v, r, PARAMS, {}, false), v, r, {});
});

test('two cycles used in turn each read their own columns', () => {
  const v = cluster();
  const o = options(v);
  const a = newCycle(v, requests[0]!, PARAMS, o, false);
  const b = newCycle(v, requests[3]!, PARAMS, {}, false);
  a.columns();
  assertColumns(b, v, requests[3]!, {});
  assertColumns(a, v, requests[0]!, o);
});
