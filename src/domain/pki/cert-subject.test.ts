/** Tests of domain/pki: subjects and their SANs, reading a peer's role back, serials, revocation, validity, authorisation. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { certSubject, fileStem, isIpAddress, leafExtensions, peerIdentity, roleUri, subjectAltNames } from './cert-subject.ts';
import {
  EMPTY_REVOCATION_LIST, isRevoked, normaliseSerial, parseRevocationList, serialFromBytes, validDays, validityState, withRevoked,
} from './revocation.ts';
import { authorisePeer } from './peer.ts';

test('a subject names its role in a SAN URI, then its addresses', () => {
  const h1 = certSubject('agent', 'h1', ['10.0.0.11', 'fd00::11', '10.0.0.11'], ['H1.example']);
  assert.equal(subjectAltNames(h1), 'URI:ferry://agent/h1,IP:10.0.0.11,IP:fd00::11,DNS:h1.example');
  assert.match(leafExtensions(h1), /extendedKeyUsage=serverAuth,clientAuth/);
  assert.equal(fileStem(h1), 'agent-h1');
  const ctl = certSubject('controller', undefined);
  assert.equal(roleUri(ctl), 'ferry://controller');
  assert.equal(fileStem(ctl), 'controller');
  const op = certSubject('operator', 'alice');
  assert.equal(roleUri(op), 'ferry://operator/alice');
  assert.match(leafExtensions(op), /extendedKeyUsage=clientAuth\n/);
});

test('bad subjects are refused with the part that is wrong', () => {
  const bad: [string, string | undefined, string[], string[], RegExp][] = [
    ['root', 'x', [], [], /unknown certificate role "root"/],
    ['agent', undefined, [], [], /certificate name ""/],
    ['agent', 'H1/..', [], [], /certificate name "H1\/.."/],
    ['controller', 'c2', [], [], /takes no name/],
    ['agent', 'h1', ['10.0.0.256'], [], /--ip "10.0.0.256"/],
    ['agent', 'h1', [], ['-bad.example'], /--dns "-bad.example"/],
    ['agent', 'h1', [], ['*.example'], /--dns/],
    ['operator', 'alice', ['10.0.0.1'], [], /client only/],
  ];
  for (const [role, name, ips, dns, msg] of bad) {
    assert.throws(() => certSubject(role, name, ips, dns), { code: 'FERRY_ERR_INVALID_INPUT', message: msg });
  }
  assert.ok(isIpAddress('::1') && isIpAddress('127.0.0.1') && !isIpAddress('01.2.3.4') && !isIpAddress('h1'));
});

test('a peer is the one ferry URI in its SAN, or nobody', () => {
  assert.deepEqual(peerIdentity('DNS:h1.example, IP Address:10.0.0.11, URI:ferry://agent/h1'), { role: 'agent', name: 'h1' });
  assert.deepEqual(peerIdentity('URI:ferry://controller'), { role: 'controller', name: 'controller' });
  assert.deepEqual(peerIdentity('URI:ferry://operator/alice'), { role: 'operator', name: 'alice' });
  for (const san of [undefined, '', 'DNS:h1', 'URI:ferry://agent/h1, URI:ferry://operator/h1', 'URI:ferry://root/x',
    'URI:ferry://agent', 'URI:ferry://controller/x', 'URI:ferry://agent/h1/x', 'URI:"ferry://agent/h1, x"', 'URI:ferry://agent/H1']) {
    assert.equal(peerIdentity(san), null, String(san));
  }
});

test('serials compare in one spelling; revocation is idempotent and parsed strictly', () => {
  assert.equal(normaliseSerial('00:2a:BC'), '2ABC');
  assert.equal(normaliseSerial('0x002abc'), '2ABC');
  assert.equal(normaliseSerial('0'), '0');
  assert.throws(() => normaliseSerial('xyz'), { code: 'FERRY_ERR_INVALID_INPUT' });
  const serial = serialFromBytes(new Uint8Array(16));
  assert.equal(serial, `40${'0'.repeat(30)}`);
  assert.equal(serialFromBytes(new Uint8Array(16).fill(0xff)).slice(0, 2), '7F');
  const list = withRevoked(EMPTY_REVOCATION_LIST, { serial: '0a:bc', revokedAt: 't', reason: 'lost' });
  assert.equal(withRevoked(list, { serial: 'ABC', revokedAt: 'u', reason: 'again' }), list);
  assert.ok(isRevoked('0ABC', list) && !isRevoked('ABD', list));
  assert.deepEqual(parseRevocationList(JSON.stringify(list), 'f'), list);
  assert.throws(() => parseRevocationList('{', 'f.json'), { code: 'FERRY_ERR_CONFIG', message: /f\.json is not JSON/ });
  assert.throws(() => parseRevocationList('{"version":1,"revoked":[{}]}', 'f.json'), { code: 'FERRY_ERR_CONFIG', message: /malformed/ });
});

test('validity windows and lifetimes', () => {
  const a = new Date('2026-01-01T00:00:00Z');
  const b = new Date('2027-01-01T00:00:00Z');
  assert.equal(validityState(a, b, new Date('2025-12-31T23:59:59Z')), 'not-yet-valid');
  assert.equal(validityState(a, b, a), 'valid');
  assert.equal(validityState(a, b, new Date('2027-01-01T00:00:01Z')), 'expired');
  assert.equal(validDays(30), 30);
  for (const d of [0, -1, 1.5, 3651, Number.NaN]) assert.throws(() => validDays(d), { code: 'FERRY_ERR_INVALID_INPUT' });
});

test('authorisation: a known role, not revoked, allowed here', () => {
  const list = withRevoked(EMPTY_REVOCATION_LIST, { serial: 'BAD', revokedAt: 't', reason: 'lost' });
  const agent = { subjectaltname: 'URI:ferry://agent/h1', serialNumber: '0A' };
  assert.deepEqual(authorisePeer(agent, list, ['agent']), { ok: true, peer: { role: 'agent', name: 'h1' } });
  assert.match((authorisePeer(agent, list, ['operator']) as { reason: string }).reason, /role agent may not use this server/);
  assert.match((authorisePeer({ ...agent, serialNumber: '0bad' }, list, ['agent']) as { reason: string }).reason, /revoked/);
  assert.match((authorisePeer({ serialNumber: '1', subjectaltname: 'DNS:x' }, list, ['agent']) as { reason: string }).reason, /names no ferry role/);
  assert.match((authorisePeer(undefined, list, ['agent']) as { reason: string }).reason, /no client certificate/);
  assert.match((authorisePeer({}, list, ['agent']) as { reason: string }).reason, /no client certificate/);
});

test('an observer is a named client like an operator: no addresses, clientAuth only, read back from its SAN', () => {
  const scraper = certSubject('observer', 'prometheus');
  assert.equal(roleUri(scraper), 'ferry://observer/prometheus');
  assert.equal(fileStem(scraper), 'observer-prometheus');
  assert.match(leafExtensions(scraper), /extendedKeyUsage=clientAuth\n/);
  assert.throws(() => certSubject('observer', 'prometheus', ['10.0.0.1']), /an observer certificate is for a client only/);
  assert.deepEqual(peerIdentity('URI:ferry://observer/prometheus'), { role: 'observer', name: 'prometheus' });
});
