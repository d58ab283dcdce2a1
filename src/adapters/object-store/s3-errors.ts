/**
 * @module adapters/object-store/s3-errors — turns what the S3 SDK throws into ferry's store errors. Messages
 * name the endpoint, bucket and key, never a credential (the secret is scrubbed even from text
 * a server sent back).
 */
import { FerryError } from '../../core/errors.ts';

/** What a failed S3 request was doing, for the message. */
export interface S3Request {
  /** The S3 operation, e.g. HeadObject. */
  op: string;
  /** The endpoint's origin (scheme, host, port) or a description of the default endpoint. */
  endpoint: string;
  bucket: string;
  key?: string;
  /** What a 404 without an S3 code means for this request: the bucket (HeadBucket) or the key is missing. */
  notFound: 'bucket' | 'key';
  /** Text that must never reach a message (the secret key). */
  secret: string;
}

const AUTH = new Set(['InvalidAccessKeyId', 'SignatureDoesNotMatch', 'AccessDenied', 'Forbidden', 'InvalidToken', 'ExpiredToken', 'AuthorizationHeaderMalformed', 'InvalidSecurity', 'RequestTimeTooSkewed']);
const INTEGRITY = new Set(['BadDigest', 'InvalidDigest', 'XAmzContentSHA256Mismatch', 'IncompleteBody']);
const NETWORK = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN', 'EPIPE', 'ECONNABORTED', 'ENETDOWN']);

/** One failure as the SDK reports it: its S3 code or errno, and the HTTP status when a response came. */
export function describeS3Failure(err: unknown): { code: string; status: number | undefined } {
  const e = (err ?? {}) as { name?: unknown; code?: unknown; Code?: unknown; errors?: unknown; cause?: unknown; $metadata?: { httpStatusCode?: unknown } };
  const status = typeof e.$metadata?.httpStatusCode === 'number' ? e.$metadata.httpStatusCode : undefined;
  const nested = [e.cause, ...(Array.isArray(e.errors) ? (e.errors as unknown[]) : [])].map((c) => (c as { code?: unknown } | null)?.code);
  const code = [e.Code, e.code, ...nested, e.name].find((c): c is string => typeof c === 'string' && c !== '' && c !== 'Error' && c !== 'AggregateError');
  return { code: code ?? 'UnknownError', status };
}

/** The ferry error kind a failure belongs to. */
export function classifyS3Failure(err: unknown, notFound: 'bucket' | 'key'): 'unreachable' | 'auth' | 'bucket' | 'missing' | 'integrity' | 'too-large' | 'refused' {
  const { code, status } = describeS3Failure(err);
  if (AUTH.has(code) || status === 401 || status === 403) return 'auth';
  if (code === 'NoSuchBucket') return 'bucket';
  if (code === 'NoSuchKey' || status === 404) return notFound === 'bucket' ? 'bucket' : 'missing';
  if (INTEGRITY.has(code)) return 'integrity';
  if (code === 'EntityTooLarge') return 'too-large';
  if (status === undefined || status >= 500 || NETWORK.has(code) || /Timeout/i.test(code)) return 'unreachable';
  return 'refused';
}

/** A FerryError for a failed S3 request; its message names the endpoint, bucket and key and the fix. */
export function s3Error(err: unknown, request: S3Request): FerryError {
  if (err instanceof FerryError) return err;
  const { code, status } = describeS3Failure(err);
  const target = `s3://${request.bucket}${request.key === undefined ? '' : `/${request.key}`} at ${request.endpoint}`;
  const answered = `${request.op} ${target} failed: ${code}${status === undefined ? '' : ` (HTTP ${status})`}`;
  const make = (kind: ConstructorParameters<typeof FerryError>[0], fix: string) =>
    new FerryError(kind, scrub(`${answered}; ${fix}`, request.secret), { cause: err, details: { op: request.op, s3Code: scrub(code, request.secret), status } });
  switch (classifyS3Failure(err, request.notFound)) {
    case 'auth': return make('FERRY_ERR_STORE_AUTH', `the store at ${request.endpoint} refused ferry's credentials for bucket ${request.bucket}; check store.accessKeyId and store.secretAccessKey (or store.credentialsFile)`);
    case 'bucket': return make('FERRY_ERR_STORE_BUCKET', `bucket ${request.bucket} does not exist at ${request.endpoint}; create it or set store.bucket`);
    case 'missing': return make('FERRY_ERR_STORE_MISSING', `${request.key ?? 'the key'} is not in bucket ${request.bucket}`);
    case 'integrity': return make('FERRY_ERR_INTEGRITY', 'the store received different bytes than ferry sent; retry, and check the link if it repeats');
    case 'too-large': return make('FERRY_ERR_TOO_LARGE', 'the store refused the object as too large');
    case 'unreachable': return make('FERRY_ERR_STORE_UNREACHABLE', `the store at ${request.endpoint} did not answer or failed; check that it runs and is reachable from this host`);
    case 'refused': return make('FERRY_ERR_STORE_UNREACHABLE', `the store at ${request.endpoint} refused the request; check that it is an S3 store ferry supports (Ceph RGW, MinIO, AWS)`);
  }
}

/** `text` with every occurrence of `secret` replaced (secrets shorter than 4 characters are not searched: they would mangle text and are not secret). */
export function scrub(text: string, secret: string): string {
  return secret.length >= 4 ? text.replaceAll(secret, '[secret]') : text;
}
