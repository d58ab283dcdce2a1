import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cgroupDir, cgroupDirs, parseCgroupMounts, parseMemoryStat, parseProcCgroup, residentBytes } from './cgroup-stats.ts';

const ID = '29d448133dd54995ab2be91c0dd57d67b770610b1c0beca26c7a34e05747fae1';

// /proc/<pid>/cgroup of a docker 20.10 container (cgroupfs driver, cgroup v1 hybrid), as on the test machine.
const PROC_CGROUP = `9:name=systemd:/docker/${ID}
8:pids:/docker/${ID}
4:memory:/docker/${ID}
2:cpuacct:/docker/${ID}
1:cpu:/docker/${ID}
0::/docker/${ID}
`;

// This machine mounts cpu and cpuacct as separate hierarchies.
const MOUNTINFO_SPLIT = `31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu
33 31 0:30 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct
35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd
41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
`;

// A systemd machine mounts them combined, with a symlink per controller.
const MOUNTINFO_COMBINED = `25 24 0:22 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid,nodev,noexec,relatime shared:9 - cgroup cgroup rw,cpu,cpuacct
26 24 0:23 / /sys/fs/cgroup/memory rw,nosuid,nodev,noexec,relatime shared:10 - cgroup cgroup rw,memory
`;

test('parses a container\'s /proc/<pid>/cgroup into controller → path, combined lines split', () => {
  const m = parseProcCgroup(PROC_CGROUP);
  assert.equal(m.get('cpuacct'), `/docker/${ID}`);
  assert.equal(m.get('memory'), `/docker/${ID}`);
  assert.equal(m.get('systemd'), `/docker/${ID}`);
  assert.equal(m.get(''), `/docker/${ID}`, 'the v2 line');
  const combined = parseProcCgroup(`3:cpu,cpuacct:/ferry-h1/${ID}\n`);
  assert.equal(combined.get('cpu'), `/ferry-h1/${ID}`);
  assert.equal(combined.get('cpuacct'), `/ferry-h1/${ID}`);
});

test('finds each controller\'s mount, split or combined, and skips cgroup2 and tmpfs', () => {
  const split = parseCgroupMounts(MOUNTINFO_SPLIT);
  assert.deepEqual(split.map((m) => m.controllers), [['cpu'], ['cpuacct'], ['memory'], ['systemd']]);
  const dirs = cgroupDirs(parseProcCgroup(PROC_CGROUP), split);
  assert.deepEqual(dirs, { cpuacct: `/sys/fs/cgroup/cpuacct/docker/${ID}`, memory: `/sys/fs/cgroup/memory/docker/${ID}` });
  const combined = parseCgroupMounts(MOUNTINFO_COMBINED);
  assert.deepEqual(combined[0]?.controllers, ['cpu', 'cpuacct']);
  assert.equal(cgroupDir(combined, 'cpuacct', `/ferry-h1/${ID}`), `/sys/fs/cgroup/cpu,cpuacct/ferry-h1/${ID}`);
});

test('a mount of a sub-tree maps only the paths under its root', () => {
  const mounts = parseCgroupMounts('40 30 0:30 /docker /cg/acct rw - cgroup cgroup rw,cpuacct\n');
  assert.equal(cgroupDir(mounts, 'cpuacct', `/docker/${ID}`), `/cg/acct/${ID}`);
  assert.equal(cgroupDir(mounts, 'cpuacct', '/other/x'), undefined);
  assert.equal(cgroupDir(mounts, 'memory', `/docker/${ID}`), undefined, 'no mount of that controller');
});

test('resident memory is rss plus mapped files; unmapped page cache is left out', () => {
  const stat = parseMemoryStat('cache 8192\nrss 57344\nmapped_file 0\ntotal_cache 10493952\ntotal_rss 57344\ntotal_mapped_file 4096\ntotal_inactive_file 4096\n');
  assert.equal(stat['total_cache'], 10493952);
  assert.equal(residentBytes(stat), 57344 + 4096);
  assert.equal(residentBytes(parseMemoryStat('rss 100\nmapped_file 20\n')), 120, 'a non-hierarchical stat');
});
