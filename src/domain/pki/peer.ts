/**
 * @module domain/pki/peer — the decision a server makes after the TLS handshake has checked
 * the chain and the dates: who the peer's certificate says it is, whether that certificate
 * is revoked, and whether its role may use this server.
 */
import { peerIdentity, type PeerIdentity, type PkiRole } from './cert-subject.ts';
import { isRevoked, type RevocationList } from './revocation.ts';

/** The fields of Node's `getPeerCertificate()` this needs. */
export interface PeerCertificateFields {
  readonly subjectaltname?: string;
  readonly serialNumber?: string;
}

/** A peer let in, or the reason it was not. */
export type PeerDecision =
  | { readonly ok: true; readonly peer: PeerIdentity }
  | { readonly ok: false; readonly reason: string };

/** Decides whether a peer that passed the handshake may use a server open to `allowed` roles. */
export function authorisePeer(cert: PeerCertificateFields | undefined, revoked: RevocationList, allowed: readonly PkiRole[]): PeerDecision {
  if (!cert?.serialNumber) return { ok: false, reason: 'no client certificate' };
  const peer = peerIdentity(cert.subjectaltname);
  if (!peer) return { ok: false, reason: 'the certificate names no ferry role (SAN URI ferry://ROLE/NAME)' };
  if (isRevoked(cert.serialNumber, revoked)) return { ok: false, reason: `certificate ${cert.serialNumber} of ${peer.role} ${peer.name} is revoked` };
  if (!allowed.includes(peer.role)) return { ok: false, reason: `role ${peer.role} may not use this server (allowed: ${allowed.join(', ')})` };
  return { ok: true, peer };
}

/** OpenSSL's codes for a server certificate a client must not trust, in words. */
const SERVER_CERT_REASONS: Readonly<Record<string, string>> = {
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'its certificate was not issued by this cluster\'s CA',
  SELF_SIGNED_CERT_IN_CHAIN: 'its certificate chains to a CA that is not this cluster\'s',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'its certificate is self-signed',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'its certificate was not issued by this cluster\'s CA',
  CERT_HAS_EXPIRED: 'its certificate has expired (rotate it with `ferry pki rotate`)',
  CERT_NOT_YET_VALID: 'its certificate is not valid yet (check both clocks)',
  ERR_TLS_CERT_ALTNAME_INVALID: 'its certificate does not name the address dialled (reissue it with that --ip)',
};

/** Why a client must not trust the server it dialled, from the error code of its TLS connection; undefined when the code is not about the server's certificate. */
export function serverDistrust(code: string | undefined): string | undefined {
  return SERVER_CERT_REASONS[code ?? ''];
}

/** OpenSSL's verification codes a client certificate fails with, in words an operator can act on. */
const HANDSHAKE_REASONS: Readonly<Record<string, string>> = {
  CERT_HAS_EXPIRED: 'the client certificate has expired; rotate it with `ferry pki rotate ROLE NAME`',
  CERT_NOT_YET_VALID: 'the client certificate is not valid yet (check both clocks)',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'the client certificate was not issued by this cluster\'s CA; use one from `ferry pki issue` of this cluster',
  UNABLE_TO_GET_ISSUER_CERT: 'the client certificate was not issued by this cluster\'s CA; use one from `ferry pki issue` of this cluster',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'the client certificate was not issued by this cluster\'s CA; use one from `ferry pki issue` of this cluster',
  SELF_SIGNED_CERT_IN_CHAIN: 'the client certificate chains to a CA that is not this cluster\'s; use one from `ferry pki issue` of this cluster',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'the client certificate is self-signed, not issued by this cluster\'s CA',
  CERT_SIGNATURE_FAILURE: 'the client certificate\'s signature does not verify against this cluster\'s CA',
};

/**
 * Why a handshake's client certificate did not verify: `presented` says whether the peer sent
 * one at all (OpenSSL reports a missing one as an issuer problem), `code` is Node's
 * `authorizationError`.
 */
export function handshakeRefusal(code: string | undefined, presented: boolean): string {
  if (!presented) return 'no client certificate; a ferry peer needs one issued by the cluster CA (`ferry pki issue`)';
  return HANDSHAKE_REASONS[code ?? ''] ?? `the client certificate did not verify (${code ?? 'unknown reason'})`;
}

/** What the server side of a link needs to know about a peer before it serves it. */
export interface HandshakeFacts {
  /** The chain and dates verified against the cluster CA. */
  readonly authorized: boolean;
  readonly authorizationError: string | undefined;
  /** The peer's certificate; undefined when it sent none. */
  readonly cert: PeerCertificateFields | undefined;
}

/** The whole decision: a verified handshake, then {@link authorisePeer}. */
export function admitPeer(facts: HandshakeFacts, revoked: RevocationList, allowed: readonly PkiRole[]): PeerDecision {
  if (!facts.authorized) return { ok: false, reason: handshakeRefusal(facts.authorizationError, facts.cert !== undefined) };
  return authorisePeer(facts.cert, revoked, allowed);
}
