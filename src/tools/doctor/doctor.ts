/** @module tools/doctor/doctor — runs every check, applies `--fix` (apt packages, private CRIU), and guards callers with ensurePrerequisites. */
import { FerryError, asFerryError } from '../../core/errors.ts';
import { defaultConfig, type Config } from '../../core/config.ts';
import { AptSession, stopStartedServices } from './apt.ts';
import { installCriuPrefix, probeCriu } from './criu.ts';
import { BINARIES, probeBinary, probeCapSysResource, probeKernel, probeRoot } from './probes.ts';
import { allRequiredPresent, fixPlanEmpty, missing, planFixes, type CriuChoice, type DoctorReport } from './report.ts';

/** Options of {@link runDoctor} and {@link ensurePrerequisites}. */
export interface DoctorOptions {
  /** Install what is missing (idempotent). */
  fix?: boolean;
  config?: Config;
  /** Progress lines (apt runs, downloads). */
  log?: (line: string) => void;
}

/** What one pass of the checks found. */
type Collected = Pick<DoctorReport, 'checks' | 'criu' | 'hardwareBreakpoints' | 'capSysResource'>;

/** Runs every check once. */
export async function collectChecks(config: Config): Promise<Collected> {
  const root = probeRoot();
  const [binaries, kernel, criu, cap] = await Promise.all([
    Promise.all(BINARIES.map((b) => probeBinary(b))),
    probeKernel(),
    probeCriu(config),
    probeCapSysResource(),
  ]);
  return { checks: [root, cap.check, ...binaries, ...criu.checks, ...kernel], criu: criu.choice, hardwareBreakpoints: criu.breakpoints, capSysResource: cap.held };
}

/** Checks the machine; with `fix`, installs what is missing and checks again. */
export async function runDoctor(options: DoctorOptions = {}): Promise<DoctorReport> {
  const config = options.config ?? defaultConfig();
  const log = options.log ?? (() => {});
  let collected = await collectChecks(config);
  const actions: string[] = [];
  if (options.fix) {
    const plan = planFixes(collected.checks);
    if (fixPlanEmpty(plan)) {
      actions.push('nothing to fix: everything `--fix` can supply is already present');
    } else if (process.getuid?.() !== 0) {
      actions.push('not root: --fix needs root, nothing was changed');
    } else {
      if (plan.aptPackages.length > 0) {
        const toolOnly = BINARIES.filter((b) => b.toolOnly && plan.aptPackages.includes(b.pkg));
        const quiet = new Set(toolOnly.map((b) => b.pkg));
        const apt = new AptSession(log);
        for (const [packages, noRecommends] of [[plan.aptPackages.filter((p) => !quiet.has(p)), false], [[...quiet], true]] as const) {
          if (packages.length === 0) continue;
          try {
            actions.push(await apt.install(packages, { noRecommends }));
            const stopped = noRecommends ? await stopStartedServices(toolOnly.flatMap((b) => b.toolOnly?.services ?? [])) : undefined;
            if (stopped) actions.push(stopped);
          } catch (err) {
            actions.push(`FAILED apt-get install ${packages.join(' ')}: ${asFerryError(err).message}`);
          }
        }
      }
      if (plan.criuPrefix !== null) {
        try {
          actions.push(await installCriuPrefix(config, log, collected.hardwareBreakpoints.state));
        } catch (err) {
          actions.push(`FAILED installing CRIU into ${plan.criuPrefix}: ${asFerryError(err).message}`);
        }
      }
      collected = await collectChecks(config);
    }
    for (const c of plan.manual) actions.push(`cannot fix automatically: ${c.title} (${c.detail})`);
  }
  return { ...collected, actions, ok: allRequiredPresent(collected.checks) };
}

/** What a caller gets once prerequisites are in place. */
export interface Prerequisites {
  /** The directory to put first on dockerd's PATH (holds a CRIU >= 4 passing `criu check`). */
  criuDir: string;
  criu: CriuChoice;
  report: DoctorReport;
}

/**
 * Makes sure every required prerequisite is present, installing what is missing unless
 * `fix: false`; throws FERRY_ERR_PREREQUISITE naming what is still missing.
 */
export async function ensurePrerequisites(options: DoctorOptions = {}): Promise<Prerequisites> {
  const report = await runDoctor({ ...options, fix: options.fix ?? true });
  const miss = missing(report.checks);
  if (miss.length > 0 || !report.criu) {
    const what = miss.map((c) => `${c.title} (${c.detail})`).join('; ');
    const failures = report.actions.filter((a) => a.startsWith('FAILED') || a.startsWith('not root'));
    throw new FerryError('FERRY_ERR_PREREQUISITE', `missing prerequisites: ${what || 'criu'}${failures.length > 0 ? `; ${failures.join('; ')}` : ''}; run \`ferry doctor --fix\` as root`);
  }
  return { criuDir: report.criu.dir, criu: report.criu, report };
}
