/**
 * @module tools/workloads/clients/redis-verify — reads back every write redis-writer saw
 * acknowledged, over a fresh connection (GETs pipelined in batches), and reports the lost
 * and changed ones: a move that keeps its promises loses none.
 *
 * @example
 *   const report = await verifyAcked('10.9.0.5', 6379, await readFile('redis.log', 'utf8'));
 *   assert.equal(report.missing + report.mismatched, 0);
 */
import { RespError } from './resp.ts';
import { RedisConnection } from './redis-connection.ts';
import { ackedWrites, keyValue, verifyReport, type VerifyReport } from './redis-log.ts';

/** GETs in flight at once. */
const BATCH = 1000;

/** Reads back the acknowledged writes of the redis-writer log `logText` from Redis at `host:port`. */
export async function verifyAcked(host: string, port: number, logText: string, timeoutMs = 10_000): Promise<VerifyReport> {
  const { prefix, acked } = ackedWrites(logText);
  const conn = await RedisConnection.connect(host, port, timeoutMs);
  try {
    const got: (string | null)[] = [];
    for (let i = 0; i < acked.length; i += BATCH) {
      const batch = acked.slice(i, i + BATCH).map((n) => conn.request(['GET', keyValue(prefix, n).key]));
      for (const reply of await Promise.all(batch)) {
        if (reply instanceof RespError) throw new Error(`redis answered GET with an error: ${reply.message}`);
        got.push(typeof reply === 'string' ? reply : null);
      }
    }
    return verifyReport(acked, got);
  } finally {
    conn.destroy('done');
  }
}
