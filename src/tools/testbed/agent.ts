/** @module tools/testbed/agent — a host's ferry agent: start it in the host's namespace, ask its health, stop it. */
import { spawn } from 'node:child_process';
import { mkdir, open, readFile, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { join } from 'node:path';
import { repoRoot } from '../../core/paths.ts';
import { setTimeout as sleep } from 'node:timers/promises';
import { FerryError } from '../../core/errors.ts';
import { agentCommand, recognize, repoPaths } from './commands.ts';
import { logTail } from './logs.ts';
import { findProcesses, isAlive, readPidFile, signal, terminate, verifiedPid, waitGone } from './procs.ts';
import type { HostPlan, TestbedPlan } from './plan.ts';
import type { Credentials } from '../../adapters/http-api/client.ts';
import type { Cluster } from '../../apps/cli/cluster-file.ts';
import { testbedOperator } from './pki.ts';


/** The root of this repository checkout (the agent runs from it). */
export { repoRoot };

/** The agent log of a host. */
export function agentLog(host: HostPlan): string {
  return join(host.logDir, 'agent.log');
}

/** Reads the cluster token. */
export async function readToken(tokenFile: string): Promise<string> {
  return (await readFile(tokenFile, 'utf8')).trim();
}

/** What the test bed's own calls to its agents present: the token and, with TLS, the operator `testbed`'s certificate. */
export async function bedCredentials(bed: Pick<Cluster, 'tokenFile' | 'pki'>): Promise<Credentials> {
  return { token: await readToken(bed.tokenFile), tls: bed.pki ? testbedOperator(bed.pki.dir) : undefined };
}

/** Starts a host's agent detached (own process group, output to its log) and records its PID; returns the PID. */
export async function spawnAgent(plan: Pick<TestbedPlan, 'stateDir' | 'subnet' | 'tokenFile' | 'tls' | 'pkiDir'>, host: HostPlan, criuDir: string | null): Promise<number> {
  await mkdir(host.agentStateDir, { recursive: true, mode: 0o700 });
  await mkdir(host.logDir, { recursive: true });
  const cmd = agentCommand(plan, host, repoPaths(repoRoot()));
  const log = await open(agentLog(host), 'a');
  try {
    const path = process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin';
    const child = spawn(cmd.file, cmd.args, {
      detached: true,
      stdio: ['ignore', log.fd, log.fd],
      cwd: repoRoot(),
      env: { ...process.env, PATH: criuDir ? `${criuDir}:${path}` : path },
    });
    const pid = await new Promise<number>((ok, fail) => {
      child.once('spawn', () => ok(child.pid ?? -1));
      child.once('error', (err) => fail(new FerryError('FERRY_ERR_TESTBED', `cannot start the agent of ${host.name}: ${err.message}`)));
    });
    child.unref();
    await writeFile(host.agentPidFile, `${pid}\n`);
    return pid;
  } finally {
    await log.close();
  }
}

/** What `GET /v1/health` answered. */
export interface Health {
  ok: boolean;
  status: number | null;
  error?: string;
}

/** Asks an agent's `GET /v1/health` with the test bed's credentials. */
export function agentHealth(controlUrl: string, credentials: Credentials, timeoutMs = 2_000): Promise<Health> {
  return new Promise((done) => {
    const tls = controlUrl.startsWith('https:') ? credentials.tls?.clientOptions() ?? {} : undefined;
    const headers = credentials.token ? { authorization: `Bearer ${credentials.token}` } : {};
    const req = (tls ? httpsRequest : request)(`${controlUrl}/v1/health`, { method: 'GET', timeout: timeoutMs, headers, ...tls }, (res) => {
      res.resume();
      res.on('end', () => done({ ok: res.statusCode === 200, status: res.statusCode ?? null }));
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', (err) => done({ ok: false, status: null, error: err.message }));
    req.end();
  });
}

/** Waits until a host's agent answers health 200; throws with its log tail if it exits or stays silent. */
export async function waitAgent(host: HostPlan, pid: number, credentials: Credentials, timeoutMs = 30_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  let last: Health = { ok: false, status: null };
  while (Date.now() < end) {
    last = await agentHealth(host.controlUrl, credentials, 1_000);
    if (last.ok) return;
    if (!(await isAlive(pid))) {
      throw new FerryError('FERRY_ERR_TESTBED',
        `the agent of ${host.name} (pid ${pid}) exited before ${host.controlUrl}/v1/health answered; log ${agentLog(host)}: ${await logTail(agentLog(host))}` +
        ' (if `ferry agent` does not exist yet in this checkout, start the test bed with --no-agents)');
    }
    await sleep(200);
  }
  throw new FerryError('FERRY_ERR_TESTBED',
    `the agent of ${host.name} (pid ${pid}) did not answer ${host.controlUrl}/v1/health with 200 within ${timeoutMs} ms (last: ${last.status ?? last.error}); log ${agentLog(host)}: ${await logTail(agentLog(host))}`);
}

/** The live agent PIDs of a host: the recorded one (verified by its arguments) and any found by exact arguments. */
export async function agentPids(host: HostPlan, knownPid?: number | null): Promise<number[]> {
  const isAgent = (argv: readonly string[]): boolean => recognize.agent(host, argv);
  const pids = new Set(await findProcesses(isAgent));
  for (const p of [knownPid, await readPidFile(host.agentPidFile)]) {
    const v = await verifiedPid(p, isAgent);
    if (v) pids.add(v);
  }
  return [...pids];
}

/** Stops a host's agent(s): SIGTERM then SIGKILL after `graceMs` (or SIGKILL at once); returns what was stopped. */
export async function killAgent(host: HostPlan, knownPid: number | null, options: { graceMs?: number; signal?: 'SIGTERM' | 'SIGKILL' } = {}): Promise<string[]> {
  const done: string[] = [];
  for (const pid of await agentPids(host, knownPid)) {
    if (options.signal === 'SIGKILL') {
      signal(pid, 'SIGKILL');
      await waitGone(pid, 10_000);
      done.push(`agent ${pid} of ${host.name} (killed)`);
    } else {
      done.push(`agent ${pid} of ${host.name} (${await terminate(pid, options.graceMs ?? 10_000)})`);
    }
  }
  await rm(host.agentPidFile, { force: true });
  return done;
}
