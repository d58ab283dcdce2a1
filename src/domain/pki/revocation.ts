/**
 * @module domain/pki/revocation — serial numbers, validity windows and the cluster's list of
 * revoked serials that every server checks after the TLS handshake (the list travels as a
 * plain JSON file next to the CA certificate; no CRL database to keep in step).
 */
import { FerryError } from '../../core/errors.ts';

/** One revoked certificate. */
export interface RevokedEntry {
  /** Upper-case hex, no leading zeros or colons (as {@link normaliseSerial} gives). */
  readonly serial: string;
  /** ISO time of the revocation. */
  readonly revokedAt: string;
  /** `superseded` when a rotation replaced it, else the operator's word. */
  readonly reason: string;
  /** The role URI the certificate carried, when known. */
  readonly subject?: string;
}

/** The revocation list file's content. */
export interface RevocationList {
  readonly version: 1;
  readonly revoked: readonly RevokedEntry[];
}

/** Default lifetimes, in days: a CA outlives the certificates it issues. */
export const VALIDITY_DAYS = { ca: 3650, leaf: 365 } as const;

/** An empty list. */
export const EMPTY_REVOCATION_LIST: RevocationList = { version: 1, revoked: [] };

/**
 * One spelling of a serial for comparison: `01:2A:bc`, `0x012abc` and `12ABC` are the same.
 * Throws FERRY_ERR_INVALID_INPUT when it is not hex.
 */
export function normaliseSerial(serial: string): string {
  const hex = serial.trim().replace(/^0x/i, '').replaceAll(':', '').toUpperCase();
  if (!/^[0-9A-F]+$/.test(hex)) throw new FerryError('FERRY_ERR_INVALID_INPUT', `serial "${serial}" is not a hexadecimal number (\`ferry pki list\` shows serials)`);
  return hex.replace(/^0+(?=.)/, '');
}

/** A positive 127-bit serial in hex from 16 random bytes (top bit cleared so DER keeps it positive). */
export function serialFromBytes(bytes: Uint8Array): string {
  if (bytes.length !== 16) throw new FerryError('FERRY_ERR_INTERNAL', `a serial needs 16 random bytes, got ${bytes.length}`);
  const b = Uint8Array.from(bytes);
  b[0] = (b[0]! & 0x7f) | 0x40; // and never a zero first byte, so every serial has 32 digits
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('').toUpperCase();
}

/** True when `serial` is on the list. */
export function isRevoked(serial: string, list: RevocationList): boolean {
  const s = normaliseSerial(serial);
  return list.revoked.some((e) => e.serial === s);
}

/** The list with `entry` added (idempotent: a serial already there keeps its first entry). */
export function withRevoked(list: RevocationList, entry: RevokedEntry): RevocationList {
  const serial = normaliseSerial(entry.serial);
  if (list.revoked.some((e) => e.serial === serial)) return list;
  return { version: 1, revoked: [...list.revoked, { ...entry, serial }] };
}

/** Parses a revocation list file's text; throws FERRY_ERR_CONFIG naming the file when malformed. */
export function parseRevocationList(text: string, file: string): RevocationList {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new FerryError('FERRY_ERR_CONFIG', `revocation list ${file} is not JSON: ${(err as Error).message}`, { cause: err });
  }
  const d = data as { version?: unknown; revoked?: unknown };
  const ok = d?.version === 1 && Array.isArray(d.revoked)
    && d.revoked.every((e: unknown) => typeof (e as RevokedEntry)?.serial === 'string' && typeof (e as RevokedEntry).revokedAt === 'string');
  if (!ok) throw new FerryError('FERRY_ERR_CONFIG', `revocation list ${file} is malformed: expected {"version":1,"revoked":[{"serial","revokedAt","reason"}]}`);
  return { version: 1, revoked: (d.revoked as RevokedEntry[]).map((e) => ({ ...e, serial: normaliseSerial(e.serial) })) };
}

/** Where `now` stands against a certificate's window. */
export type ValidityState = 'not-yet-valid' | 'valid' | 'expired';

/** The state of a window `[notBefore, notAfter]` at `now`. */
export function validityState(notBefore: Date, notAfter: Date, now: Date): ValidityState {
  if (now.getTime() < notBefore.getTime()) return 'not-yet-valid';
  if (now.getTime() > notAfter.getTime()) return 'expired';
  return 'valid';
}

/** Checks a lifetime in days given by a user: a whole number from 1 to 3650 (tests may pass negatives through the adapter). */
export function validDays(days: number): number {
  if (!Number.isInteger(days) || days < 1 || days > VALIDITY_DAYS.ca) {
    throw new FerryError('FERRY_ERR_INVALID_INPUT', `--days ${days}: give a whole number of days from 1 to ${VALIDITY_DAYS.ca}`);
  }
  return days;
}
