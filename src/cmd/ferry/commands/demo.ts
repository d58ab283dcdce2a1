/** @module cmd/ferry/commands/demo — `ferry demo`: the README's first command. */
import type { Command } from 'commander';
import { testbedUp, testbedDown, keepLogsAfterFailure, planFromConfig, type Cluster, clusterFile } from '../../../tools/testbed/index.ts';
import { loadConfig } from '../../../core/config.ts';
import { runDemo } from '../../../tools/demo/demo.ts';
import { ProgressView } from '../../../apps/cli/progress.ts';
import { formatReport } from '../../../domain/migration/report.ts';

/** Adds `ferry demo`. */
export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('Bring up a test bed, live-migrate a running counter container, show that it went on')
    .option('--hosts <n>', 'hosts in the test bed', '3')
    .option('--ballast <mib>', 'resident memory the container holds, in MiB', '256')
    .option('--keep', 'leave the test bed up afterwards')
    .option('--json', 'print the result as JSON')
    .action(async (o: { hosts: string; ballast: string; keep?: boolean; json?: boolean }) => {
      const say = (line: string) => process.stderr.write(`${line}\n`);
      say(`bringing up a ${o.hosts}-host test bed (network namespaces, a dockerd and an agent each)`);
      const config = loadConfig();
      const hosts = Number(o.hosts);
      // A failure keeps the hosts' logs (agents, dockerds, CRIU) before teardown removes them.
      const keep = (what: string, error: unknown) => keepLogsAfterFailure(config.testbed.stateDir, { what, error }, say, () => planFromConfig(config, { hosts }), { config });
      /** Tears down (unless --keep); after a failure, a teardown error is only said, so the failure stays the error reported. */
      const down = async (failed: boolean, kept: string | null): Promise<void> => {
        if (o.keep) say('test bed left up (ferry testbed down removes it)');
        else {
          await testbedDown({ config, log: () => undefined }).catch((err: unknown) => {
            if (!failed) throw err;
            say(`tearing the test bed down failed: ${String(err)}`);
          });
        }
        if (kept) say(`logs kept in ${kept}`);
      };
      let cluster: Cluster;
      try {
        cluster = await testbedUp({ config, hosts, log: o.json ? () => undefined : say });
      } catch (err) {
        await down(true, await keep('demo-testbed-up', err));
        throw err;
      }
      let failure: unknown;
      try {
        const result = await runDemo({
          cluster,
          clusterFile: clusterFile(cluster.stateDir),
          from: 'h1',
          to: 'h2',
          ballastMiB: Number(o.ballast),
          say,
          ...(o.json ? {} : { view: new ProgressView(process.stderr) }),
        });
        if (o.json) {
          process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
        } else {
          process.stdout.write(`${formatReport(result.report)}\n`);
          process.stdout.write(`counter: ${result.counterBefore} on h1 before the move, ${result.counterAfter} on h2 now; ` +
            `${result.continuous ? 'continuous (no reset, no repeat, no skip)' : `NOT continuous: ${result.problem ?? ''}`}; ` +
            `longest heartbeat silence ${result.serviceGapMs} ms; source ${result.sourceClean ? 'has no trace of it' : 'STILL has it'}\n`);
        }
        const ok = result.continuous && result.sourceClean;
        if (!ok) failure = `the migrated counter is ${result.continuous ? 'continuous' : `not continuous (${result.problem ?? 'no detail'})`}; the source ${result.sourceClean ? 'is clean' : 'still has the container'}`;
        process.exitCode = ok ? 0 : 1;
      } catch (err) {
        failure = err;
        throw err;
      } finally {
        await down(failure !== undefined, failure === undefined ? null : await keep('demo', failure));
      }
    });
}
