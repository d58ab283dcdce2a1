/** @module cmd/ferry/commands/agent — `ferry agent`: runs this host's agent until SIGTERM. */
import type { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { parseConfig, configFromEnv, mergeConfig } from '../../../core/config.ts';
import { startAgent, logToStdout } from '../../../agent/main.ts';

/** Reads the token from a file or FERRY_TOKEN. */
export function readToken(tokenFile: string | undefined): string | undefined {
  if (tokenFile) return readFileSync(tokenFile, 'utf8').trim();
  return process.env['FERRY_TOKEN']?.trim() || undefined;
}

/** Adds `ferry agent`. */
export function registerAgent(program: Command): void {
  program
    .command('agent')
    .description('Run the agent of this host (control API and data link)')
    .requiredOption('--name <name>', 'this host\'s name in the cluster', process.env['FERRY_AGENT_NAME'])
    .option('--listen <address>', 'address to listen on (needs a token unless loopback)', process.env['FERRY_AGENT_LISTEN'] ?? '127.0.0.1')
    .option('--control-port <port>', 'control API port', process.env['FERRY_AGENT_CONTROL_PORT'])
    .option('--data-port <port>', 'data link port', process.env['FERRY_AGENT_DATA_PORT'])
    .option('--docker-socket <path>', 'the Docker engine socket', process.env['FERRY_AGENT_DOCKER_SOCKET'] ?? '/var/run/docker.sock')
    .option('--runc-root <dir>', 'runc state directory of the engine\'s containers', process.env['FERRY_AGENT_RUNC_ROOT'])
    .option('--state-dir <dir>', 'where the agent keeps its records', process.env['FERRY_AGENT_STATE_DIR'] ?? '/var/lib/ferry/agent')
    .option('--token-file <file>', 'file holding the cluster token (or FERRY_TOKEN)', process.env['FERRY_TOKEN_FILE'])
    .action(async (o: { name: string; listen: string; controlPort?: string; dataPort?: string; runcRoot?: string; dockerSocket: string; stateDir: string; tokenFile?: string }) => {
      const agentKeys: Record<string, unknown> = {};
      if (o.controlPort) agentKeys['controlPort'] = Number(o.controlPort);
      if (o.dataPort) agentKeys['dataPort'] = Number(o.dataPort);
      if (o.runcRoot) agentKeys['runcRoot'] = o.runcRoot;
      const config = parseConfig(mergeConfig(configFromEnv(process.env), { agent: agentKeys }));
      logToStdout();
      const agent = await startAgent({ name: o.name, listen: o.listen, dockerSocket: o.dockerSocket, stateDir: o.stateDir, token: readToken(o.tokenFile), config });
      const stop = () => void agent.stop().then(() => process.exit(0));
      process.once('SIGTERM', stop);
      process.once('SIGINT', stop);
      await new Promise(() => undefined);
    });
}
