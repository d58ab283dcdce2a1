/** @module testbed — the multi-host test bed: hosts as network namespaces on one bridge, each with its own dockerd and agent. */
export { testbedUp, type UpOptions } from './up.ts';
export { testbedDown, cleanup, unmountUnder, type DownOptions } from './down.ts';
export { testbedStatus, formatStatus, hostHealthy, type TestbedStatus, type HostStatus } from './status.ts';
export { loadCluster, tryLoadCluster, findHost, planOfCluster, clusterFile, clusterFromPlan, type Cluster, type ClusterHost } from './cluster.ts';
export { startAgent, stopAgent, setLinkState, hostProcesses, type HostRef, type HostOptions, type HostProcesses } from './control.ts';
export { setHostPower, parsePowerState, type PowerState, type PowerOptions } from './power.ts';
export { readCpuCap, cgroupDirs } from './cgroup.ts';
export { agentHealth, bedCredentials, killAgent, readToken, repoRoot, type Health } from './agent.ts';
export { agentHostFlags, hasArgPair, powerHookArgv, repoPaths, type CommandLine } from './commands.ts';
export { dockerPing, stopDockerd } from './dockerd.ts';
export { rootQdisc, shapeHost } from './net.ts';
export { isAlive, listProcesses, readPidFile, signal, terminate, verifiedPid, waitGone, type ProcessEntry } from './procs.ts';
export { logTail } from './logs.ts';
export { errorText } from './kept-runs.ts';
export { keepLogs, keepLogsOfPlan, keepLogsOfStateDir, keepLogsAfterFailure, type KeepReason, type KeepLogsOptions } from './keep-logs.ts';
export {
  planTestbed, planFromConfig, cleanupPlan, parseSmallDisk, nameTag, thisMachine, MAX_HOSTS, DEFAULT_SUBNET, RUN_DIR, CPU_PERIOD_US,
  type TestbedPlan, type HostPlan, type HostCapacity, type MachineShape, type PlanInput, type PlanOverrides,
} from './plan.ts';
