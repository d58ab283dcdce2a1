/** @module cmd/ferry/commands/migrate — `ferry migrate`: moves a running container to another host. */
import type { Command } from 'commander';
import { ERRORS, FerryError, isErrorCode } from '../../../core/errors.ts';
import { ProgressView } from '../../../apps/cli/progress.ts';
import { migrate, type MigrateCliOptions } from '../../../apps/cli/migrate-client.ts';
import { formatReport, type MigrationReport } from '../../../domain/migration/report.ts';
import type { MigrateRequest } from '../../../domain/migration/protocol.ts';

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
    .option('--strategy <name>', 'precopy (rounds while it runs, then a short freeze; the default, as for the controller), stop-copy (freeze, then copy everything), prestore (rounds into the object store, the destination fetches from it) or postcopy (resume on the destination first, pages pulled from the frozen source afterwards; the container is lost if the source dies in that window)', 'precopy')
    .option('--defer-window <k>', 'precopy: rounds of page history kept (migration.precopy.deferWindow)')
    .option('--defer-threshold <t>', 'precopy: defer pages changed in at least T of the last k rounds; 0 = no deferral')
    .option('--downtime-budget <ms>', 'precopy: stop the rounds once the final round is predicted to fit this')
    .option('--max-rounds <n>', 'precopy: at most this many rounds')
    .option('--prestore-window <k>', 'prestore: rounds of change history (migration.prestore.window)')
    .option('--prestore-threshold <t>', 'prestore: pages changed in at least T of the last k rounds are flowing and wait for the stop; 0 = upload every change')
    .option('--cluster <file>', 'cluster file (default: the test bed\'s)')
    .option('--allow-bind', 'accept host bind mounts (only for storage both hosts share)')
    .option('--drop-connections', 'move a container whose TCP connections cannot keep their clients (it is off the cluster network, or they come through a port published with -p): every connection is closed and its clients must reconnect; without it such a container is refused')
    .option('--skip-capacity-check', 'do not check memory and disk on the destination first')
    .option('--json', 'print the report as JSON')
    .action(async (container: string, o: Omit<MigrateCliOptions, 'precopy' | 'prestore'> & PrecopyFlags & PrestoreFlags & { json?: boolean }) => {
      if (!STRATEGIES.includes(o.strategy)) throw new FerryError('FERRY_ERR_INVALID_INPUT', `strategy "${String(o.strategy)}" is not available; use --strategy ${STRATEGIES.join(', ')}`);
      const view = o.json ? undefined : new ProgressView(process.stderr);
      const precopy = precopyOverrides(o);
      const prestore = prestoreOverrides(o);
      const report = await migrate(container, { ...o, ...(precopy ? { precopy } : {}), ...(prestore ? { prestore } : {}) }, view).finally(() => view?.close());
      process.stdout.write(o.json ? `${JSON.stringify(report, null, 2)}\n` : `${formatReport(report)}\n`);
      process.exitCode = reportExitCode(report);
    });
}

/** The strategies the CLI accepts. */
const STRATEGIES: readonly MigrateRequest['strategy'][] = ['stop-copy', 'precopy', 'prestore', 'postcopy'];

/** The pre-storage flags as commander hands them over (strings). */
interface PrestoreFlags {
  prestoreWindow?: string;
  prestoreThreshold?: string;
}

/** Turns the pre-storage flags into overrides. */
export function prestoreOverrides(f: PrestoreFlags): MigrateCliOptions['prestore'] {
  const out = { window: wholeNumber('prestore-window', f.prestoreWindow), threshold: wholeNumber('prestore-threshold', f.prestoreThreshold) };
  const set = Object.fromEntries(Object.entries(out).filter(([, v]) => v !== undefined));
  return Object.keys(set).length ? set : undefined;
}

/** A flag's whole number, or undefined when not given; anything else is refused. */
function wholeNumber(flag: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v)) throw new FerryError('FERRY_ERR_INVALID_INPUT', `--${flag} must be a whole number, got "${v}"`);
  return Number(v);
}

/** The pre-copy flags as commander hands them over (strings). */
interface PrecopyFlags {
  deferWindow?: string;
  deferThreshold?: string;
  downtimeBudget?: string;
  maxRounds?: string;
}

/** Turns the pre-copy flags into overrides; a flag that is not a whole number is refused. */
export function precopyOverrides(f: PrecopyFlags): MigrateCliOptions['precopy'] {
  const num = wholeNumber;
  const out = {
    deferWindow: num('defer-window', f.deferWindow),
    deferThreshold: num('defer-threshold', f.deferThreshold),
    downtimeBudgetMs: num('downtime-budget', f.downtimeBudget),
    maxRounds: num('max-rounds', f.maxRounds),
  };
  const set = Object.fromEntries(Object.entries(out).filter(([, v]) => v !== undefined));
  return Object.keys(set).length ? set : undefined;
}
