import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { classifyS3Failure, s3Error, scrub, type S3Request } from './s3-errors.ts';

/** An error shaped like the SDK's: a name (the S3 code) and the HTTP status. */
const service = (name: string, status: number) => Object.assign(new Error(`${name} happened`), { name, $metadata: { httpStatusCode: status } });
const network = (code: string) => Object.assign(new Error(`connect ${code} 127.0.0.1:1`), { code, $metadata: {} });
const request: S3Request = { op: 'GetObject', endpoint: 'http://10.0.0.1:7480', bucket: 'ferry', key: 'p/objects/ab', notFound: 'key', secret: 'sekrit-value' };

describe('S3 errors', () => {
  it('classify by S3 code, HTTP status and errno', () => {
    const cases: Array<[unknown, 'bucket' | 'key', string]> = [
      [service('InvalidAccessKeyId', 403), 'key', 'auth'],
      [service('SignatureDoesNotMatch', 403), 'key', 'auth'],
      [service('AccessDenied', 403), 'key', 'auth'],
      [service('Forbidden', 403), 'bucket', 'auth'],
      [service('NoSuchBucket', 404), 'key', 'bucket'],
      [service('NotFound', 404), 'bucket', 'bucket'],
      [service('NotFound', 404), 'key', 'missing'],
      [service('NoSuchKey', 404), 'key', 'missing'],
      [service('BadDigest', 400), 'key', 'integrity'],
      [service('EntityTooLarge', 400), 'key', 'too-large'],
      [service('SlowDown', 503), 'key', 'unreachable'],
      [service('InvalidArgument', 400), 'key', 'refused'],
      [network('ECONNREFUSED'), 'key', 'unreachable'],
      [network('ENOTFOUND'), 'key', 'unreachable'],
      [Object.assign(new Error('timed out'), { name: 'TimeoutError' }), 'key', 'unreachable'],
      [Object.assign(new AggregateError([network('ECONNREFUSED')], 'x'), { $metadata: {} }), 'key', 'unreachable'],
    ];
    for (const [err, notFound, kind] of cases) assert.equal(classifyS3Failure(err, notFound), kind, String(err));
  });

  it('messages name the endpoint, bucket and key, and never the secret, even when the server echoes it', () => {
    const err = s3Error(service('SignatureDoesNotMatch', 403), request);
    assert.equal(err.code, 'FERRY_ERR_STORE_AUTH');
    assert.match(err.message, /http:\/\/10\.0\.0\.1:7480/);
    assert.match(err.message, /ferry\/p\/objects\/ab/);
    const echoed = s3Error(Object.assign(service('sekrit-value', 400), {}), request);
    assert.ok(!JSON.stringify(echoed).includes('sekrit-value'));
    assert.equal(s3Error(network('ECONNREFUSED'), request).code, 'FERRY_ERR_STORE_UNREACHABLE');
    assert.equal(s3Error(service('NoSuchBucket', 404), request).code, 'FERRY_ERR_STORE_BUCKET');
    assert.equal(scrub('a sekrit-value b', 'sekrit-value'), 'a [secret] b');
  });
});
