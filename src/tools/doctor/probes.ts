/** @module tools/doctor/probes — looks at the machine: privileges, binaries, kernel features (each probe yields a Check). */
import { open, readFile, access } from 'node:fs/promises';
import { release } from 'node:os';
import { run, which } from '../../adapters/host/run.ts';
import { CAP_SYS_RESOURCE, hasCap, parseProcStatus } from '../../adapters/host/proc-status.ts';
import { elfLinking } from './elf.ts';
import type { Check } from './report.ts';

/** A binary ferry needs, the Debian package that ships it, and why. */
export interface BinaryRequirement {
  name: string;
  pkg: string;
  why: string;
  /** Must be statically linked (it is copied into images that have no C library). */
  static?: boolean;
  /**
   * ferry needs only this tool of a package that also ships a service: installed without the
   * package's recommends, and the services its installation started on a systemd host are
   * stopped and disabled (they would listen beyond loopback without authentication).
   */
  toolOnly?: { services: readonly string[] };
}

/** Every binary the doctor checks. */
export const BINARIES: readonly BinaryRequirement[] = [
  { name: 'dockerd', pkg: 'docker.io', why: 'runs the containers of every host' },
  { name: 'containerd', pkg: 'docker.io', why: 'dockerd starts it to supervise containers' },
  { name: 'runc', pkg: 'docker.io', why: 'creates, checkpoints and restores containers (through CRIU)' },
  { name: 'docker', pkg: 'docker.io', why: 'imports the workload image into a host engine' },
  { name: 'ip', pkg: 'iproute2', why: 'builds the test bed: network namespaces, veth pairs, bridge' },
  { name: 'tc', pkg: 'iproute2', why: 'shapes the bandwidth of test-bed links' },
  { name: 'getfattr', pkg: 'attr', why: 'reads extended attributes of container files' },
  { name: 'setfattr', pkg: 'attr', why: 'writes extended attributes of container files' },
  { name: 'rsync', pkg: 'rsync', why: 'copies container file-system trees' },
  { name: 'busybox', pkg: 'busybox-static', why: 'builds the workload images without a registry', static: true },
  { name: 'gcc', pkg: 'gcc', why: 'compiles the static workload programs (counter, stream, loop)' },
  { name: 'debootstrap', pkg: 'debootstrap', why: 'builds the compile workload\'s root file system from Debian packages' },
  { name: 'xz', pkg: 'xz-utils', why: 'unpacks the compile workload\'s source tarball' },
  { name: 'podman', pkg: 'podman', why: 'the podman baseline of `ferry bench migrate` (checkpoint --export / restore --import)' },
  { name: 'conmon', pkg: 'conmon', why: 'podman starts it to supervise each container' },
  { name: 'nsenter', pkg: 'util-linux', why: 'starts dockerd and agents inside a host\'s network namespace' },
  { name: 'nft', pkg: 'nftables', why: 'locks a frozen container\'s network namespace from the final dump until its source copy is removed, so its kernel neither acknowledges nor resets its clients\' packets' },
  { name: 'arping', pkg: 'iputils-arping', why: 'announces a moved container\'s address on the destination (gratuitous ARP), so its clients\' packets arrive there at once' },
  { name: 'unshare', pkg: 'util-linux', why: 'probes kernel networking features in a throwaway namespace' },
  { name: 'ceph-mon', pkg: 'ceph-mon', why: 'the monitor of the project\'s Ceph cluster (`ferry storage up`)' },
  { name: 'ceph-mgr', pkg: 'ceph-mgr', why: 'the manager of the project\'s Ceph cluster' },
  { name: 'ceph-osd', pkg: 'ceph-osd', why: 'stores the project\'s Ceph data, one OSD per file' },
  { name: 'radosgw', pkg: 'radosgw', why: 'serves S3 from the project\'s Ceph cluster (the object store of pre-stored state)' },
  { name: 'ceph', pkg: 'ceph-common', why: 'registers OSDs with the monitor and reads the cluster\'s health' },
  { name: 'radosgw-admin', pkg: 'ceph-common', why: 'creates the S3 user and keys of the project\'s Ceph cluster' },
  { name: 'monmaptool', pkg: 'ceph-base', why: 'writes the initial monitor map of the project\'s Ceph cluster' },
  { name: 'crushtool', pkg: 'ceph-base', why: 'compiles and tests CRUSH maps for the project\'s Ceph cluster' },
  { name: 'openssl', pkg: 'openssl', why: 'signs the cluster CA\'s certificates (`ferry pki`, and the test bed\'s CA at `up`)' },
  { name: 'chromium', pkg: 'chromium', why: 'drives the web dashboard\'s end-to-end test (playwright-core with /usr/bin/chromium, headless; no browser is ever downloaded)' },
  { name: 'promtool', pkg: 'prometheus', why: 'checks the Prometheus exposition of the agents\' and the controller\'s /metrics (`promtool check metrics`, unit tests); the integration test runs its own prometheus', toolOnly: { services: ['prometheus.service'] } },
];

/** Checks that ferry runs as root (namespaces, mounts, dockerd and CRIU need it). */
export function probeRoot(): Check {
  const uid = process.getuid?.() ?? -1;
  return {
    id: 'privilege:root', group: 'privilege', title: 'running as root',
    status: uid === 0 ? 'ok' : 'missing', detail: `uid ${uid}`,
    why: 'namespaces, mounts, dockerd and CRIU need root',
    fix: { kind: 'manual', text: 'run ferry as root (sudo)' },
  };
}

/** Whether this process holds CAP_SYS_RESOURCE: without it CRIU cannot dump a process whose uid is not root (prlimit → EPERM). */
export async function probeCapSysResource(): Promise<{ held: boolean | null; check: Check }> {
  const status = parseProcStatus(await readFile('/proc/self/status', 'utf8').catch(() => ''));
  const held = status ? hasCap(status.capEff, CAP_SYS_RESOURCE) : null;
  const detail = held === null ? 'unknown (no CapEff in /proc/self/status)'
    : held ? 'held' : 'withheld by this machine: containers with a process of a non-root uid are refused at preflight';
  return {
    held,
    check: {
      id: 'privilege:cap_sys_resource', group: 'privilege', title: 'CAP_SYS_RESOURCE',
      status: held === false ? 'limitation' : 'fact', detail,
      why: 'CRIU reads and restores the resource limits of every process it dumps; for a process of another uid that needs this capability',
    },
  };
}

/** Checks one binary (and, for static ones, that it is statically linked). */
export async function probeBinary(req: BinaryRequirement): Promise<Check> {
  const base = { id: `binary:${req.name}`, group: 'binary' as const, title: req.name, why: req.why, fix: { kind: 'apt' as const, packages: [req.pkg] } };
  const path = which(req.name);
  if (!path) return { ...base, status: 'missing', detail: `not found on PATH (package ${req.pkg})` };
  if (req.static) {
    const linking = await readLinking(path);
    if (linking !== 'static') return { ...base, status: 'missing', detail: `${path} is ${linking}, a statically linked build is needed (package ${req.pkg})` };
  }
  return { ...base, status: 'ok', detail: path };
}

async function readLinking(path: string): Promise<string> {
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.alloc(4096);
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    return elfLinking(buf.subarray(0, bytesRead));
  } finally {
    await fh.close();
  }
}

/** Tries one command in a throwaway network namespace (`unshare --net`); true when it exits 0. */
async function inFreshNetns(args: string[]): Promise<{ ok: boolean; detail: string }> {
  if (process.getuid?.() !== 0) return { ok: false, detail: 'not checked: needs root' };
  const r = await run('unshare', ['--net', '--', ...args], { timeoutMs: 15_000 });
  const out = (r.stderr.trim() || r.stdout.trim()).split('\n').pop() ?? '';
  return { ok: r.code === 0 && !r.failure, detail: r.failure ?? out };
}

/** Kernel checks: netns, veth, bridge, tbf (required); netem, overlayfs (limitations); cgroup version (fact). */
export async function probeKernel(): Promise<Check[]> {
  const checks: Check[] = [];
  const k = (id: string, title: string, ok: boolean, required: boolean, detail: string, why: string): Check => ({
    id: `kernel:${id}`, group: 'kernel', title, status: ok ? 'ok' : required ? 'missing' : 'limitation', detail, why,
    ...(required ? { fix: { kind: 'manual' as const, text: `use a kernel with ${title} support` } } : {}),
  });
  checks.push({ id: 'kernel:release', group: 'kernel', title: 'kernel', status: 'fact', detail: release(), why: 'for the record' });
  const netns = await access('/proc/self/ns/net').then(() => true, () => false);
  checks.push(k('netns', 'network namespaces', netns, true, netns ? '/proc/self/ns/net present' : '/proc/self/ns/net absent', 'each test-bed host lives in its own network namespace'));
  const veth = await inFreshNetns(['ip', 'link', 'add', 'name', 'fdchk0', 'type', 'veth', 'peer', 'name', 'fdchk1']);
  checks.push(k('veth', 'veth', veth.ok, true, veth.ok ? 'veth pair created' : veth.detail, 'links every test-bed host to the bridge'));
  const bridge = await inFreshNetns(['ip', 'link', 'add', 'name', 'fdchk0', 'type', 'bridge']);
  checks.push(k('bridge', 'bridge', bridge.ok, true, bridge.ok ? 'bridge created' : bridge.detail, 'joins the test-bed hosts into one link'));
  const tbf = await inFreshNetns(['tc', 'qdisc', 'add', 'dev', 'lo', 'root', 'tbf', 'rate', '1mbit', 'burst', '32kbit', 'latency', '50ms']);
  checks.push(k('tbf', 'tc tbf', tbf.ok, true, tbf.ok ? 'tbf qdisc accepted' : tbf.detail, 'shapes the bandwidth of test-bed links'));
  checks.push(await probeNetem());
  const filesystems = await readFile('/proc/filesystems', 'utf8').catch(() => '');
  const overlay = /\toverlay$/m.test(filesystems);
  checks.push(k('overlay', 'overlayfs', overlay, false, overlay ? 'overlay in /proc/filesystems' : 'overlay not in /proc/filesystems', 'Docker\'s overlay2 storage; without it Docker falls back to slow vfs'));
  const v2 = await access('/sys/fs/cgroup/cgroup.controllers').then(() => true, () => false);
  checks.push({ id: 'kernel:cgroup', group: 'kernel', title: 'cgroup version', status: 'fact', detail: v2 ? 'v2 (unified)' : 'v1', why: 'for the record' });
  return checks;
}

/** Whether tc can add latency (sch_netem); its absence is a limitation, not a failure. */
export async function probeNetem(): Promise<Check> {
  const r = await inFreshNetns(['tc', 'qdisc', 'add', 'dev', 'lo', 'root', 'netem', 'delay', '10ms']);
  return {
    id: 'kernel:netem', group: 'kernel', title: 'tc netem (latency)',
    status: r.ok ? 'ok' : 'limitation',
    detail: r.ok ? 'netem qdisc accepted' : `latency shaping unavailable (${r.detail || 'netem refused'})`,
    why: 'adds latency to test-bed links; without it only bandwidth is shaped (tbf)',
  };
}
