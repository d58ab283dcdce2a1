/**
 * @module adapters/object-store/manifest-envelope — the stored form of a manifest: one header line with the
 * SHA-256 and length of the body, then the body, so that every store finds a corrupted or
 * truncated manifest on read.
 */
import { FerryError } from '../../core/errors.ts';
import { sha256Hex } from './digest.ts';

const MAGIC = 'ferry-manifest v1';
const HEADER = /^ferry-manifest v1 ([0-9a-f]{64}) (0|[1-9][0-9]{0,15})$/;
/** Longer than any valid header line; a newline later than this means there is no header. */
const MAX_HEADER = 128;

/** The stored form of a manifest body: `ferry-manifest v1 <sha256> <length>\n` then the body. */
export function encodeManifest(body: Uint8Array): Buffer {
  return Buffer.concat([Buffer.from(`${MAGIC} ${sha256Hex(body)} ${body.length}\n`, 'latin1'), body]);
}

/** The body of a stored manifest, verified; FERRY_ERR_INTEGRITY (naming `what`) when it is corrupted or truncated. */
export function decodeManifest(stored: Buffer, what: string): Buffer {
  const corrupted = (why: string) => new FerryError('FERRY_ERR_INTEGRITY', `${what} is corrupted: ${why}; nothing was read from it. Write it again (protect the container again) or delete it`);
  const newline = stored.subarray(0, MAX_HEADER).indexOf(0x0a);
  if (newline < 0) throw corrupted(`it has no '${MAGIC}' header line`);
  const header = HEADER.exec(stored.toString('latin1', 0, newline));
  if (!header) throw corrupted(`its header line is not '${MAGIC} <sha256> <length>'`);
  const [, digest, length] = header as unknown as [string, string, string];
  const body = stored.subarray(newline + 1);
  if (body.length !== Number(length)) throw corrupted(`its body has ${body.length} bytes, its header says ${length} (truncated or extended)`);
  if (sha256Hex(body) !== digest) throw corrupted('its body does not match the SHA-256 in its header');
  return body;
}
