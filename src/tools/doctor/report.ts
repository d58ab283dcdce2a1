/** @module tools/doctor/report — the doctor's report model: checks, their verdicts, what `--fix` would do, and the text form. */

/** ok: present; missing: required and absent; limitation: optional and absent; fact: reported, never a failure. */
export type CheckStatus = 'ok' | 'missing' | 'limitation' | 'fact';

/** Which part of the machine a check looks at. */
export type CheckGroup = 'privilege' | 'binary' | 'criu' | 'kernel';

/** A functional probe's result (see doctor/criu-probe). */
export interface CriuProbeResult {
  ok: boolean;
  step: string;
  detail: string;
  ms: number;
  cached?: boolean;
}

/** How a missing prerequisite can be supplied. */
export type Fix =
  | { kind: 'apt'; packages: string[] }
  | { kind: 'criu-prefix'; prefix: string }
  | { kind: 'manual'; text: string };

/** One check of the doctor. */
export interface Check {
  /** Stable id, e.g. "binary:dockerd", "kernel:netem". */
  id: string;
  group: CheckGroup;
  title: string;
  status: CheckStatus;
  /** What was found (a path, a version, the failing output). */
  detail: string;
  /** Why ferry needs it. */
  why: string;
  fix?: Fix;
}

/** The CRIU the doctor settled on. */
export interface CriuChoice {
  path: string;
  /** The directory to put first on PATH for dockerd (runc looks `criu` up on PATH). */
  dir: string;
  version: string;
  source: 'system' | 'prefix';
  /** The Debian suite a prefix's CRIU came from. */
  suite?: string;
  /** The wrapper sets CRIU_FAULT=130 (no hardware breakpoints; CRIU older than 4.2). */
  noBreakpoints: boolean;
  /** The functional probe that chose it: dump and restore of a process holding sockets and memory. */
  probe: CriuProbeResult;
}

/** The doctor's full answer. */
export interface DoctorReport {
  checks: Check[];
  /** What `--fix` did, one line each (empty without --fix or when nothing was to do). */
  actions: string[];
  /** True when no required prerequisite is missing. */
  ok: boolean;
  criu: CriuChoice | null;
  /** Whether a ptrace hardware breakpoint fires here (CRIU < 4.2 hangs where it does not). */
  hardwareBreakpoints: { state: 'works' | 'does-not-fire' | 'unknown'; detail: string };
  /** Whether ferry holds CAP_SYS_RESOURCE (without it CRIU cannot dump a process of a non-root uid); null when unknown. */
  capSysResource: boolean | null;
}

/** What `--fix` would do for a set of checks. */
export interface FixPlan {
  /** Debian packages to install with apt-get (sorted, no duplicates). */
  aptPackages: string[];
  /** Prefix to unpack CRIU 4 into, or null. */
  criuPrefix: string | null;
  /** Missing things no automatic fix exists for. */
  manual: Check[];
}

/** The missing required checks. */
export function missing(checks: readonly Check[]): Check[] {
  return checks.filter((c) => c.status === 'missing');
}

/** True when nothing required is missing. */
export function allRequiredPresent(checks: readonly Check[]): boolean {
  return missing(checks).length === 0;
}

/** What `--fix` must do to supply the missing checks. */
export function planFixes(checks: readonly Check[]): FixPlan {
  const apt = new Set<string>();
  let criuPrefix: string | null = null;
  const manual: Check[] = [];
  for (const c of missing(checks)) {
    if (c.fix?.kind === 'apt') for (const p of c.fix.packages) apt.add(p);
    else if (c.fix?.kind === 'criu-prefix') criuPrefix = c.fix.prefix;
    else manual.push(c);
  }
  // A limitation with a prefix fix is an outdated prefix: --fix upgrades it in place.
  for (const c of checks) if (c.status === 'limitation' && c.fix?.kind === 'criu-prefix') criuPrefix = c.fix.prefix;
  return { aptPackages: [...apt].sort(), criuPrefix, manual };
}

/** True when a fix plan has nothing to do automatically. */
export function fixPlanEmpty(plan: FixPlan): boolean {
  return plan.aptPackages.length === 0 && plan.criuPrefix === null;
}

/** One line telling a user how to supply a missing check. */
export function describeFix(fix: Fix | undefined): string {
  if (!fix) return 'no automatic fix';
  switch (fix.kind) {
    case 'apt': return `apt-get install ${fix.packages.join(' ')} (ferry doctor --fix does it)`;
    case 'criu-prefix': return `unpack the newest Debian CRIU that passes the functional probe (sid, else trixie) into ${fix.prefix} (ferry doctor --fix does it)`;
    case 'manual': return fix.text;
  }
}

const LABEL: Record<CheckStatus, string> = { ok: 'ok', missing: 'MISSING', limitation: 'limitation', fact: 'fact' };

/** The report as a terminal table with a closing verdict line. */
export function formatReport(report: DoctorReport): string {
  const width = Math.max(...report.checks.map((c) => c.title.length), 10);
  const lines: string[] = [];
  for (const c of report.checks) {
    lines.push(`${LABEL[c.status].padEnd(10)}  ${c.title.padEnd(width)}  ${c.detail}`);
    if (c.status === 'missing' || c.status === 'limitation') {
      lines.push(`${''.padEnd(12 + width)}  why: ${c.why}`);
      if (c.status === 'missing') lines.push(`${''.padEnd(12 + width)}  fix: ${describeFix(c.fix)}`);
    }
  }
  if (report.actions.length > 0) {
    lines.push('', 'actions:');
    for (const a of report.actions) lines.push(`  ${a}`);
  }
  lines.push('', verdict(report));
  return `${lines.join('\n')}\n`;
}

/** The closing line: all present, or which required prerequisites are missing. */
export function verdict(report: DoctorReport): string {
  const miss = missing(report.checks);
  const limits = report.checks.filter((c) => c.status === 'limitation');
  const limitText = limits.length > 0 ? ` Limitations: ${limits.map((c) => c.title).join(', ')}.` : '';
  if (miss.length === 0) return `All required prerequisites are present.${limitText}`;
  return `${miss.length} required prerequisite(s) missing: ${miss.map((c) => c.title).join(', ')}. Run \`ferry doctor --fix\` as root.${limitText}`;
}
