/**
 * @module domain/migration/report — the migration report, pure: per-phase durations, bytes on the
 * wire (raw and compressed, per data root), frozen time, outcome and its cause.
 */
import type { WireError } from '../../core/errors.ts';

/** Bytes moved for one data-link root. */
export interface RootBytes {
  rawBytes: number;
  wireBytes: number;
  files: number;
}

/** The report of one migration. */
export interface MigrationReport {
  migrationId: string;
  container: string;
  from: string;
  to: string;
  strategy: string;
  outcome: 'running' | 'migrated' | 'rolled-back' | 'in-doubt';
  startedAt: number;
  endedAt?: number;
  totalMs?: number;
  /** Milliseconds spent in each phase, in the order entered. */
  phases: Array<{ phase: string; ms: number }>;
  /** Time the container's processes were frozen (source pause to destination restore). */
  frozenMs?: number;
  /** Time the cgroup freezer took to freeze the container (docker pause). */
  freezeMs?: number;
  /** Time CRIU took to dump. */
  checkpointMs?: number;
  /** Who drove CRIU's dump: runc directly, or Docker's checkpoint API (when runc's state is not found). */
  dumpedBy?: 'runc' | 'docker-api';
  /** Time CRIU took to restore on the destination. */
  restoreMs?: number;
  /** How the destination restored. */
  restoredBy?: RestorePath;
  /** Lazy restore: from resume until every page was in (the container ran meanwhile), in ms. */
  lazyWindowMs?: number;
  /** Lazy restore: pages ferry's page server sent to CRIU's lazy-pages daemon, and how many of them a fault asked for first (the rest went in the background). */
  lazyFill?: { servedPages?: number; faults?: number };
  bytes: { rawBytes: number; wireBytes: number; compressionRatio: number; byRoot: Record<string, RootBytes> };
  /** Pre-copy rounds, the rule that ended them and the final round (strategy precopy). */
  precopy?: PrecopyReport;
  /** Post-copy: the pages that followed the resume, and how many ranges faults asked for first. */
  postcopy?: { lazyPages: number; eagerPages: number; pushedPages: number; wantedRanges: number; pushAttempts: number; pushMs?: number };
  /** What went through the object store (strategy prestore). */
  prestore?: PrestoreReport;
  /** The container's network across the move (clients' view). */
  network?: NetworkReport;
  error?: WireError;
  /** What rollback did, in order. */
  rollback?: string[];
}

/** What clients of the container saw of the move. */
export interface NetworkReport {
  /** Its address on the cluster network, kept on the destination with its MAC; absent when its address changed with the host. */
  address?: { network: string; ip: string; mac: string };
  /** Connected TCP sockets at preflight: inside the container (loopback) and to the outside. */
  connections: { inside: number; outside: number };
  /** What the dump did with them: moved with their state, or closed (`--drop-connections`). */
  tcp: 'established' | 'close';
  /**
   * The client-visible gap: from the lock of the source's network (the freeze) until the
   * destination ran and announced the address, in ms: the longest a client waited for an
   * answer, but for its own TCP retransmission timer (which may fire later still).
   */
  clientGapMs?: number;
  /** How the new location was announced (gratuitous ARP), or why not. */
  announce?: string;
}

/** One pre-copy round (container running), or the final round (frozen). */
export interface PrecopyRoundReport {
  round: number;
  dirtyPages: number;
  deferredPages: number;
  sentPages: number;
  /** Pages whose latest content the destination lacked after the round. */
  pendingPages: number;
  /** Writable-layer and volume entries sent, and paths found deleted. */
  files: number;
  deleted: number;
  rawBytes: number;
  wireBytes: number;
  ms: number;
  /** Wire bytes per second over the round. */
  bandwidthBps: number;
}

/** What the pre-copy strategy did. */
export interface PrecopyReport {
  /** How changed pages were found: by content hash (any kernel) or by soft-dirty bits. */
  dirtyTracking: 'content-hash' | 'soft-dirty';
  /** Whether the source kernel offers soft-dirty tracking (CRIU's mem_dirty_track). */
  softDirtyAvailable: boolean;
  policy: { deferWindow: number; deferThreshold: number; downtimeBudgetMs: number; growthLimit: number; shrinkMargin: number; maxRounds: number; maxBytesFactor: number };
  footprintBytes: number;
  rounds: PrecopyRoundReport[];
  stopRule?: string;
  stopDetail?: string;
  /** The frozen round: pages of the dump, those that had to cross, and its bytes. */
  final?: { dumpPages: number; sentPages: number; files: number; deleted: number; rawBytes: number; wireBytes: number; ms: number; /** Of `ms`, the time spent reading and hashing the dump (the final scan); the rest is sending. */ scanMs?: number };
  /** Time the destination took to write the page files from what it held (all of them for an eager restore, only the pages CRIU's restorer reads itself for a lazy one). */
  rebuildMs?: number;
}

/** What pre-storage did: bytes through the store and direct, and uploads that went stale. */
export interface PrestoreReport {
  /** The object store (never its credentials). */
  store: string;
  policy: { window: number; threshold: number };
  /** The destination lacked the image and loaded it from the store (uploaded there unless already stored), or had it. */
  image: 'present' | 'store';
  imageUploadedBytes: number;
  /** Pages uploaded in the rounds, and the bytes that crossed to the store for them. */
  uploadedPages: number;
  uploadedBytes: number;
  packs: number;
  /** Pages held back as flowing data in each round (changed in at least `threshold` of the last `window` rounds). */
  rounds: Array<{ round: number; uploadedPages: number; uploadedBytes: number; flowingPages: number; ms: number }>;
  /** What the destination fetched from the store, and how long restore waited for the last fetches. */
  fetchedBytes?: number;
  fetchedPacks?: number;
  fetchWaitMs?: number;
  /** Bytes sent source→destination directly (the data link's wire bytes, every root). */
  directBytes?: number;
  /** Uploaded pages whose content the final dump no longer holds: PF-Docker's invalid transmission. */
  stalePages?: number;
  staleBytes?: number;
}

/** A fresh report. */
export function newReport(init: Pick<MigrationReport, 'migrationId' | 'container' | 'from' | 'to' | 'strategy'>, now: number): MigrationReport {
  return { ...init, outcome: 'running', startedAt: now, phases: [], bytes: { rawBytes: 0, wireBytes: 0, compressionRatio: 1, byRoot: {} } };
}

/** Adds the bytes of a finished data-link root. */
export function addRootBytes(report: MigrationReport, root: string, add: RootBytes): void {
  const cur = report.bytes.byRoot[root] ?? { rawBytes: 0, wireBytes: 0, files: 0 };
  report.bytes.byRoot[root] = { rawBytes: cur.rawBytes + add.rawBytes, wireBytes: cur.wireBytes + add.wireBytes, files: cur.files + add.files };
  report.bytes.rawBytes += add.rawBytes;
  report.bytes.wireBytes += add.wireBytes;
  report.bytes.compressionRatio = report.bytes.wireBytes > 0 ? report.bytes.rawBytes / report.bytes.wireBytes : 1;
}

/** Records that a phase took `ms`. */
export function addPhase(report: MigrationReport, phase: string, ms: number): void {
  report.phases.push({ phase, ms });
}

/** Closes the report. */
export function finishReport(report: MigrationReport, outcome: MigrationReport['outcome'], now: number): void {
  report.outcome = outcome;
  report.endedAt = now;
  report.totalMs = now - report.startedAt;
}

/** How a destination restores: `thin` (CRIU's images read from ferry's directory; Docker's checkpoint holds only runc's descriptors), `thin-lazy` (and the memory filled after resume by CRIU's lazy-pages daemon). */
export type RestorePath = 'thin' | 'thin-lazy';

/** Where the frozen time went: freeze, CRIU's dump, the transfer while frozen, the restore, and what is left (control calls). */
export interface FrozenParts {
  freezeMs: number;
  dumpMs: number;
  transferMs: number;
  /** Of transferMs, the final scan of the dump (pre-copy); absent for the other strategies. */
  scanMs?: number;
  restoreMs: number;
  otherMs: number;
}

/** The frozen time split into its parts; undefined until the migration has a frozen time. */
export function frozenParts(r: MigrationReport): FrozenParts | undefined {
  if (r.frozenMs === undefined) return undefined;
  const parts = {
    freezeMs: r.freezeMs ?? 0,
    dumpMs: r.checkpointMs ?? 0,
    transferMs: r.phases.find((p) => p.phase === 'transfer')?.ms ?? 0,
    restoreMs: r.restoreMs ?? 0,
  };
  const scanMs = r.precopy?.final?.scanMs;
  return { ...parts, ...(scanMs !== undefined ? { scanMs } : {}), otherMs: Math.max(0, r.frozenMs - parts.freezeMs - parts.dumpMs - parts.transferMs - parts.restoreMs) };
}

/** A human summary, a line per fact. */
export function formatReport(r: MigrationReport): string {
  const mib = (n: number) => `${(n / 1048576).toFixed(2)} MiB`;
  const lines = [
    `migration ${r.migrationId}: ${r.container} ${r.from} -> ${r.to} (${r.strategy}): ${r.outcome}`,
    `  total ${r.totalMs ?? '?'} ms, frozen ${r.frozenMs ?? '-'} ms (checkpoint ${r.checkpointMs ?? '-'} ms by ${r.dumpedBy ?? '-'}, restore ${r.restoreMs ?? '-'} ms ${r.restoredBy ?? ''}${r.lazyWindowMs !== undefined ? `, then ${r.lazyWindowMs} ms filling memory while it ran${r.lazyFill ? ` (${r.lazyFill.servedPages ?? '-'} pages from ferry's page server, ${r.lazyFill.faults ?? '-'} on fault)` : ''}` : ''})`,
    ...((f) => (f ? [`  frozen: freeze ${f.freezeMs} ms, dump ${f.dumpMs} ms, transfer ${f.transferMs} ms${f.scanMs !== undefined ? ` (of it the final scan ${f.scanMs} ms)` : ''}, restore ${f.restoreMs} ms, other ${f.otherMs} ms`] : []))(frozenParts(r)),
    `  phases: ${r.phases.map((p) => `${p.phase} ${p.ms} ms`).join(', ')}`,
    `  bytes: ${mib(r.bytes.rawBytes)} raw, ${mib(r.bytes.wireBytes)} on the wire (compression ${r.bytes.compressionRatio.toFixed(2)}x)`,
    ...Object.entries(r.bytes.byRoot).map(([root, b]) => `    ${root}: ${b.files} files, ${mib(b.rawBytes)} raw, ${mib(b.wireBytes)} wire`),
  ];
  const pc = r.precopy;
  if (pc) {
    lines.push(`  pre-copy (${pc.dirtyTracking}, defer k=${pc.policy.deferWindow} T=${pc.policy.deferThreshold}): ${pc.rounds.length} rounds, stopped by ${pc.stopRule ?? '-'}${pc.stopDetail ? ` (${pc.stopDetail})` : ''}`);
    for (const x of pc.rounds) lines.push(`    round ${x.round}: ${x.dirtyPages} dirty, ${x.deferredPages} deferred, ${x.sentPages} sent, ${x.files} files; ${mib(x.wireBytes)} wire in ${x.ms} ms`);
    if (pc.final) lines.push(`    final: ${pc.final.sentPages} of ${pc.final.dumpPages} dump pages sent, ${pc.final.files} files; ${mib(pc.final.wireBytes)} wire in ${pc.final.ms} ms (scan of the dump ${pc.final.scanMs ?? '-'} ms); page files written before restore in ${pc.rebuildMs ?? '-'} ms`);
  }
  const po = r.postcopy;
  if (po) lines.push(`  post-copy: ${po.eagerPages} pages sent while frozen, ${po.lazyPages} after the resume (${po.pushedPages} pushed in order, ${po.wantedRanges} ranges asked for by faults first; ${po.pushAttempts} push sessions${po.pushMs !== undefined ? `, the last ${po.pushMs} ms` : ''})`);
  const ps = r.prestore;
  if (ps) {
    lines.push(`  pre-storage in ${ps.store} (threshold ${ps.policy.threshold} of ${ps.policy.window} rounds): ${mib(ps.uploadedBytes)} uploaded in ${ps.packs} packs, ${mib(ps.fetchedBytes ?? 0)} fetched by the destination (restore waited ${ps.fetchWaitMs ?? '-'} ms), ${mib(ps.directBytes ?? 0)} direct; stale uploads ${ps.stalePages ?? '-'} pages (${mib(ps.staleBytes ?? 0)}); image ${ps.image === 'store' ? `through the store (${mib(ps.imageUploadedBytes)} uploaded now)` : 'already on the destination'}`);
    for (const x of ps.rounds) lines.push(`    round ${x.round}: ${x.uploadedPages} pages stored (${mib(x.uploadedBytes)}), ${x.flowingPages} flowing held back, ${x.ms} ms`);
  }
  const n = r.network;
  if (n) lines.push(`  network: ${n.address ? `kept ${n.address.ip} (${n.address.mac}) on ${n.address.network}` : 'address changed with the host'}; ${n.connections.outside} outside and ${n.connections.inside} inside connections ${n.tcp === 'established' ? 'carried' : 'closed'}; client-visible gap ${n.clientGapMs ?? '-'} ms (frozen ${r.frozenMs ?? '-'} ms)${n.announce ? `; ${n.announce}` : ''}`);
  if (r.error) lines.push(`  cause: ${r.error.code}: ${r.error.message}`);
  if (r.rollback?.length) lines.push(`  rollback: ${r.rollback.join('; ')}`);
  return lines.join('\n');
}
