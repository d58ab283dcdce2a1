/**
 * @module apps/controller/process — runs `ferry controller` as a process of its own (so a test or a
 * benchmark can stop it by PID and start it again on the same database) and waits until its
 * API answers.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ControlClient, type Credentials } from '../../adapters/http-api/client.ts';
import { repoRoot } from '../../core/paths.ts';

/** A controller process. */
export interface ControllerProcess {
  child: ChildProcess;
  client: ControlClient;
  url: string;
}

/** How to start one. */
export interface ControllerProcessOptions {
  clusterFile: string;
  stateDir: string;
  port: number;
  /** What the client of the started controller presents (an operator's certificate makes the URL https://). */
  credentials: Credentials;
  env: Readonly<Record<string, string>>;
  logFile: string;
  policy?: string;
}

/** Starts `ferry controller` on a cluster file; resolves once its API answers (60 s at most). */
export async function startControllerProcess(o: ControllerProcessOptions): Promise<ControllerProcess> {
  const root = repoRoot();
  const fd = openSync(o.logFile, 'a');
  const args = ['--disable-warning=ExperimentalWarning', path.join(root, 'src/cmd/ferry/main.ts'), 'controller',
    '--cluster', o.clusterFile, '--state-dir', o.stateDir, '--port', String(o.port), ...(o.policy ? ['--policy', o.policy] : [])];
  const child = spawn(path.join(root, 'node_modules/node/bin/node'), args, { stdio: ['ignore', fd, fd], env: { ...process.env, ...o.env } });
  closeSync(fd);
  const url = `${o.credentials.tls ? 'https' : 'http'}://127.0.0.1:${o.port}`;
  const client = new ControlClient(url, o.credentials, 300_000, 'controller');
  const until = Date.now() + 60_000;
  for (;;) {
    try {
      await client.call('GET', '/v1/health', undefined, 2_000);
      return { child, client, url };
    } catch (err) {
      if (child.exitCode !== null || Date.now() > until) throw new Error(`the controller did not start (exit ${child.exitCode}): ${(err as Error).message}; see ${o.logFile}`);
      await sleep(300);
    }
  }
}

/** Stops a controller process by its PID (SIGKILL after 10 s of SIGTERM) and waits until it is gone. */
export async function stopControllerProcess(p: ControllerProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (p.child.exitCode !== null || p.child.signalCode !== null) return;
  const gone = new Promise((resolve) => p.child.once('exit', resolve));
  p.child.kill(signal);
  await Promise.race([gone, sleep(10_000).then(() => p.child.kill('SIGKILL'))]);
  await gone;
}
