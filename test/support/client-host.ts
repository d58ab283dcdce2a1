/**
 * @module test/support/client-host — runs the clients of src/tools/workloads/clients/ on the test
 * bed's client host (its own network namespace, no dockerd), as separate processes, and reads
 * their logs when they stop.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { readJsonLines } from '../../src/tools/workloads/clients/json-log.ts';
import { clientArgv, type ClientName } from '../../src/tools/workloads/clients/launch.ts';
import type { Cluster } from '../../src/tools/testbed/index.ts';


/** Every client still running, killed when the test file's process exits (a failed test never stops its clients). */
const running = new Set<ChildProcess>();
process.on('exit', () => { for (const c of running) c.kill('SIGKILL'); });
/** A client running on the client host. */
export interface HostedClient {
  /** Its log file (JSON lines). */
  log: string;
  /** Stops it (SIGTERM: it writes its summary) and returns its log's text. */
  stop(): Promise<string>;
}

/** The client host's network namespace, from cluster.json. */
export function clientNetns(cluster: Cluster): string {
  if (!cluster.client) throw new Error('this test bed has no client host (cluster.json without "client")');
  return cluster.client.netns;
}

/** Starts client `script` (src/tools/workloads/clients/launch.ts) against `host` in the client host's namespace, its own options as `--name value`; waits until its log shows it connected. */
export async function startClient(cluster: Cluster, script: ClientName, host: string, options: Readonly<Record<string, string | number>>, log: string): Promise<HostedClient> {
  const [cmd, ...argv] = clientArgv(script, { netns: clientNetns(cluster), host, log, options });
  const child: ChildProcess = spawn(cmd as string, argv, { stdio: ['ignore', 'ignore', 'pipe'] });
  running.add(child);
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => { stderr += d.toString(); });
  // A client does not keep the test file's process alive: the exit handler above ends it.
  child.unref();
  (child.stderr as { unref?: () => void } | null)?.unref?.();
  const exited = once(child, 'exit').then(() => running.delete(child));
  const until = Date.now() + 15_000;
  for (;;) {
    const lines = readJsonLines(await readFile(log, 'utf8').catch(() => ''));
    if (lines.some((l) => l.ev === 'connect' || l.ev === 'ack' || l.ev === 'second')) break;
    if (child.exitCode !== null || Date.now() > until) {
      child.kill('SIGKILL');
      throw new Error(`client ${script} did not connect within 15 s (exit ${String(child.exitCode)}): ${stderr}${lines.slice(-3).map((l) => JSON.stringify(l)).join(' ')}`);
    }
    await sleep(100);
  }
  return {
    log,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await Promise.race([exited, sleep(10_000).then(() => child.kill('SIGKILL'))]);
      return readFile(log, 'utf8');
    },
  };
}
