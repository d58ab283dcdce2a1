/** @module adapters/host/criu-log — pure: the lines of a CRIU log that say why a step failed, for error messages. */

/** Error lines CRIU prints on these machines that never explain a failure (CAP_SYS_RESOURCE is withheld). */
const HARMLESS = [/rlimit: Can't setup RLIMIT_NOFILE for self/];

/**
 * The cause of a failure in a CRIU log: its first error lines (the first one is usually the
 * root; later ones are the unwinding), then the last error line, joined with " | "; the last
 * lines of the log when it holds no error line; '' for an empty log.
 */
export function criuLogCause(text: string, maxChars = 1000): string {
  const lines = text.split('\n').map((l) => l.trim()).filter((l) => l !== '');
  const errors = lines.filter((l) => /\bError\b/.test(l) && !HARMLESS.some((h) => h.test(l)));
  const picked = errors.length > 0 ? [...new Set([...errors.slice(0, 2), errors.at(-1) as string])] : lines.slice(-3);
  const joined = picked.join(' | ');
  return joined.length > maxChars ? `${joined.slice(0, maxChars)}…` : joined;
}
