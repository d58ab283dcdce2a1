/**
 * @module adapters/pki/openssl — signs the cluster's certificates with Debian's `openssl`
 * (each call under a deadline, failures as FERRY_ERR_PKI). Keys are made by Node's crypto and
 * handed to openssl as files; openssl only ever prints certificates and requests.
 */
import { generateKeyPair } from 'node:crypto';
import { promisify } from 'node:util';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { FerryError } from '../../core/errors.ts';
import { describeRun, run, which } from '../host/run.ts';

/** How long one openssl call may take; it signs one small certificate. */
const OPENSSL_DEADLINE_MS = 20_000;

/** A new ECDSA P-256 private key in PKCS#8 PEM (TLS 1.3's ecdsa_secp256r1_sha256). */
export async function newPrivateKeyPem(): Promise<string> {
  const { privateKey } = await promisify(generateKeyPair)('ec', { namedCurve: 'P-256' });
  return privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
}

function opensslPath(): string {
  const bin = which('openssl');
  if (!bin) throw new FerryError('FERRY_ERR_PKI', 'openssl is not installed; run `apt-get install openssl` (ferry signs certificates with it)');
  return bin;
}

/** Runs openssl; what it prints on stdout (a certificate or request) is the result. */
async function openssl(args: readonly string[], what: string, input?: string): Promise<string> {
  const bin = opensslPath();
  const result = await run(bin, args, { timeoutMs: OPENSSL_DEADLINE_MS, ...(input === undefined ? {} : { input }) });
  if (result.code !== 0 || result.failure) {
    throw new FerryError('FERRY_ERR_PKI', `${what}: ${describeRun('openssl', args, result)}`);
  }
  return result.stdout;
}

/** A self-signed CA certificate (PEM) for the key in `keyFile`. */
export function selfSignedCa(keyFile: string, dn: string, serial: string, days: number): Promise<string> {
  return openssl([
    'req', '-x509', '-new', '-key', keyFile, '-subj', dn, '-sha256', '-days', String(days), '-set_serial', `0x${serial}`,
    '-addext', 'basicConstraints=critical,CA:TRUE,pathlen:0',
    '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
    '-addext', 'subjectKeyIdentifier=hash',
  ], 'creating the cluster CA certificate');
}

/** Options of {@link signLeaf}. */
export interface LeafRequest {
  readonly keyFile: string;
  readonly dn: string;
  /** The OpenSSL extension file's text (usage, SAN). */
  readonly extensions: string;
  readonly serial: string;
  /** Lifetime in days; a negative value gives a certificate already expired (for tests). */
  readonly days: number;
  readonly caCert: string;
  readonly caKey: string;
  /** A private directory (mode 0700) for the short-lived extension file. */
  readonly workDir: string;
}

/** A certificate (PEM) for the key in `keyFile`, signed by the CA. */
export async function signLeaf(req: LeafRequest): Promise<string> {
  const csr = await openssl(['req', '-new', '-key', req.keyFile, '-subj', req.dn], 'making a certificate request');
  const tmp = await mkdtemp(path.join(req.workDir, '.issue-'));
  try {
    const ext = path.join(tmp, 'ext.cnf');
    await writeFile(ext, req.extensions, { mode: 0o600 });
    return await openssl([
      'x509', '-req', '-CA', req.caCert, '-CAkey', req.caKey, '-set_serial', `0x${req.serial}`,
      '-days', String(req.days), '-sha256', '-extfile', ext,
    ], 'signing the certificate with the cluster CA', csr);
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}
