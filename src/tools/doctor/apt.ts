/** @module tools/doctor/apt — installs Debian packages with apt-get (one `apt-get update` per session, then `install -y`). */
import { existsSync } from 'node:fs';
import { runOrThrow, type RunResult } from '../../adapters/host/run.ts';

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

  /** Installs packages (after one update), without their recommends when asked; returns the line describing what was done. */
  async install(packages: readonly string[], o: { noRecommends?: boolean } = {}): Promise<string> {
    if (packages.length === 0) return 'apt: nothing to install';
    await this.update();
    const args = ['install', '-y', ...(o.noRecommends ? ['--no-install-recommends'] : []), ...packages];
    this.log(`apt-get ${args.join(' ')}`);
    await apt(args);
    return `installed with apt-get${o.noRecommends ? ' (without recommends)' : ''}: ${packages.join(' ')}`;
  }
}

/** Runs apt-get with arguments, non-interactively; throws FERRY_ERR_PREREQUISITE on failure. */
export function apt(args: readonly string[]): Promise<RunResult> {
  return runOrThrow('FERRY_ERR_PREREQUISITE', 'apt-get', args,
    'check the network and the apt sources (/etc/apt/sources.list), then run `ferry doctor --fix` again',
    { env: APT_ENV, timeoutMs: APT_TIMEOUT_MS });
}

/** On a systemd host, stops and disables services a package installation started; returns what was done (nothing without systemd). */
export async function stopStartedServices(services: readonly string[]): Promise<string | undefined> {
  if (services.length === 0 || !existsSync('/run/systemd/system')) return undefined;
  await runOrThrow('FERRY_ERR_PREREQUISITE', 'systemctl', ['disable', '--now', ...services], `stop them by hand: systemctl disable --now ${services.join(' ')}`, { timeoutMs: 60_000 });
  return `stopped and disabled ${services.join(', ')} (ferry needs only the package's tool; the service would listen without authentication)`;
}
