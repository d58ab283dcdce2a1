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
