/**
 * @module adapters/pki/tls-identity — one process's place in the cluster PKI: its own key and
 * certificate, the CA it trusts, and the revocation list it re-reads when the file changes.
 * Servers get TLS 1.3 options that ask every peer for a certificate and then decide with
 * {@link TlsIdentity.admit}; clients get options that present the certificate and trust only
 * the cluster CA. A rotated key and certificate are picked up from their files without a restart
 * (a server swaps its context, a client its connection pool). Keys are read here and handed to
 * Node's TLS, never logged.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import tls from 'node:tls';
import { log } from '../../core/events.ts';
import { FerryError } from '../../core/errors.ts';
import { roleUri, type PeerIdentity, type PkiRole } from '../../domain/pki/cert-subject.ts';
import { admitPeer, type PeerDecision } from '../../domain/pki/peer.ts';
import { EMPTY_REVOCATION_LIST, parseRevocationList, type RevocationList } from '../../domain/pki/revocation.ts';
import { pkiFiles, subjectFiles } from './cluster-pki.ts';

/** How long a peer may take to finish its TLS handshake, in ms (Node's default is 120 s). */
export const HANDSHAKE_TIMEOUT_MS = 10_000;

/** A process's certificate, key and trusted CA, and what it decides about peers. */
export interface TlsIdentity {
  /** Who this process is (its certificate's role and name). */
  readonly self: PeerIdentity;
  /** The directory it was loaded from (for messages). */
  readonly dir: string;
  /** Options of a server that asks every peer for a certificate; the verdict is {@link admit}'s. */
  serverOptions(): tls.TlsOptions;
  /** Changes whenever the key and certificate were replaced on disk (rotation); the options above then carry the new pair. */
  version(): number;
  /** Options of a client that presents this certificate and trusts only the cluster CA. */
  clientOptions(): tls.ConnectionOptions;
  /** Whether the peer of an accepted TLS socket may use a server open to `allowed` roles. */
  admit(socket: tls.TLSSocket, allowed: readonly PkiRole[]): PeerDecision;
}

/** Reads a file of the PKI directory, or fails naming it and the command that makes it. */
function readPkiFile(file: string, what: string, fix: string): Buffer {
  try {
    return readFileSync(file);
  } catch (err) {
    throw new FerryError('FERRY_ERR_PKI', `cannot read ${what} ${file}: ${(err as Error).message}; ${fix}`, { cause: err });
  }
}

/** What tells a file's versions apart: its time, size and inode ('absent' when it is not there). */
function stampOf(file: string): string {
  try {
    const st = statSync(file);
    return `${st.mtimeMs}:${st.size}:${st.ino}`;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    return 'absent';
  }
}

/** The revocation list, re-read whenever its file's size or time changes; an unreadable one refuses everyone. */
class RevocationFile {
  private readonly file: string;
  private stamp = '';
  private list: RevocationList | Error = EMPTY_REVOCATION_LIST;

  constructor(file: string) {
    this.file = file;
  }

  current(): RevocationList | Error {
    let stamp: string;
    try {
      stamp = stampOf(this.file);
    } catch (err) {
      return err as Error;
    }
    if (stamp !== this.stamp) {
      this.stamp = stamp;
      try {
        this.list = stamp === 'absent' ? EMPTY_REVOCATION_LIST : parseRevocationList(readFileSync(this.file, 'utf8'), this.file);
      } catch (err) {
        this.list = err as Error;
      }
    }
    return this.list;
  }
}

/**
 * The process's own key and certificate, re-read when either file changes. A pair that does not
 * match (rotation renames the key a moment before the certificate) is not taken: the old pair
 * stays until the files agree.
 */
class KeyPairFiles {
  private readonly files: { key: string; cert: string };
  private stamp: string;
  private pair: { key: Buffer; cert: Buffer };
  private count = 0;

  constructor(files: { key: string; cert: string }, first: { key: Buffer; cert: Buffer }) {
    this.files = files;
    this.pair = first;
    this.stamp = this.stampNow();
  }

  private stampNow(): string {
    try {
      return `${stampOf(this.files.key)}/${stampOf(this.files.cert)}`;
    } catch {
      return this.stamp;
    }
  }

  current(): { key: Buffer; cert: Buffer; version: number } {
    const stamp = this.stampNow();
    if (stamp !== this.stamp) {
      try {
        const next = { key: readFileSync(this.files.key), cert: readFileSync(this.files.cert) };
        tls.createSecureContext(next); // throws when the key does not belong to the certificate
        this.pair = next;
        this.stamp = stamp;
        this.count++;
        log('info', 'TLS key and certificate reloaded', { cert: this.files.cert });
      } catch {
        // Half-way through a rotation: keep the old pair and look again at the next connection.
      }
    }
    return { ...this.pair, version: this.count };
  }
}

/**
 * Loads `who`'s identity from a PKI directory: `ca.crt`, `revoked.json` (optional) and the
 * subject's `.key`/`.crt` (`agent-h1.key`, `controller.crt`, `operator-alice.key`). On a real
 * host the directory holds just those files, copied from the one `ferry pki` manages.
 */
export function loadTlsIdentity(dir: string, who: PeerIdentity): TlsIdentity {
  const files = pkiFiles(dir);
  const own = subjectFiles(dir, who);
  const fix = `issue it with \`ferry pki issue ${who.role}${who.role === 'controller' ? '' : ` ${who.name}`} --dir ${dir}\``;
  const ca = readPkiFile(files.caCert, 'the cluster CA certificate', `create the CA with \`ferry pki init --dir ${dir}\``);
  const cert = readPkiFile(own.cert, `the certificate of ${roleUri(who)}`, fix);
  const key = readPkiFile(own.key, `the key of ${roleUri(who)}`, fix);
  const pair = new KeyPairFiles(own, { key, cert });
  const revoked = new RevocationFile(files.revoked);
  const current = (): { key: Buffer; cert: Buffer } => {
    const { key: k, cert: c } = pair.current();
    return { key: k, cert: c };
  };
  return {
    self: who,
    dir,
    serverOptions: () => ({ ...current(), ca: [ca], minVersion: 'TLSv1.3', requestCert: true, rejectUnauthorized: false, handshakeTimeout: HANDSHAKE_TIMEOUT_MS }),
    version: () => pair.current().version,
    clientOptions: () => ({ ...current(), ca: [ca], minVersion: 'TLSv1.3' }),
    admit(socket, allowed) {
      const list = revoked.current();
      if (list instanceof Error) return { ok: false, reason: `the revocation list ${files.revoked} cannot be read (${list.message}); every peer is refused until it can` };
      const peerCert = socket.getPeerCertificate();
      const presented = peerCert !== null && typeof peerCert === 'object' && Object.keys(peerCert).length > 0;
      return admitPeer({ authorized: socket.authorized, authorizationError: socket.authorizationError?.toString(), cert: presented ? peerCert : undefined }, list, allowed);
    },
  };
}

/** The operator identity the CLI presents from `dir`: `name`'s, or ('' ) the only operator certificate there. */
export function loadOperatorIdentity(dir: string, name: string): TlsIdentity {
  if (name) return loadTlsIdentity(dir, { role: 'operator', name });
  let names: string[];
  try {
    names = readdirSync(dir).filter((f) => /^operator-.+\.crt$/.test(f)).map((f) => f.slice('operator-'.length, -'.crt'.length));
  } catch (err) {
    throw new FerryError('FERRY_ERR_PKI', `cannot read the PKI directory ${dir}: ${(err as Error).message}`, { cause: err });
  }
  if (names.length !== 1 || !names[0]) {
    throw new FerryError('FERRY_ERR_PKI', `${dir} holds ${names.length === 0 ? 'no operator certificate' : `operator certificates of ${names.join(', ')}`}; ${names.length === 0 ? 'issue one with `ferry pki issue operator NAME`' : 'say which with FERRY_TLS_NAME'}`);
  }
  return loadTlsIdentity(dir, { role: 'operator', name: names[0] });
}
