/** The decision after a handshake: why a client certificate did not verify, why a server is not trusted, and the order of the checks. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { admitPeer, handshakeRefusal, serverDistrust } from './peer.ts';
import { EMPTY_REVOCATION_LIST, withRevoked } from './revocation.ts';

const agent = { subjectaltname: 'URI:ferry://agent/h1, IP Address:10.0.0.11', serialNumber: 'AB01' };

test('a handshake refusal names the reason and the fix; a missing certificate is told apart from a foreign one', () => {
  assert.match(handshakeRefusal('UNABLE_TO_GET_ISSUER_CERT', false), /^no client certificate; .*ferry pki issue/);
  assert.match(handshakeRefusal('UNABLE_TO_GET_ISSUER_CERT', true), /not issued by this cluster's CA/);
  assert.match(handshakeRefusal('UNABLE_TO_VERIFY_LEAF_SIGNATURE', true), /not issued by this cluster's CA/);
  assert.match(handshakeRefusal('CERT_HAS_EXPIRED', true), /has expired; rotate it with `ferry pki rotate/);
  assert.match(handshakeRefusal('CERT_NOT_YET_VALID', true), /not valid yet/);
  assert.equal(handshakeRefusal('SOMETHING_NEW', true), 'the client certificate did not verify (SOMETHING_NEW)');
});

test('a client distrusts a server only for certificate codes, each in words', () => {
  assert.match(serverDistrust('SELF_SIGNED_CERT_IN_CHAIN') ?? '', /chains to a CA that is not this cluster's/);
  assert.match(serverDistrust('ERR_TLS_CERT_ALTNAME_INVALID') ?? '', /does not name the address dialled/);
  assert.equal(serverDistrust('ECONNREFUSED'), undefined);
  assert.equal(serverDistrust(undefined), undefined);
});

test('admitPeer: the handshake first, then revocation, then the role', () => {
  const revoked = withRevoked(EMPTY_REVOCATION_LIST, { serial: 'AB01', reason: 'lost', revokedAt: '2026-12-07T00:00:00.000Z' });
  assert.deepEqual(admitPeer({ authorized: true, authorizationError: undefined, cert: agent }, EMPTY_REVOCATION_LIST, ['agent']), { ok: true, peer: { role: 'agent', name: 'h1' } });
  const foreign = admitPeer({ authorized: false, authorizationError: 'CERT_HAS_EXPIRED', cert: agent }, revoked, ['agent']);
  assert.equal(foreign.ok, false);
  assert.match((foreign as { reason: string }).reason, /expired/, 'an unverified chain is refused for that, before revocation is looked at');
  assert.match((admitPeer({ authorized: true, authorizationError: undefined, cert: agent }, revoked, ['agent']) as { reason: string }).reason, /is revoked/);
  assert.match((admitPeer({ authorized: true, authorizationError: undefined, cert: agent }, EMPTY_REVOCATION_LIST, ['operator']) as { reason: string }).reason, /role agent may not use this server/);
  assert.match((admitPeer({ authorized: false, authorizationError: 'UNABLE_TO_GET_ISSUER_CERT', cert: undefined }, EMPTY_REVOCATION_LIST, ['agent']) as { reason: string }).reason, /^no client certificate/);
});
