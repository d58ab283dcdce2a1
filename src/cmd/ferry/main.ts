/**
 * @module cmd/ferry/main — the CLI's composition root: the one place that lists every
 * command ferry has and wires it to its implementation.
 */
import { Command } from 'commander';
import { FerryError, asFerryError, describeError, ERRORS } from '../../core/errors.ts';
import { signalLiveGroups } from '../../adapters/host/run.ts';
import { registerConfig } from './commands/config.ts';
import { registerDoctor } from './commands/doctor.ts';
import { registerTestbed } from './commands/testbed.ts';
import { registerAgent } from './commands/agent.ts';
import { registerMigrate } from './commands/migrate.ts';
import { registerDemo } from './commands/demo.ts';
import { registerMigrations } from './commands/migrations.ts';
import { registerBench } from './commands/bench.ts';
import { registerProtect } from './commands/protect.ts';
import { registerRecover } from './commands/recover.ts';
import { registerStorage } from './commands/storage.ts';
import { registerController } from './commands/controller.ts';
import { registerScheduling } from './commands/scheduling.ts';
import { registerSim } from './commands/sim.ts';
import { registerPki } from './commands/pki.ts';

const program = new Command('ferry')
  .description('Live migration of running Docker containers between hosts, and an elastic scheduler that uses it')
  .showHelpAfterError()
  .exitOverride();

registerConfig(program);
registerBench(program);
registerDoctor(program);
registerTestbed(program);
registerAgent(program);
registerMigrate(program);
registerDemo(program);
registerMigrations(program);
registerProtect(program);
registerRecover(program);
registerStorage(program);
registerController(program);
registerScheduling(program);
registerSim(program);
registerPki(program);

// Programs ferry runs sit in process groups of their own (so a deadline ends their children
// too) and no longer get the terminal's Ctrl-C: pass it on, then end as a signal would. The
// long-running agent and controller stop gracefully through handlers of their own.
const daemon = ['agent', 'controller'].includes(process.argv[2] ?? '');
if (!daemon) {
  for (const [sig, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
    process.once(sig, () => {
      signalLiveGroups(sig);
      process.exit(code);
    });
  }
}

try {
  await program.parseAsync(process.argv);
} catch (err) {
  const code = (err as { code?: string }).code;
  if (typeof code === 'string' && code.startsWith('commander.')) {
    process.exitCode = code === 'commander.helpDisplayed' || code === 'commander.version' ? 0 : 2;
  } else {
    const ferr: FerryError = asFerryError(err);
    process.stderr.write(`${describeError(ferr)}\n`);
    process.exitCode = ERRORS[ferr.code].exit;
  }
}
