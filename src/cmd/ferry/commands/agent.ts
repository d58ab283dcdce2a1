/** @module cmd/ferry/commands/agent — `ferry agent`: runs this host's agent until SIGTERM. */
import type { Command } from 'commander';
import { readFileSync } from 'node:fs';
import * as z from 'zod';
import { loadConfig } from '../../../core/config.ts';
import { FerryError } from '../../../core/errors.ts';
import { startAgent, logToStdout } from '../../../apps/agent/main.ts';
import { loadTlsIdentity } from '../../../adapters/pki/tls-identity.ts';
import { WORKLOAD_LOCAL_IMAGES } from '../../../tools/workloads/catalog.ts';

/** Reads the token from a file or FERRY_TOKEN. */
export function readToken(tokenFile: string | undefined): string | undefined {
  if (tokenFile) return readFileSync(tokenFile, 'utf8').trim();
  return process.env['FERRY_TOKEN']?.trim() || undefined;
}

/** A non-negative integer flag (0: the default). */
function count(flag: string): (v: string) => number {
  return (v) => {
    const n = Number(v);
    if (!/^\d+$/.test(v.trim()) || !Number.isSafeInteger(n)) throw new FerryError('FERRY_ERR_INVALID_INPUT', `${flag} must be a whole number (0: the default), got ${JSON.stringify(v)}`);
    return n;
  };
}

const HookArgv = z.array(z.string().min(1).max(4096)).min(1).max(64);

/** Parses --power-hook: a JSON array argv such as ["/usr/local/bin/node-power", "h1"]. */
export function parsePowerHook(v: string): string[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(v);
  } catch {
    throw new FerryError('FERRY_ERR_INVALID_INPUT', `--power-hook must be a JSON array of strings such as '["/usr/local/bin/power", "h1"]', got ${JSON.stringify(v)}`);
  }
  const r = HookArgv.safeParse(parsed);
  if (!r.success) throw new FerryError('FERRY_ERR_INVALID_INPUT', `--power-hook must be a JSON array of 1 to 64 non-empty strings (program first), got ${JSON.stringify(v)}`);
  return r.data;
}

/** What `ferry agent` is given on its command line. */
interface AgentFlags {
  name: string;
  listen: string;
  controlPort?: string;
  dataPort?: string;
  runcRoot?: string;
  dockerSocket: string;
  stateDir: string;
  tokenFile?: string;
  pkiDir?: string;
  plainBeyondLoopback?: boolean;
  capacityCpuMillis?: number;
  capacityMemoryMib?: number;
  capacityNetworkMbps?: number;
  cgroupParent: string;
  powerHook?: string[];
}

/** The environment twin of a count flag (read when the agent starts, so a bad value fails only `ferry agent`). */
function envCount(name: string): number {
  const v = process.env[name];
  return v === undefined || v === '' ? 0 : count(name)(v);
}

/** The environment twin of --power-hook. */
function envHook(): string[] | undefined {
  const v = process.env['FERRY_AGENT_POWER_HOOK'];
  return v ? parsePowerHook(v) : undefined;
}

/** Adds `ferry agent`. */
export function registerAgent(program: Command): void {
  program
    .command('agent')
    .description('Run the agent of this host (control API and data link)')
    .requiredOption('--name <name>', 'this host\'s name in the cluster', process.env['FERRY_AGENT_NAME'])
    .option('--listen <address>', 'address to listen on (beyond loopback only with --pki-dir)', process.env['FERRY_AGENT_LISTEN'] ?? '127.0.0.1')
    .option('--control-port <port>', 'control API port', process.env['FERRY_AGENT_CONTROL_PORT'])
    .option('--data-port <port>', 'data link port', process.env['FERRY_AGENT_DATA_PORT'])
    .option('--docker-socket <path>', 'the Docker engine socket', process.env['FERRY_AGENT_DOCKER_SOCKET'] ?? '/var/run/docker.sock')
    .option('--runc-root <dir>', 'runc state directory of the engine\'s containers', process.env['FERRY_AGENT_RUNC_ROOT'])
    .option('--state-dir <dir>', 'where the agent keeps its records', process.env['FERRY_AGENT_STATE_DIR'] ?? '/var/lib/ferry/agent')
    .option('--token-file <file>', 'file holding the cluster token (or FERRY_TOKEN)', process.env['FERRY_TOKEN_FILE'])
    .option('--pki-dir <dir>', 'the cluster PKI directory with ca.crt, revoked.json and agent-NAME.key/.crt: TLS 1.3 with client certificates on both ports (tls.dir, FERRY_TLS_DIR)')
    .option('--plain-beyond-loopback', 'plain TCP with the token beyond loopback (tls.plainBeyondLoopback): only to measure what TLS costs on a private network')
    .option('--capacity-cpu-millis <n>', 'CPU this node offers, in millicores (default 1000 × CPUs)', count('--capacity-cpu-millis'))
    .option('--capacity-memory-mib <n>', 'memory this node offers, in MiB (default MemTotal)', count('--capacity-memory-mib'))
    .option('--capacity-network-mbps <n>', 'network this node offers, in Mbit/s (default 1000)', count('--capacity-network-mbps'))
    .option('--cgroup-parent <name>', 'the cgroup parent dockerd puts this host\'s containers under (\'\': Docker\'s default)', process.env['FERRY_AGENT_CGROUP_PARENT'] ?? '')
    .option('--power-hook <json>', 'JSON array argv run with off or on appended to power the node\'s engine down or up (absent: the node cannot sleep)', parsePowerHook)
    .action(async (o: AgentFlags) => {
      const agentKeys: Record<string, unknown> = {};
      if (o.controlPort) agentKeys['controlPort'] = Number(o.controlPort);
      if (o.dataPort) agentKeys['dataPort'] = Number(o.dataPort);
      if (o.runcRoot) agentKeys['runcRoot'] = o.runcRoot;
      const config = loadConfig({ overrides: { agent: agentKeys, tls: { ...(o.pkiDir ? { dir: o.pkiDir } : {}), ...(o.plainBeyondLoopback ? { plainBeyondLoopback: true } : {}) } } });
      const tls = config.tls.dir ? loadTlsIdentity(config.tls.dir, { role: 'agent', name: o.name }) : undefined;
      logToStdout();
      const agent = await startAgent({
        name: o.name, listen: o.listen, dockerSocket: o.dockerSocket, stateDir: o.stateDir, token: readToken(o.tokenFile), tls, config,
        capacity: {
          cpuMillis: o.capacityCpuMillis ?? envCount('FERRY_AGENT_CAPACITY_CPU_MILLIS'),
          memoryMiB: o.capacityMemoryMib ?? envCount('FERRY_AGENT_CAPACITY_MEMORY_MIB'),
          networkMbps: o.capacityNetworkMbps ?? envCount('FERRY_AGENT_CAPACITY_NETWORK_MBPS'),
        },
        cgroupParent: o.cgroupParent,
        powerHook: o.powerHook ?? envHook(),
        localImages: WORKLOAD_LOCAL_IMAGES,
      });
      const stop = () => void agent.stop().then(() => process.exit(0));
      process.once('SIGTERM', stop);
      process.once('SIGINT', stop);
      await new Promise(() => undefined);
    });
}
