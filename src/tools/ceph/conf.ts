/**
 * @module tools/ceph/conf — the cluster's ceph.conf, passed with `-c` to every daemon and
 * command (nothing is read from or written to /etc/ceph). Pure.
 */
import { MON_ID, RGW_NAME, type CephPlan } from './plan.ts';

/**
 * Memory and speed policy of a single-machine cluster (whole cluster well under 2 GiB).
 * osd_memory_target cannot go below 896 MiB, so the bluestore cache is fixed instead of autotuned.
 */
export const TUNING = {
  /**
   * Replicas per pool (min_size 1). One: every OSD file sits on the same disk anyway, and a
   * second copy would halve the little space 1 GiB OSDs leave (bluefs reserves ~290 MiB each).
   */
  replicas: 1,
  /** Bluestore cache per OSD, in MiB. */
  bluestoreCacheMiB: 64,
  /** Placement groups per pool (autoscaling off: it only churns a cluster this small). */
  pgNum: 8,
  /** radosgw's beast threads. */
  rgwThreads: 16,
  /** How long the monitor gathers changes before proposing them, in s (Ceph's 1 s makes radosgw's pool creation take ~10 s). */
  paxosProposeIntervalS: 0.1,
  /** Op queue shards per OSD (each costs start time; two CPUs' worth is plenty here). */
  osdShards: 2,
  /** Warn when the monitor's disk has less free space than this, in percent (Ceph's 30 % warns on most laptops). */
  monDataAvailWarnPct: 10,
} as const;

const MIB = 1024 * 1024;

function section(name: string, entries: ReadonlyArray<readonly [string, string | number | boolean]>): string {
  return `[${name}]\n${entries.map(([k, v]) => `${k} = ${String(v)}\n`).join('')}`;
}

/** The text of ceph.conf for a cluster with this fsid. */
export function cephConf(plan: CephPlan, fsid: string): string {
  const s = plan.stateDir;
  const global = section('global', [
    ['fsid', fsid],
    ['mon_host', plan.monAddrs],
    ['mon_initial_members', MON_ID],
    // every daemon binds the cluster's own address, never 0.0.0.0
    ['public_addr', plan.address],
    ['cluster_addr', plan.address],
    ['public_network', `${plan.address}/32`],
    ['ms_bind_ipv4', true],
    ['ms_bind_ipv6', false],
    // cephx off: the cluster is reachable only from this machine and its test bed
    ['auth_cluster_required', 'none'],
    ['auth_service_required', 'none'],
    ['auth_client_required', 'none'],
    ['auth_allow_insecure_global_id_reclaim', false],
    // radosgw cannot reach the monitor in the default 'secure' mode when auth is off
    ['ms_mon_client_mode', 'crc'],
    ['run_dir', `${s}/run`],
    ['admin_socket', '$run_dir/$name.asok'],
    ['log_file', `${s}/log/$name.log`],
    ['crash_dir', `${s}/crash`],
    ['mon_data', `${s}/mon/$id`],
    ['mgr_data', `${s}/mgr/$id`],
    ['osd_data', `${s}/osd/$id`],
    ['osd_pool_default_size', Math.min(TUNING.replicas, plan.osds)],
    ['osd_pool_default_min_size', 1],
    ['osd_pool_default_pg_num', TUNING.pgNum],
    ['osd_pool_default_pgp_num', TUNING.pgNum],
    ['osd_pool_default_pg_autoscale_mode', 'off'],
    ['mon_allow_pool_size_one', true],
    ['mon_warn_on_pool_no_redundancy', false],
    // replicas go to different OSDs, not different hosts: there is one host
    ['osd_crush_chooseleaf_type', 0],
    // no dashboard, restful or prometheus module: nothing more to listen, less memory
    ['mgr_initial_modules', ''],
  ]);
  const mon = section('mon', [
    ['mon_cluster_log_file', `${s}/log/cluster.log`],
    ['mon_data_avail_warn', TUNING.monDataAvailWarnPct],
    ['paxos_propose_interval', TUNING.paxosProposeIntervalS],
  ]);
  const osd = section('osd', [
    ['osd_objectstore', 'bluestore'],
    ['bluestore_block_size', plan.osdSizeMiB * MIB],
    ['bluestore_cache_autotune', false],
    ['bluestore_cache_size', TUNING.bluestoreCacheMiB * MIB],
    ['bluestore_fsck_on_mkfs', false],
    ['osd_op_num_shards', TUNING.osdShards],
  ]);
  // command-line clients (ceph, radosgw-admin) get no admin socket: concurrent ones would fight over it
  const client = section('client', [['admin_socket', '']]);
  const rgw = section(RGW_NAME, [
    ['admin_socket', '$run_dir/$name.asok'],
    ['rgw_data', plan.rgwData],
    ['rgw_frontends', `beast endpoint=${plan.address}:${plan.rgwPort}`],
    ['rgw_thread_pool_size', TUNING.rgwThreads],
  ]);
  return `# written by \`ferry storage up\` on every start; change src/tools/ceph/conf.ts, not this file\n${[global, mon, osd, client, rgw].join('\n')}`;
}
