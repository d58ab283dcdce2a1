/**
 * @module agent/main — the agent's composition root: one per host. It lists everything the
 * agent wires in — the Docker engine, CRIU, the record store, the source and destination
 * services, the control API and the data-link server — and resolves unfinished records
 * before it serves.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Config } from '../core/config.ts';
import { FerryError } from '../core/errors.ts';
import { channels, log } from '../core/events.ts';
import { DockerEngine } from '../docker/engine.ts';
import { criuFacts } from '../host/criu.ts';
import { RecordStore } from '../migration/record-store.ts';
import { SourceService } from '../migration/source.ts';
import { DestinationService } from '../migration/destination.ts';
import { startControlServer, type ControlServer } from '../control/server.ts';
import { checkListenPolicy } from '../control/auth.ts';
import { openDataLink, startDataServer, type DataServer } from './data-link.ts';
import { agentRoutes } from './routes.ts';
import { cached, hostFacts } from './host-facts.ts';
import { agentStore } from './store.ts';
import { startProtection } from './protect-routes.ts';

/** How one agent is started. */
export interface AgentOptions {
  name: string;
  listen: string;
  dockerSocket: string;
  stateDir: string;
  token: string | undefined;
  config: Config;
}

/** A running agent. */
export interface Agent {
  control: ControlServer;
  data: DataServer;
  stop(): Promise<void>;
}

/** Starts an agent. */
export async function startAgent(o: AgentOptions): Promise<Agent> {
  checkListenPolicy(o.listen, o.token);
  const criuBin = path.join(o.config.prerequisites.criuPrefix, 'bin');
  if (existsSync(path.join(criuBin, 'criu'))) process.env['PATH'] = `${criuBin}:${process.env['PATH'] ?? ''}`;
  const engine = new DockerEngine(o.dockerSocket);
  if (!(await engine.ping())) throw new FerryError('FERRY_ERR_DOCKER', `no Docker engine answers on ${o.dockerSocket}`);
  const dataRoot = (await engine.info()).DockerRootDir;
  const records = new RecordStore(path.join(o.stateDir, 'agent.db'));
  const criu = cached(criuFacts, 60_000);
  const store = agentStore(o.config.store);
  const destination = new DestinationService({ engine, records, config: o.config, dataRoot, dataPort: o.config.agent.dataPort, criu, store });
  const source = new SourceService({ hostName: o.name, engine, records, config: o.config, dataRoot, stateDir: o.stateDir, token: o.token, criu, openDataLink, store });
  await destination.start();
  await source.resume();
  const data = await startDataServer({ host: o.listen, port: o.config.agent.dataPort, config: o.config, destination });
  const protection = await startProtection({ engine, store, config: o.config, stateDir: o.stateDir, dataRoot });
  const control = await startControlServer({
    host: o.listen,
    port: o.config.agent.controlPort,
    token: o.token,
    maxRequestBytes: o.config.agent.maxRequestBytes,
    routes: agentRoutes({ name: o.name, source, destination, facts: () => hostFacts(o.name, engine, criu), more: protection.routes }),
  });
  log('info', 'agent ready', { name: o.name, control: control.address, data: data.address });
  return {
    control,
    data,
    async stop() {
      source.stop();
      destination.stop();
      protection.close();
      await control.close();
      await data.close();
      records.close();
    },
  };
}

/** Writes log events as JSON lines on stdout (the test bed sends them to the host's log file). */
export function logToStdout(): void {
  channels.log.subscribe((event) => process.stdout.write(`${JSON.stringify(event)}\n`));
}
