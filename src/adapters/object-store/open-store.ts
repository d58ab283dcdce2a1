/**
 * @module adapters/object-store/open-store — builds the configured object store: a directory, or an S3 bucket
 * whose empty keys are filled from a credentials file (`ferry storage up` writes one).
 */
import { readFile } from 'node:fs/promises';
import * as z from 'zod';
import { ConfigSchema, type Config } from '../../core/config.ts';
import { FerryError } from '../../core/errors.ts';
import { DirectoryStore } from './directory-store.ts';
import type { ObjectStore } from './object-store.ts';
import { S3Store } from './s3-store.ts';

/** The credentials file: every key optional, other keys ignored. */
const CredentialsFileSchema = z.object({
  endpoint: z.string().optional(),
  bucket: z.string().optional(),
  region: z.string().optional(),
  accessKeyId: z.string().optional(),
  secretAccessKey: z.string().optional(),
});

/** What a credentials file may hold. */
export type StoreCredentials = z.infer<typeof CredentialsFileSchema>;

type StoreConfig = Config['store'];
const DEFAULTS: StoreConfig = ConfigSchema.shape.store.parse({});

/** Opens the store `config` names (nothing is contacted yet; call check()). */
export async function openStore(config: StoreConfig): Promise<ObjectStore> {
  if (config.kind === 'directory') return new DirectoryStore(config.dir);
  const file = config.credentialsFile ? await readCredentialsFile(config.credentialsFile) : {};
  const s3 = mergeCredentials(config, file);
  if (!s3.accessKeyId || !s3.secretAccessKey) {
    const from = config.credentialsFile ? `, and ${config.credentialsFile} does not hold them either` : ' and store.credentialsFile is not set';
    throw new FerryError('FERRY_ERR_STORE_AUTH', `the S3 store has no credentials: store.accessKeyId or store.secretAccessKey is empty${from}`);
  }
  return new S3Store(s3);
}

/**
 * The S3 settings: a key the configuration leaves empty, or at its default (bucket, region),
 * takes the credentials file's value.
 */
export function mergeCredentials(config: StoreConfig, file: StoreCredentials): { endpoint: string; bucket: string; region: string; accessKeyId: string; secretAccessKey: string } {
  const pick = (key: keyof StoreCredentials) => {
    const own = config[key];
    return own !== '' && own !== DEFAULTS[key] ? own : file[key] || own;
  };
  return { endpoint: pick('endpoint'), bucket: pick('bucket'), region: pick('region'), accessKeyId: pick('accessKeyId'), secretAccessKey: pick('secretAccessKey') };
}

/** Reads and validates a credentials file; FERRY_ERR_CONFIG names the file, never its contents. */
export async function readCredentialsFile(file: string): Promise<StoreCredentials> {
  const fail = (why: string) => new FerryError('FERRY_ERR_CONFIG', `store.credentialsFile ${file} ${why}; point store.credentialsFile at the file \`ferry storage up\` wrote, or set the store keys directly`);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw fail(`cannot be read (${(err as { code?: string }).code ?? 'error'})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    // JSON.parse quotes the text around the fault, which may be the secret: say only that it is not JSON.
    throw fail('is not valid JSON');
  }
  const parsed = CredentialsFileSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw fail(`is malformed at ${issue?.path.join('.') || '(root)'}: expected ${issue?.code === 'invalid_type' ? issue.expected : 'a JSON object of strings'}`);
  }
  return parsed.data;
}
