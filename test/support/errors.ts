/** @module test/support/errors — assertions on FerryErrors, shared by every test. */
import assert from 'node:assert/strict';
import { FerryError } from '../../src/core/errors.ts';

/** A validator for assert.throws/rejects: a FerryError with `code` (and a message matching `pattern`). */
export function isCode(code: string, pattern?: RegExp): (err: unknown) => true {
  return (err: unknown) => {
    assert.ok(err instanceof FerryError, `expected a FerryError, got ${String(err)}`);
    assert.equal(err.code, code, err.message);
    if (pattern) assert.match(err.message, pattern);
    return true;
  };
}

/** The code of the FerryError a promise rejects with, or 'none' when it resolves. */
export async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'none';
  } catch (err) {
    assert.ok(err instanceof FerryError, String(err));
    return err.code;
  }
}

/** The FerryError a promise rejects with; fails the test when it resolves, rethrows anything that is not a FerryError. */
export async function refusalOf(p: Promise<unknown>): Promise<FerryError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof FerryError) return err;
    throw err;
  }
  return assert.fail('the call was not refused');
}
