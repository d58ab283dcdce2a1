/**
 * @module apps/controller/node-port.conformance — the one conformance suite of `NodePort`: what the
 * controller relies on of a node, checked the same way on every implementation (the agent over
 * HTTP on a real test bed, the simulator's `SimNodePort`), so the fake cannot drift from the
 * real thing. Time is the implementation's: `pass(ms)` advances a simulated clock or waits.
 *
 * @example
 *   nodePortConformance('SimNodePort', { open: async () => ({ port, name: 'h1', ... }) });
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { codeOf } from '../../../test/support/errors.ts';
import type { Resources } from '../../domain/scheduler/index.ts';
import type { AgentMetrics, NodePort, RunOnNode } from './node-port.ts';
import type { NodeRecord } from './records.ts';

/** What the suite needs of one implementation. */
export interface NodePortCase {
  /** The port of an awake node that runs no container. */
  port: NodePort;
  /** The node's name, as health() and metrics() must say it. */
  name: string;
  /** What metrics() must report as the node's capacity. */
  capacity: Resources;
  /** Another node of the same cluster: the destination of the migration the suite asks for. */
  other: NodeRecord;
  /** A container the node can run (its labels are ferry.* labels). */
  runnable: RunOnNode;
  /** Lets `ms` of the node's time pass: a simulator advances its clock, a real node is waited for. */
  pass: (ms: number) => Promise<void>;
}

/** The checks, in the order they run (each starts where the one before left the node). */
export const NODE_PORT_CHECKS = ['health', 'run', 'metrics', 'busy', 'migrate-unknown', 'remove', 'sleep', 'wake', 'fresh-after-wake'] as const;
/** One check's id. */
export type NodePortCheck = (typeof NODE_PORT_CHECKS)[number];

/** How one implementation runs the suite. */
export interface NodePortSuite {
  open: () => Promise<NodePortCase>;
  close?: () => Promise<void>;
  /** Per check, in wall ms (default 60 s). */
  timeoutMs?: number;
  /** At most this many sampling intervals for a sample to show what it must (default 10). */
  intervals?: number;
}

/** The highest sample seq of an answer (0 when it holds none). */
const lastSeq = (m: AgentMetrics): number => Math.max(0, ...m.samples.map((s) => s.seq));

/** Registers the suite under `title`. */
export function nodePortConformance(title: string, suite: NodePortSuite): void {
  let c: NodePortCase;
  let everyMs = 0;
  let seqBeforeSleep = 0;
  const intervals = suite.intervals ?? 10;

  /** Polls metrics() a sampling interval apart until `ok` holds; fails naming `what`. */
  async function sampleUntil(what: string, ok: (m: AgentMetrics) => boolean): Promise<AgentMetrics> {
    for (let i = 0; ; i++) {
      const m = await c.port.metrics();
      if (ok(m)) return m;
      if (i >= intervals) assert.fail(`${what}: not within ${intervals} sampling intervals; last samples: ${JSON.stringify(m.samples.slice(-2))}`);
      await c.pass(everyMs);
    }
  }

  const checks: Record<NodePortCheck, [string, () => Promise<void>]> = {
    health: ['health names the node and says it is awake', async () => {
      const h = await c.port.health();
      assert.equal(h.name, c.name);
      assert.equal(h.power, 'awake');
    }],
    run: ['run: containers() lists it running with the labels given; the same name again is FERRY_ERR_NAME_TAKEN', async () => {
      const made = await c.port.run(c.runnable);
      assert.equal(made.name, c.runnable.name);
      const listed = (await c.port.containers()).find((x) => x.name === c.runnable.name);
      assert.ok(listed, `${c.runnable.name} is listed`);
      assert.equal(listed.running, true);
      assert.equal(listed.id, made.id);
      assert.equal(listed.image, c.runnable.image);
      for (const [k, v] of Object.entries(c.runnable.labels)) assert.equal(listed.labels[k], v, `label ${k}`);
      assert.equal(await codeOf(c.port.run(c.runnable)), 'FERRY_ERR_NAME_TAKEN');
    }],
    metrics: ['metrics: the node, awake, its capacity; samples oldest first by seq, one naming the container within a few intervals', async () => {
      const first = await c.port.metrics();
      assert.deepEqual([first.node, first.power, first.capacity], [c.name, 'awake', c.capacity]);
      assert.ok(first.everyMs > 0, 'a sampling interval');
      everyMs = first.everyMs;
      const m = await sampleUntil(`a sample naming ${c.runnable.name}`, (x) => x.samples.some((s) => s.containers.some((e) => e.name === c.runnable.name)));
      const seqs = m.samples.map((s) => s.seq);
      assert.deepEqual(seqs, [...seqs].sort((a, b) => a - b), 'oldest first');
      assert.equal(new Set(seqs).size, seqs.length, 'seq increases');
      const entry = m.samples.at(-1)?.containers.find((e) => e.name === c.runnable.name);
      assert.ok(entry, 'the newest sample names it');
      for (const k of ['cpuMillis', 'memoryMiB', 'networkMbps', 'dirtyRateMBps'] as const) assert.ok(Number.isFinite(entry[k]) && entry[k] >= 0, `${k} ${entry[k]}`);
    }],
    busy: ['sleep is refused while a container runs (FERRY_ERR_NODE_BUSY) and the node stays awake', async () => {
      assert.equal(await codeOf(c.port.power('sleep')), 'FERRY_ERR_NODE_BUSY');
      assert.equal((await c.port.health()).power, 'awake');
    }],
    'migrate-unknown': ['a migration of a container the node does not run is accepted, then rolled back with FERRY_ERR_UNKNOWN_CONTAINER; an unknown id is FERRY_ERR_UNKNOWN_MIGRATION', async () => {
      const id = await c.port.migrate('np-no-such-container', c.other, 'stop-copy');
      let m = await c.port.migration(id);
      for (let i = 0; m.phase !== 'rolled-back' && m.phase !== 'done' && i < 60; i++) {
        await c.pass(500);
        m = await c.port.migration(id);
      }
      assert.equal(m.phase, 'rolled-back');
      assert.equal(m.report?.error?.code, 'FERRY_ERR_UNKNOWN_CONTAINER');
      assert.equal(await codeOf(c.port.migration('m-no-such-migration')), 'FERRY_ERR_UNKNOWN_MIGRATION');
    }],
    remove: ['remove: gone from containers(); removing it again, or any unknown name, is FERRY_ERR_UNKNOWN_CONTAINER', async () => {
      await c.port.remove(c.runnable.name);
      assert.deepEqual((await c.port.containers()).filter((x) => x.name === c.runnable.name), []);
      assert.equal(await codeOf(c.port.remove(c.runnable.name)), 'FERRY_ERR_UNKNOWN_CONTAINER');
      assert.equal(await codeOf(c.port.remove('np-no-such-container')), 'FERRY_ERR_UNKNOWN_CONTAINER');
    }],
    sleep: ['sleep: health and metrics say sleeping, engine routes are FERRY_ERR_NODE_ASLEEP, no sample is taken, sleeping again is a no-op', async () => {
      seqBeforeSleep = lastSeq(await c.port.metrics());
      await c.port.power('sleep');
      await c.port.power('sleep');
      assert.equal((await c.port.health()).power, 'sleeping');
      assert.equal((await c.port.metrics()).power, 'sleeping');
      assert.equal(await codeOf(c.port.containers()), 'FERRY_ERR_NODE_ASLEEP');
      assert.equal(await codeOf(c.port.run({ ...c.runnable, name: `${c.runnable.name}-2` })), 'FERRY_ERR_NODE_ASLEEP');
      assert.equal(await codeOf(c.port.migrate(c.runnable.name, c.other, 'stop-copy')), 'FERRY_ERR_NODE_ASLEEP');
      await c.pass(everyMs * 2.5);
      assert.ok(lastSeq(await c.port.metrics()) <= seqBeforeSleep, 'no sample while asleep');
    }],
    wake: ['wake: health and metrics say awake, containers() answers again, sampling resumes', async () => {
      await c.port.power('wake');
      await c.port.power('wake');
      assert.equal((await c.port.health()).power, 'awake');
      assert.equal((await c.port.metrics()).power, 'awake');
      assert.deepEqual(await c.port.containers(), []);
      await sampleUntil('a sample after the wake', (m) => lastSeq(m) > seqBeforeSleep);
    }],
    'fresh-after-wake': ['after a wake, metrics() holds no sample from before the sleep (the controller forgets them when it wakes a node)', async () => {
      const m = await c.port.metrics();
      assert.deepEqual(m.samples.filter((s) => s.seq <= seqBeforeSleep).map((s) => s.seq), [], 'samples taken before the sleep');
    }],
  };

  void describe(`NodePort conformance: ${title}`, () => {
    before(async () => { c = await suite.open(); }, { timeout: 600_000 });
    after(async () => { await suite.close?.(); }, { timeout: 600_000 });
    for (const id of NODE_PORT_CHECKS) {
      const [name, fn] = checks[id];
      it(name, { timeout: suite.timeoutMs ?? 60_000 }, fn);
    }
  });
}
