/**
 * @module adapters/data-link/io-errors — turns file-system failures on either end of the data link into
 * FerryErrors that name the file and the side, so a full disk reads as a full disk.
 */
import { FerryError } from '../../core/errors.ts';
import { saysDiskFull } from './overlay-attrs.ts';

function errno(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException | undefined)?.code;
}

function reason(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** A failure while writing what was received; `what` names the action and the path. */
export function receiveError(err: unknown, what: string): FerryError {
  if (err instanceof FerryError) return err;
  const code = errno(err);
  if (code === 'ENOSPC' || code === 'EDQUOT' || saysDiskFull(err)) {
    return new FerryError('FERRY_ERR_DISK_FULL', `destination disk full while ${what}: ${reason(err)}`, { cause: err });
  }
  if (code === 'ELOOP') return new FerryError('FERRY_ERR_UNSAFE_PATH', `refused to write through a symlink while ${what}`, { cause: err });
  return new FerryError('FERRY_ERR_TRANSFER_IO', `destination failed while ${what}: ${reason(err)}`, { cause: err });
}

/** A failure while reading what is to be sent; `what` names the action and the path. */
export function sendError(err: unknown, what: string): FerryError {
  if (err instanceof FerryError) return err;
  return new FerryError('FERRY_ERR_TRANSFER_IO', `source failed while ${what}: ${reason(err)}`, { cause: err });
}

/** True when the error says the file is gone (it vanished between listing and reading). */
export function isGone(err: unknown): boolean {
  return errno(err) === 'ENOENT';
}
