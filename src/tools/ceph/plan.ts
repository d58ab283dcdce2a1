/**
 * @module tools/ceph/plan — the project's Ceph cluster as data: where everything lives under
 * the state dir, which daemons run, their exact command lines and how to recognize them. Pure.
 */
import { basename, isAbsolute, join } from 'node:path';
import type { Config } from '../../core/config.ts';
import { FerryError } from '../../core/errors.ts';
import { hasArgPair, type CommandLine } from '../testbed/index.ts';

/** The interface in the root namespace that carries the cluster's /32 address. */
export const INTERFACE = 'ferrystore0';
/** The monitor's id (one monitor). */
export const MON_ID = 'a';
/** The manager's id (one manager). */
export const MGR_ID = 'x';
/** radosgw's entity name. */
export const RGW_NAME = 'client.rgw.ferry';
/** The S3 user `up` creates. */
export const S3_UID = 'ferry';
/** The monitor's ports: messenger v2 and v1. */
export const MON_PORTS = { v2: 3300, v1: 6789 } as const;
/** The Ceph programs `up` runs (ferry doctor names their packages). */
export const CEPH_BINARIES = ['ceph-mon', 'ceph-mgr', 'ceph-osd', 'radosgw', 'ceph', 'radosgw-admin', 'monmaptool'] as const;
/** Longest path of a unix socket (sun_path is 108 bytes with its NUL). */
const SOCKET_MAX = 107;

/** The kind of a Ceph daemon. */
export type DaemonKind = 'mon' | 'mgr' | 'osd' | 'rgw';

/** One daemon of the cluster. */
export interface DaemonPlan {
  /** Ceph's entity name (mon.a, mgr.x, osd.0, client.rgw.ferry); names its log, pid and socket files. */
  name: string;
  kind: DaemonKind;
  /** `-i ID` for mon, mgr and osd; `-n NAME` for radosgw. */
  idFlag: '-i' | '-n';
  id: string;
  pidFile: string;
  /** The daemon's own log (log_file). */
  logFile: string;
  /** Its stdout and stderr. */
  outFile: string;
  adminSocket: string;
  /** Runs it in the foreground (ferry detaches it and records its PID). */
  command: CommandLine;
}

/** What a cluster is made from (the storage and store sections of the config). */
export interface CephPlanInput {
  stateDir: string;
  address: string;
  rgwPort: number;
  osds: number;
  osdSizeMiB: number;
  bucket: string;
  region: string;
}

/** Everything about one cluster that follows from its input. */
export interface CephPlan extends CephPlanInput {
  confFile: string;
  /** cluster.json: fsid, address and OSD uuids, kept across restarts. */
  identityFile: string;
  /** s3.json: endpoint, bucket, region and keys (mode 0600). */
  credentialsFile: string;
  monmapFile: string;
  logDir: string;
  runDir: string;
  crashDir: string;
  monData: string;
  mgrData: string;
  rgwData: string;
  /** The monitor's address vector, as mon_host and monmaptool take it. */
  monAddrs: string;
  endpoint: string;
  osdIds: number[];
  /** In start order: mon, mgr, osds, rgw. */
  daemons: DaemonPlan[];
}

/** The data directory of an OSD. */
export function osdData(plan: Pick<CephPlan, 'stateDir'>, id: number): string {
  return join(plan.stateDir, 'osd', String(id));
}

/** The bluestore block file of an OSD. */
export function osdBlock(plan: Pick<CephPlan, 'stateDir'>, id: number): string {
  return join(osdData(plan, id), 'block');
}

function validate(input: CephPlanInput): void {
  const bad = (msg: string): FerryError => new FerryError('FERRY_ERR_CONFIG', msg);
  // ceph.conf has no quoting: '#' and ';' start comments, '$' expands, spaces split values
  if (!isAbsolute(input.stateDir) || !/^[A-Za-z0-9._/-]+$/.test(input.stateDir) || input.stateDir.replace(/\/+$/, '') === '') {
    throw bad(`config key storage.stateDir: must be an absolute path of letters, digits and . _ - / (got ${JSON.stringify(input.stateDir)})`);
  }
  const octets = input.address.split('.').map(Number);
  if (octets.length !== 4 || octets.some((o) => !Number.isInteger(o) || o < 0 || o > 255) || octets[0] === 0 || octets[0] === 127 || input.address === '255.255.255.255') {
    throw bad(`config key storage.address: ${input.address} is not a usable unicast IPv4 address (0.0.0.0, 127.x and broadcast are refused)`);
  }
  if (input.rgwPort === MON_PORTS.v1 || input.rgwPort === MON_PORTS.v2 || (input.rgwPort >= 6800 && input.rgwPort <= 7300)) {
    throw bad(`config key storage.rgwPort: ${input.rgwPort} collides with the monitor (3300, 6789) or OSD (6800-7300) ports`);
  }
}

function daemon(stateDir: string, confFile: string, kind: DaemonKind, id: string): DaemonPlan {
  const name = kind === 'rgw' ? id : `${kind}.${id}`;
  const idFlag = kind === 'rgw' ? '-n' : '-i';
  const binary = kind === 'rgw' ? 'radosgw' : `ceph-${kind}`;
  return {
    name, kind, idFlag, id,
    pidFile: join(stateDir, 'run', `${name}.pid`),
    logFile: join(stateDir, 'log', `${name}.log`),
    outFile: join(stateDir, 'log', `${name}.out`),
    adminSocket: join(stateDir, 'run', `${name}.asok`),
    command: { file: binary, args: ['-f', '-c', confFile, idFlag, id] },
  };
}

/** Plans a cluster; throws FERRY_ERR_CONFIG for a state dir, address or port it cannot use. */
export function planCeph(input: CephPlanInput): CephPlan {
  validate(input);
  const stateDir = input.stateDir.replace(/\/+$/, '');
  const confFile = join(stateDir, 'ceph.conf');
  const osdIds = Array.from({ length: input.osds }, (_, i) => i);
  const daemons = [
    daemon(stateDir, confFile, 'mon', MON_ID),
    daemon(stateDir, confFile, 'mgr', MGR_ID),
    ...osdIds.map((id) => daemon(stateDir, confFile, 'osd', String(id))),
    daemon(stateDir, confFile, 'rgw', RGW_NAME),
  ];
  const longest = daemons.map((d) => d.adminSocket).reduce((a, b) => (b.length > a.length ? b : a));
  if (longest.length > SOCKET_MAX) {
    throw new FerryError('FERRY_ERR_CONFIG', `config key storage.stateDir: ${stateDir} is too long for a unix socket (${longest} has ${longest.length} bytes, at most ${SOCKET_MAX})`);
  }
  return {
    ...input, stateDir, confFile,
    identityFile: join(stateDir, 'cluster.json'),
    credentialsFile: join(stateDir, 's3.json'),
    monmapFile: join(stateDir, 'monmap'),
    logDir: join(stateDir, 'log'),
    runDir: join(stateDir, 'run'),
    crashDir: join(stateDir, 'crash'),
    monData: join(stateDir, 'mon', MON_ID),
    mgrData: join(stateDir, 'mgr', MGR_ID),
    rgwData: join(stateDir, 'rgw'),
    monAddrs: `[v2:${input.address}:${MON_PORTS.v2},v1:${input.address}:${MON_PORTS.v1}]`,
    endpoint: `http://${input.address}:${input.rgwPort}`,
    osdIds, daemons,
  };
}

/** Plans the cluster of a configuration (sections storage and store). */
export function planFromConfig(config: Config): CephPlan {
  const { stateDir, address, rgwPort, osds, osdSizeMiB } = config.storage;
  return planCeph({ stateDir, address, rgwPort, osds, osdSizeMiB, bucket: config.store.bucket, region: config.store.region });
}

/** True when `argv` is exactly this daemon of this cluster (its program, conf file and id), never a pattern. */
export function isDaemon(d: DaemonPlan, argv: readonly string[]): boolean {
  const conf = d.command.args[2] ?? '';
  return basename(argv[0] ?? '') === d.command.file && hasArgPair(argv, '-c', conf) && hasArgPair(argv, d.idFlag, d.id);
}
