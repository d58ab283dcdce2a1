/**
 * @module apps/agent/engine-services — the part of an agent that needs its host's engine
 * running: the record store, CRIU facts, the host's checkpointer, the source and destination
 * services, the data-link server, protection and recovery, and the node's containers. The
 * agent starts it when it starts awake and whenever the node wakes; it stops it before the
 * node sleeps.
 */
import path from 'node:path';
import type { Config } from '../../core/config.ts';
import { log } from '../../core/events.ts';
import type { DockerEngine } from '../../adapters/docker/engine.ts';
import { criuFacts } from '../../adapters/host/criu.ts';
import { HostCheckpointer } from '../../adapters/host/host-checkpointer.ts';
import { clearStale } from '../../adapters/host/runc-criu-config.ts';
import { RecordStore } from '../../services/migration/record-store.ts';
import { SourceService } from '../../services/migration/source.ts';
import { DestinationService } from '../../services/migration/destination.ts';
import { TERMINAL } from '../../domain/migration/phases.ts';
import { dataLinkOpener, startDataServer, type DataServer } from './data-link.ts';
import type { TlsIdentity } from '../../adapters/pki/tls-identity.ts';
import { containerName } from './container-labels.ts';
import { cached, hostFacts, type HostFacts } from './host-facts.ts';
import { NodeContainers, type LocalImages } from './node-containers.ts';
import { DepartedAddresses } from '../../adapters/host/departed-addresses.ts';
import { startProtection, type Protection } from './protect-routes.ts';
import { agentStore } from './store.ts';

/** Phases after which an incoming migration leaves nothing in progress here. */
const INCOMING_DONE = ['committed', 'aborted'];

/** What the engine-backed services are made from. */
export interface EngineWiring {
  name: string;
  listen: string;
  stateDir: string;
  token: string | undefined;
  /** The agent's cluster certificate; undefined: plain TCP (loopback, or tls.plainBeyondLoopback). */
  tls: TlsIdentity | undefined;
  config: Config;
  engine: DockerEngine;
  /** The images this node builds itself (the workload images, from the composition root). */
  localImages: LocalImages;
}

/** The engine-backed services of an agent. */
export interface EngineServices {
  source: SourceService;
  destination: DestinationService;
  protection: Protection;
  containers: NodeContainers;
  data: DataServer;
  facts: () => Promise<HostFacts>;
  /** Why the node cannot sleep now (it has containers, or migrations in progress), or undefined. */
  busy(): Promise<string | undefined>;
  /** Stops every service (records of migrations in progress stay for the next start to resolve). */
  stop(): Promise<void>;
}

/** Starts the engine-backed services; resolves unfinished records before it returns. */
export async function startEngineServices(w: EngineWiring): Promise<EngineServices> {
  const { engine, config } = w;
  const dataRoot = (await engine.info()).DockerRootDir;
  const records = new RecordStore(path.join(w.stateDir, 'agent.db'));
  const criu = cached(criuFacts, 60_000);
  // A runc CRIU config left by an agent that died mid-call would apply to every later checkpoint and restore here.
  if (await clearStale(config.agent.runcCriuConfig)) log('warn', 'removed a runc CRIU config file left by a ferry agent that died', { file: config.agent.runcCriuConfig });
  const store = agentStore(config.store);
  const departed = new DepartedAddresses(path.join(w.stateDir, 'departed-addresses.json'));
  const checkpointer = new HostCheckpointer({ engine, config, dataRoot });
  const destination = new DestinationService({ engine, records, config, dataRoot, imagesDir: config.agent.imagesDir || path.join(dataRoot, 'ferry-images'), dataPort: config.agent.dataPort, criu, checkpointer, store, departed });
  const source = new SourceService({ hostName: w.name, engine, records, config, dataRoot, stateDir: w.stateDir, credentials: { token: w.token, tls: w.tls }, criu, checkpointer, openDataLink: dataLinkOpener(w.tls), store, departed });
  await destination.start();
  await source.resume();
  const data = await startDataServer({ host: w.listen, port: config.agent.dataPort, config, destination, tls: w.tls });
  const protection = await startProtection({ engine, store, config, stateDir: w.stateDir, dataRoot });
  const migrating = () => [...records.unfinished('source', TERMINAL), ...records.unfinished('destination', INCOMING_DONE)];
  const containers = new NodeContainers({
    engine,
    localImages: w.localImages,
    migrating: (name) => migrating().some((r) => r.container === name),
    clusterNetwork: config.network.cluster,
    departed,
  });
  return {
    source,
    destination,
    protection,
    containers,
    data,
    facts: () => hostFacts(w.name, engine, criu),
    async busy() {
      const moving = migrating();
      if (moving.length > 0) return `${moving.length} migration(s) in progress (${moving.map((r) => `${r.id} ${r.role} ${r.phase}`).join(', ')})`;
      const present = await engine.listContainers(true);
      if (present.length > 0) return `its engine has ${present.length} container(s) (${present.map(containerName).join(', ')})`;
      return undefined;
    },
    async stop() {
      source.stop();
      destination.stop();
      protection.close();
      await data.close();
      records.close();
    },
  };
}
