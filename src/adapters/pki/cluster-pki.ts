/**
 * @module adapters/pki/cluster-pki — the cluster's PKI directory: a CA, one key and
 * certificate per subject (`agent-h1.key`/`.crt`), and `revoked.json`, the serials every
 * server refuses. The directory is mode 0700 and keys 0600; nothing here prints a key.
 */
import { randomBytes, X509Certificate } from 'node:crypto';
import { chmod, copyFile, mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { FerryError } from '../../core/errors.ts';
import {
  distinguishedName, fileStem, leafExtensions, peerIdentity, roleUri, type CertSubject, type PeerIdentity,
} from '../../domain/pki/cert-subject.ts';
import {
  EMPTY_REVOCATION_LIST, normaliseSerial, parseRevocationList, serialFromBytes, validityState, VALIDITY_DAYS, withRevoked,
  type RevocationList, type ValidityState,
} from '../../domain/pki/revocation.ts';
import { newPrivateKeyPem, selfSignedCa, signLeaf } from './openssl.ts';

/** The files of a PKI directory. */
export interface PkiFiles {
  readonly dir: string;
  readonly caKey: string;
  readonly caCert: string;
  readonly revoked: string;
}

/** Where the CA, the revocation list and a subject's files live in `dir`. */
export function pkiFiles(dir: string): PkiFiles {
  return { dir, caKey: path.join(dir, 'ca.key'), caCert: path.join(dir, 'ca.crt'), revoked: path.join(dir, 'revoked.json') };
}

/** A subject's key and certificate paths. */
export function subjectFiles(dir: string, who: PeerIdentity): { key: string; cert: string } {
  const stem = path.join(dir, fileStem(who));
  return { key: `${stem}.key`, cert: `${stem}.crt` };
}

/** One issued certificate as read back from its file. */
export interface IssuedCert {
  readonly file: string;
  readonly peer: PeerIdentity | null;
  /** Normalised hex. */
  readonly serial: string;
  readonly subjectAltName: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly state: ValidityState;
  readonly revoked: boolean;
}

async function exists(file: string): Promise<boolean> {
  return stat(file).then(() => true, () => false);
}

/** Writes a private file (0600) through a temporary name, so a reader never sees half of it. */
async function writePrivate(file: string, text: string): Promise<void> {
  const tmp = `${file}.tmp-${process.pid}`;
  await writeFile(tmp, text, { mode: 0o600, flag: 'w' });
  await chmod(tmp, 0o600);
  await rename(tmp, file);
}

async function requireCa(files: PkiFiles): Promise<void> {
  if (!(await exists(files.caKey)) || !(await exists(files.caCert))) {
    throw new FerryError('FERRY_ERR_PKI', `no cluster CA in ${files.dir}; create one with \`ferry pki init --dir ${files.dir}\``);
  }
}

/** Options of {@link initCa}. */
export interface InitCaOptions {
  /** Replace an existing CA (every certificate it issued stops being trusted). */
  readonly force?: boolean;
  readonly days?: number;
}

/** Creates the cluster CA in `dir` (made mode 0700); refuses an existing one unless `force`. */
export async function initCa(dir: string, options: InitCaOptions = {}): Promise<{ caCert: string; serial: string }> {
  const files = pkiFiles(dir);
  if (!options.force && ((await exists(files.caKey)) || (await exists(files.caCert)))) {
    throw new FerryError('FERRY_ERR_PKI', `${dir} already holds a cluster CA; pass --force to replace it (every certificate it issued stops being trusted)`);
  }
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await chmod(dir, 0o700);
  const serial = serialFromBytes(randomBytes(16));
  await writePrivate(files.caKey, await newPrivateKeyPem());
  const pem = await selfSignedCa(files.caKey, `/O=ferry/OU=ca/CN=ferry cluster CA ${serial.slice(0, 8)}`, serial, options.days ?? VALIDITY_DAYS.ca);
  await writeFile(files.caCert, pem, { mode: 0o644 });
  if (options.force || !(await exists(files.revoked))) await writeRevocationList(files, EMPTY_REVOCATION_LIST);
  return { caCert: files.caCert, serial };
}

/** Options of {@link issueCert}. */
export interface IssueOptions {
  /** Lifetime in days (default 365); negative gives an already expired certificate, for tests. */
  readonly days?: number;
  /** Replace the subject's current certificate (rotation); without it an existing one is refused. */
  readonly replace?: boolean;
}

/** Issues a new key and certificate for `subject`; returns the certificate as read back. */
export async function issueCert(dir: string, subject: CertSubject, options: IssueOptions = {}): Promise<IssuedCert> {
  const files = pkiFiles(dir);
  await requireCa(files);
  const out = subjectFiles(dir, subject);
  if (!options.replace && (await exists(out.cert))) {
    throw new FerryError('FERRY_ERR_PKI', `${roleUri(subject)} already has a certificate (${out.cert}); rotate it with \`ferry pki rotate ${subject.role} ${subject.name}\``);
  }
  const keyTmp = `${out.key}.new`;
  await writePrivate(keyTmp, await newPrivateKeyPem());
  try {
    const pem = await signLeaf({
      keyFile: keyTmp, dn: distinguishedName(subject), extensions: leafExtensions(subject),
      serial: serialFromBytes(randomBytes(16)), days: options.days ?? VALIDITY_DAYS.leaf,
      caCert: files.caCert, caKey: files.caKey, workDir: dir,
    });
    await writeFile(`${out.cert}.new`, pem, { mode: 0o644 });
    await rename(keyTmp, out.key);
    await rename(`${out.cert}.new`, out.cert);
    return describeCert(out.cert, pem, await readRevocationList(dir));
  } finally {
    await rm(keyTmp, { force: true });
  }
}

/** Reads a subject's SAN back from its current certificate (for rotation). */
export async function currentSubject(dir: string, who: PeerIdentity): Promise<CertSubject> {
  const file = subjectFiles(dir, who).cert;
  const pem = await readFile(file, 'utf8').catch(() => {
    throw new FerryError('FERRY_ERR_PKI', `${roleUri(who)} has no certificate in ${dir}; issue one with \`ferry pki issue ${who.role} ${who.name}\``);
  });
  const san = (new X509Certificate(pem).subjectAltName ?? '').split(', ');
  const ips = san.filter((e) => e.startsWith('IP Address:')).map((e) => e.slice('IP Address:'.length));
  const dns = san.filter((e) => e.startsWith('DNS:')).map((e) => e.slice('DNS:'.length));
  return { role: who.role, name: who.name, ips, dns };
}

/** Rotation: a new key and certificate for the same subject and addresses; the old serial is revoked as superseded. */
export async function rotateCert(dir: string, who: PeerIdentity, options: { days?: number } = {}): Promise<{ old: string; issued: IssuedCert }> {
  const subject = await currentSubject(dir, who);
  const old = await describeCertFile(subjectFiles(dir, who).cert, await readRevocationList(dir));
  const issued = await issueCert(dir, subject, { ...options, replace: true });
  await appendRevoked(dir, old.serial, 'superseded', roleUri(who));
  return { old: old.serial, issued };
}

/** Revokes the certificate with `serial`, which must be one in `dir` (listed by {@link listCerts}). */
export async function revokeCert(dir: string, serial: string, reason = 'revoked by operator'): Promise<IssuedCert> {
  const s = normaliseSerial(serial);
  const found = (await listCerts(dir)).find((c) => c.serial === s);
  if (!found) throw new FerryError('FERRY_ERR_PKI', `no certificate with serial ${s} in ${dir}; \`ferry pki list --dir ${dir}\` shows the serials`);
  await appendRevoked(dir, s, reason, found.peer ? roleUri(found.peer) : undefined);
  return { ...found, revoked: true };
}

async function appendRevoked(dir: string, serial: string, reason: string, subject: string | undefined): Promise<void> {
  const list = await readRevocationList(dir);
  const entry = { serial, reason, revokedAt: new Date().toISOString(), ...(subject ? { subject } : {}) };
  await writeRevocationList(pkiFiles(dir), withRevoked(list, entry));
}

/** The revocation list of `dir` (empty when the file is absent). */
export async function readRevocationList(dir: string): Promise<RevocationList> {
  const file = pkiFiles(dir).revoked;
  const text = await readFile(file, 'utf8').catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return null;
    throw new FerryError('FERRY_ERR_PKI', `cannot read ${file}: ${err.message}`, { cause: err });
  });
  return text === null ? EMPTY_REVOCATION_LIST : parseRevocationList(text, file);
}

async function writeRevocationList(files: PkiFiles, list: RevocationList): Promise<void> {
  const tmp = `${files.revoked}.tmp-${process.pid}`;
  await writeFile(tmp, `${JSON.stringify(list, null, 2)}\n`, { mode: 0o644 });
  await rename(tmp, files.revoked);
}

function describeCert(file: string, pem: string, revoked: RevocationList, now = new Date()): IssuedCert {
  const x = new X509Certificate(pem);
  const serial = normaliseSerial(x.serialNumber);
  const notBefore = new Date(x.validFrom);
  const notAfter = new Date(x.validTo);
  return {
    file, peer: peerIdentity(x.subjectAltName), serial, subjectAltName: x.subjectAltName ?? '',
    notBefore, notAfter, state: validityState(notBefore, notAfter, now), revoked: revoked.revoked.some((e) => e.serial === serial),
  };
}

async function describeCertFile(file: string, revoked: RevocationList): Promise<IssuedCert> {
  return describeCert(file, await readFile(file, 'utf8'), revoked);
}

/** Every certificate issued into `dir` (not the CA's), with its state and whether it is revoked. */
export async function listCerts(dir: string): Promise<IssuedCert[]> {
  await requireCa(pkiFiles(dir));
  const revoked = await readRevocationList(dir);
  const names = (await readdir(dir)).filter((n) => n.endsWith('.crt') && n !== 'ca.crt').sort();
  return Promise.all(names.map((n) => describeCertFile(path.join(dir, n), revoked)));
}

/**
 * Copies what one host or operator needs into `out` (made mode 0700): `ca.crt`, `revoked.json`
 * and the subject's key (0600) and certificate — the directory to give `--pki-dir` there. The
 * CA's key is never copied.
 */
export async function bundleFor(dir: string, who: PeerIdentity, out: string): Promise<string[]> {
  const files = pkiFiles(dir);
  await requireCa(files);
  const own = subjectFiles(dir, who);
  if (!(await exists(own.cert)) || !(await exists(own.key))) {
    throw new FerryError('FERRY_ERR_PKI', `${roleUri(who)} has no certificate in ${dir}; issue one with \`ferry pki issue ${who.role} ${who.name}\``);
  }
  if (path.resolve(out) === path.resolve(dir)) throw new FerryError('FERRY_ERR_PKI', `the bundle must go to another directory than the PKI directory ${dir}`);
  await mkdir(out, { recursive: true, mode: 0o700 });
  await chmod(out, 0o700);
  const to = pkiFiles(out);
  const mine = subjectFiles(out, who);
  await copyFile(files.caCert, to.caCert);
  if (await exists(files.revoked)) await copyFile(files.revoked, to.revoked);
  await copyFile(own.cert, mine.cert);
  await writePrivate(mine.key, await readFile(own.key, 'utf8'));
  return [to.caCert, ...(await exists(to.revoked) ? [to.revoked] : []), mine.cert, mine.key];
}
