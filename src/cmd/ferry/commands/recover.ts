/**
 * @module cmd/ferry/commands/recover — `ferry recover`: rebuilds a protected container on
 * another host from its latest stored point (or --point N), when its host is gone. It says
 * which point it used, when that was taken and that the progress after it is lost.
 */
import type { Command } from 'commander';
import { FerryError } from '../../../core/errors.ts';
import { agentClient, readCluster } from '../../../apps/cli/cluster.ts';
import { formatRecovery } from '../../../services/protect/format.ts';
import type { RecoveryReport } from '../../../services/protect/recovery.ts';

/** Fetching a large point and loading its image can take minutes. */
const RECOVER_TIMEOUT_MS = 30 * 60_000;

/** The `--point` flag as a sequence number. */
export function pointFlag(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v) || Number(v) < 1) throw new FerryError('FERRY_ERR_INVALID_INPUT', `--point must be a point's sequence number (1 or more), got "${v}"; \`ferry protect CONTAINER --host HOST --list\` lists them`);
  return Number(v);
}

/** Recovers a container on host `to`; returns the agent's report. */
export async function recover(container: string, o: { to: string; point?: number; cluster?: string }): Promise<RecoveryReport> {
  const agent = agentClient(readCluster(o.cluster), o.to, RECOVER_TIMEOUT_MS);
  return agent.call<RecoveryReport>('POST', '/v1/recoveries', { container, ...(o.point ? { sequence: o.point } : {}) });
}

/** Adds `ferry recover`. */
export function registerRecover(program: Command): void {
  program
    .command('recover')
    .description('Rebuild a protected container on another host from its latest complete stored point (its host is gone)')
    .argument('<container>', 'the protected container\'s name')
    .requiredOption('--to <host>', 'the host to rebuild it on')
    .option('--point <n>', 'a stored point\'s sequence number instead of the latest')
    .option('--cluster <file>', 'cluster file (default: the test bed\'s)')
    .option('--json', 'print the report as JSON')
    .action(async (container: string, o: { to: string; point?: string; cluster?: string; json?: boolean }) => {
      const point = pointFlag(o.point);
      const report = await recover(container, { to: o.to, ...(point ? { point } : {}), ...(o.cluster ? { cluster: o.cluster } : {}) });
      process.stdout.write(o.json ? `${JSON.stringify({ ...report, host: o.to }, null, 2)}\n` : `${formatRecovery(o.to, report)}\n`);
    });
}
