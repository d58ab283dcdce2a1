/**
 * @module core/config — the one configuration schema. Every key has its default and unit
 * here, unknown keys are rejected, and every key has an environment twin
 * (`FERRY_<SECTION>_<KEY>`, e.g. FERRY_MIGRATION_LINK_TIMEOUT_MS; nested ones name each level,
 * FERRY_MIGRATION_PRECOPY_MAX_ROUNDS). `loadConfig` is the one place a process assembles it.
 */
import * as z from 'zod';
import { FerryError } from './errors.ts';

const ms = (def: number) => z.number().int().positive().default(def);

/** The schema of ferry's configuration. */
export const ConfigSchema = z.strictObject({
  agent: z.strictObject({
    /** Control API port (TCP). */
    controlPort: z.number().int().min(1).max(65535).default(7070),
    /** Data link port (TCP). */
    dataPort: z.number().int().min(1).max(65535).default(7071),
    /** runc's state directory for Docker's containers (dockerd's exec-root + /runtime-runc/moby). */
    runcRoot: z.string().default('/run/docker/runtime-runc/moby'),
    /** Largest JSON request body the control API accepts, in bytes. */
    maxRequestBytes: z.number().int().positive().default(4 * 1024 * 1024),
    /** The CRIU that runc runs for the agent's own dumps (`runc --criu`): a path, or a name looked up on PATH. Probes and Docker's checkpoint API use `criu` on PATH. */
    criuPath: z.string().min(1).default('criu'),
    /** The CRIU configuration file runc hands CRIU on this machine; ferry writes it only around its own runc calls (thin checkpoints: CRIU's images stay in ferry's directory, not Docker's). */
    runcCriuConfig: z.string().min(1).default('/etc/criu/runc.conf'),
    /** Where the destination keeps CRIU's images of an incoming migration ('' : ferry-images under Docker's data root, the file system the capacity check measures). */
    imagesDir: z.string().default(''),
    /** A tmpfs directory for the source's CRIU dumps when it has room for the container's memory twice over plus 1 GiB ('' : always Docker's checkpoint directory on disk). */
    tmpfsDir: z.string().default('/dev/shm/ferry'),
  }).prefault({}),
  deadlines: z.strictObject({
    /** A CRIU dump (runc checkpoint, or Docker's checkpoint API) that has not finished by then is killed, with its process group, and the source thawed, in ms. Generous: a dump of several GiB fits. */
    criuDumpMs: ms(300_000),
    /** A CRIU restore (`docker start --checkpoint` on the destination) that has not finished by then fails and the source thaws, in ms. */
    criuRestoreMs: ms(300_000),
    /** `criu cpuinfo dump` and `criu cpuinfo check` at preflight, in ms. */
    criuProbeMs: ms(30_000),
    /** Any other Docker Engine API call (inspect, create, pause, unpause, remove, ...) that gets no answer by then fails, in ms. */
    dockerMs: ms(120_000),
    /** Loading or importing an image through the Engine API, in ms. */
    dockerImageMs: ms(600_000),
  }).prefault({}),
  migration: z.strictObject({
    /** Largest raw chunk on the data link, in bytes. */
    chunkBytes: z.number().int().min(4096).max(4 * 1024 * 1024).default(1024 * 1024),
    /** Compression on the data link: zstd (default), none. */
    compression: z.enum(['zstd', 'none']).default('zstd'),
    /** zstd level (1 is fast; 3 compresses more). */
    zstdLevel: z.number().int().min(1).max(19).default(1),
    /** A data link that moves no byte for this long is declared dead, in ms. */
    linkTimeoutMs: ms(10_000),
    /** A control request to the peer agent that gets no answer for this long fails, in ms (FERRY_ERR_PEER_TIMEOUT when the peer still answers /v1/health). */
    requestTimeoutMs: ms(60_000),
    /** A migration's event stream carries a heartbeat (phase, time in it) at least this often, so a long silent step shows that time passes and the stream stays alive, in ms. */
    heartbeatMs: ms(5_000),
    /** The destination drops an unfinished incoming migration after this long without contact, in ms. */
    leaseMs: ms(30_000),
    /** Lazy restore: the destination resumes the container before its memory is filled (CRIU's lazy-pages daemon fills it from the local images on fault and in the background); commit waits until every page is in. Needs userfaultfd (uffd-noncoop); without it the restore is eager. */
    lazyRestore: z.boolean().default(true),
    /** After restore, the container must stay running this long to pass verify, in ms. */
    verifyMs: ms(1_000),
    /** Headroom kept on the destination beyond what the migration needs, as a fraction. */
    capacityHeadroom: z.number().min(0).max(10).default(0.1),
    /** Skip the capacity preflight (tests use it to provoke a full disk mid-transfer). */
    skipCapacityCheck: z.boolean().default(false),
    /** Accept host bind mounts (only when the path is on storage both hosts share). */
    allowBind: z.boolean().default(false),
    /** Largest file the data link accepts, in bytes. */
    maxFileBytes: z.number().int().positive().default(64 * 1024 * 1024 * 1024),
    /** Pre-copy rounds: history-based deferral and the stop rule (each part named in the report). */
    precopy: z.strictObject({
      /** k: how many recent rounds the page history remembers. */
      deferWindow: z.number().int().min(1).max(30).default(3),
      /** T: a page changed in at least T of the last k rounds waits for the final round (0: no deferral). */
      deferThreshold: z.number().int().min(0).max(30).default(2),
      /** Stop when the predicted final round fits this downtime budget, in ms (QEMU's 300 ms). */
      downtimeBudgetMs: z.number().int().min(0).default(300),
      /** Stop when the dirty set grows by more than this fraction round over round (P.Haul's 10 %). */
      growthLimit: z.number().min(0).max(10).default(0.1),
      /** Stop when the dirty set shrinks by less than this fraction round over round (0: off). */
      shrinkMargin: z.number().min(0).max(1).default(0.1),
      /** Stop after this many rounds (P.Haul's 8). */
      maxRounds: z.number().int().min(1).max(100).default(8),
      /** Stop once this many times the footprint has been sent (Xen's 3x). */
      maxBytesFactor: z.number().min(0.5).max(100).default(3),
    }).prefault({}),
    /** Post-copy (strategy postcopy): the container resumes on the destination first and its pages come from the frozen source afterwards. */
    postcopy: z.strictObject({
      /** A fault on a page still on the source fails (and the restored copy is killed) when the page does not come within this long, in ms. */
      pageWaitMs: ms(30_000),
      /** A push of the pages that fails (link cut) is retried this many times. */
      pushAttempts: z.number().int().min(1).max(20).default(4),
    }).prefault({}),
    /** Pre-storage (strategy prestore, PF-Docker): stable pages go to the object store during the rounds, flowing ones wait for the stop. */
    prestore: z.strictObject({
      /** How many recent rounds the change history covers. */
      window: z.number().int().min(1).max(30).default(3),
      /** Pre-storage threshold: a page changed in at least this many of the last `window` rounds is flowing data and waits for the stop (0: no threshold, every changed page is uploaded). */
      threshold: z.number().int().min(0).max(30).default(2),
      /** Packs uploaded at once by the source. */
      uploadConcurrency: z.number().int().min(1).max(64).default(4),
      /** Packs fetched at once by the destination. */
      fetchConcurrency: z.number().int().min(1).max(64).default(4),
    }).prefault({}),
  }).prefault({}),
  network: z.strictObject({
    /** The Docker network whose addresses do not depend on the host (a macvlan network with the same subnet on every host's shared segment): a container on it keeps its address, its MAC and its TCP connections when it moves. */
    cluster: z.string().regex(/^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,63}$/).default('ferry'),
    /** After a restore, announce the container's new location with gratuitous ARP (arping -U) so that switches and neighbours send its traffic to the destination at once. */
    announce: z.boolean().default(true),
  }).prefault({}),
  protect: z.strictObject({
    /** How often a protected container's state is stored (`ferry protect --every`), in ms. */
    everyMs: ms(30_000),
    /** How many complete points of each container are kept in the store (`--keep`); older ones are deleted. */
    keep: z.number().int().min(1).max(1000).default(3),
    /** Objects (blocks, packs) moved to or from the store at once by a point or a recovery. */
    concurrency: z.number().int().min(1).max(64).default(4),
    /** A page pack the last point still used less than this fraction of is not reused: its live pages are uploaded again, so points (and recoveries) do not carry mostly overwritten packs. */
    repackBelow: z.number().min(0).max(1).default(0.5),
    /** Garbage collection of objects no manifest names runs after a point at most this often, in ms. */
    gcEveryMs: ms(600_000),
    /** Unnamed objects younger than this survive a collection (an upload whose manifest is not written yet looks the same), in ms. */
    gcGraceMs: ms(900_000),
  }).prefault({}),
  store: z.strictObject({
    /** Which object store pre-stored state goes to: a directory (embedded default) or S3 (Ceph RGW, MinIO, AWS). */
    kind: z.enum(['directory', 's3']).default('directory'),
    /** The directory store's root (may sit on a shared mount such as CephFS). */
    dir: z.string().default('/var/lib/ferry/store'),
    /** S3 endpoint URL, e.g. http://10.212.0.1:7480 ('' : the SDK's default, AWS). */
    endpoint: z.string().default(''),
    /** S3 bucket. */
    bucket: z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/).default('ferry'),
    /** S3 region (Ceph RGW accepts us-east-1). */
    region: z.string().default('us-east-1'),
    /** S3 access key id ('' : from credentialsFile). Never logged. */
    accessKeyId: z.string().default(''),
    /** S3 secret access key ('' : from credentialsFile). Never logged. */
    secretAccessKey: z.string().default(''),
    /** A JSON file {endpoint, bucket, accessKeyId, secretAccessKey} that fills the keys left empty (`ferry storage up` writes one). */
    credentialsFile: z.string().default(''),
  }).prefault({}),
  storage: z.strictObject({
    /** Where the project's Ceph cluster keeps its configuration, data files, logs and PIDs. */
    stateDir: z.string().default('/var/lib/ferry/ceph'),
    /** The address the cluster's daemons listen on: a /32 on the interface ferrystore0 of the root namespace (a dummy link, or a bridge without ports where the kernel lacks the dummy driver), routed to from every test-bed host. */
    address: z.string().regex(/^\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}$/).default('10.212.0.1'),
    /** radosgw's S3 port. */
    rgwPort: z.number().int().min(1).max(65535).default(7480),
    /** Number of OSDs (each on a file). */
    osds: z.number().int().min(1).max(9).default(3),
    /** Size of each OSD's bluestore file, in MiB. */
    osdSizeMiB: z.number().int().min(1024).default(1024),
  }).prefault({}),
  testbed: z.strictObject({
    /** Number of hosts. */
    hosts: z.number().int().min(2).max(16).default(3),
    /** Link bandwidth of every host, in Mbit/s. */
    bandwidthMbit: z.number().int().positive().default(1000),
    /** IPv4 /24 prefix of the test-bed link (hosts are .11, .12, ...; the bridge is .1). */
    subnet: z.string().regex(/^\d{1,3}\.\d{1,3}\.\d{1,3}$/).default('10.213.0'),
    /** Where the test bed keeps its state, data roots and logs. */
    stateDir: z.string().default('/var/lib/ferry/testbed'),
    /** Size of a tmpfs Docker data root for hosts that ask for one, in MiB (0: none). */
    smallDiskMiB: z.number().int().min(0).default(0),
    /** CPU cores each host offers, enforced as a CFS quota on the host's cgroup parent, e.g. 0.3 (0: no cap, containers under /docker as usual). */
    hostCpus: z.number().min(0).max(256).default(0),
    /** Memory each host declares as its capacity, in MiB; not enforced (0: the machine's MemTotal). */
    hostMemoryMiB: z.number().int().min(0).default(0),
    /** Where a failed demo, benchmark row or integration test keeps the hosts' logs (agent, dockerd, CRIU), one directory per failure; outside every state dir, so `testbed down` never removes it. */
    keptLogsDir: z.string().min(1).default('/var/lib/ferry/failed-runs'),
    /** How many kept failures stay in keptLogsDir; older ones are removed when a new one is kept. */
    keptLogsRuns: z.number().int().min(1).max(1000).default(20),
    /** Mutual TLS between the test bed's agents, controller and CLI, with the CA and certificates \`up\` makes in STATE/pki (false: plain TCP with the token, only to measure what TLS costs). */
    tls: z.boolean().default(true),
  }).prefault({}),
  scheduler: z.strictObject({
    /** The placement policy: elastic (the Ceph + Swarm paper's model), spread (Docker Swarm), binpack, kube (LeastAllocated + BalancedAllocation). */
    policy: z.enum(['elastic', 'spread', 'binpack', 'kube']).default('elastic'),
    /** S: agents sample every container's and the node's load this often, in ms. */
    sampleEveryMs: ms(2000),
    /** D: the controller averages the last D samples. */
    samples: z.number().int().min(1).max(120).default(5),
    /** Weights λ:α:β (memory, CPU, network) per application type; each triple sums to 1. */
    appTypes: z.record(z.string().regex(/^[a-z][a-z0-9-]{0,31}$/), z.strictObject({ memory: z.number().min(0).max(1), cpu: z.number().min(0).max(1), network: z.number().min(0).max(1) }))
      .default({
        'cpu-intensive': { memory: 0.3, cpu: 0.5, network: 0.2 },
        'memory-intensive': { memory: 0.5, cpu: 0.3, network: 0.2 },
        'network-intensive': { memory: 0.2, cpu: 0.3, network: 0.5 },
        balanced: { memory: 0.34, cpu: 0.33, network: 0.33 },
      }),
    /** The type of an application that names none, and the weights node colours use. */
    defaultAppType: z.string().default('balanced'),
    /** A node whose Wi is below this is green (under-used). */
    greenBelow: z.number().min(0).max(1).default(0.2),
    /** A node whose Wi is above this is red (overloaded); between the two it is blue. */
    redAbove: z.number().min(0).max(2).default(0.75),
    /** A colour changes only once Wi crosses its threshold by this much (no flapping). */
    hysteresis: z.number().min(0).max(0.5).default(0.05),
    /** W: a node whose CPU utilisation stays above this for overloadForMs has containers migrated away. */
    overloadW: z.number().min(0).max(2).default(0.8),
    /** How long a node must stay above W before relief, in ms. */
    overloadForMs: ms(20_000),
    /** How long a node must stay green before it is drained, in ms. */
    idleForMs: ms(30_000),
    /** A container that was migrated is not moved again for this long, in ms. */
    cooldownMs: ms(60_000),
    /** At most this many migrations start per budgetPeriodMs. */
    migrationBudget: z.number().int().min(0).default(2),
    /** The period of the migration budget, in ms. */
    budgetPeriodMs: ms(60_000),
    /** Non-empty nodes that may drain at once (empty ones are never held up). */
    drainsAtOnce: z.number().int().min(1).default(1),
    /**
     * Start drains while some node's CPU is above W. Off by default: in a small cluster a hot
     * node means little room. In a large one some node is nearly always hot; its relief runs
     * first and destinations stay under W either way.
     */
    drainWhileHot: z.boolean().default(false),
    /** Never put a node to sleep when fewer than this many would stay awake. */
    minAwake: z.number().int().min(1).default(1),
    /** How the scheduler moves containers. */
    migrationStrategy: z.enum(['stop-copy', 'precopy', 'prestore']).default('precopy'),
  }).prefault({}),
  controller: z.strictObject({
    /** Address the controller's API listens on (loopback unless a token is set). */
    listen: z.string().default('127.0.0.1'),
    /** The API's TCP port. */
    port: z.number().int().min(1).max(65535).default(7080),
    /** Where the controller keeps its SQLite database. */
    stateDir: z.string().default('/var/lib/ferry/controller'),
    /** How often the scheduler loop runs, in ms. */
    tickMs: ms(2000),
  }).prefault({}),
  tls: z.strictObject({
    /** The PKI directory: ca.crt, revoked.json and this process's key and certificate (agent-NAME, controller, operator-NAME; `ferry pki` makes them). '' : no TLS, and then ferry listens on loopback only. */
    dir: z.string().default(''),
    /** The operator name whose certificate the CLI presents ('' : the only operator certificate in tls.dir). */
    name: z.string().default(''),
    /** Allow plain TCP beyond loopback (with the cluster token). Only for measuring what TLS costs on a private test network: the link is then readable and forgeable by anyone on it. */
    plainBeyondLoopback: z.boolean().default(false),
  }).prefault({}),
  prerequisites: z.strictObject({
    /** Where CRIU from Debian (sid, else trixie: the first that passes the functional probe) is unpacked when the system CRIU fails the probe. */
    criuPrefix: z.string().default('/opt/ferry/criu'),
    /** Where the doctor builds its probe helpers and caches the functional probe's result. */
    probeDir: z.string().default('/var/lib/ferry/doctor'),
  }).prefault({}),
});

/** ferry's configuration, after defaults. */
export type Config = z.infer<typeof ConfigSchema>;
/** A partial configuration as a user writes it. */
export type ConfigInput = z.input<typeof ConfigSchema>;

/** Validates a configuration, filling defaults; throws FERRY_ERR_CONFIG naming the bad key and its environment twin. */
export function parseConfig(input: unknown): Config {
  const result = ConfigSchema.safeParse(input ?? {});
  if (!result.success) {
    const issue = result.error.issues[0];
    const keys = (issue?.path ?? []).map(String);
    const twin = keys.length > 1 ? ` (environment ${twinOfPath(keys)})` : '';
    throw new FerryError('FERRY_ERR_CONFIG', `config key ${keys.join('.') || '(root)'}${twin}: ${issue?.message ?? 'invalid'}`);
  }
  return Object.freeze(result.data);
}

/** The defaults, as `ferry config default` prints them. */
export function defaultConfig(): Config {
  return parseConfig({});
}

/** A JSON value, or the text itself when it is not JSON (the schema then names the key). */
function jsonOr(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

/** The object schema under a key, or undefined when the key holds one value (a number, a string, a table such as scheduler.appTypes). */
function objectSchema(schema: z.ZodType | undefined): z.ZodObject | undefined {
  let s = schema;
  while (s instanceof z.ZodPrefault || s instanceof z.ZodDefault) s = s.unwrap() as z.ZodType;
  return s instanceof z.ZodObject ? s : undefined;
}

/** The environment twin of a key, e.g. envTwin('deadlines', 'criuDumpMs') is FERRY_DEADLINES_CRIU_DUMP_MS; a nested key names each level (envTwin('migration', 'precopy', 'maxRounds')). */
export function envTwin(section: string, ...keys: string[]): string {
  return `FERRY_${[section, ...keys].join('_').replace(/[A-Z]/g, (c) => `_${c}`)}`.toUpperCase();
}

/** The variable that sets the key at `path` (a path into a table names the table's variable, which holds JSON). */
function twinOfPath(path: readonly string[]): string {
  let schema: z.ZodType | undefined = ConfigSchema;
  const keys: string[] = [];
  for (const key of path) {
    const object = objectSchema(schema);
    if (!object) break;
    keys.push(key);
    schema = object.shape[key] as z.ZodType | undefined;
  }
  return envTwin(keys[0] ?? '', ...keys.slice(1));
}

/** A JSON object (not an array, not null). */
const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** An environment value typed like the key's default: a number, a boolean, JSON for a table, else the text. */
function envValue(raw: string, def: unknown): unknown {
  if (typeof def === 'number') return Number(raw);
  if (typeof def === 'boolean') return raw === 'true' || raw === '1';
  if (typeof def === 'object' && def !== null) return jsonOr(raw);
  return raw;
}

/** The twins of one object's keys, recursing into nested objects (whose own variable, JSON, still works and loses to the per-key ones). */
function twinsOf(object: z.ZodObject, defaults: Record<string, unknown>, path: string[], env: NodeJS.ProcessEnv): Record<string, unknown> | undefined {
  let out: Record<string, unknown> | undefined;
  for (const [key, def] of Object.entries(defaults)) {
    // A section has no variable of its own; a nested object's holds JSON.
    const [section, ...keys] = [...path, key];
    const raw = path.length > 0 ? env[envTwin(section ?? '', ...keys)] : undefined;
    let value = raw === undefined ? undefined : envValue(raw, def);
    const nested = objectSchema(object.shape[key] as z.ZodType);
    const inner = nested ? twinsOf(nested, def as Record<string, unknown>, [...path, key], env) : undefined;
    // Text that is not JSON stays as it is, so the schema names the key.
    if (inner && (value === undefined || isPlainObject(value))) value = mergeConfig(value, inner);
    if (value !== undefined) (out ??= {})[key] = value;
  }
  return out;
}

/** Reads FERRY_<SECTION>_<KEY> variables (FERRY_<SECTION>_<NESTED>_<KEY> for nested keys) into a partial configuration (a table such as scheduler.appTypes is JSON). */
export function configFromEnv(env: NodeJS.ProcessEnv): Record<string, Record<string, unknown>> {
  return (twinsOf(ConfigSchema, defaultConfig(), [], env) ?? {}) as Record<string, Record<string, unknown>>;
}

/** Merges partial configurations, later ones winning per key, at every depth. */
export function mergeConfig(...parts: Array<Record<string, unknown> | undefined>): Record<string, Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const part of parts) {
    if (!part) continue;
    for (const [key, value] of Object.entries(part)) {
      const before = out[key];
      out[key] = isPlainObject(before) && isPlainObject(value) ? mergeConfig(before, value) : value;
    }
  }
  return out as Record<string, Record<string, unknown>>;
}

/** Where a configuration comes from beyond the defaults. */
export interface LoadConfigOptions {
  /** The environment whose FERRY_* twins are read (default: this process's). */
  env?: NodeJS.ProcessEnv;
  /** Keys set explicitly, e.g. by command-line flags, by section: they win over the environment. */
  overrides?: Record<string, Record<string, unknown> | undefined>;
}

/**
 * The one way a process assembles its configuration: defaults < FERRY_* environment twins <
 * explicit overrides (flags), validated and frozen. There is no configuration file.
 * @example loadConfig({ overrides: { agent: { controlPort: 9000 } } })
 */
export function loadConfig(options: LoadConfigOptions = {}): Config {
  return parseConfig(mergeConfig(configFromEnv(options.env ?? process.env), options.overrides));
}
