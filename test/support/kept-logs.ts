/**
 * @module test/support/kept-logs — an integration test file keeps its test bed's logs (agents,
 * dockerds, CRIU) when any of its tests failed, before its `after` hook tears the test bed
 * down, and prints where (testbed.keptLogsDir, FERRY_TESTBED_KEPT_LOGS_DIR).
 *
 *   const logs = keepLogsOnFailure(import.meta.filename, config);   // at the top of the file
 *   before(async () => { cluster = await logs.watch(testbedUp({ config })); });
 *   after(async () => { await logs.keep(); await testbedDown({ config }); });
 */
import { afterEach } from 'node:test';
import path from 'node:path';
import type { Config } from '../../src/core/config.ts';
import { keepLogsAfterFailure, planFromConfig, errorText } from '../../src/tools/testbed/index.ts';

/** What a test file uses to keep its logs. */
export interface FileLogs {
  /** Passes a promise through, noting a rejection as a failure (for `before` hooks: their failure runs no afterEach). */
  watch<T>(p: Promise<T>): Promise<T>;
  /** When a test of the file failed: keeps the logs, prints the path and returns it; else null. Never throws. */
  keep(): Promise<string | null>;
}

const say = (line: string): void => { process.stderr.write(`${line}\n`); };

/** Watches the tests of a file (an `afterEach` where it is called: call it at the top of the file) for failures. */
export function keepLogsOnFailure(file: string, config: Config): FileLogs {
  const failures: string[] = [];
  afterEach((context) => {
    // A test's context has `passed` and `error` at run time (Node 24); @types/node declares them on suites only.
    const t = context as { fullName: string; passed?: boolean; error?: { code?: string; cause?: unknown } };
    const error = t.error?.code === 'ERR_TEST_FAILURE' ? t.error.cause : t.error; // the runner's wrapper around the test's own error
    if (t.passed === false) failures.push(`test "${t.fullName}" failed: ${errorText(error) || 'no error recorded'}`);
  });
  return {
    watch: (p) => p.catch((err: unknown) => {
      failures.push(`a hook failed: ${errorText(err)}`);
      throw err;
    }),
    async keep() {
      if (failures.length === 0) return null;
      const what = path.basename(file).replace(/\.ts$/, '');
      const dir = await keepLogsAfterFailure(config.testbed.stateDir, { what, error: failures.join('\n\n') }, say, () => planFromConfig(config));
      if (dir) say(`${what}: ${failures.length} failure(s); logs kept in ${dir}`);
      return dir;
    },
  };
}
