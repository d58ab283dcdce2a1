/** @module tools/ceph/bucket — creates ferry's bucket on radosgw through S3 itself (idempotent). */
import { CreateBucketCommand, HeadBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { setTimeout as sleep } from 'node:timers/promises';
import { FerryError } from '../../core/errors.ts';
import type { S3Credentials } from './s3-user.ts';

/** An S3 client for radosgw: path-style addressing, checksums only where S3 requires them. */
export function rgwClient(creds: S3Credentials): S3Client {
  return new S3Client({
    endpoint: creds.endpoint,
    region: creds.region,
    forcePathStyle: true,
    credentials: { accessKeyId: creds.accessKeyId, secretAccessKey: creds.secretAccessKey },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

const status = (err: unknown): number | undefined => (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;

/** How long radosgw may keep refusing bucket operations right after it starts, in ms. */
const SETTLE_MS = 20_000;

/** Creates the bucket unless it exists; returns which. Retries while radosgw settles (5xx, connection refused). */
export async function ensureBucket(creds: S3Credentials): Promise<'created' | 'exists'> {
  const s3 = rgwClient(creds);
  const end = Date.now() + SETTLE_MS;
  try {
    for (;;) {
      try {
        const head = await s3.send(new HeadBucketCommand({ Bucket: creds.bucket })).then(() => 200, (err: unknown) => {
          if (status(err) === 404) return 404;
          throw err;
        });
        if (head === 200) return 'exists';
        await s3.send(new CreateBucketCommand({ Bucket: creds.bucket }));
        return 'created';
      } catch (err) {
        const code = status(err);
        if (code === 403) throw new FerryError('FERRY_ERR_STORE_AUTH', `radosgw at ${creds.endpoint} refused the keys of user ferry for bucket ${creds.bucket}`, { cause: err });
        if ((code !== undefined && code < 500) || Date.now() > end) {
          throw new FerryError('FERRY_ERR_STORE_BUCKET', `cannot create bucket ${creds.bucket} at ${creds.endpoint}: ${(err as Error).name} ${code ?? ''} ${(err as Error).message}`, { cause: err });
        }
        await sleep(500);
      }
    }
  } finally {
    s3.destroy();
  }
}
