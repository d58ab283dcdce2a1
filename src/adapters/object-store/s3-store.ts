/**
 * @module adapters/object-store/s3-store — the object store in an S3 bucket (Ceph RGW, MinIO, AWS). Keys are
 * PREFIX/objects/<digest> and PREFIX/manifests/<name>; every upload carries Content-MD5 so the
 * server rejects bytes damaged on the way, and every read is checked against its digest.
 * The secret key lives only inside the SDK client, in a private field: `where`, messages,
 * toJSON and util.inspect never show it.
 */
import { createHash } from 'node:crypto';
import { inspect } from 'node:util';
import {
  DeleteObjectCommand, GetObjectCommand, HeadBucketCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client,
} from '@aws-sdk/client-s3';
import { FerryError } from '../../core/errors.ts';
import { forEachBounded } from './bounded.ts';
import {
  DIGEST, assertDigest, assertManifestName, assertManifestPrefix, assertManifestSize, assertObjectSize, quote, sha256Hex, verifyObject,
} from './digest.ts';
import { decodeManifest, encodeManifest } from './manifest-envelope.ts';
import { MANIFEST_NAME, MAX_MANIFEST_BYTES, MAX_OBJECT_BYTES, type Digest, type ObjectStore, type StoredObject } from './object-store.ts';
import { s3Error, type S3Request } from './s3-errors.ts';

/** How to reach a bucket. */
export interface S3StoreOptions {
  /** Endpoint URL, e.g. http://10.212.0.1:7480 ('' : the SDK's default, AWS). */
  endpoint: string;
  bucket: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** Key prefix under which this store keeps everything ('' : the bucket's root). */
  prefix?: string;
  /** Connection timeout in ms (default 3000). */
  connectTimeoutMs?: number;
  /** Timeout of a whole request in ms (default 60 000). */
  requestTimeoutMs?: number;
  /** Keys per listing page (default 1000, S3's largest; tests use small pages to exercise paging). */
  pageSize?: number;
}

/** HEAD requests in flight at once when has() asks per digest. */
const HEAD_CONCURRENCY = 16;
/** From this many digests on, has() lists the objects instead of asking one by one. */
const LIST_THRESHOLD = 1024;
const KEY_PREFIX = /^(?:[A-Za-z0-9._-]+\/)*$/;

/** An object store in an S3 bucket. */
export class S3Store implements ObjectStore {
  /** s3://bucket/prefix at the endpoint's origin; never a credential. */
  readonly where: string;
  readonly #client: S3Client;
  readonly #bucket: string;
  readonly #prefix: string;
  readonly #endpoint: string;
  readonly #secret: string;
  readonly #pageSize: number;

  /** A store in `options.bucket`; nothing is contacted until the first call (check() tests the connection). */
  constructor(options: S3StoreOptions) {
    const prefix = options.prefix ? `${options.prefix.replace(/\/+$/, '')}/` : '';
    if (!KEY_PREFIX.test(prefix)) throw new FerryError('FERRY_ERR_INVALID_INPUT', `S3 key prefix ${quote(options.prefix)} is invalid: use segments of [A-Za-z0-9._-] joined by '/'`);
    this.#bucket = options.bucket;
    this.#prefix = prefix;
    this.#endpoint = describeEndpoint(options.endpoint, options.region);
    this.#secret = options.secretAccessKey;
    this.#pageSize = options.pageSize ?? 1000;
    this.where = `s3://${options.bucket}/${prefix} at ${this.#endpoint}`;
    this.#client = new S3Client({
      ...(options.endpoint ? { endpoint: options.endpoint } : {}),
      region: options.region,
      credentials: { accessKeyId: options.accessKeyId, secretAccessKey: options.secretAccessKey },
      forcePathStyle: true,
      // Ceph RGW Pacific ignores x-amz-checksum-* (it stores bytes whose SHA-256 header is wrong) and answers the SDK's
      // aws-chunked trailers of streamed bodies with 411; Content-MD5, which it enforces, and the digest check on read
      // protect the bytes instead.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      maxAttempts: 2,
      requestHandler: { connectionTimeout: options.connectTimeoutMs ?? 3000, requestTimeout: options.requestTimeoutMs ?? 60_000, throwOnRequestTimeout: true },
    });
  }

  /** The key of an object (tests use it to reach the bucket directly). */
  objectKey(digest: Digest): string {
    assertDigest(digest);
    return `${this.#prefix}objects/${digest}`;
  }

  /** The key of a manifest. */
  manifestKey(name: string): string {
    assertManifestName(name);
    return `${this.#prefix}manifests/${name}`;
  }

  /** The bucket, for tests that reach it directly. */
  get bucket(): string {
    return this.#bucket;
  }

  /** HeadBucket: the endpoint answers, accepts the credentials and has the bucket. */
  async check(): Promise<void> {
    await this.#call({ op: 'HeadBucket', notFound: 'bucket' }, (signal) => this.#client.send(new HeadBucketCommand({ Bucket: this.#bucket }), { abortSignal: signal }));
  }

  /** Stores `bytes` unless an object of that digest is there already (HEAD first). */
  async put(bytes: Buffer): Promise<{ digest: Digest; uploaded: boolean }> {
    assertObjectSize(bytes.length);
    const digest = sha256Hex(bytes);
    if (await this.#exists(this.objectKey(digest))) return { digest, uploaded: false };
    await this.#upload(this.objectKey(digest), bytes);
    return { digest, uploaded: true };
  }

  /** The subset of `digests` stored: HEAD per digest, or one listing when asked about many. */
  async has(digests: readonly Digest[]): Promise<Set<Digest>> {
    for (const digest of digests) assertDigest(digest);
    const wanted = new Set(digests);
    const found = new Set<Digest>();
    if (wanted.size >= LIST_THRESHOLD) {
      for await (const object of this.list()) if (wanted.has(object.digest)) found.add(object.digest);
      return found;
    }
    await forEachBounded(wanted, HEAD_CONCURRENCY, async (digest) => {
      if (await this.#exists(this.objectKey(digest))) found.add(digest);
    });
    return found;
  }

  /** An object's bytes, verified against its digest. */
  async get(digest: Digest): Promise<Buffer> {
    const key = this.objectKey(digest);
    const bytes = await this.#download(key, MAX_OBJECT_BYTES, 'key');
    verifyObject(digest, bytes, this.where);
    return bytes;
  }

  /** Every stored object, page by page (ListObjectsV2). */
  async *list(): AsyncIterable<StoredObject> {
    const prefix = `${this.#prefix}objects/`;
    for await (const entry of this.#listKeys(prefix)) {
      const digest = entry.key.slice(prefix.length);
      if (DIGEST.test(digest)) yield { digest, bytes: entry.bytes, modified: entry.modified };
    }
  }

  /** Removes an object (absent: nothing happens). */
  async delete(digest: Digest): Promise<void> {
    const key = this.objectKey(digest);
    await this.#call({ op: 'DeleteObject', key, notFound: 'key' }, (signal) => this.#client.send(new DeleteObjectCommand({ Bucket: this.#bucket, Key: key }), { abortSignal: signal }));
  }

  /** Writes a manifest (one PUT: S3 replaces an object whole, so readers never see part of one). */
  async putManifest(name: string, body: Buffer): Promise<void> {
    const key = this.manifestKey(name);
    assertManifestSize(name, body.length);
    await this.#upload(key, encodeManifest(body));
  }

  /** A manifest's body, verified, or undefined when there is none. */
  async getManifest(name: string): Promise<Buffer | undefined> {
    const key = this.manifestKey(name);
    try {
      return decodeManifest(await this.#download(key, MAX_MANIFEST_BYTES + 256, 'key'), `manifest ${name} in ${this.where}`);
    } catch (err) {
      if (err instanceof FerryError && err.code === 'FERRY_ERR_STORE_MISSING') return undefined;
      throw err;
    }
  }

  /** Names of the manifests under `prefix`, sorted. */
  async listManifests(prefix: string): Promise<string[]> {
    assertManifestPrefix(prefix);
    const base = `${this.#prefix}manifests/`;
    const names: string[] = [];
    for await (const entry of this.#listKeys(base + prefix)) {
      const name = entry.key.slice(base.length);
      if (MANIFEST_NAME.test(name)) names.push(name);
    }
    return names.sort();
  }

  /** Removes a manifest (absent: nothing happens). */
  async deleteManifest(name: string): Promise<void> {
    const key = this.manifestKey(name);
    await this.#call({ op: 'DeleteObject', key, notFound: 'key' }, (signal) => this.#client.send(new DeleteObjectCommand({ Bucket: this.#bucket, Key: key }), { abortSignal: signal }));
  }

  /** Closes the client's idle connections. */
  destroy(): void {
    this.#client.destroy();
  }

  /** What JSON.stringify shows: where the store is, no credential. */
  toJSON(): { kind: 's3'; where: string } {
    return { kind: 's3', where: this.where };
  }

  /** The store's place, as messages show it. */
  toString(): string {
    return this.where;
  }

  [inspect.custom](): string {
    return `S3Store { ${this.where} }`;
  }

  async #exists(key: string): Promise<boolean> {
    try {
      await this.#call({ op: 'HeadObject', key, notFound: 'key' }, (signal) => this.#client.send(new HeadObjectCommand({ Bucket: this.#bucket, Key: key }), { abortSignal: signal }));
      return true;
    } catch (err) {
      if (err instanceof FerryError && err.code === 'FERRY_ERR_STORE_MISSING') return false;
      throw err;
    }
  }

  async #upload(key: string, bytes: Buffer): Promise<void> {
    const md5 = createHash('md5').update(bytes).digest('base64');
    await this.#call({ op: 'PutObject', key, notFound: 'key' }, (signal) => this.#client.send(
      new PutObjectCommand({ Bucket: this.#bucket, Key: key, Body: bytes, ContentLength: bytes.length, ContentMD5: md5, ContentType: 'application/octet-stream' }),
      { abortSignal: signal },
    ));
  }

  async #download(key: string, maxBytes: number, notFound: 'key'): Promise<Buffer> {
    return this.#call({ op: 'GetObject', key, notFound }, async (signal) => {
      const res = await this.#client.send(new GetObjectCommand({ Bucket: this.#bucket, Key: key }), { abortSignal: signal });
      if ((res.ContentLength ?? 0) > maxBytes) {
        (res.Body as { destroy?: () => void } | undefined)?.destroy?.();
        throw new FerryError('FERRY_ERR_INTEGRITY', `${key} in ${this.where} has ${res.ContentLength} bytes, more than any object or manifest; delete it`);
      }
      const bytes = await res.Body?.transformToByteArray();
      return Buffer.from(bytes?.buffer ?? new ArrayBuffer(0), bytes?.byteOffset ?? 0, bytes?.byteLength ?? 0);
    });
  }

  async *#listKeys(prefix: string): AsyncIterable<{ key: string; bytes: number; modified: Date }> {
    let token: string | undefined;
    do {
      const page = await this.#call({ op: 'ListObjectsV2', key: prefix, notFound: 'bucket' }, (signal) => this.#client.send(
        new ListObjectsV2Command({ Bucket: this.#bucket, Prefix: prefix, ContinuationToken: token, MaxKeys: this.#pageSize }),
        { abortSignal: signal },
      ));
      for (const object of page.Contents ?? []) {
        if (object.Key) yield { key: object.Key, bytes: object.Size ?? 0, modified: object.LastModified ?? new Date(0) };
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }

  /** Runs one request, turning its failure into a FerryError naming the endpoint, bucket and key. */
  async #call<T>(what: Pick<S3Request, 'op' | 'key' | 'notFound'>, send: (signal: AbortSignal) => Promise<T>): Promise<T> {
    try {
      return await send(AbortSignal.timeout(REQUEST_DEADLINE_MS));
    } catch (err) {
      throw s3Error(err, { ...what, endpoint: this.#endpoint, bucket: this.#bucket, secret: this.#secret });
    }
  }
}

/** Hard deadline of one request including the SDK's retries (a stalled server cannot hang a caller). */
const REQUEST_DEADLINE_MS = 150_000;

/** The endpoint as messages show it: its origin only (a URL may carry user:password), or AWS's default. */
function describeEndpoint(endpoint: string, region: string): string {
  if (!endpoint) return `AWS S3 (region ${region})`;
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new FerryError('FERRY_ERR_CONFIG', `store.endpoint ${quote(endpoint.replace(/\/\/[^@/]*@/, '//'))} is not a URL; use e.g. http://10.212.0.1:7480`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new FerryError('FERRY_ERR_CONFIG', `store.endpoint must be an http:// or https:// URL, not ${url.protocol}`);
  return url.origin;
}
