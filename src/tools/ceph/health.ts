/** @module tools/ceph/health — reads `ceph status --format json` into what `up` waits for and `status` shows. Pure. */

/** The parts of the cluster status ferry looks at. */
export interface ClusterHealth {
  /** HEALTH_OK, HEALTH_WARN or HEALTH_ERR. */
  status: string;
  /** One line per health check, e.g. "MON_DISK_LOW: mon a is low on available space". */
  checks: string[];
  osds: { total: number; up: number; in: number };
  mgrAvailable: boolean;
}

interface RawOsdmap {
  num_osds?: number;
  num_up_osds?: number;
  num_in_osds?: number;
  /** Octopus and earlier nest the counts one level deeper. */
  osdmap?: RawOsdmap;
}

interface RawStatus {
  health?: { status?: string; checks?: Record<string, { summary?: { message?: string } }> };
  osdmap?: RawOsdmap;
  mgrmap?: { available?: boolean };
}

/** Parses `ceph status --format json`; null when the text is not such a status. */
export function parseClusterHealth(json: string): ClusterHealth | null {
  let raw: RawStatus;
  try {
    raw = JSON.parse(json) as RawStatus;
  } catch {
    return null;
  }
  if (typeof raw?.health?.status !== 'string') return null;
  const osdmap = raw.osdmap?.osdmap ?? raw.osdmap ?? {};
  return {
    status: raw.health.status,
    checks: Object.entries(raw.health.checks ?? {}).map(([code, c]) => `${code}: ${c.summary?.message ?? ''}`),
    osds: { total: osdmap.num_osds ?? 0, up: osdmap.num_up_osds ?? 0, in: osdmap.num_in_osds ?? 0 },
    mgrAvailable: raw.mgrmap?.available === true,
  };
}

/** True when the cluster serves: health OK or WARN, and every one of `osds` OSDs up and in. */
export function clusterServes(h: ClusterHealth | null, osds: number): boolean {
  if (!h || (h.status !== 'HEALTH_OK' && h.status !== 'HEALTH_WARN')) return false;
  return h.osds.total === osds && h.osds.up === osds && h.osds.in === osds;
}

/** One line: the status and its checks. */
export function describeHealth(h: ClusterHealth | null): string {
  if (!h) return 'unknown (the monitor does not answer)';
  const osds = `${h.osds.up}/${h.osds.total} OSDs up, ${h.osds.in} in`;
  return h.checks.length > 0 ? `${h.status}, ${osds} (${h.checks.join('; ')})` : `${h.status}, ${osds}`;
}

/**
 * The OSDs named in a SLOW_OPS check whose oldest op has been blocked at least `blockedS`
 * seconds ("1 slow ops, oldest one blocked for 34 sec, osd.2 has slow ops"): on a cluster that
 * is still coming up, such an op does not finish by itself, and radosgw waits on it.
 */
export function stuckOsds(h: ClusterHealth | null, blockedS: number): number[] {
  const slow = h?.checks.find((c) => c.startsWith('SLOW_OPS:'));
  const blocked = Number(/oldest one blocked for (\d+) sec/.exec(slow ?? '')?.[1] ?? NaN);
  if (!slow || !(blocked >= blockedS)) return [];
  return [...slow.matchAll(/osd\.(\d+)/g)].map((m) => Number(m[1]));
}
