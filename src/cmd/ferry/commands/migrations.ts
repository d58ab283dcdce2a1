/** @module cmd/ferry/commands/migrations — `ferry migrations`: the migration records of a source host. */
import type { Command } from 'commander';
import { readCluster, agentClient } from '../../../apps/cli/cluster.ts';
import { formatReport, type MigrationReport } from '../../../domain/migration/report.ts';

/** Adds `ferry migrations`. */
export function registerMigrations(program: Command): void {
  program
    .command('migrations')
    .description('List the migrations a source host recorded, or show one with its report')
    .argument('[id]', 'a migration id')
    .requiredOption('--host <host>', 'the source host')
    .option('--cluster <file>', 'cluster file (default: the test bed\'s)')
    .option('--json', 'print JSON')
    .action(async (id: string | undefined, o: { host: string; cluster?: string; json?: boolean }) => {
      const agent = agentClient(readCluster(o.cluster), o.host);
      if (id) {
        const rec = await agent.call<{ phase: string; report: MigrationReport }>('GET', `/v1/migrations/${encodeURIComponent(id)}`);
        process.stdout.write(o.json ? `${JSON.stringify(rec, null, 2)}\n` : `phase: ${rec.phase}\n${formatReport(rec.report)}\n`);
        return;
      }
      const list = await agent.call<Array<{ id: string; container: string; phase: string; to: string; outcome: string; updatedAt: number }>>('GET', '/v1/migrations');
      if (o.json) process.stdout.write(`${JSON.stringify(list, null, 2)}\n`);
      else for (const m of list) process.stdout.write(`${m.id}  ${m.container} -> ${m.to}  ${m.phase} (${m.outcome})  ${new Date(m.updatedAt).toISOString()}\n`);
    });
}
