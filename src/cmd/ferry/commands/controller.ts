/** @module cmd/ferry/commands/controller — `ferry controller`: runs the cluster controller and its scheduler loop until SIGTERM. */
import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { loadConfig } from '../../../core/config.ts';
import { logToStdout } from '../../../apps/agent/main.ts';
import { startController, type SeedNode } from '../../../apps/controller/main.ts';
import { readCluster, defaultClusterFile, clusterToken } from '../../../apps/cli/cluster.ts';
import { loadTlsIdentity } from '../../../adapters/pki/tls-identity.ts';
import { readToken } from './agent.ts';

/** Options of `ferry controller`. */
interface ControllerCliOptions {
  cluster?: string;
  listen?: string;
  port?: string;
  stateDir?: string;
  tokenFile?: string;
  pkiDir?: string;
  policy?: string;
  tickMs?: string;
}

/** Adds `ferry controller`. */
export function registerController(program: Command): void {
  program
    .command('controller')
    .description('Run the cluster controller: node registry, load history, scheduler loop and API (state in SQLite)')
    .option('--cluster <file>', 'register the hosts of this cluster file (default: the test bed\'s, when it exists)')
    .option('--listen <address>', 'API address (controller.listen; beyond loopback only with the cluster PKI)')
    .option('--port <port>', 'API port (controller.port)')
    .option('--state-dir <dir>', 'where the SQLite database lives (controller.stateDir)')
    .option('--token-file <file>', 'the cluster token (default: FERRY_TOKEN, else the cluster file\'s)')
    .option('--pki-dir <dir>', 'the cluster PKI directory with ca.crt, revoked.json and controller.key/.crt (tls.dir, FERRY_TLS_DIR; default: the cluster file\'s)')
    .option('--policy <name>', 'initial policy when the database has none: elastic, spread, binpack, kube (scheduler.policy)')
    .option('--tick-ms <ms>', 'scheduler loop period (controller.tickMs)')
    .action(async (o: ControllerCliOptions) => {
      const controller: Record<string, unknown> = {};
      if (o.listen) controller['listen'] = o.listen;
      if (o.port) controller['port'] = Number(o.port);
      if (o.stateDir) controller['stateDir'] = o.stateDir;
      if (o.tickMs) controller['tickMs'] = Number(o.tickMs);
      const file = o.cluster ?? (existsSync(defaultClusterFile()) ? defaultClusterFile() : undefined);
      const cluster = file ? readCluster(file) : undefined;
      const config = loadConfig({ overrides: { controller, scheduler: o.policy ? { policy: o.policy } : {}, tls: o.pkiDir ? { dir: o.pkiDir } : {} } });
      const pkiDir = config.tls.dir || cluster?.pki?.dir;
      const tls = pkiDir ? loadTlsIdentity(pkiDir, { role: 'controller', name: 'controller' }) : undefined;
      const token = readToken(o.tokenFile) ?? (cluster ? clusterToken(cluster) : undefined);
      const seeds: SeedNode[] = (cluster?.hosts ?? []).map((h) => ({ name: h.name, controlUrl: h.controlUrl, dataHost: h.ip, capacity: (h as { capacity?: SeedNode['capacity'] }).capacity }));
      logToStdout();
      const running = await startController({ config, token, tls, seeds });
      process.stdout.write(`${JSON.stringify({ level: 'info', msg: 'controller listening', url: `${tls ? 'https' : 'http'}://${running.server.address.address}:${running.server.address.port}` })}\n`);
      const stop = (): void => void running.stop().then(() => process.exit(0));
      process.once('SIGTERM', stop);
      process.once('SIGINT', stop);
      await new Promise(() => undefined);
    });
}
