/** @module cmd/ferry/commands/config — `ferry config default`: prints every key with its default. */
import type { Command } from 'commander';
import { defaultConfig } from '../../../core/config.ts';

/** Adds the `config` command group. */
export function registerConfig(program: Command): void {
  const config = program.command('config').description('Show configuration');
  config.command('default').description('Print the default configuration (every key, with its default)').action(() => {
    process.stdout.write(`${JSON.stringify(defaultConfig(), null, 2)}\n`);
  });
}
