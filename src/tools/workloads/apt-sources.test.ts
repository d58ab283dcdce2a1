import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mirrorFor, parseDeb822Sources, parseOneLineSources } from './apt-sources.ts';

const DEB822 = `Types: deb
# http://snapshot.debian.org/archive/debian/20250520T000000Z
URIs: http://deb.debian.org/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: http://deb.debian.org/debian-security
Suites: bookworm-security
Components: main

Types: deb deb-src
Enabled: no
URIs: http://disabled.example/debian
Suites: bookworm
`;

test('deb822: enabled deb paragraphs, one source per URI', () => {
  assert.deepEqual(parseDeb822Sources(DEB822), [
    { uri: 'http://deb.debian.org/debian', suites: ['bookworm', 'bookworm-updates'] },
    { uri: 'http://deb.debian.org/debian-security', suites: ['bookworm-security'] },
  ]);
});

test('one-line: deb entries with options and comments; deb-src and cdrom are not mirrors', () => {
  const text = [
    '# deb http://commented.example/debian bookworm main',
    'deb-src http://src.example/debian bookworm main',
    'deb cdrom:[Debian GNU/Linux 12]/ bookworm main',
    'deb [arch=amd64 signed-by=/k.gpg] http://mirror.example/debian/ bookworm main contrib',
  ].join('\n');
  const sources = parseOneLineSources(text);
  assert.equal(sources.length, 2);
  assert.equal(mirrorFor(sources, 'bookworm'), 'http://mirror.example/debian');
});

test('the mirror is the first source serving the suite itself', () => {
  const sources = parseDeb822Sources(DEB822);
  assert.equal(mirrorFor(sources, 'bookworm'), 'http://deb.debian.org/debian');
  assert.equal(mirrorFor(sources, 'trixie'), undefined);
});
