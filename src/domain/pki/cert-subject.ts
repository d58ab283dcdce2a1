/**
 * @module domain/pki/cert-subject — who a cluster certificate is for: the role (controller,
 * agent, operator) and name written into its SAN as a `ferry://` URI, its addresses, its
 * distinguished name, key usage and file name, and reading the role back from a peer's SAN.
 */
import { FerryError } from '../../core/errors.ts';

/** The roles a cluster certificate can carry; a peer is authorised by this, not by its address. An observer (a metrics scraper) may only read health and metrics. */
export type PkiRole = 'controller' | 'agent' | 'operator' | 'observer';

/** The roles, for parsing user input. */
export const PKI_ROLES: readonly PkiRole[] = ['controller', 'agent', 'operator', 'observer'];

/** Roles whose certificates are for clients only (no addresses, clientAuth). */
const CLIENT_ROLES: readonly PkiRole[] = ['operator', 'observer'];

/** What one certificate is for: role, name, and (for servers) the addresses peers dial. */
export interface CertSubject {
  readonly role: PkiRole;
  /** Host name of an agent, the operator's name; always `controller` for the controller. */
  readonly name: string;
  readonly ips: readonly string[];
  readonly dns: readonly string[];
}

/** Who a peer is, as its certificate says. */
export interface PeerIdentity {
  readonly role: PkiRole;
  readonly name: string;
}

const NAME = /^[a-z0-9](?:[a-z0-9._-]{0,61}[a-z0-9])?$/;
const DNS_LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/i;

function invalid(message: string): FerryError {
  return new FerryError('FERRY_ERR_INVALID_INPUT', message);
}

/** True for a dotted IPv4 address or an IPv6 address (parsed as URL hosts are). */
export function isIpAddress(text: string): boolean {
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (v4) return v4.slice(1).every((o) => Number(o) <= 255 && String(Number(o)) === o);
  if (!text.includes(':') || !/^[0-9a-f:.]+$/i.test(text)) return false;
  return URL.canParse(`http://[${text}]/`);
}

/** True for a DNS name of letters, digits and hyphens (a `*.` wildcard is refused). */
export function isDnsName(text: string): boolean {
  return text.length <= 253 && text.split('.').every((l) => DNS_LABEL.test(l));
}

/** Checks and returns a subject; throws FERRY_ERR_INVALID_INPUT naming the bad part. */
export function certSubject(role: string, name: string | undefined, ips: readonly string[] = [], dns: readonly string[] = []): CertSubject {
  if (!PKI_ROLES.includes(role as PkiRole)) throw invalid(`unknown certificate role "${role}"; use one of ${PKI_ROLES.join(', ')}`);
  const r = role as PkiRole;
  const n = r === 'controller' ? (name ?? 'controller') : name;
  if (n === undefined || !NAME.test(n)) {
    throw invalid(`certificate name "${n ?? ''}" for role ${r}: use 1-63 lower-case letters, digits, '.', '_' or '-'`);
  }
  if (r === 'controller' && n !== 'controller') throw invalid('the controller certificate takes no name (it is always "controller")');
  const badIp = ips.find((ip) => !isIpAddress(ip));
  if (badIp !== undefined) throw invalid(`--ip "${badIp}" is not an IPv4 or IPv6 address`);
  const badDns = dns.find((d) => !isDnsName(d));
  if (badDns !== undefined) throw invalid(`--dns "${badDns}" is not a DNS name`);
  if (CLIENT_ROLES.includes(r) && (ips.length > 0 || dns.length > 0)) throw invalid(`an ${r} certificate is for a client only; it takes no --ip or --dns`);
  return { role: r, name: n, ips: [...new Set(ips)], dns: [...new Set(dns.map((d) => d.toLowerCase()))] };
}

/** The SAN URI that names the role: `ferry://controller`, `ferry://agent/h1`, `ferry://operator/alice`. */
export function roleUri(s: PeerIdentity): string {
  return s.role === 'controller' ? 'ferry://controller' : `ferry://${s.role}/${s.name}`;
}

/** The subjectAltName value in OpenSSL's extension syntax: the role URI first, then IPs and DNS names. */
export function subjectAltNames(s: CertSubject): string {
  return [`URI:${roleUri(s)}`, ...s.ips.map((ip) => `IP:${ip}`), ...s.dns.map((d) => `DNS:${d}`)].join(',');
}

/** The distinguished name in OpenSSL's `-subj` syntax (the OU repeats the role for humans). */
export function distinguishedName(s: PeerIdentity): string {
  return `/O=ferry/OU=${s.role}/CN=${s.name}`;
}

/** Extended key usage: servers (controller, agents) also dial peers; operators and observers are clients only. */
export function extendedKeyUsage(role: PkiRole): string {
  return CLIENT_ROLES.includes(role) ? 'clientAuth' : 'serverAuth,clientAuth';
}

/** The OpenSSL extension file of a leaf certificate for this subject. */
export function leafExtensions(s: CertSubject): string {
  return [
    'basicConstraints=critical,CA:FALSE',
    'keyUsage=critical,digitalSignature',
    `extendedKeyUsage=${extendedKeyUsage(s.role)}`,
    `subjectAltName=${subjectAltNames(s)}`,
    'subjectKeyIdentifier=hash',
    'authorityKeyIdentifier=keyid',
    '',
  ].join('\n');
}

/** The file stem of a subject's key and certificate: `controller`, `agent-h1`, `operator-alice`. */
export function fileStem(s: PeerIdentity): string {
  return s.role === 'controller' ? 'controller' : `${s.role}-${s.name}`;
}

/**
 * The identity a certificate's SAN names, from Node's `subjectaltname` string
 * (`DNS:a, IP Address:1.2.3.4, URI:ferry://agent/h1`), or null when it names none, more than
 * one, or a malformed one; a certificate that is not clearly one peer authorises nothing.
 */
export function peerIdentity(subjectaltname: string | undefined): PeerIdentity | null {
  if (!subjectaltname) return null;
  const uris = subjectaltname.split(', ').filter((e) => e.startsWith('URI:ferry://')).map((e) => e.slice('URI:'.length));
  if (uris.length !== 1) return null;
  const m = /^ferry:\/\/(controller|agent|operator|observer)(?:\/([^/]+))?$/.exec(uris[0]!);
  if (!m) return null;
  const role = m[1] as PkiRole;
  const name = role === 'controller' ? (m[2] === undefined ? 'controller' : undefined) : m[2];
  if (name === undefined || !NAME.test(name)) return null;
  return { role, name };
}
