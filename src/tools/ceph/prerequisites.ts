/** @module tools/ceph/prerequisites — what `storage up` and `down` need on the machine: root and Ceph's programs. */
import { FerryError } from '../../core/errors.ts';
import { BINARIES } from '../doctor/index.ts';
import { which } from '../../adapters/host/run.ts';
import { CEPH_BINARIES } from './plan.ts';

/** Throws FERRY_ERR_PREREQUISITE unless running as root (an interface, daemons and their files). */
export function requireRoot(what: string): void {
  if (process.getuid?.() !== 0) throw new FerryError('FERRY_ERR_PREREQUISITE', `${what} needs root (it adds an address to an interface and runs Ceph's daemons); run it as root`);
}

/** Throws FERRY_ERR_PREREQUISITE naming every Ceph program (and its package) missing from PATH. */
export function requireCephBinaries(): void {
  const missing = [...CEPH_BINARIES, 'ip'].filter((b) => which(b) === null);
  if (missing.length === 0) return;
  const pkgs = [...new Set(missing.map((b) => BINARIES.find((r) => r.name === b)?.pkg ?? b))];
  throw new FerryError('FERRY_ERR_PREREQUISITE', `missing ${missing.join(', ')} (Debian packages ${pkgs.join(', ')}); \`ferry doctor --fix\` installs them`);
}
