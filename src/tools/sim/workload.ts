/**
 * @module tools/sim/workload — turns a scenario into what the simulator runs: its hosts expanded
 * from groups (names, racks, power models) and its containers from the chosen trace. Reading
 * trace files is the only I/O here.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { FerryError } from '../../core/errors.ts';
import { repoRoot } from '../../core/paths.ts';
import type { SchedulerParams } from '../../domain/scheduler/index.ts';
import { loadCalibration, type CostCalibration } from './cost-calibration.ts';
import { migrationCost } from './cost-model.ts';
import { schedulerParams } from './scenario.ts';
import type { SimSetup } from './simulation.ts';
import { POWER_PRESETS, PowerModelSchema } from './power.ts';
import type { Scenario } from './scenario.ts';
import type { SimHostSpec } from './sim-host.ts';
import { readAlibaba, alibabaWorkload } from './trace/alibaba.ts';
import { readPlanetLabDay } from './trace/planetlab.ts';
import { generateSyntheticTrace } from './trace/synthetic.ts';
import type { SimContainerSpec } from './trace/types.ts';
import { computeJobs } from './workloads/compute-jobs.ts';
import { CLOUDSIM_VM_TYPES, planetlabWorkload } from './workloads/planetlab-vms.ts';


/** The hosts of a scenario, in group order. */
export function scenarioHosts(s: Scenario): SimHostSpec[] {
  const out: SimHostSpec[] = [];
  for (const g of s.hosts) {
    const power = typeof g.power === 'string' ? POWER_PRESETS[g.power]! : PowerModelSchema.parse(g.power);
    const perRack = Math.ceil(g.count / g.racks);
    for (let i = 0; i < g.count; i++) {
      out.push({ name: `${g.prefix}${i + 1}`, capacity: g.capacity, power, zone: g.zone, rack: `${g.zone}-r${Math.floor(i / perRack) + 1}`, initially: g.initially });
    }
  }
  const seen = new Set<string>();
  for (const h of out) {
    if (seen.has(h.name)) throw new FerryError('FERRY_ERR_INVALID_INPUT', `scenario ${s.name}: two hosts are named ${h.name}; give the host groups different prefixes`);
    seen.add(h.name);
  }
  return out;
}

/** Where PlanetLab days are looked for. */
export function planetlabDir(dir: string | undefined): string {
  return resolve(repoRoot(), dir ?? process.env.FERRY_PLANETLAB_DIR ?? join('..', 'shared', 'data', 'planetlab'));
}

/** The containers of a scenario, and the interval of their demand. */
export async function scenarioWorkload(s: Scenario): Promise<{ containers: SimContainerSpec[]; intervalS: number }> {
  const w = s.workload;
  switch (w.kind) {
    case 'planetlab': {
      const file = join(planetlabDir(w.dir), `${w.day}.csv.gz`);
      if (!existsSync(file)) throw new FerryError('FERRY_ERR_INVALID_INPUT', `PlanetLab day ${w.day} not found at ${file}; set workload.dir or FERRY_PLANETLAB_DIR to the directory of the CloudSim PlanetLab day files`);
      const day = await readPlanetLabDay(file);
      const containers = planetlabWorkload(day, { vmTypes: w.vmTypes ?? CLOUDSIM_VM_TYPES, memory: w.memory, appType: w.appType, dirtyRateMBps: w.dirtyRateMBps, ...(w.count ? { count: w.count } : {}) });
      return { containers, intervalS: 300 };
    }
    case 'compute-jobs':
      return { containers: computeJobs(w), intervalS: w.stepS };
    case 'synthetic':
      return { containers: generateSyntheticTrace(w.trace), intervalS: w.trace.intervalS };
    case 'alibaba': {
      const trace = await readAlibaba(resolve(repoRoot(), w.dir), { fromS: w.fromS, toS: w.fromS + w.durationS, ...(w.maxContainers ? { maxContainers: w.maxContainers } : {}) });
      const containers = alibabaWorkload({ meta: trace.containerMeta, usage: trace.containerUsage, fromS: w.fromS, durationS: w.durationS, intervalS: w.intervalS, machineMemoryMiB: w.machineMemoryMiB, defaultAppType: w.defaultAppType, dirtyRateMBps: w.dirtyRateMBps });
      return { containers, intervalS: w.intervalS };
    }
  }
}

/** The results files a scenario's migration cost model is fitted on, as the scenario names them. */
export function calibrationFiles(s: Scenario): string[] {
  return [s.migration.calibration].flat();
}

/** What every run of a scenario shares: hosts, containers, parameters, the fitted migration price. */
export interface PreparedScenario {
  hosts: SimHostSpec[];
  containers: SimContainerSpec[];
  intervalS: number;
  params: SchedulerParams;
  calibration: CostCalibration;
  price: SimSetup['price'];
}

/** Reads a scenario's trace and calibration once, for every policy run. */
export async function prepareScenario(s: Scenario): Promise<PreparedScenario> {
  const hosts = scenarioHosts(s);
  const { containers, intervalS } = await scenarioWorkload(s);
  const calibration = await loadCalibration(calibrationFiles(s).map((f) => resolve(repoRoot(), f)));
  const strategy = s.migration.strategy;
  const price: SimSetup['price'] = (c, bandwidthMbps) => migrationCost({ memoryMiB: c.memoryMiB, dirtyRateMBps: c.dirtyRateMBps, bandwidthMbps, strategy }, calibration);
  return { hosts, containers, intervalS, params: schedulerParams(s), calibration, price };
}
