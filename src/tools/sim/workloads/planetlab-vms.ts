/**
 * @module tools/sim/workloads/planetlab-vms — a PlanetLab day as containers, sized the way CloudSim's
 * PlanetLab experiments size their VMs: the day's VMs split into four equal runs of EC2-like
 * types (2500/2000/1000/500 MIPS; 870/1740/1740/613 MB), demand = the trace's utilisation ×
 * the type's MIPS. A container asks at submission for what it uses then (CloudSim allocates
 * by current requested MIPS too). `memory: 'cloudsim'` reproduces CloudSim's accounting, where
 * the PlanetLab cloudlets' RAM utilisation model is null so RAM never limits consolidation;
 * `'reserved'` makes every container hold its type's RAM. `count` beyond the day's VMs reuses
 * the traces, each copy shifted by a few samples, for scale runs.
 */
import { PLANETLAB_INTERVAL_S, type PlanetLabDay } from '../trace/planetlab.ts';
import type { SimContainerSpec } from '../trace/types.ts';

/** A VM type: MIPS and RAM. */
export interface VmType {
  mips: number;
  ramMiB: number;
}

/** CloudSim's PlanetLab VM types (Constants.VM_MIPS / VM_RAM). */
export const CLOUDSIM_VM_TYPES: readonly VmType[] = [
  { mips: 2500, ramMiB: 870 },
  { mips: 2000, ramMiB: 1740 },
  { mips: 1000, ramMiB: 1740 },
  { mips: 500, ramMiB: 613 },
];

/** Options of the PlanetLab workload. */
export interface PlanetLabWorkloadOptions {
  vmTypes: readonly VmType[];
  memory: 'cloudsim' | 'reserved';
  appType: string;
  /** Pages each container rewrites, MB/s (prices its migration; the trace has no such data). */
  dirtyRateMBps: number;
  /** Containers to make (default: one per VM of the day). */
  count?: number;
}

/** The day's VMs as containers. */
export function planetlabWorkload(day: PlanetLabDay, o: PlanetLabWorkloadOptions): SimContainerSpec[] {
  const vms = day.vms.length;
  const count = o.count ?? vms;
  const perType = Math.ceil(count / o.vmTypes.length);
  const out: SimContainerSpec[] = [];
  for (let i = 0; i < count; i++) {
    const type = o.vmTypes[Math.min(o.vmTypes.length - 1, Math.floor(i / perType))]!;
    const trace = day.vms[i % vms]!;
    const shift = Math.floor(i / vms) * 7; // copies start at other points of the day
    const cpu = new Float32Array(trace.length);
    for (let s = 0; s < trace.length; s++) cpu[s] = trace[(s + shift) % trace.length]! * type.mips;
    const memoryMiB = o.memory === 'reserved' ? type.ramMiB : 0;
    out.push({
      name: `vm-${String(i).padStart(5, '0')}`, app: `vm-${i}`, appType: o.appType, startS: 0, dirtyRateMBps: o.dirtyRateMBps,
      request: { cpuMillis: cpu[0]!, memoryMiB, networkMbps: 0 },
      demand: { intervalS: PLANETLAB_INTERVAL_S, cpuMillis: cpu, memoryMiB: Float32Array.of(memoryMiB) },
      footprintMiB: type.ramMiB,
    });
  }
  return out;
}
