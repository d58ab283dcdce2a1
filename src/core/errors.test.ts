import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ERRORS, FerryError, fromWire, asFerryError } from './errors.ts';

test('docs/errors.md lists every code of the registry', () => {
  const doc = readFileSync(path.join(import.meta.dirname, '..', '..', 'docs', 'errors.md'), 'utf8');
  for (const code of Object.keys(ERRORS)) assert.ok(doc.includes(`\`${code}\``), `${code} missing from docs/errors.md`);
});

test('an error survives the wire with its code and hint; unknown codes become internal', () => {
  const e = new FerryError('FERRY_ERR_TTY', 'container c has a TTY');
  const back = fromWire(JSON.parse(JSON.stringify(e)) as Record<string, string>);
  assert.equal(back.code, 'FERRY_ERR_TTY');
  assert.equal(back.message, 'container c has a TTY');
  assert.equal(back.hint, ERRORS.FERRY_ERR_TTY.hint);
  assert.equal(fromWire({ code: 'NOPE', message: 'x' }).code, 'FERRY_ERR_INTERNAL');
  assert.equal(asFerryError(new Error('boom')).code, 'FERRY_ERR_INTERNAL');
  assert.equal(asFerryError(e), e);
});
