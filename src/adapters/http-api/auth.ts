/**
 * @module adapters/http-api/auth — the listening policy and the cluster token. The agent can
 * checkpoint anything, so beyond loopback it speaks only TLS with client certificates (plain
 * TCP there only when asked for, and then with a token); a token, when set, is on every
 * request as `Authorization: Bearer <token>`, compared in constant time.
 */
import { createHash, timingSafeEqual, randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import { FerryError } from '../../core/errors.ts';

/** True when the header carries exactly the token. */
export function tokenMatches(header: string | undefined, token: string): boolean {
  const m = /^Bearer ([!-~]+)$/.exec(header ?? '');
  if (!m?.[1]) return false;
  const a = createHash('sha256').update(m[1]).digest();
  const b = createHash('sha256').update(token).digest();
  return timingSafeEqual(a, b);
}

/** True for 127.0.0.0/8, ::1 and localhost. */
export function isLoopback(host: string): boolean {
  if (host === 'localhost' || host === '::1') return true;
  return isIP(host) === 4 && host.startsWith('127.');
}

/** How a server is protected: mutual TLS, or plain TCP beyond loopback allowed on purpose. */
export interface ListenProtection {
  tls: boolean;
  /** config tls.plainBeyondLoopback: plain TCP on a non-loopback address (measuring TLS's cost; never on a real network). */
  plainBeyondLoopback: boolean;
}

/** Refuses plain TCP beyond loopback unless tls.plainBeyondLoopback asks for it (every listener: control API and data link). */
export function refusePlainBeyondLoopback(host: string, protection: ListenProtection): void {
  if (protection.tls || protection.plainBeyondLoopback || isLoopback(host)) return;
  throw new FerryError('FERRY_ERR_CONFIG', `refusing plain TCP on ${host}: beyond loopback ferry speaks only TLS; give the process its cluster certificates with --pki-dir (or FERRY_TLS_DIR; \`ferry pki init\` and \`ferry pki issue\` make them), or listen on 127.0.0.1`);
}

/**
 * Refuses plain TCP beyond loopback (unless tls.plainBeyondLoopback, and then only with a
 * token), and refuses weak tokens. A TLS server authenticates by certificate; a token, when
 * set, is checked as well.
 */
export function checkListenPolicy(host: string, token: string | undefined, protection: ListenProtection = { tls: false, plainBeyondLoopback: false }): void {
  refusePlainBeyondLoopback(host, protection);
  if (!protection.tls && !isLoopback(host)) {
    if (token === undefined || token === '') {
      throw new FerryError('FERRY_ERR_CONFIG', `refusing to listen on ${host} in plain TCP without a cluster token; pass --token-file (or FERRY_TOKEN), or use TLS (--pki-dir)`);
    }
  }
  if (token !== undefined && token !== '' && token.length < 32) throw new FerryError('FERRY_ERR_CONFIG', `the cluster token is ${token.length} characters; use at least 32 (e.g. \`openssl rand -hex 32\`)`);
}

/** A new random token (64 hex characters). */
export function newToken(): string {
  return randomBytes(32).toString('hex');
}

/** A new random ticket for one data-link session. */
export function newTicket(): string {
  return randomBytes(24).toString('hex');
}
