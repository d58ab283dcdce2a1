/** @module doctor/apt — installs Debian packages with apt-get (one `apt-get update` per session, then `install -y`). */
import { runOrThrow, type RunResult } from '../host/run.ts';

const APT_ENV = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
const APT_TIMEOUT_MS = 15 * 60_000;

/** An apt session: remembers whether `apt-get update` already ran. */
export class AptSession {
  private updated = false;
  private readonly log: (line: string) => void;

  constructor(log: (line: string) => void = () => {}) {
    this.log = log;
  }

  /** Runs `apt-get update` once per session. */
  async update(): Promise<void> {
    if (this.updated) return;
    this.log('apt-get update');
    await apt(['update']);
    this.updated = true;
  }

  /** Installs packages (after one update); returns the line describing what was done. */
  async install(packages: readonly string[]): Promise<string> {
    if (packages.length === 0) return 'apt: nothing to install';
    await this.update();
    this.log(`apt-get install -y ${packages.join(' ')}`);
    await apt(['install', '-y', ...packages]);
    return `installed with apt-get: ${packages.join(' ')}`;
  }
}

/** Runs apt-get with arguments, non-interactively; throws FERRY_ERR_PREREQUISITE on failure. */
export function apt(args: readonly string[]): Promise<RunResult> {
  return runOrThrow('FERRY_ERR_PREREQUISITE', 'apt-get', args,
    'check the network and the apt sources (/etc/apt/sources.list), then run `ferry doctor --fix` again',
    { env: APT_ENV, timeoutMs: APT_TIMEOUT_MS });
}
