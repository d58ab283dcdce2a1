/**
 * @module tools/bench/migrate-bench — `ferry bench migrate`: on a test bed of its own, runs every
 * case of the matrix with every strategy side by side (the two baselines, ferry stop-copy,
 * pre-copy with and without deferral) and computes the physical bound; every row measured
 * the same way: the workload's heartbeat for downtime, the source veth's counter for bytes.
 * Ferry's rows run over mutual TLS; in the cases tlsOffCases names, each also runs as a twin on
 * a second test bed with TLS off, back to back with it, to measure what TLS costs.
 */
import os from 'node:os';
import path from 'node:path';
import { readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import zlib from 'node:zlib';
import { loadConfig, parseConfig } from '../../core/config.ts';
import { asFerryError } from '../../core/errors.ts';
import { DockerEngine } from '../../adapters/docker/engine.ts';
import { criuFacts } from '../../adapters/host/criu.ts';
import { run } from '../../adapters/host/run.ts';
import { readMemory } from '../../adapters/process-memory/memory-scan.ts';
import { processTree } from '../../adapters/process-memory/process-tree.ts';
import { PAGE } from '../../domain/pages/page-delta.ts';
import { keepLogsAfterFailure, testbedDown, testbedUp, planOfCluster, type Cluster, clusterFile, shapeHost } from '../testbed/index.ts';
import { migrate } from '../../apps/cli/migrate-client.ts';
import { frozenParts, type MigrationReport } from '../../domain/migration/report.ts';
import { continuity, lazyWindowPace } from '../workloads/heartbeat.ts';
import { ensureWorkloadImage, workloadSpec } from '../workloads/catalog.ts';
import { baselineHosts, runDockerStopCopy, runPodman, podmanVersion, txBytes, HEARTBEAT_SETTLE_MS, type BaselineResult } from './baselines/index.ts';
import { benchCases, ferryStrategy, HEADLINE, isFerryStrategy, linkOrder, LOOP, precopyOptions, prestoreOptions, RUN_STRATEGIES, tlsOffCases, warmupMs, workloadEnv } from './matrix.ts';
import { storageDown, storageUp } from '../ceph/index.ts';
import { openStore } from '../../adapters/object-store/open-store.ts';
import { collectGarbage } from '../../adapters/object-store/gc.ts';
import { referencesOf } from '../../services/prestore/state-manifest.ts';
import { boundRow, summarize } from './summary.ts';
import { caseLabel, rowLabel, sameCase } from './cases.ts';
import { linkThroughputBps } from './tls-cost.ts';
import type { BenchCase, BenchMachine, BenchResults, BenchRound, BenchRow, BenchStrategy } from './results.ts';

/** How a benchmark run is set up. */
export interface MigrateBenchOptions {
  quick: boolean;
  /** Only the headline case (stream 1 GiB @ 50 MB/s, 1 Gbit/s), every strategy side by side. */
  headline?: boolean;
  /** Only the loop case (0 MiB): the floor a strategy's downtime is compared with. */
  loop?: boolean;
  /** Only these strategies (default: all). */
  strategies?: readonly BenchStrategy[];
  /** Also run ferry's rows with TLS off, on a second test bed (default true; false: TLS rows only, one bed). */
  tlsOff?: boolean;
  say: (line: string) => void;
}

/** The test bed the benchmark makes for itself (apart from the demo's and the tests'). */
const BENCH_TESTBED = { hosts: 2, subnet: '10.219.0', stateDir: '/var/lib/ferry/bench-testbed' };
/**
 * The second bed, for the TLS-off twins: the same shape with testbed.tls=false (agents on plain
 * TCP with the token). Both beds stay up for the whole run, so a twin follows its TLS row without
 * a restart between them; the idle bed costs both sides alike.
 */
const BENCH_PLAIN_TESTBED = { ...BENCH_TESTBED, subnet: '10.235.0', stateDir: '/var/lib/ferry/bench-testbed-plain', tls: false };
/** The Ceph cluster the prestore rows go through (its own, apart from the demo's and the tests'). */
const BENCH_STORAGE = { stateDir: '/var/lib/ferry/bench-ceph', address: '10.212.0.5', rgwPort: 7485, osdSizeMiB: 8192 };
const NAME = 'bench-workload';

/** Runs the matrix and returns the results (the caller writes them). */
export async function runMigrateBench(o: MigrateBenchOptions): Promise<BenchResults> {
  const startedAt = new Date().toISOString();
  const cases = o.headline ? [HEADLINE] : o.loop ? [LOOP] : benchCases(o.quick);
  const bandwidthMbit = cases[0]?.bandwidthMbit ?? 1000;
  const config = parseConfig({ testbed: { ...BENCH_TESTBED, bandwidthMbit }, storage: BENCH_STORAGE });
  const twinCases = o.tlsOff === false ? [] : tlsOffCases(cases);
  // The override goes into this bed's own config, not the environment: the TLS bed keeps TLS.
  const plainConfig = twinCases.length > 0 ? parseConfig({ testbed: { ...BENCH_PLAIN_TESTBED, bandwidthMbit }, storage: BENCH_STORAGE }) : undefined;
  const withStore = RUN_STRATEGIES.some((s) => s.startsWith('prestore') && (!o.strategies || o.strategies.includes(s)));
  const rows: BenchRow[] = [];
  // Whatever failed to start is stopped too: Ceph and a half-built test bed never outlive the run.
  try {
    if (withStore) {
      o.say(`bench: starting Ceph (mon, mgr, ${config.storage.osds} OSDs, radosgw) on ${BENCH_STORAGE.address}:${BENCH_STORAGE.rgwPort}`);
      const ceph = await storageUp({ config });
      // The agents take their object store from the environment the test bed starts them with.
      process.env['FERRY_STORE_KIND'] = 's3';
      process.env['FERRY_STORE_CREDENTIALS_FILE'] = ceph.credentialsFile;
    }
    o.say(`bench: starting a ${BENCH_TESTBED.hosts}-host test bed on ${BENCH_TESTBED.subnet}.0/24 (mutual TLS on every link)`);
    const cluster = await testbedUp({ config, log: () => undefined });
    if (plainConfig) o.say(`bench: starting a second ${BENCH_PLAIN_TESTBED.hosts}-host test bed on ${BENCH_PLAIN_TESTBED.subnet}.0/24 with TLS off (plain TCP with the token), for the TLS-off twins`);
    const plain = plainConfig ? await testbedUp({ config: plainConfig, log: () => undefined }) : undefined;
    for (const c of cases) {
      for (const bed of plain ? [cluster, plain] : [cluster]) {
        await shapeLinks(bed, c.bandwidthMbit);
        for (const h of bed.hosts) await ensureWorkloadImage(new DockerEngine(h.dockerSocket), c.workload);
      }
      const twins = plain !== undefined && twinCases.some((t) => sameCase(t, c));
      let footprint: { bytes: number; compressed: number } | undefined;
      let ferryIndex = 0;
      for (const strategy of RUN_STRATEGIES.filter((s) => !o.strategies || o.strategies.includes(s))) {
        for (const tls of linkOrder(strategy, ferryIndex, twins)) {
          rows.push(await benchRow(tls || !plain ? cluster : plain, c, strategy, tls, (f) => (footprint ??= f), o.say));
        }
        if (isFerryStrategy(strategy)) ferryIndex++;
      }
      if (footprint) rows.push(boundRow(c, footprint.compressed, footprint.bytes));
    }
  } finally {
    await testbedDown({ config, log: () => undefined });
    if (plainConfig) await testbedDown({ config: plainConfig, log: () => undefined });
    if (withStore) await storageDown({ config, purge: true });
  }
  const headline = o.quick ? (cases[0] as BenchCase) : HEADLINE;
  return { kind: 'ferry-bench-migrate', startedAt, finishedAt: new Date().toISOString(), quick: o.quick, machine: await machine(), rows, summary: summarize(rows, headline) };
}

/** One row on one bed: run it, keep the logs of a failure, clear the hosts (and the store's packs after a prestore row). */
async function benchRow(bed: Cluster, c: BenchCase, strategy: Exclude<BenchStrategy, 'bound'>, tls: boolean, onFootprint: (f: { bytes: number; compressed: number }) => unknown, say: (line: string) => void): Promise<BenchRow> {
  const links = isFerryStrategy(strategy) ? { tls } : {};
  const label = rowLabel({ case: c, strategy, ok: true, ...links });
  say(`bench: ${caseLabel(c)} — ${label}`);
  let error: unknown;
  const measuredRow = await runOne(bed, c, strategy, onFootprint).catch((err: unknown): BenchRow => { error = err; return { case: c, strategy, ok: false, problem: asFerryError(err).message }; });
  const row: BenchRow = { ...measuredRow, ...links };
  // before the workload is removed: its output and the CRIU logs explain the failure
  const kept = row.ok ? null : await keepLogsAfterFailure(bed.stateDir, { what: `bench-${strategy}${tls ? '' : '-tls-off'}-${c.workload}-${c.sizeMiB}mib-${c.dirtyMBps}mbps-${c.bandwidthMbit}mbit`, error: error ?? row.problem }, say);
  if (kept) row.keptLogs = kept;
  say(`bench:   ${row.ok ? `downtime ${row.downtimeMs} ms, total ${row.totalMs} ms, ${((row.wireBytes ?? 0) / 1048576).toFixed(1)} MiB${row.linkBps ? `, data link ${(row.linkBps / 1048576).toFixed(1)} MiB/s` : ''}` : `failed: ${row.problem}${kept ? `; logs kept in ${kept}` : ''}`}`);
  await removeEverywhere(bed);
  if (strategy.startsWith('prestore')) await dropPacks(say);
  return row;
}

/** One strategy on one case: start the workload, let it warm up, move it, read the heartbeat on the destination. */
async function runOne(cluster: Cluster, c: BenchCase, strategy: Exclude<BenchStrategy, 'bound'>, onFootprint: (f: { bytes: number; compressed: number }) => unknown): Promise<BenchRow> {
  const spec = workloadSpec(c.workload);
  const input = { cluster, from: 'h1', to: 'h2', image: spec.image, name: NAME, env: [...spec.env, ...workloadEnv(c)], heartbeatPath: spec.heartbeatPath, warmupMs: warmupMs(c) };
  if (strategy === 'baseline-stopcopy' || strategy === 'podman') {
    const r: BaselineResult = await (strategy === 'podman' ? runPodman(input) : runDockerStopCopy(input));
    return row(c, strategy, r.heartbeat, { totalMs: r.totalMs, frozenMs: r.frozenMs, wireBytes: r.wireBytes, phases: r.phases, ...(r.footprintBytes ? { footprintBytes: r.footprintBytes } : {}) }, r.problem);
  }
  const { src, dst } = baselineHosts(input);
  const id = await src.engine.createContainer(NAME, { Image: spec.image, Env: input.env, Labels: { 'ferry.bench': strategy } });
  await src.engine.startContainer(id);
  await sleep(input.warmupMs);
  if (strategy === 'stop-copy') onFootprint(await measureFootprint(src.engine));
  const tx0 = await txBytes(src.plan.netns, src.plan.ifname);
  const precopy = precopyOptions(strategy);
  const prestore = prestoreOptions(strategy);
  const report = await migrate(NAME, { from: 'h1', to: 'h2', strategy: ferryStrategy(strategy), cluster: clusterFile(cluster.stateDir), ...(precopy ? { precopy } : {}), ...(prestore ? { prestore } : {}) });
  const wireBytes = (await txBytes(src.plan.netns, src.plan.ifname)) - tx0;
  if (report.outcome !== 'migrated') return { case: c, strategy, ok: false, problem: `${report.outcome}: ${report.error?.code ?? ''} ${report.error?.message ?? ''}` };
  await sleep(HEARTBEAT_SETTLE_MS);
  const upper = (await dst.engine.inspectContainer(NAME)).GraphDriver.Data['UpperDir'] ?? '';
  const heartbeat = await readFile(path.join(upper, spec.heartbeatPath), 'utf8').catch(() => '');
  const untilRestored = ['preflight', 'stage', 'precopy', 'stop', 'transfer', 'restore'];
  const totalMs = report.phases.filter((p) => untilRestored.includes(p.phase)).reduce((a, p) => a + p.ms, 0);
  const linkBps = linkThroughputBps(report);
  return row(c, strategy, heartbeat, { totalMs, wireBytes, ...(linkBps !== undefined ? { linkBps } : {}), ...(report.frozenMs !== undefined ? { frozenMs: report.frozenMs } : {}), phases: Object.fromEntries(report.phases.map((p) => [p.phase, p.ms])), ...(report.restoredBy ? { restoredBy: report.restoredBy } : {}), ...(report.lazyWindowMs !== undefined ? { lazyWindowMs: report.lazyWindowMs } : {}), ...((f) => (f ? { frozenParts: f } : {}))(frozenParts(report)), ...precopyFields(report), ...prestoreFields(report) });
}

/** A measured row: downtime is the longest silence of the heartbeat, which must also be continuous. */
function row(c: BenchCase, strategy: BenchStrategy, heartbeat: string, measured: Partial<BenchRow>, problem?: string): BenchRow {
  const parsed = workloadSpec(c.workload).parse(heartbeat);
  const beats = continuity(parsed);
  const pace = measured.lazyWindowMs !== undefined ? lazyWindowPace(parsed, measured.lazyWindowMs) : undefined;
  if (pace !== undefined) measured.lazyPace = pace;
  const issues = [problem, beats.continuous ? undefined : `heartbeat not continuous after the move: ${beats.problem ?? 'no beats'}`].filter(Boolean);
  return { case: c, strategy, ok: beats.continuous, downtimeMs: beats.longestGapMs, ...measured, ...(issues.length ? { problem: issues.join('; ') } : {}) };
}

/** After a pre-stored row: the packs of its migration are no longer named by any manifest; collect them so every row starts from the same store (stored images stay). */
async function dropPacks(say: (line: string) => void): Promise<void> {
  const store = await openStore(loadConfig().store);
  const gc = await collectGarbage(store, referencesOf, { graceMs: 0 });
  say(`bench:   store: ${gc.deleted} unreferenced objects (${(gc.deletedBytes / 1048576).toFixed(1)} MiB) collected, ${gc.kept} kept`);
}

/** What a pre-stored migration moved where, as benchmark fields. */
function prestoreFields(report: MigrationReport): Partial<BenchRow> {
  const ps = report.prestore;
  if (!ps) return {};
  return { prestore: { footprintBytes: report.precopy?.footprintBytes ?? 0, directBytes: ps.directBytes ?? report.bytes.wireBytes, uploadedBytes: ps.uploadedBytes, fetchedBytes: ps.fetchedBytes ?? 0, staleBytes: ps.staleBytes ?? 0, imageUploadedBytes: ps.imageUploadedBytes } };
}

/** The rounds and stop rule of a pre-copy report, as benchmark fields. */
function precopyFields(report: MigrationReport): Partial<BenchRow> {
  const pc = report.precopy;
  if (!pc) return {};
  const rounds: BenchRound[] = pc.rounds.map((r) => ({ round: r.round, dirtyPages: r.dirtyPages, deferredPages: r.deferredPages, sentPages: r.sentPages, rawBytes: r.rawBytes, wireBytes: r.wireBytes, ms: r.ms }));
  if (pc.final) rounds.push({ round: rounds.length + 1, final: true, dirtyPages: pc.final.dumpPages, deferredPages: 0, sentPages: pc.final.sentPages, rawBytes: pc.final.rawBytes, wireBytes: pc.final.wireBytes, ms: pc.final.ms });
  return { rounds, ...(pc.stopRule ? { stopRule: pc.stopRule } : {}) };
}

const ZERO = Buffer.alloc(PAGE);

/** The workload's resident memory (non-zero pages) plus its writable layer, raw and zstd-1 compressed. */
async function measureFootprint(engine: DockerEngine): Promise<{ bytes: number; compressed: number }> {
  const c = await engine.inspectContainer(NAME);
  let bytes = 0;
  let compressed = 0;
  for (const pid of await processTree(c.State.Pid)) {
    for await (const { bytes: chunk } of readMemory(pid)) {
      const pages: Buffer[] = [];
      for (let off = 0; off < chunk.length; off += PAGE) {
        const page = chunk.subarray(off, off + PAGE);
        if (!page.equals(ZERO)) pages.push(page);
      }
      if (!pages.length) continue;
      const all = Buffer.concat(pages);
      bytes += all.length;
      compressed += zlib.zstdCompressSync(all, { params: { [zlib.constants.ZSTD_c_compressionLevel]: 1 } }).length;
    }
  }
  return { bytes, compressed };
}

/** Shapes every host's link to `mbit`. */
async function shapeLinks(cluster: Cluster, mbit: number): Promise<void> {
  for (const h of planOfCluster(cluster).hosts) await shapeHost(h, mbit);
}

/** Removes the workload container from both hosts (left by a run, failed or not). */
async function removeEverywhere(cluster: Cluster): Promise<void> {
  for (const h of cluster.hosts) await new DockerEngine(h.dockerSocket).removeContainer(NAME).catch(() => undefined);
}

/** What the benchmark ran on. */
async function machine(): Promise<BenchMachine> {
  // The test bed's engines run CRIU from the prerequisites prefix when the system one fails; report that one.
  const prefix = parseConfig({}).prerequisites.criuPrefix;
  const criu = await criuFacts({ PATH: `${prefix}/bin:${process.env['PATH'] ?? ''}` }).catch(() => undefined);
  const podman = await podmanVersion().catch(() => undefined);
  const cpu = os.cpus();
  return {
    hostname: os.hostname(),
    kernel: os.release(),
    cpus: cpu.length,
    cpuModel: cpu[0]?.model ?? 'unknown',
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    docker: await dockerVersion(),
    criu: criu?.version ?? 'unknown',
    ...(podman ? { podman } : {}),
  };
}

async function dockerVersion(): Promise<string> {
  const r = await run('dockerd', ['--version']);
  return r.stdout.trim() || 'unknown';
}
