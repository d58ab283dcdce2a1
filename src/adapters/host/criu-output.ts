/**
 * @module adapters/host/criu-output — pure: what CRIU's own output says: its version, the verdict of
 * `criu check` and of `criu check --feature NAME`, and 4.2's hardware-breakpoint warning.
 * The agent reads its host's CRIU with these; the doctor uses them to choose one.
 */

/** The least CRIU major version that works on ferry's kernels (3.17 fails `criu check` on 6.x). */
export const CRIU_MIN_MAJOR = 4;

/** A parsed CRIU version. */
export interface CriuVersion {
  major: number;
  minor: number;
  patch: number;
  text: string;
}

/** Parses `criu --version` output ("Version: 4.1.1"); null when there is no version line. */
export function parseCriuVersion(output: string): CriuVersion | null {
  const m = /^Version:\s*(\d+)\.(\d+)(?:\.(\d+))?/m.exec(output);
  if (!m) return null;
  const major = Number(m[1]);
  const minor = Number(m[2]);
  const patch = Number(m[3] ?? 0);
  return { major, minor, patch, text: `${major}.${minor}.${patch}` };
}

/** Orders two versions (negative when a < b). */
export function compareVersions(a: CriuVersion, b: Pick<CriuVersion, 'major' | 'minor' | 'patch'>): number {
  return a.major - b.major || a.minor - b.minor || a.patch - b.patch;
}

/** True when a version is new enough for ferry. */
export function criuVersionOk(version: CriuVersion | null): boolean {
  return version !== null && version.major >= CRIU_MIN_MAJOR;
}

/** The verdict of `criu check`. */
export interface CriuCheckResult {
  ok: boolean;
  /** The first error line CRIU printed, or "Looks good." */
  detail: string;
}

/** Interprets `criu check`: it passes when it exits 0 and says "Looks good.". */
export function parseCriuCheck(code: number, stdout: string, stderr: string): CriuCheckResult {
  const all = `${stdout}\n${stderr}`;
  if (code === 0 && /Looks good\./.test(all)) return { ok: true, detail: 'Looks good.' };
  const errorLine = all.split('\n').map((l) => l.trim()).find((l) => /^Error\b/.test(l));
  return { ok: false, detail: errorLine ?? (all.trim().split('\n').pop() || `criu check exited with ${code}`) };
}

/** Whether one CRIU feature is available, as `criu check --feature NAME` reports it. */
export interface CriuFeature {
  name: string;
  supported: boolean;
  detail: string;
}

/** Interprets `criu check --feature NAME` (exit 0 and "is supported" means on). */
export function parseCriuFeature(name: string, code: number, stdout: string, stderr: string): CriuFeature {
  const all = `${stdout}\n${stderr}`;
  const supported = code === 0 && /is supported/.test(all);
  // CRIU >= 4.2 may print its hardware-breakpoint warning last; it says nothing of the feature.
  const line = all.split('\n').map((l) => l.trim()).filter((l) => l !== '' && !checkSaysNoBreakpoints(l)).pop() ?? '';
  // "Warn  (criu/cr-check.c:824): Dirty tracking is OFF. ..." → keep the part after the source location.
  const detail = line.replace(/^(Warn|Error)\s*\([^)]*\):\s*/, '');
  return { name, supported, detail: detail || (supported ? `${name} is supported` : `${name} is not supported`) };
}

/** True when `criu check` (4.2 and later) warned that hardware breakpoints do not work. */
export function checkSaysNoBreakpoints(checkOutput: string): boolean {
  return /Hardware breakpoints don't seem to work/i.test(checkOutput);
}
