/** @module cmd/ferry/commands/testbed — `ferry testbed up|status|down|power`: the multi-host test bed on this machine. */
import type { Command } from 'commander';
import { loadConfig, type Config } from '../../../core/config.ts';
import { ERRORS, FerryError } from '../../../core/errors.ts';
import { formatStatus, parsePowerState, parseSmallDisk, setHostPower, testbedDown, testbedStatus, testbedUp } from '../../../tools/testbed/index.ts';

/** Flags every testbed subcommand accepts. */
interface WhereFlags {
  stateDir?: string;
  subnet?: string;
}

/** Flags of `testbed up` that set configuration keys. */
interface UpFlags extends WhereFlags {
  hosts?: number;
  bandwidth?: number;
  hostCpus?: number;
  hostMemoryMib?: number;
}

function configWith(flags: UpFlags): Config {
  const testbed: Record<string, unknown> = {};
  if (flags.stateDir !== undefined) testbed.stateDir = flags.stateDir;
  if (flags.subnet !== undefined) testbed.subnet = flags.subnet;
  if (flags.hosts !== undefined) testbed.hosts = flags.hosts;
  if (flags.bandwidth !== undefined) testbed.bandwidthMbit = flags.bandwidth;
  if (flags.hostCpus !== undefined) testbed.hostCpus = flags.hostCpus;
  if (flags.hostMemoryMib !== undefined) testbed.hostMemoryMiB = flags.hostMemoryMib;
  return loadConfig({ overrides: { testbed } });
}

function nonNegative(name: string, integral: boolean): (v: string) => number {
  return (v) => {
    const n = Number(v);
    if (v.trim() === '' || !Number.isFinite(n) || n < 0 || (integral && !Number.isInteger(n))) {
      throw new FerryError('FERRY_ERR_INVALID_INPUT', `${name} must be ${integral ? 'an integer' : 'a number'} >= 0, got ${JSON.stringify(v)}`);
    }
    return n;
  };
}

function integer(name: string): (v: string) => number {
  return (v) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n <= 0) throw new FerryError('FERRY_ERR_INVALID_INPUT', `${name} must be a positive integer, got ${JSON.stringify(v)}`);
    return n;
  };
}

const collect = (v: string, all: string[]): string[] => [...all, v];
const say = (line: string): void => { process.stderr.write(`ferry testbed: ${line}\n`); };

/** Adds the `testbed` command group. */
export function registerTestbed(program: Command): void {
  const testbed = program.command('testbed').description('A multi-host test bed on this machine (network namespaces, one dockerd and agent per host)');
  const where = (c: Command): Command => c
    .option('--state-dir <dir>', 'state directory of the test bed (testbed.stateDir)')
    .option('--subnet <a.b.c>', 'IPv4 /24 prefix of the test-bed link (testbed.subnet)');

  where(testbed.command('up').description('Start the test bed (cleans leftovers of an earlier one first)'))
    .option('--hosts <n>', 'number of hosts (testbed.hosts)', integer('--hosts'))
    .option('--bandwidth <mbit>', 'link bandwidth per host in Mbit/s (testbed.bandwidthMbit)', integer('--bandwidth'))
    .option('--small-disk <host:mib>', 'give HOST a tmpfs Docker data root of MIB MiB (repeatable)', collect, [])
    .option('--host-cpus <cores>', 'CPU cores each host offers, enforced on all its containers together, e.g. 0.3; 0 = no cap (testbed.hostCpus)', nonNegative('--host-cpus', false))
    .option('--host-memory-mib <mib>', 'memory each host declares, not enforced; 0 = the machine\'s (testbed.hostMemoryMiB)', nonNegative('--host-memory-mib', true))
    .option('--no-agents', 'do not start agents (network and dockerds only)')
    .action(async (opts: UpFlags & { smallDisk: string[]; agents: boolean }) => {
      const config = configWith(opts);
      const smallDisk = Object.fromEntries(opts.smallDisk.map((s) => parseSmallDisk(s, config.testbed.smallDiskMiB)).map((d) => [d.host, d.mib]));
      const cluster = await testbedUp({ config, smallDisk, agents: opts.agents, log: say });
      process.stdout.write(`test bed up: ${cluster.hosts.map((h) => `${h.name} ${h.ip}`).join(', ')} (state ${cluster.stateDir}/cluster.json)\n`);
    });

  where(testbed.command('status').description('Show each host: netns, dockerd, agent, link, shaped rate'))
    .option('--json', 'print the status as JSON')
    .action(async (opts: WhereFlags & { json?: boolean }) => {
      const status = await testbedStatus({ config: configWith(opts) });
      process.stdout.write(opts.json ? `${JSON.stringify(status, null, 2)}\n` : formatStatus(status));
      if (!status.healthy) process.exitCode = ERRORS.FERRY_ERR_TESTBED.exit;
    });

  where(testbed.command('down').description('Stop the test bed and remove everything it made (works after a crash too)'))
    .action(async (opts: WhereFlags) => {
      const config = configWith(opts);
      const removed = await testbedDown({ config, ...(opts.subnet ? { subnet: opts.subnet } : {}) });
      process.stdout.write(removed.length > 0 ? `removed ${removed.length} item(s):\n${removed.map((r) => `  ${r}\n`).join('')}` : 'nothing to remove: no test bed is up\n');
    });

  where(testbed.command('power').description('Put a host to sleep (off: stop its dockerd and containerd; refused while it holds containers) or wake it (on)'))
    .argument('<host>', 'the host, e.g. h2')
    .argument('<state>', 'off or on')
    .action(async (host: string, state: string, opts: WhereFlags) => {
      const config = configWith(opts);
      const done = await setHostPower(host, parsePowerState(state), { config, stateDir: config.testbed.stateDir, ...(opts.subnet ? { subnet: opts.subnet } : {}), log: say });
      process.stdout.write(`${done.join('\n')}\n`);
    });
}
