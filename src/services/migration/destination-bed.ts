/**
 * @module services/migration/destination-bed — a `DestinationService` for unit tests of its
 * orderings: wired with a `FakeEngine` (holding the image and a cluster network `ferry`), a
 * `FakeCheckpointer`, a SQLite record store in a directory of its own and eager restores; every
 * fake writes `who.what` and the records `phase:PHASE` into one journal (test-support.ts).
 *
 * @example
 *   const bed = await destinationBed();
 *   await bed.destination.prepare(await bed.prepareRequest());
 *   bed.journal;   // ['phase:prepared']
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseConfig } from '../../core/config.ts';
import { containerSpec, type ContainerSpec } from '../../adapters/docker/container-spec.ts';
import { FakeEngine } from '../../adapters/docker/fake-engine.ts';
import { FakeCheckpointer } from '../../adapters/host/fake-checkpointer.ts';
import type { PreflightRequest, PrepareRequest } from '../../domain/migration/protocol.ts';
import { DestinationService } from './destination.ts';
import type { RecordStore } from './record-store.ts';
import { JournalRecords, recordingEngine } from './test-support.ts';

/** The image every incoming container of the bed runs. */
export const BED_IMAGE = 'ferry/loop:1';

/** An address a migrated container keeps on the bed's cluster network `ferry`. */
export const KEPT = { network: 'ferry', ip: '10.9.0.70', mac: '02:42:0a:09:00:46' };

/** The spec a source host takes of its running container `app` (volume `data`; on the cluster network at `KEPT` when `keep`, else on the bridge). */
async function sourceSpec(keep: boolean): Promise<ContainerSpec> {
  const source = new FakeEngine({ images: [BED_IMAGE] });
  await source.createNetwork({ Name: KEPT.network, Driver: 'macvlan', IPAM: { Config: [{ Subnet: '10.9.0.0/24', Gateway: '10.9.0.1', IPRange: '10.9.0.64/26' }] } });
  const id = await source.createContainer('app', {
    Image: BED_IMAGE, Cmd: ['loop'], Labels: { app: 'loop' },
    HostConfig: { NetworkMode: keep ? KEPT.network : 'bridge', Mounts: [{ Type: 'volume', Source: 'data', Target: '/data' }] },
    ...(keep ? { NetworkingConfig: { EndpointsConfig: { [KEPT.network]: { IPAMConfig: { IPv4Address: KEPT.ip } } } } } : {}),
  });
  await source.startContainer(id);
  return containerSpec(await source.inspectContainer(id), { allowBind: false, clusterNetwork: KEPT.network });
}

/** A destination service wired with fakes, and the journal they share. */
export interface DestinationBed {
  journal: string[];
  engine: FakeEngine;
  checkpointer: FakeCheckpointer;
  records: RecordStore;
  destination: DestinationService;
  /** The engine's data root (checkpoints lie under it) and ferry's images directory. */
  dataRoot: string;
  imagesDir: string;
  /** The migration id the requests below use. */
  id: string;
  /** A preflight of container `app` (keeping `KEPT` when `keep`). */
  preflightRequest(keep?: boolean): Promise<PreflightRequest>;
  /** A prepare of container `app`, its body as a source emits it (keeping `KEPT` when `keep`; `tcp` as given). */
  prepareRequest(options?: { keep?: boolean; tcp?: 'established' | 'close' }): Promise<PrepareRequest>;
  /** What the data link would bring: a checkpoint (descriptors.json) into the migration's checkpoint root. */
  sendCheckpoint(): Promise<void>;
  /** Stops the service and removes the bed's directory. */
  close(): Promise<void>;
}

/** Builds a {@link DestinationBed} in a directory of its own. */
export async function destinationBed(): Promise<DestinationBed> {
  const dir = await mkdtemp(path.join(tmpdir(), 'ferry-destination-bed-'));
  const journal: string[] = [];
  const dataRoot = path.join(dir, 'docker');
  const imagesDir = path.join(dir, 'images');
  const engine = new FakeEngine({ images: [BED_IMAGE], dataRoot });
  await engine.createNetwork({ Name: 'ferry', Driver: 'macvlan', IPAM: { Config: [{ Subnet: '10.9.0.0/24', Gateway: '10.9.0.1', IPRange: '10.9.0.64/26' }] } });
  const recorded = recordingEngine(engine, journal);
  const checkpointer = new FakeCheckpointer(recorded, { journal });
  const records = new JournalRecords(path.join(dir, 'agent.db'), journal);
  const config = parseConfig({ agent: { tmpfsDir: '', runcCriuConfig: path.join(dir, 'runc.conf') }, migration: { lazyRestore: false, verifyMs: 1 } });
  const criu = () => Promise.resolve({ version: '4.2.1', versionOk: true, checkOk: true, checkOutput: 'Looks good.', memDirtyTrack: true, uffdNoncoop: true });
  const destination = new DestinationService({ engine: recorded, records, config, dataRoot, imagesDir, dataPort: 1, criu, checkpointer });
  const id = 'm-destination-bed-1';
  // The source's CPU as a fake host describes it (a second checkpointer, so the journal stays empty).
  const cpuinfo = await new FakeCheckpointer(engine).cpuinfo();
  return {
    journal, engine, checkpointer, records, destination, dataRoot, imagesDir, id,
    async preflightRequest(keep = false) {
      const spec = await sourceSpec(keep);
      const volumes = spec.volumes.map((v) => ({ name: v.name, destination: v.destination, readOnly: v.readOnly }));
      return { migrationId: id, container: spec.name, imageId: spec.imageId, volumes, needs: { memoryBytes: 0, diskBytes: 0 }, cpuinfo, skipCapacityCheck: true, ...(spec.address ? { address: spec.address } : {}) };
    },
    async prepareRequest({ keep = false, tcp } = {}) {
      const spec = await sourceSpec(keep);
      const volumes = spec.volumes.map((v) => ({ name: v.name, destination: v.destination, readOnly: v.readOnly }));
      return { migrationId: id, source: 'h1', container: spec.name, imageId: spec.imageId, imageRef: spec.imageRef, volumes, createBody: spec.createBody, ...(tcp ? { tcp } : {}) };
    },
    async sendCheckpoint() {
      const target = destination.target(id, 'checkpoint');
      if (target.kind !== 'tree') throw new Error(`the checkpoint root is a ${target.kind}, not a tree`);
      await writeFile(path.join(target.dir, 'descriptors.json'), '[]');
    },
    async close() {
      destination.stop();
      records.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
