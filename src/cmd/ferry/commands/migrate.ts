/** @module cmd/ferry/commands/migrate — `ferry migrate`: moves a running container to another host. */
import type { Command } from 'commander';
import { ERRORS, FerryError, isErrorCode } from '../../../core/errors.ts';
import { readCluster, clusterHost, agentClient } from '../../../cli/cluster.ts';
import { ProgressView, type MigrationObserver } from '../../../cli/progress.ts';
import type { MigrationEvent } from '../../../migration/source.ts';
import { formatReport, type MigrationReport } from '../../../migration/report.ts';
import type { MigrateRequest } from '../../../migration/protocol.ts';

/** Options of one migration as the CLI takes them. */
export interface MigrateCliOptions {
  from: string;
  to: string;
  strategy: 'stop-copy';
  cluster?: string;
  allowBind?: boolean;
  skipCapacityCheck?: boolean;
  faults?: MigrateRequest['options'] extends infer O ? (O extends { faults?: infer F } ? F : never) : never;
}

/** Runs a migration through the source agent and returns its report (progress to `view`). */
export async function migrate(container: string, o: MigrateCliOptions, view?: MigrationObserver, onStart?: (id: string) => void): Promise<MigrationReport> {
  const cluster = readCluster(o.cluster);
  const to = clusterHost(cluster, o.to);
  clusterHost(cluster, o.from);
  if (o.from === o.to) throw new FerryError('FERRY_ERR_SAME_HOST', `source and destination are both ${o.from}`);
  const source = agentClient(cluster, o.from);
  const request: MigrateRequest = {
    container,
    strategy: o.strategy,
    destination: { name: to.name, controlUrl: to.controlUrl, dataHost: to.ip },
    options: { ...(o.allowBind ? { allowBind: true } : {}), ...(o.skipCapacityCheck ? { skipCapacityCheck: true } : {}), ...(o.faults ? { faults: o.faults } : {}) },
  };
  const { id } = await source.call<{ id: string }>('POST', '/v1/migrations', request);
  onStart?.(id);
  try {
    for await (const ev of source.stream<MigrationEvent>(`/v1/migrations/${id}/events`)) {
      view?.show(ev);
      if (ev.type === 'end') return ev.report;
    }
  } catch (err) {
    // undici reports a connection that died mid-body as a TypeError ("terminated"); anything else is a real error.
    if (!(err instanceof TypeError && /terminated|fetch failed|socket|network/i.test(err.message))) throw err;
  }
  throw new FerryError('FERRY_ERR_AGENT_UNREACHABLE', `lost the source agent ${o.from} during migration ${id}; the agent resolves it when it runs again (the container keeps exactly one copy)`);
}

/** Exit code for a report: 0 when migrated, else the cause's code. */
export function reportExitCode(report: MigrationReport): number {
  if (report.outcome === 'migrated') return 0;
  if (report.outcome === 'in-doubt') return ERRORS.FERRY_ERR_IN_DOUBT.exit;
  const code = report.error?.code;
  return isErrorCode(code) ? ERRORS[code].exit : 1;
}

/** Adds `ferry migrate`. */
export function registerMigrate(program: Command): void {
  program
    .command('migrate')
    .description('Live-migrate a running container from one host to another')
    .argument('<container>', 'container name or id on the source host')
    .requiredOption('--from <host>', 'source host')
    .requiredOption('--to <host>', 'destination host')
    .option('--strategy <name>', 'stop-copy', 'stop-copy')
    .option('--cluster <file>', 'cluster file (default: the test bed\'s)')
    .option('--allow-bind', 'accept host bind mounts (only for storage both hosts share)')
    .option('--skip-capacity-check', 'do not check memory and disk on the destination first')
    .option('--json', 'print the report as JSON')
    .action(async (container: string, o: MigrateCliOptions & { json?: boolean }) => {
      if (o.strategy !== 'stop-copy') throw new FerryError('FERRY_ERR_INVALID_INPUT', `strategy "${String(o.strategy)}" is not available yet; use --strategy stop-copy`);
      const view = o.json ? undefined : new ProgressView(process.stderr);
      const report = await migrate(container, o, view);
      process.stdout.write(o.json ? `${JSON.stringify(report, null, 2)}\n` : `${formatReport(report)}\n`);
      process.exitCode = reportExitCode(report);
    });
}
