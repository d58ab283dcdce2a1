/**
 * @module adapters/http-api/auth — the cluster token. The agent can checkpoint anything, so every
 * control request carries `Authorization: Bearer <token>`, compared in constant time; and
 * an agent without a token may listen on loopback only.
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

/** Refuses to listen beyond loopback without a token, and refuses weak tokens. */
export function checkListenPolicy(host: string, token: string | undefined): void {
  if (token === undefined || token === '') {
    if (!isLoopback(host)) {
      throw new FerryError('FERRY_ERR_CONFIG', `refusing to listen on ${host} without a cluster token; pass --token-file (or FERRY_TOKEN), or listen on 127.0.0.1`);
    }
    return;
  }
  if (token.length < 32) throw new FerryError('FERRY_ERR_CONFIG', `the cluster token is ${token.length} characters; use at least 32 (e.g. \`openssl rand -hex 32\`)`);
}

/** A new random token (64 hex characters). */
export function newToken(): string {
  return randomBytes(32).toString('hex');
}

/** A new random ticket for one data-link session. */
export function newTicket(): string {
  return randomBytes(24).toString('hex');
}
