/**
 * @module core/errors — the one registry of ferry's error kinds. Every failure a user can
 * see has a stable code, a message saying what went wrong, a hint saying how to fix it, and
 * whether retrying can help. Codes become HTTP statuses and exit codes only at the edges.
 */

/** One entry of the registry: how an error kind reads and how the edges map it. */
export interface ErrorKind {
  /** Exit code of the CLI for this kind. */
  readonly exit: number;
  /** HTTP status of the control API for this kind. */
  readonly http: number;
  /** True when the same request may succeed later without a change by the user. */
  readonly retryable: boolean;
  /** What the user should do. */
  readonly hint: string;
}

/** The registry. Keys are the codes; docs/errors.md lists the same table. */
export const ERRORS = {
  FERRY_ERR_INVALID_INPUT: { exit: 2, http: 400, retryable: false, hint: 'Correct the request; the message names the field.' },
  FERRY_ERR_CONFIG: { exit: 2, http: 400, retryable: false, hint: 'Fix the configuration value named in the message (`ferry config default` prints every key).' },
  FERRY_ERR_AUTH: { exit: 3, http: 401, retryable: false, hint: 'Present a certificate of this cluster (`ferry pki issue`; the CLI reads FERRY_TLS_DIR and FERRY_TLS_NAME) over https://, and the cluster token the agents were started with (--token-file or FERRY_TOKEN) if they have one.' },
  FERRY_ERR_FORBIDDEN: { exit: 3, http: 403, retryable: false, hint: "The certificate's role may not use this endpoint: agents accept migrations only from agents, and operations only from the controller and operators; use a certificate of the right role (`ferry pki list`)." },
  FERRY_ERR_UNKNOWN_HOST: { exit: 4, http: 404, retryable: false, hint: 'Name a host of the cluster (`ferry testbed status` lists them).' },
  FERRY_ERR_UNKNOWN_CONTAINER: { exit: 4, http: 404, retryable: false, hint: 'Name a container that exists on the source host (`docker ps` there).' },
  FERRY_ERR_UNKNOWN_MIGRATION: { exit: 4, http: 404, retryable: false, hint: 'Name a migration id that this agent recorded.' },
  FERRY_ERR_NOT_RUNNING: { exit: 5, http: 409, retryable: false, hint: 'Start the container first; only a running container can be live-migrated.' },
  FERRY_ERR_POSTCOPY_REFUSED: { exit: 5, http: 409, retryable: false, hint: 'The container opts out of post-copy (label ferry.postcopy=refuse), or the destination cannot restore lazily (no userfaultfd); use --strategy precopy, which never splits a container across hosts.' },
  FERRY_ERR_TTY: { exit: 5, http: 409, retryable: false, hint: 'Re-create the container without -t (Tty=false); CRIU cannot restore a container attached to a terminal.' },
  FERRY_ERR_PRIVILEGED: { exit: 5, http: 409, retryable: false, hint: 'Run the container without --privileged or --device; host devices cannot follow it to another host.' },
  FERRY_ERR_DOCKER_SOCKET: { exit: 5, http: 409, retryable: false, hint: 'Remove the bind of docker.sock; a container that drives its own host engine cannot change host.' },
  FERRY_ERR_UNSUPPORTED_MOUNT: { exit: 5, http: 409, retryable: false, hint: 'Use a named local volume instead of a host bind mount, or pass --allow-bind when the path is on storage both hosts share.' },
  FERRY_ERR_CRIU_UNSUPPORTED: { exit: 5, http: 409, retryable: false, hint: 'The container holds something CRIU cannot dump; the message names the process, the rule that found it and the fix. Nothing was sent and the container runs on.' },
  FERRY_ERR_TCP_CONNECTED: { exit: 5, http: 409, retryable: false, hint: 'The container\'s TCP connections (the message names them) would break on the move: its address changes with the host, or clients reach it through a port published on this host. Run it on the cluster network (network.cluster) so it keeps its address, or pass --drop-connections to move it and let its clients reconnect. Nothing was sent and the container runs on.' },
  FERRY_ERR_NET_LOCK: { exit: 6, http: 500, retryable: true, hint: 'Install nftables (apt-get install nftables) on the host and check that the kernel has nf_tables; the container was not moved and runs on.' },
  FERRY_ERR_ADDRESS: { exit: 5, http: 409, retryable: false, hint: 'The destination lacks the cluster network or already uses the container\'s address there; create the cluster network on the destination (same subnet, same segment) or remove the container that holds the address. Nothing was sent and the container runs on.' },
  FERRY_ERR_SAME_HOST: { exit: 2, http: 400, retryable: false, hint: 'Choose a destination different from the source.' },
  FERRY_ERR_NAME_TAKEN: { exit: 5, http: 409, retryable: false, hint: 'Remove or rename the container of the same name on the destination.' },
  FERRY_ERR_CRIU: { exit: 6, http: 500, retryable: false, hint: 'Run `ferry doctor --fix` on that host; CRIU >= 4 must pass `criu check`.' },
  FERRY_ERR_CPU_INCOMPATIBLE: { exit: 6, http: 409, retryable: false, hint: 'Pick a destination whose CPU offers every feature the source CPU has (criu cpuinfo check).' },
  FERRY_ERR_INSUFFICIENT_MEMORY: { exit: 6, http: 507, retryable: true, hint: 'Free memory on the destination or choose another destination.' },
  FERRY_ERR_INSUFFICIENT_DISK: { exit: 6, http: 507, retryable: true, hint: 'Free disk space under the destination Docker data root or choose another destination.' },
  FERRY_ERR_DOCKER: { exit: 7, http: 502, retryable: true, hint: 'Check that the host\'s dockerd runs (`ferry testbed status`) and see its log.' },
  FERRY_ERR_CHECKPOINT: { exit: 7, http: 500, retryable: true, hint: 'See the CRIU log named in the message; the container was left running on the source.' },
  FERRY_ERR_RESTORE: { exit: 7, http: 500, retryable: true, hint: 'See the CRIU restore log named in the message; the container was left running on the source.' },
  FERRY_ERR_CRIU_CONFIG: { exit: 7, http: 503, retryable: true, hint: 'The CRIU configuration file runc reads on this machine (agent.runcCriuConfig) is held by another checkpoint or restore, or is an operator\'s own file that ferry will not overwrite; the message says which. The container was left running on the source.' },
  FERRY_ERR_CRIU_TIMEOUT: { exit: 7, http: 504, retryable: true, hint: 'CRIU did not finish a step by its deadline; it was killed with its process group and the container was left running on the source. The message names the step, the deadline, the config key that sets it and the tail of the CRIU log: if the container is merely large, raise that key; if CRIU hangs on every dump, run `ferry doctor --fix`.' },
  FERRY_ERR_DOCKER_TIMEOUT: { exit: 7, http: 504, retryable: true, hint: 'The Docker engine did not answer the Engine API call named in the message by its deadline; check that dockerd runs and is not stuck (its log, `ferry testbed status`), or raise the config key named in the message.' },
  FERRY_ERR_AGENT_UNREACHABLE: { exit: 8, http: 502, retryable: true, hint: 'Check that the agent runs and that its address is reachable (`ferry testbed status`).' },
  FERRY_ERR_PEER_TIMEOUT: { exit: 8, http: 504, retryable: true, hint: 'The agent is alive (it answered /v1/health) but did not answer the call named in the message by its deadline; see that agent\'s log for the step it was busy with, or raise the config key named in the message.' },
  FERRY_ERR_DATA_LINK: { exit: 8, http: 502, retryable: true, hint: 'The data link between the hosts failed or stalled; check the link and retry.' },
  FERRY_ERR_INTEGRITY: { exit: 8, http: 502, retryable: true, hint: 'Data failed its checksum: a chunk on the data link (retry, and check the link or memory of both hosts if it repeats) or an object or manifest in the store (nothing was restored from it; recover from an earlier point with --point N).' },
  FERRY_ERR_PROTOCOL: { exit: 8, http: 400, retryable: false, hint: 'The peer sent a malformed frame or request; check that both agents run the same ferry version.' },
  FERRY_ERR_UNSAFE_PATH: { exit: 8, http: 400, retryable: false, hint: 'The peer sent a path that leaves its target directory; this is refused and was not written.' },
  FERRY_ERR_TOO_LARGE: { exit: 8, http: 413, retryable: false, hint: 'The peer announced a size beyond the configured limit; raise the limit only if the data is genuine.' },
  FERRY_ERR_DISK_FULL: { exit: 6, http: 507, retryable: true, hint: 'The destination ran out of disk while receiving; free space under its Docker data root and retry.' },
  FERRY_ERR_TRANSFER_IO: { exit: 8, http: 500, retryable: true, hint: 'Reading the data to send, or writing what was received, failed on the host and file the message names, or a file changed while it was sent. Check that disk and that the agent runs as root; retry with the container frozen.' },
  FERRY_ERR_MIGRATION_BUSY: { exit: 5, http: 409, retryable: true, hint: 'Another migration of this container is in progress; wait for it (`ferry migrations --host SOURCE`).' },
  FERRY_ERR_IN_DOUBT: { exit: 9, http: 409, retryable: true, hint: 'The destination could not confirm whether its copy runs; the source copy stays frozen until it answers. Bring the destination agent back; ferry resolves the record by itself.' },
  FERRY_ERR_STORE_UNREACHABLE: { exit: 12, http: 502, retryable: true, hint: 'Check that the object store runs and that its endpoint, named in the message, is reachable from this host (`ferry storage status` for the project\'s Ceph).' },
  FERRY_ERR_STORE_AUTH: { exit: 12, http: 502, retryable: false, hint: 'Give the store credentials that it accepts: store.accessKeyId and store.secretAccessKey in the config, FERRY_STORE_ACCESS_KEY_ID and FERRY_STORE_SECRET_ACCESS_KEY, or store.credentialsFile (`ferry storage up` writes one).' },
  FERRY_ERR_STORE_BUCKET: { exit: 12, http: 502, retryable: false, hint: 'Create the bucket or directory named in the message (`ferry storage up` creates ferry\'s bucket), or point store.bucket / store.dir at one that exists.' },
  FERRY_ERR_STORE_MISSING: { exit: 12, http: 404, retryable: false, hint: 'The stored state named in the message is incomplete or absent; nothing was restored from it. Use an earlier complete state (`ferry protect --list`) or protect the container again.' },
  FERRY_ERR_UNKNOWN_APP_TYPE: { exit: 2, http: 400, retryable: false, hint: 'Name an application type the scheduler knows (`ferry config default` lists scheduler.appTypes) or define it there with weights that sum to 1.' },
  FERRY_ERR_BAD_WEIGHTS: { exit: 2, http: 400, retryable: false, hint: 'Give the load model weights λ (memory), α (CPU), β (network) between 0 and 1 that sum to 1, e.g. 0.3, 0.5, 0.2.' },
  FERRY_ERR_UNSCHEDULABLE: { exit: 13, http: 409, retryable: true, hint: 'No node can take the container; the message lists why each node refused. Ask for less, remove containers, or add nodes.' },
  FERRY_ERR_NODE_BUSY: { exit: 13, http: 409, retryable: true, hint: 'The node still runs containers or work; drain it first (the scheduler does so by itself under the elastic policy).' },
  FERRY_ERR_NODE_ASLEEP: { exit: 13, http: 409, retryable: true, hint: 'The node is asleep; wake it first (the elastic scheduler wakes one when no awake node can take new work).' },
  FERRY_ERR_UNKNOWN_NODE: { exit: 4, http: 404, retryable: false, hint: 'Name a node registered with the controller (`ferry nodes` lists them).' },
  FERRY_ERR_PREREQUISITE: { exit: 10, http: 500, retryable: false, hint: 'Run `ferry doctor --fix` as root.' },
  FERRY_ERR_TESTBED: { exit: 11, http: 500, retryable: false, hint: 'See the message; `ferry testbed down` then `ferry testbed up` starts clean.' },
  FERRY_ERR_PKI: { exit: 14, http: 500, retryable: false, hint: "The cluster's certificates: the message names the problem. `ferry pki init --dir D` creates a CA (`--force` replaces one, and every certificate it issued stops working); `ferry pki issue` refuses a subject that already has a certificate (`ferry pki rotate` replaces it); openssl must be installed (apt-get install openssl)." },
  FERRY_ERR_INTERNAL: { exit: 70, http: 500, retryable: false, hint: 'This is a bug in ferry; please report it with the agent log.' },
} as const satisfies Record<string, ErrorKind>;

/** A code of the registry. */
export type ErrorCode = keyof typeof ERRORS;

/** The one error class ferry throws for failures a user can see. */
export class FerryError extends Error {
  readonly code: ErrorCode;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown; details?: Record<string, unknown> }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'FerryError';
    this.code = code;
    this.details = options?.details;
  }

  /** The hint of this error's kind. */
  get hint(): string {
    return ERRORS[this.code].hint;
  }

  /** Whether retrying the same request may help. */
  get retryable(): boolean {
    return ERRORS[this.code].retryable;
  }

  /** The wire form, as the control API sends it. */
  toJSON(): WireError {
    return { code: this.code, message: this.message, hint: this.hint, retryable: this.retryable, ...(this.details ? { details: this.details } : {}) };
  }
}

/** An error as it crosses the control API. */
export interface WireError {
  code: string;
  message: string;
  hint: string;
  retryable: boolean;
  details?: Record<string, unknown>;
}

/** True when `code` names an entry of the registry. */
export function isErrorCode(code: unknown): code is ErrorCode {
  return typeof code === 'string' && Object.hasOwn(ERRORS, code);
}

/** Turns a wire error back into a FerryError (unknown codes become FERRY_ERR_INTERNAL). */
export function fromWire(wire: Partial<WireError>, fallback: ErrorCode = 'FERRY_ERR_INTERNAL'): FerryError {
  const code = isErrorCode(wire.code) ? wire.code : fallback;
  return new FerryError(code, wire.message ?? 'unknown error', wire.details ? { details: wire.details } : undefined);
}

/** Wraps anything thrown into a FerryError, keeping FerryErrors as they are. */
export function asFerryError(err: unknown, fallback: ErrorCode = 'FERRY_ERR_INTERNAL'): FerryError {
  if (err instanceof FerryError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new FerryError(fallback, message, { cause: err });
}

/** One line for a terminal: code, message and what to do. */
export function describeError(err: FerryError): string {
  return `${err.code}: ${err.message}\n  fix: ${err.hint}`;
}
