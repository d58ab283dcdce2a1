/**
 * @module tools/workloads/clients/client-run — the life of a client program: parse its command line,
 * open its log with a `start` line, run it until `--duration-ms` passes or SIGTERM/SIGINT
 * arrives, then stop it, write its `summary` line, flush and exit 0. A bad command line exits
 * 2 with the message; a client that fails still writes its summary and exits 1.
 */
import { asFerryError } from '../../../core/errors.ts';
import type { CommonArgs } from './args.ts';
import { JsonLog } from './json-log.ts';

/** A started client: stop it, then ask for its summary. */
export interface RunningClient {
  /** Stops sending; must not wait for answers still outstanding. */
  stop(): void;
  /** The summary line's fields (without `ev` and `at`). */
  summary(): Record<string, unknown>;
}

/** Runs the client `name`: `parse` reads argv, `start` begins the work and reports fatal errors through `fail`. */
export async function runClient<A extends CommonArgs>(
  name: string,
  parse: (argv: readonly string[]) => A,
  start: (args: A, log: JsonLog, fail: (err: unknown) => void) => RunningClient | Promise<RunningClient>,
): Promise<void> {
  let args: A;
  try {
    args = parse(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`${name}: ${asFerryError(err).message}\n`);
    process.exit(2);
  }
  const log = new JsonLog(args.log);
  log.write('start', { client: name, pid: process.pid, ...(args as CommonArgs) });
  let client: RunningClient | undefined;
  let done = false;
  const finish = (code: number, err?: unknown): void => {
    if (done) return;
    done = true;
    if (err !== undefined) log.write('fatal', { message: asFerryError(err).message });
    client?.stop();
    log.write('summary', { client: name, ...(client?.summary() ?? {}) });
    log.close();
    process.exit(code);
  };
  process.on('SIGTERM', () => finish(0));
  process.on('SIGINT', () => finish(0));
  try {
    client = await start(args, log, (err) => finish(1, err));
  } catch (err) {
    finish(1, err);
    return;
  }
  if (args.durationMs > 0) setTimeout(() => finish(0), args.durationMs);
}
