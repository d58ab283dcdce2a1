/** @module adapters/object-store/digest — digests, manifest names and sizes, checked before anything reaches a store. */
import { createHash } from 'node:crypto';
import { FerryError } from '../../core/errors.ts';
import { MANIFEST_NAME, MAX_MANIFEST_BYTES, MAX_MANIFEST_NAME_LENGTH, MAX_OBJECT_BYTES, type Digest } from './object-store.ts';

/** A well-formed digest: 64 lowercase hex digits. */
export const DIGEST = /^[0-9a-f]{64}$/;

/** Characters a manifest-name prefix may hold (a prefix filters names; it is never a path). */
const MANIFEST_PREFIX = /^[A-Za-z0-9._/-]*$/;

/** The SHA-256 of `bytes`, as a digest. */
export function sha256Hex(bytes: Uint8Array): Digest {
  return createHash('sha256').update(bytes).digest('hex');
}

/** A value as a message may quote it: JSON, cut short. */
export function quote(value: unknown): string {
  const text = typeof value === 'string' ? JSON.stringify(value) : String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/** Throws FERRY_ERR_INVALID_INPUT unless `digest` is 64 lowercase hex digits. */
export function assertDigest(digest: unknown): asserts digest is Digest {
  if (typeof digest !== 'string' || !DIGEST.test(digest)) {
    throw new FerryError('FERRY_ERR_INVALID_INPUT', `object digest ${quote(digest)} is not a SHA-256 (64 lowercase hex digits); pass the digest put() returned`);
  }
}

/** Throws FERRY_ERR_INVALID_INPUT unless `name` is a manifest name (MANIFEST_NAME, at most MAX_MANIFEST_NAME_LENGTH characters). */
export function assertManifestName(name: unknown): asserts name is string {
  if (typeof name !== 'string' || name.length > MAX_MANIFEST_NAME_LENGTH || !MANIFEST_NAME.test(name)) {
    throw new FerryError('FERRY_ERR_INVALID_INPUT', `manifest name ${quote(name)} is invalid: use segments of [A-Za-z0-9._-] joined by '/', no empty, '.' or '..' segment, at most ${MAX_MANIFEST_NAME_LENGTH} characters`);
  }
}

/** Throws FERRY_ERR_INVALID_INPUT unless `prefix` holds only characters of manifest names. */
export function assertManifestPrefix(prefix: unknown): asserts prefix is string {
  if (typeof prefix !== 'string' || prefix.length > MAX_MANIFEST_NAME_LENGTH || !MANIFEST_PREFIX.test(prefix)) {
    throw new FerryError('FERRY_ERR_INVALID_INPUT', `manifest prefix ${quote(prefix)} is invalid: use only [A-Za-z0-9._/-] ('' lists every manifest)`);
  }
}

/** Throws FERRY_ERR_TOO_LARGE when an object of `bytes` bytes exceeds MAX_OBJECT_BYTES. */
export function assertObjectSize(bytes: number): void {
  if (bytes > MAX_OBJECT_BYTES) {
    throw new FerryError('FERRY_ERR_TOO_LARGE', `object of ${bytes} bytes exceeds the store's limit of ${MAX_OBJECT_BYTES} bytes; cut the data into blocks of at most that size`);
  }
}

/** Throws FERRY_ERR_TOO_LARGE when a manifest body of `bytes` bytes exceeds MAX_MANIFEST_BYTES. */
export function assertManifestSize(name: string, bytes: number): void {
  if (bytes > MAX_MANIFEST_BYTES) {
    throw new FerryError('FERRY_ERR_TOO_LARGE', `manifest ${name} of ${bytes} bytes exceeds the store's limit of ${MAX_MANIFEST_BYTES} bytes; split it or name fewer objects per manifest`);
  }
}

/** Throws FERRY_ERR_INTEGRITY naming the digest unless `bytes` hash to `digest`. */
export function verifyObject(digest: Digest, bytes: Uint8Array, where: string): void {
  const actual = sha256Hex(bytes);
  if (actual !== digest) {
    throw new FerryError('FERRY_ERR_INTEGRITY', `object ${digest} in ${where} is corrupted: its ${bytes.length} bytes hash to ${actual}; delete it and store it again from its source`, { details: { digest, actual } });
  }
}
