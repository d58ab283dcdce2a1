/**
 * @module adapters/host/lazy-guard — the process that runs CRIU's lazy-pages daemon and makes sure a
 * resumed container never reads a page the daemon did not fill. When the daemon goes, its
 * userfaultfd closes and the kernel hands out zero pages from then on, so the guard kills
 * the container (its init pid, GUARD_PID in the work directory, written once it runs)
 * *before* that can happen:
 * - with a page server (adapters/host/page-server.ts) the daemon talks to it through this process:
 *   if the page server's side ends before the daemon said goodbye (PS_IOV_CLOSE) — the agent
 *   died, or it failed a page — the container is killed first and the daemon's connection
 *   closed after;
 * - when the daemon itself exits non-zero, the container is killed too (a second line).
 * It runs detached from the agent, in a process group of its own with the daemon, and exits
 * with the daemon's exit code. Started by adapters/host/lazy-pages.ts as `node lazy-guard.ts JSON`.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { rootOwned } from './page-server.ts';
import { PS_IOV_CLOSE, PS_IOV_FORCE_CLOSE } from './page-server-protocol.ts';

/** The file in the daemon's work directory that names the resumed container's init pid. */
export const GUARD_PID = 'guard.pid';

/** What the guard is started with. */
export interface GuardArgs {
  criu: string;
  /** The daemon's arguments, without the page-server ones. */
  daemonArgs: string[];
  workDir: string;
  /** The agent's page server, when the daemon asks one for the pages. */
  upstreamPort?: number;
  /** Request header bytes of this CRIU (24 or 32). */
  layout?: number;
}

/** True when a stream of daemon requests holds its goodbye; `rest` is an unfinished request's bytes (pure). */
export function sawGoodbye(requests: Buffer, layout: number): { goodbye: boolean; rest: Buffer } {
  let goodbye = false;
  let at = 0;
  for (; at + layout <= requests.length; at += layout) {
    const cmd = requests.readUInt32LE(at) & 0xffff;
    if (cmd === PS_IOV_CLOSE || cmd === PS_IOV_FORCE_CLOSE) goodbye = true;
  }
  return { goodbye, rest: requests.subarray(at) };
}

/** Kills the resumed container, if it runs yet. */
function killCopy(workDir: string): void {
  try {
    const pid = Number(readFileSync(path.join(workDir, GUARD_PID), 'utf8'));
    if (Number.isInteger(pid) && pid > 1) process.kill(pid, 'SIGKILL');
  } catch {
    // not resumed yet (CRIU's failed restore kills its own tasks), or already gone
  }
}

/** Relays one daemon connection to the page server; a page server that ends first kills the copy, then the connection. */
async function relay(args: GuardArgs & { upstreamPort: number }): Promise<number> {
  let taken = false;
  const server = net.createServer((daemon) => {
    daemon.on('error', () => undefined);
    void rootOwned(daemon.remotePort ?? 0, (server.address() as net.AddressInfo).port).then((ok) => {
      if (!ok || taken) return void daemon.destroy();
      taken = true;
      server.close();
      const up = net.connect(args.upstreamPort, '127.0.0.1');
      up.setNoDelay(true);
      daemon.setNoDelay(true);
      let pending: Buffer = Buffer.alloc(0);
      let goodbye = false;
      daemon.on('data', (d: Buffer) => {
        const seen = sawGoodbye(pending.length ? Buffer.concat([pending, d]) : d, args.layout ?? 32);
        goodbye ||= seen.goodbye;
        pending = Buffer.from(seen.rest);
        up.write(d);
      });
      up.on('data', (d: Buffer) => daemon.write(d));
      up.on('error', () => undefined);
      up.on('close', () => {
        if (goodbye) return void daemon.end();
        killCopy(args.workDir);
        daemon.destroy();
      });
      daemon.on('close', () => up.destroy());
    });
  });
  await new Promise<void>((resolve) => server.listen({ host: '127.0.0.1', port: 0 }, resolve));
  return (server.address() as net.AddressInfo).port;
}

/** Runs the daemon under the guard; exits with its code. */
async function main(): Promise<void> {
  const args = JSON.parse(process.argv[2] ?? '{}') as GuardArgs;
  const port = args.upstreamPort ? await relay({ ...args, upstreamPort: args.upstreamPort }) : undefined;
  const remote = port ? ['--page-server', '--address', '127.0.0.1', '--port', String(port)] : [];
  const daemon = spawn(args.criu, [...args.daemonArgs, ...remote], { stdio: 'ignore', cwd: args.workDir });
  daemon.on('error', () => process.exit(127));
  daemon.on('exit', (code, signal) => {
    const rc = code ?? 128 + (signal === 'SIGKILL' ? 9 : 15);
    if (rc !== 0) killCopy(args.workDir);
    process.exit(rc);
  });
}

if (process.argv[1] && import.meta.filename === path.resolve(process.argv[1])) void main();
