/**
 * @module test/support/controller — runs `ferry controller` as its own process (so a test can
 * kill it by PID and start it again on the same database) and waits for events through the
 * controller's API.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { openSync, closeSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ControlClient } from '../../src/control/client.ts';
import type { EventRow } from '../../src/controller/state-store.ts';
import { repoRoot } from '../../src/testbed/index.ts';

/** A controller process of a test. */
export interface ControllerProcess {
  child: ChildProcess;
  client: ControlClient;
  url: string;
}

/** Starts `ferry controller` on a cluster file; resolves once its API answers. */
export async function startControllerProcess(o: { clusterFile: string; stateDir: string; port: number; token: string; env: Record<string, string>; logFile: string }): Promise<ControllerProcess> {
  const root = repoRoot();
  const fd = openSync(o.logFile, 'a');
  const child = spawn(path.join(root, 'node_modules/node/bin/node'), ['--disable-warning=ExperimentalWarning', path.join(root, 'src/cmd/ferry/main.ts'), 'controller',
    '--cluster', o.clusterFile, '--state-dir', o.stateDir, '--port', String(o.port)], { stdio: ['ignore', fd, fd], env: { ...process.env, ...o.env } });
  closeSync(fd);
  const url = `http://127.0.0.1:${o.port}`;
  const client = new ControlClient(url, o.token, 30_000);
  const until = Date.now() + 60_000;
  for (;;) {
    try {
      await client.call('GET', '/v1/health');
      return { child, client, url };
    } catch (err) {
      if (child.exitCode !== null || Date.now() > until) throw new Error(`the controller did not start (exit ${child.exitCode}): ${(err as Error).message}; see ${o.logFile}`);
      await sleep(300);
    }
  }
}

/** Kills a controller process by its PID and waits until it is gone. */
export async function killController(p: ControllerProcess, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
  if (p.child.exitCode !== null || p.child.signalCode !== null) return;
  const gone = new Promise((resolve) => p.child.once('exit', resolve));
  p.child.kill(signal);
  await gone;
}

/** Waits until an event matching `match` is recorded; returns it. */
export async function waitEvent(client: ControlClient, match: (e: EventRow) => boolean, timeoutMs: number, what: string): Promise<EventRow> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const found = (await client.call<EventRow[]>('GET', '/v1/events?after=0')).find(match);
    if (found) return found;
    if (Date.now() > until) {
      const tail = (await client.call<EventRow[]>('GET', '/v1/events?after=0')).slice(-15).map((e) => `${e.kind} ${e.subject} ${e.reason}: ${e.detail}`).join('\n  ');
      throw new Error(`no event "${what}" within ${timeoutMs} ms; last events:\n  ${tail}`);
    }
    await sleep(250);
  }
}
