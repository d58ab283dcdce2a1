/** @module cmd/ferry/commands/demo — `ferry demo`: the README's first command. */
import type { Command } from 'commander';
import { testbedUp, testbedDown } from '../../../testbed/index.ts';
import { clusterFile } from '../../../testbed/cluster.ts';
import { runDemo } from '../../../demo/demo.ts';
import { ProgressView } from '../../../cli/progress.ts';
import { formatReport } from '../../../migration/report.ts';

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
      const cluster = await testbedUp({ hosts: Number(o.hosts), log: o.json ? () => undefined : say });
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
        process.exitCode = result.continuous && result.sourceClean ? 0 : 1;
      } finally {
        if (o.keep) say('test bed left up (ferry testbed down removes it)');
        else await testbedDown({ log: () => undefined });
      }
    });
}
