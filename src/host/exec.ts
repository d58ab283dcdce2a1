/** @module host/exec — runs a program with an argument array and returns its output. */
import { execFile } from 'node:child_process';

/** The outcome of a finished program. */
export interface ExecResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `file args…` without a shell; never throws for a non-zero exit (check `code`). */
export function run(file: string, args: string[], options: { timeoutMs?: number; env?: NodeJS.ProcessEnv } = {}): Promise<ExecResult> {
  return new Promise((resolve) => {
    execFile(file, args, { timeout: options.timeoutMs ?? 60_000, maxBuffer: 16 * 1024 * 1024, env: options.env ?? process.env }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 127) : 0;
      resolve({ code, stdout: String(stdout), stderr: err && !stderr ? err.message : String(stderr) });
    });
  });
}
