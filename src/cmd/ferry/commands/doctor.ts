/** @module cmd/ferry/commands/doctor — `ferry doctor [--fix] [--json]`: what ferry needs on this host, and installing it. */
import type { Command } from 'commander';
import { loadConfig } from '../../../core/config.ts';
import { ERRORS } from '../../../core/errors.ts';
import { formatReport, runDoctor } from '../../../tools/doctor/index.ts';

/** Adds the `doctor` command. */
export function registerDoctor(program: Command): void {
  program.command('doctor')
    .description('Check the prerequisites of ferry on this host (binaries, CRIU >= 4, kernel features, root)')
    .option('--fix', 'install what is missing (apt-get, CRIU 4 into prerequisites.criuPrefix); idempotent')
    .option('--json', 'print the report as JSON')
    .action(async (opts: { fix?: boolean; json?: boolean }) => {
      const config = loadConfig();
      const log = (line: string): void => { process.stderr.write(`ferry doctor: ${line}\n`); };
      const report = await runDoctor({ fix: opts.fix === true, config, log });
      process.stdout.write(opts.json ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report));
      if (!report.ok) process.exitCode = ERRORS.FERRY_ERR_PREREQUISITE.exit;
    });
}
