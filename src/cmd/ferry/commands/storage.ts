/** @module cmd/ferry/commands/storage — `ferry storage up|down|status`: the project's Ceph cluster (S3 on radosgw) on this machine. */
import type { Command } from 'commander';
import { loadConfig, type Config } from '../../../core/config.ts';
import { ERRORS } from '../../../core/errors.ts';

/** Flags every storage subcommand accepts. */
interface WhereFlags {
  stateDir?: string;
}

function configWith(flags: WhereFlags): Config {
  const storage: Record<string, unknown> = {};
  if (flags.stateDir !== undefined) storage.stateDir = flags.stateDir;
  return loadConfig({ overrides: { storage } });
}

const say = (line: string): void => { process.stderr.write(`ferry storage: ${line}\n`); };

// The implementation is loaded on use: it pulls in the S3 SDK, which other commands do not need.
const ceph = (): Promise<typeof import('../../../tools/ceph/index.ts')> => import('../../../tools/ceph/index.ts');

/** Adds the `storage` command group. */
export function registerStorage(program: Command): void {
  const storage = program.command('storage').description('The project\'s Ceph cluster on this machine: monitor, manager, OSDs on files, radosgw serving S3');
  const where = (c: Command): Command => c.option('--state-dir <dir>', 'state directory of the cluster (storage.stateDir)');

  where(storage.command('up').description('Start the cluster (creating what is missing), the S3 user and bucket; write the credentials file'))
    .option('--json', 'print endpoint, bucket, credentials file, start time and daemon PIDs as JSON (no secrets)')
    .action(async (opts: WhereFlags & { json?: boolean }) => {
      const { storageUp } = await ceph();
      const up = await storageUp({ config: configWith(opts), log: say });
      if (opts.json) {
        const { endpoint, bucket, credentialsFile, startedMs, daemons } = up;
        process.stdout.write(`${JSON.stringify({ endpoint, bucket, credentialsFile, startedMs, daemons }, null, 2)}\n`);
      } else {
        process.stdout.write(`storage ${up.alreadyUp ? 'was already up' : `up in ${(up.startedMs / 1000).toFixed(1)} s`}: S3 at ${up.endpoint}, bucket ${up.bucket}, credentials in ${up.credentialsFile}\n`);
      }
    });

  where(storage.command('status').description('Show each daemon, the cluster health and whether radosgw answers'))
    .option('--json', 'print the status as JSON')
    .action(async (opts: WhereFlags & { json?: boolean }) => {
      const { storageStatus, formatStorageStatus } = await ceph();
      const status = await storageStatus({ config: configWith(opts) });
      process.stdout.write(opts.json ? `${JSON.stringify(status, null, 2)}\n` : formatStorageStatus(status));
      if (!status.up) process.exitCode = ERRORS.FERRY_ERR_STORE_UNREACHABLE.exit;
    });

  where(storage.command('down').description('Stop the cluster\'s daemons and remove its address (data is kept)'))
    .option('--purge', 'also delete the state directory: data, keys and logs')
    .action(async (opts: WhereFlags & { purge?: boolean }) => {
      const { storageDown } = await ceph();
      const done = await storageDown({ config: configWith(opts), purge: opts.purge === true });
      process.stdout.write(done.length > 0 ? `stopped or removed ${done.length} item(s):\n${done.map((l) => `  ${l}\n`).join('')}` : 'nothing to stop: the cluster does not run\n');
    });
}
