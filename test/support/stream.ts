/**
 * @module test/support/stream — the stream workload in integration tests: start one on a
 * host's engine and wait for its heartbeat, read the heartbeat, and ask it to recompute its
 * memory checksum (SIGUSR1) and return the verdict line.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { DockerEngine } from '../../src/adapters/docker/engine.ts';
import { parseBeats, type Beat } from '../../src/tools/workloads/heartbeat.ts';
import { workloadSpec } from '../../src/tools/workloads/catalog.ts';

const STREAM = workloadSpec('stream');

/** The writable layer of a container. */
export async function upperOf(engine: DockerEngine, name: string): Promise<string> {
  return (await engine.inspectContainer(name)).GraphDriver.Data['UpperDir'] ?? '';
}

/** The heartbeat a stream container wrote so far. */
export async function streamBeats(engine: DockerEngine, name: string): Promise<Beat[]> {
  return parseBeats(await readFile(path.join(await upperOf(engine, name), STREAM.heartbeatPath), 'utf8').catch(() => ''));
}

/** Starts a stream container holding `mib` MiB, dirtying `rate` MB/s (a volume at /vol if named), and waits until it beats. */
export async function startStream(engine: DockerEngine, name: string, mib: number, rate: number, volume?: string): Promise<string> {
  await engine.removeContainer(name);
  const id = await engine.createContainer(name, {
    Image: STREAM.image,
    Env: [...STREAM.env, `STREAM_MIB=${mib}`, `DIRTY_MBPS=${rate}`],
    HostConfig: { ...(volume ? { Mounts: [{ Type: 'volume', Source: volume, Target: '/vol' }] } : {}) },
  });
  await engine.startContainer(id);
  const until = Date.now() + 60_000;
  while ((await streamBeats(engine, name)).length < 10) {
    if (Date.now() > until) assert.fail(`${name} did not start beating`);
    await sleep(250);
  }
  return id;
}

/** Asks the stream to recompute its checksum from memory; returns its verdict line. */
export async function verifyMemory(engine: DockerEngine, name: string): Promise<string> {
  const file = path.join(await upperOf(engine, name), 'data', 'verify.log');
  const count = (await readFile(file, 'utf8').catch(() => '')).trim().split('\n').filter(Boolean).length;
  await engine.signalContainer(name, 'SIGUSR1');
  const until = Date.now() + 20_000;
  for (;;) {
    const lines = (await readFile(file, 'utf8').catch(() => '')).trim().split('\n').filter(Boolean);
    if (lines.length > count) return lines.at(-1) as string;
    if (Date.now() > until) assert.fail(`${name} wrote no verify line`);
    await sleep(200);
  }
}
