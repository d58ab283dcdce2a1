import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { inspect } from 'node:util';
import { parseConfig, type Config } from '../../core/config.ts';
import { FerryError } from '../../core/errors.ts';
import { isCode } from '../../../test/support/errors.ts';
import { DirectoryStore } from './directory-store.ts';
import { mergeCredentials, openStore } from './open-store.ts';
import { S3Store } from './s3-store.ts';

const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY';
const dir = mkdtempSync(path.join(os.tmpdir(), 'ferry-openstore-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const storeConfig = (store: Record<string, unknown>): Config['store'] => parseConfig({ store }).store;
const file = (name: string, text: string) => {
  const p = path.join(dir, name);
  writeFileSync(p, text);
  return p;
};
/** The message, details and wire form of an error, for searching a secret in. */
const everything = (err: unknown) => err instanceof FerryError ? `${err.message} ${JSON.stringify(err)} ${String(err)} ${inspect(err.details)}` : String(err);

describe('openStore', () => {
  it('opens a directory store by default', async () => {
    const store = await openStore(storeConfig({ dir }));
    assert.ok(store instanceof DirectoryStore);
    assert.equal(store.where, dir);
  });

  it('fills empty S3 keys (and bucket, region left at their defaults) from the credentials file; the config wins otherwise', async () => {
    const credentialsFile = file('creds.json', JSON.stringify({ endpoint: 'http://10.0.0.1:7480', bucket: 'from-file', accessKeyId: 'AK', secretAccessKey: SECRET, user: 'ignored' }));
    const store = await openStore(storeConfig({ kind: 's3', credentialsFile }));
    assert.ok(store instanceof S3Store);
    assert.equal(store.where, 's3://from-file/ at http://10.0.0.1:7480');
    for (const shown of [store.where, JSON.stringify(store), String(store), inspect(store, { depth: 10, showHidden: true })]) assert.ok(!shown.includes(SECRET), shown);
    store.destroy();
    const own = mergeCredentials(storeConfig({ kind: 's3', credentialsFile, bucket: 'mine', accessKeyId: 'MYKEY', secretAccessKey: 'mysecret' }), { bucket: 'from-file', accessKeyId: 'AK', secretAccessKey: SECRET, endpoint: 'http://x:1' });
    assert.deepEqual(own, { endpoint: 'http://x:1', bucket: 'mine', region: 'us-east-1', accessKeyId: 'MYKEY', secretAccessKey: 'mysecret' });
  });

  it('an unreadable or malformed credentials file is FERRY_ERR_CONFIG naming the file, never its contents', async () => {
    const cases = [
      path.join(dir, 'absent.json'),
      file('broken.json', `{"secretAccessKey": "${SECRET}", oops}`),
      file('wrong.json', JSON.stringify({ secretAccessKey: SECRET, accessKeyId: 42 })),
      file('array.json', JSON.stringify([SECRET])),
    ];
    for (const credentialsFile of cases) {
      const err = await openStore(storeConfig({ kind: 's3', credentialsFile })).then(() => undefined, (e: unknown) => e);
      isCode('FERRY_ERR_CONFIG', new RegExp(path.basename(credentialsFile)))(err);
      assert.ok(!everything(err).includes(SECRET), everything(err));
      assert.equal((err as Error).cause, undefined, 'a cause could quote the file');
    }
  });

  it('missing S3 credentials are FERRY_ERR_STORE_AUTH', async () => {
    await assert.rejects(openStore(storeConfig({ kind: 's3', endpoint: 'http://10.0.0.1:7480' })), isCode('FERRY_ERR_STORE_AUTH', /credentialsFile is not set/));
    const partial = file('partial.json', JSON.stringify({ accessKeyId: 'AK' }));
    await assert.rejects(openStore(storeConfig({ kind: 's3', credentialsFile: partial })), isCode('FERRY_ERR_STORE_AUTH', /partial\.json/));
  });

  it('a malformed endpoint is FERRY_ERR_CONFIG, without the user:password it may carry', async () => {
    await assert.rejects(openStore(storeConfig({ kind: 's3', endpoint: 'ftp://u:p@x', accessKeyId: 'a', secretAccessKey: SECRET })), isCode('FERRY_ERR_CONFIG', /http/));
    const err = await openStore(storeConfig({ kind: 's3', endpoint: 'not a url//user:pw@', accessKeyId: 'a', secretAccessKey: SECRET })).then(() => undefined, (e: unknown) => e);
    isCode('FERRY_ERR_CONFIG')(err);
    assert.ok(!everything(err).includes(SECRET));
  });
});
