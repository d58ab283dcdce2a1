/**
 * @module cmd/ferry/commands/protect — `ferry protect`: keeps an up-to-date consistent state
 * of a container in the object store (a point every --every, the last --keep kept), takes
 * one point now (--once), stops (--stop), or lists protections and stored points (--list).
 */
import type { Command } from 'commander';
import { FerryError } from '../../../core/errors.ts';
import { agentClient, readCluster } from '../../../apps/cli/cluster.ts';
import type { ControlClient } from '../../../adapters/http-api/client.ts';
import { parseDuration } from '../../../services/protect/duration.ts';
import { formatPoint, formatProtections, formatStoredPoints } from '../../../services/protect/format.ts';
import type { StoredPoint } from '../../../services/protect/point-reader.ts';
import type { PointReport } from '../../../services/protect/protection-point.ts';
import type { ProtectionStatus } from '../../../services/protect/protection-service.ts';

/** The flags of `ferry protect`, as commander hands them over. */
interface ProtectFlags {
  host: string;
  every?: string;
  keep?: string;
  once?: boolean;
  stop?: boolean;
  list?: boolean;
  json?: boolean;
  cluster?: string;
}

/** A point can take minutes for a large container (the first one uploads everything). */
const POINT_TIMEOUT_MS = 30 * 60_000;

/** What to do, from the flags; contradictory flags are refused. */
export function protectAction(container: string | undefined, f: ProtectFlags): 'list' | 'points' | 'stop' | 'once' | 'start' {
  const modes = [f.list, f.stop, f.once].filter(Boolean).length;
  if (modes > 1) throw new FerryError('FERRY_ERR_INVALID_INPUT', 'use one of --list, --stop and --once at a time');
  if (f.list) return container ? 'points' : 'list';
  if (!container) throw new FerryError('FERRY_ERR_INVALID_INPUT', 'name the container to protect (or pass --list)');
  if ((f.stop || f.once) && (f.every !== undefined || f.keep !== undefined)) throw new FerryError('FERRY_ERR_INVALID_INPUT', '--every and --keep go with starting a protection, not with --stop or --once');
  return f.stop ? 'stop' : f.once ? 'once' : 'start';
}

/** The `--keep` flag as a number. */
export function keepFlag(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v) || Number(v) < 1) throw new FerryError('FERRY_ERR_INVALID_INPUT', `--keep must be a whole number of at least 1, got "${v}"`);
  return Number(v);
}

async function runProtect(agent: ControlClient, container: string | undefined, f: ProtectFlags): Promise<string> {
  const name = encodeURIComponent(container ?? '');
  const show = (value: unknown, text: () => string): string => (f.json ? JSON.stringify(value, null, 2) : text());
  switch (protectAction(container, f)) {
    case 'list': {
      const list = await agent.call<ProtectionStatus[]>('GET', '/v1/protections');
      return show(list, () => formatProtections(f.host, list));
    }
    case 'points': {
      const points = await agent.call<StoredPoint[]>('GET', `/v1/points/${name}`);
      return show(points, () => formatStoredPoints(container ?? '', f.host, points));
    }
    case 'stop': {
      const status = await agent.call<ProtectionStatus>('DELETE', `/v1/protections/${name}`);
      return show(status, () => `stopped protecting ${container} on ${f.host}; its stored points stay (ferry protect ${container} --host ${f.host} --list)`);
    }
    case 'once': {
      const point = await agent.call<PointReport>('POST', `/v1/protections/${name}/points`, {}, POINT_TIMEOUT_MS);
      return show(point, () => formatPoint(point));
    }
    case 'start': {
      const everyMs = f.every === undefined ? undefined : parseDuration(f.every, '--every');
      const status = await agent.call<ProtectionStatus>('POST', '/v1/protections', { container, ...(everyMs ? { everyMs } : {}), ...(f.keep ? { keep: keepFlag(f.keep) } : {}) });
      return show(status, () => `protecting ${container} on ${f.host}: ${formatProtections(f.host, [status])}\nthe first point is being taken now; \`ferry protect --host ${f.host} --list\` shows progress`);
    }
  }
}

/** Adds `ferry protect`. */
export function registerProtect(program: Command): void {
  program
    .command('protect')
    .description('Keep a consistent state of a running container in the object store, so it can be recovered on another host')
    .argument('[container]', 'container name on the host')
    .requiredOption('--host <host>', 'the host the container runs on')
    .option('--every <duration>', 'interval between points: 500ms, 30s, 2m (protect.everyMs, default 30s)')
    .option('--keep <n>', 'complete points kept in the store (protect.keep, default 3)')
    .option('--once', 'take one point now and print it')
    .option('--stop', 'stop protecting the container (its stored points stay)')
    .option('--list', 'list the host\'s protections, or with a container its stored points')
    .option('--cluster <file>', 'cluster file (default: the test bed\'s)')
    .option('--json', 'print JSON')
    .action(async (container: string | undefined, f: ProtectFlags) => {
      protectAction(container, f);
      const agent = agentClient(readCluster(f.cluster), f.host);
      process.stdout.write(`${await runProtect(agent, container, f)}\n`);
    });
}
