/** @module doctor — the prerequisites doctor: what ferry needs on a host, what is missing and why, and `--fix`. */
export { runDoctor, ensurePrerequisites, collectChecks, type DoctorOptions, type Prerequisites } from './doctor.ts';
export { criuBinDir, findCriu, installCriuPrefix, probeCriuAt, type CriuProbe } from './criu.ts';
export { probeCriuFunction, probeBreakpoints, askSockets, helperBinary, type FunctionalProbe } from './criu-probe.ts';
export { aptTree, aptTreeOptions, judgeRestore, parseSocketsAnswer, type SocketsAnswer } from './criu-parse.ts';
export { probeNetem, BINARIES, type BinaryRequirement } from './probes.ts';
export { formatReport, verdict, planFixes, missing, type Check, type CheckStatus, type CriuChoice, type DoctorReport, type Fix, type FixPlan } from './report.ts';
export { run, runOrThrow, which, type RunResult, type RunOptions } from '../../adapters/host/run.ts';
