/**
 * @module services/migration/source-steps — the work of each forward phase on the source side:
 * preflight checks, staging on the destination, freezing and dumping, and the transfer of
 * the state over the data link. The orchestration and recovery live in source.ts.
 */
import { chooseDumpDir, dumpRoot } from '../../adapters/host/dump-dir.ts';
import path from 'node:path';
import { FerryError } from '../../core/errors.ts';
import { containerSpec, type ContainerSpec } from '../../adapters/docker/container-spec.ts';
import { storeImage } from '../prestore/image-store.ts';
import { TERMINAL } from '../../domain/migration/phases.ts';
import type { MigrationRecord } from './record-store.ts';
import type { PrepareReply } from '../../domain/migration/protocol.ts';
import { checkpointName } from './destination-types.ts';
import { measureNeeds } from './needs.ts';
import { checkFreeze, countConnections, freezeError, FREEZE_RULES } from './freeze-preflight.ts';
import type { DestinationClient, OutgoingData, SourceDeps } from './source-types.ts';
import type { Outbound } from './outbound.ts';

/** The forward phases of one migration. */
export class SourceSteps {
  private readonly deps: SourceDeps;
  private readonly rec: MigrationRecord<OutgoingData>;
  /** The watchers, the data link and the object store of this migration. */
  private readonly out: Outbound;

  constructor(deps: SourceDeps, rec: MigrationRecord<OutgoingData>, out: Outbound) {
    this.deps = deps;
    this.rec = rec;
    this.out = out;
  }

  /** Checks the container and both hosts; nothing is changed. */
  async preflight(dest: DestinationClient): Promise<void> {
    const { engine, config } = this.deps;
    const inspect = await engine.inspectContainer(this.rec.container);
    const options = this.rec.data.request.options ?? {};
    for (const r of this.deps.records.unfinished<OutgoingData>('source', TERMINAL)) {
      if (r.id !== this.rec.id && r.data.spec?.id === inspect.Id) throw new FerryError('FERRY_ERR_MIGRATION_BUSY', `container ${this.rec.container} is already being migrated (${r.id}, ${r.phase})`);
    }
    const spec = containerSpec(inspect, { allowBind: options.allowBind ?? config.migration.allowBind, clusterNetwork: config.network.cluster });
    // What the freeze would fail on, and connections that could not keep their clients (freeze-preflight.ts), refused before any round or byte.
    const { checkpointer } = this.deps;
    const processes = await checkpointer.processes(inspect.State.Pid);
    const dropConnections = options.dropConnections === true;
    const move = { keepsAddress: spec.address !== undefined, publishedPorts: spec.publishedPorts, dropConnections };
    const refusals = checkFreeze(processes, await checkpointer.agentFacts(), FREEZE_RULES, move);
    if (refusals.length) throw freezeError(spec.name, refusals);
    this.rec.data.report.network = { ...(spec.address ? { address: spec.address } : {}), connections: countConnections(processes), tcp: dropConnections ? 'close' : 'established' };
    const { strategy } = this.rec.data.request;
    if (strategy === 'postcopy' && inspect.Config.Labels?.['ferry.postcopy'] === 'refuse') throw new FerryError('FERRY_ERR_POSTCOPY_REFUSED', `container ${spec.name} opts out of post-copy (label ferry.postcopy=refuse): its memory must never be split across two hosts; use --strategy precopy`);
    const criu = await this.deps.criu();
    if (!criu.versionOk || !criu.checkOk) throw new FerryError('FERRY_ERR_CRIU', `CRIU on the source is ${criu.version} and \`criu check\` says: ${criu.checkOutput}`);
    const needs = await measureNeeds(inspect, spec);
    this.rec.data.memoryBytes = needs.memoryBytes;
    this.rec.data.expectedBytes = needs.diskBytes;
    // Kept before it is announced: a follower that subscribes after the event reads it from the record.
    this.deps.records.put(this.rec);
    this.out.emit({ type: 'estimate', bytes: needs.diskBytes, at: Date.now() });
    await dest.call('POST', '/v1/incoming/preflight', {
      migrationId: this.rec.id,
      container: spec.name,
      imageId: spec.imageId,
      volumes: spec.volumes.map(({ name, destination, readOnly }) => ({ name, destination, readOnly })),
      needs,
      cpuinfo: await checkpointer.cpuinfo(),
      skipCapacityCheck: options.skipCapacityCheck ?? config.migration.skipCapacityCheck,
      ...(strategy === 'postcopy' ? { postcopy: true } : {}),
      ...(spec.address ? { address: spec.address } : {}),
    });
    this.rec.data.spec = spec;
  }

  /** Opens the destination's record, sends the image if it lacks it, creates the container there. */
  async stage(dest: DestinationClient): Promise<PrepareReply> {
    const spec = this.rec.data.spec as ContainerSpec;
    const { strategy } = this.rec.data.request;
    const store = strategy === 'prestore' ? await this.out.objectStore() : undefined;
    const reply = await dest.call<PrepareReply>('POST', '/v1/incoming', {
      migrationId: this.rec.id,
      source: this.deps.hostName,
      container: spec.name,
      imageId: spec.imageId,
      imageRef: spec.imageRef,
      volumes: spec.volumes.map(({ name, destination, readOnly }) => ({ name, destination, readOnly })),
      createBody: spec.createBody,
      pages: strategy === 'precopy' || strategy === 'prestore',
      ...(strategy === 'postcopy' ? { postcopy: true } : {}),
      ...(store ? { store: store.where } : {}),
      ...(this.rec.data.report.network?.tcp === 'close' ? { tcp: 'close' as const } : {}),
    });
    if (reply.needImage && store) {
      const report = this.out.prestoreReport(store);
      const { uploadedBytes } = await storeImage(store, this.deps.engine, spec.imageId, spec.imageRef);
      Object.assign(report, { image: 'store', imageUploadedBytes: uploadedBytes });
      await dest.call('POST', `/v1/incoming/${this.rec.id}/stored-image`, { imageId: spec.imageId });
    } else if (reply.needImage) {
      await this.out.session(reply, 'image', async (link) => {
        // Export by name when the name still means this image, so the destination gets the tag too.
        const byRef = await this.deps.engine.findImage(spec.imageRef);
        await link.sendStream('image', await this.deps.engine.exportImage(byRef?.Id === spec.imageId ? spec.imageRef : spec.imageId));
      });
    }
    await dest.call('POST', `/v1/incoming/${this.rec.id}/create`, {});
    return reply;
  }

  /** Freezes the container (cgroup freezer), locks its network, then has CRIU dump it (the checkpointer), leaving it frozen. */
  async stop(): Promise<void> {
    const spec = this.rec.data.spec as ContainerSpec;
    this.rec.data.pausedAt = Date.now();
    this.rec.data.paused = true;
    this.deps.records.put(this.rec);
    await this.deps.engine.pause(spec.id);
    await this.lockNetwork(spec);
    const started = Date.now();
    this.rec.data.report.freezeMs = started - this.rec.data.pausedAt;
    this.rec.data.checkpointed = true;
    this.deps.records.put(this.rec);
    const { checkpointer } = this.deps;
    const tcp = this.rec.data.report.network?.tcp ?? 'established';
    if (await checkpointer.canDump(spec.id)) {
      this.rec.data.checkpointDir = await chooseDumpDir(dumpRoot(this.deps.config.agent.tmpfsDir, this.deps.stateDir), this.rec.id, this.rec.data.memoryBytes ?? 0, this.dockerCheckpointDir());
      this.deps.records.put(this.rec);
      await checkpointer.dump({ containerId: spec.id, imageDir: this.checkpointDir(), workDir: path.join(this.deps.stateDir, 'criu', this.rec.id), tcp });
      this.rec.data.report.dumpedBy = 'runc';
    } else {
      await checkpointer.dumpThroughEngine(spec.id, checkpointName(this.rec.id), tcp);
      this.rec.data.report.dumpedBy = 'docker-api';
    }
    this.rec.data.report.checkpointMs = Date.now() - started;
  }

  /**
   * Closes the frozen container's network namespace (adapters/host/net-lock.ts) before the dump: from
   * now until the source copy is removed, its kernel neither acknowledges what the checkpoint
   * will not hold nor resets a client; a rollback lifts the lock.
   */
  private async lockNetwork(spec: ContainerSpec): Promise<void> {
    const pid = (await this.deps.engine.inspectContainer(spec.id)).State.Pid;
    this.rec.data.lockedPid = pid;
    this.deps.records.put(this.rec);
    await this.deps.checkpointer.lockNetwork(pid);
    this.rec.data.lockedAt = Date.now();
    this.deps.records.put(this.rec);
  }

  /** Where the checkpoint is: on tmpfs (adapters/host/dump-dir.ts) or Docker's own directory for it. */
  checkpointDir(): string {
    return this.rec.data.checkpointDir ?? this.dockerCheckpointDir();
  }

  /** Docker's directory for the checkpoint, so Docker can delete it. */
  private dockerCheckpointDir(): string {
    const spec = this.rec.data.spec as ContainerSpec;
    return path.join(this.deps.dataRoot, 'containers', spec.id, 'checkpoints', checkpointName(this.rec.id));
  }

  /** Sends the checkpoint, the writable layer and the volumes over one data-link session. */
  async transfer(reply: PrepareReply): Promise<void> {
    const spec = this.rec.data.spec as ContainerSpec;
    await this.out.session(reply, 'state', async (link) => {
      await link.sendTree('checkpoint', this.checkpointDir());
      await link.sendTree('upper', spec.upperDir);
      for (const v of spec.volumes) await link.sendTree(`volume:${v.name}`, v.source);
    });
  }
}
