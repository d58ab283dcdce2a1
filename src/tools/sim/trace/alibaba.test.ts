import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { FerryError } from '../../../core/errors.ts';
import { alibabaWorkload, machineUsageSeries, parseContainerMeta, parseContainerUsage, parseMachineMeta, parseMachineUsage, readAlibaba } from './alibaba.ts';

// Rows in the column layout of cluster-trace-v2018 (no header line), values chosen to check by hand.
const META = [
  'c_1,m_1,0,app_1,started,200,400,50',
  'c_2,m_2,0,app_2,started,100,100,10',
  'c_2,m_2,30,,started,300,,', // empty cells: carried from the row before
  'c_3,m_1,,app_1,allocated,50,50,5', // no time stamp: holds from the beginning
].join('\n');

// container_id, machine_id, time_stamp, cpu_util_percent, mem_util_percent, cpi, mem_gps, mpki, net_in, net_out, disk_io_percent
const USAGE = [
  'c_1,m_1,25,30,25,1.5,2.5,3,4.5,5.5,6',
  'c_1,m_1,5,10,50,,,,,,', // out of order in the file: sorted by time
  'c_1,m_1,40,,,,,,,,', // empty: the previous value holds
  'c_1,m_1,55,50,40,,,,,,',
  'c_2,m_2,-20,80,10,,,,,,', // before the window: carried into it
  'c_2,m_2,35,20,10,,,,,,',
  'c_3,m_1,30,100,100,,,,,,', // first seen inside the window
  'c_3,m_1,40,100,100,,,,,,',
  'c_9,m_3,10,50,50,,,,,,', // no meta: request unknown
].join('\n');

const is = (re: RegExp) => (e: unknown) => e instanceof FerryError && e.code === 'FERRY_ERR_INVALID_INPUT' && re.test(e.message);

test('each file maps its columns in the published order; empty cells are NaN', () => {
  assert.deepEqual(parseContainerMeta('c_1,m_2556,0,app_5052,started,400,400,1.56\n')[0], {
    containerId: 'c_1', machineId: 'm_2556', timeS: 0, appDu: 'app_5052', status: 'started', cpuRequest: 400, cpuLimit: 400, memSize: 1.56,
  });
  assert.deepEqual(parseContainerUsage(USAGE)[0], {
    containerId: 'c_1', machineId: 'm_1', timeS: 25, cpuUtilPercent: 30, memUtilPercent: 25, cpi: 1.5, memGps: 2.5, mpki: 3, netIn: 4.5, netOut: 5.5, diskIoPercent: 6,
  });
  assert.deepEqual(parseMachineUsage('m_1,10,30,40,2.5,3,4.5,5.5,-1\r\n')[0], {
    machineId: 'm_1', timeS: 10, cpuUtilPercent: 30, memUtilPercent: 40, memGps: 2.5, mpki: 3, netIn: 4.5, netOut: 5.5, diskIoPercent: -1,
  });
  assert.deepEqual(parseMachineMeta('m_1,0,3,A,96,100,USING')[0], {
    machineId: 'm_1', timeS: 0, failureDomain1: '3', failureDomain2: 'A', cpuNum: 96, memSize: 100, status: 'USING',
  });
  const sparse = parseContainerMeta(META)[2];
  assert.ok(sparse && sparse.appDu === '' && Number.isNaN(sparse.cpuLimit) && Number.isNaN(sparse.memSize));
  assert.equal(parseContainerUsage('\n\n').length, 0);
});

test('a malformed row is refused with its file and line', () => {
  assert.throws(() => parseContainerMeta('c_1,m_1,0,app_1,started,200,400,50\nc_2,m_1,0,app_1,started,200\n'), is(/container_meta\.csv line 2: 6 columns, expected 8 \(container_id,machine_id/));
  assert.throws(() => parseContainerUsage('\nc_1,m_1,abc,1,1,,,,,,', 'part.csv'), is(/part\.csv line 2: time_stamp "abc" is not a number/));
  assert.throws(() => parseMachineUsage(',10,30,40,2.5,3,4.5,5.5,6'), is(/machine_usage\.csv line 1: machine_id is empty/));
  assert.throws(() => parseMachineUsage('c_1,m_1,25,30,25,1.5,2.5,3,4.5,5.5,6'), is(/11 columns, expected 9.*machine_usage\.csv/));
});

test('usage is resampled onto the interval: sorted, last value carried forward, the first before it', () => {
  const specs = alibabaWorkload({ meta: parseContainerMeta(META), usage: parseContainerUsage(USAGE), fromS: 0, durationS: 60, intervalS: 10, machineMemoryMiB: 65536 });
  const c1 = specs.find((s) => s.name === 'c_1') ?? assert.fail();
  // grid 0,10,…,50: samples at 5 (10 %), 25 (30 %), 40 (empty), 55 (past the grid)
  assert.deepEqual([...c1.demand.cpuMillis], [10, 10, 10, 30, 30, 30].map((p) => (p / 100) * 2000));
  assert.deepEqual([...(c1.demand.memoryMiB ?? [])], [50, 50, 50, 25, 25, 25].map((p) => (p / 100) * 32768));
  assert.deepEqual({ ...c1, demand: undefined }, {
    name: 'c_1', app: 'app_1', appType: 'balanced', request: { cpuMillis: 2000, memoryMiB: 32768, networkMbps: 0 }, startS: 0, demand: undefined, dirtyRateMBps: 0,
  });
  assert.deepEqual(specs.map((s) => s.name), ['c_1', 'c_2', 'c_3'], 'c_9 has no meta');
});

test('a container seen before the window starts at 0 with its carried value; its request is the meta in force then', () => {
  const specs = alibabaWorkload({ meta: parseContainerMeta(META), usage: parseContainerUsage(USAGE), fromS: 0, durationS: 60, intervalS: 10, machineMemoryMiB: 1000, appTypes: { app_2: 'memory' }, networkMbps: 5, dirtyRateMBps: 2 });
  const c2 = specs.find((s) => s.name === 'c_2') ?? assert.fail();
  assert.deepEqual([c2.startS, c2.appType, c2.app, c2.dirtyRateMBps], [0, 'memory', 'app_2', 2]);
  assert.deepEqual(c2.request, { cpuMillis: 1000, memoryMiB: 100, networkMbps: 5 });
  assert.deepEqual([...c2.demand.cpuMillis], [800, 800, 800, 800, 200, 200]);
  const later = alibabaWorkload({ meta: parseContainerMeta(META), usage: parseContainerUsage(USAGE), fromS: 30, durationS: 30, intervalS: 10, machineMemoryMiB: 1000 });
  const c2Later = later.find((s) => s.name === 'c_2') ?? assert.fail();
  assert.deepEqual(c2Later.request, { cpuMillis: 3000, memoryMiB: 100, networkMbps: 0 }, 'cpu_request 300 from t=30, mem_size carried');
  assert.equal(c2Later.app, 'app_2', 'app_du carried over the empty cell');
});

test('a container first seen inside the window starts then; one unseen long before the end has ended', () => {
  const specs = alibabaWorkload({ meta: parseContainerMeta(META), usage: parseContainerUsage(USAGE), fromS: 0, durationS: 1000, intervalS: 10, machineMemoryMiB: 1000, goneAfterS: 600 });
  const c3 = specs.find((s) => s.name === 'c_3') ?? assert.fail();
  assert.deepEqual([c3.startS, c3.endS, c3.demand.cpuMillis.length], [30, 50, 2]);
  assert.deepEqual(c3.request, { cpuMillis: 500, memoryMiB: 50, networkMbps: 0 });
  assert.deepEqual([...c3.demand.cpuMillis], [500, 500]);
  assert.equal(alibabaWorkload({ meta: parseContainerMeta(META), usage: parseContainerUsage(USAGE), fromS: 0, durationS: 60, intervalS: 10, machineMemoryMiB: 1 }).find((s) => s.name === 'c_3')?.endS, undefined);
});

test('a window no container falls in, or options that make no sense, are refused', () => {
  const run = (o: Partial<Parameters<typeof alibabaWorkload>[0]>) => () => alibabaWorkload({ meta: parseContainerMeta(META), usage: parseContainerUsage(USAGE), fromS: 0, durationS: 60, intervalS: 10, machineMemoryMiB: 1, ...o });
  assert.throws(run({ fromS: 5000 }), is(/no container of container_usage has both a sample in \[5000, 5060\)/));
  assert.throws(run({ intervalS: 0 }), is(/intervalS 0/));
  assert.throws(run({ machineMemoryMiB: 0 }), is(/machineMemoryMiB 0/));
});

test('machine usage becomes per-machine fractions on the same grid', () => {
  const rows = parseMachineUsage(['m_1,0,30,40,,,,,', 'm_1,20,,60,,,,,', 'm_2,10,50,50,,,,,', 'm_3,500,1,1,,,,,'].join('\n'));
  const series = machineUsageSeries(rows, { fromS: 0, durationS: 30, intervalS: 10 });
  assert.deepEqual(series.map((s) => s.machineId), ['m_1', 'm_2']);
  const approx = (xs: Float32Array) => [...xs].map((x) => Math.round(x * 100) / 100);
  assert.deepEqual(approx(series[0]?.cpu ?? assert.fail()), [0.3, 0.3, 0.3]);
  assert.deepEqual(approx(series[0]?.memory ?? assert.fail()), [0.4, 0.4, 0.6]);
  assert.deepEqual(approx(series[1]?.cpu ?? assert.fail()), [0.5, 0.5, 0.5]);
});

test('readAlibaba reads plain and gzipped files, keeps the chosen containers and window, and the latest sample before it', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'ferry-alibaba-'));
  try {
    await writeFile(join(dir, 'container_meta.csv'), META);
    await writeFile(join(dir, 'container_usage.csv.gz'), gzipSync(USAGE));
    await writeFile(join(dir, 'machine_usage.csv'), 'm_1,0,30,40,,,,,\nm_2,0,50,50,,,,,\n');
    const trace = await readAlibaba(dir, { fromS: 10, toS: 50, maxContainers: 2 });
    assert.deepEqual(trace.containerMeta.map((r) => r.containerId), ['c_1', 'c_2', 'c_2']);
    assert.deepEqual(trace.containerUsage.map((r) => `${r.containerId}@${r.timeS}`), ['c_1@5', 'c_2@-20', 'c_1@25', 'c_1@40', 'c_2@35']);
    assert.deepEqual(trace.machineUsage.map((r) => r.machineId), ['m_1', 'm_2'], 'the machines of the chosen containers');
    assert.deepEqual(trace.machineMeta, []);
    const byFile = await readAlibaba({ containerUsage: join(dir, 'container_usage.csv.gz') }, { containerIds: ['c_3'] });
    assert.equal(byFile.containerUsage.length, 2);
    await writeFile(join(dir, 'bad.csv'), 'c_1,m_1,0\n');
    await assert.rejects(readAlibaba({ containerMeta: join(dir, 'bad.csv') }), is(/bad\.csv line 1: 3 columns, expected 8/));
    await writeFile(join(dir, 'cut.csv.gz'), gzipSync(USAGE).subarray(0, 40));
    await assert.rejects(readAlibaba({ containerUsage: join(dir, 'cut.csv.gz') }), is(/cut\.csv\.gz.*complete container_usage\.csv/));
    await assert.rejects(readAlibaba(join(dir, 'nowhere')), is(/holds none of container_meta/));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
