/** @module workloads/clients — outside clients of the services workload (redis-writer, http-load, dns-asker): launching them and reading their logs. */
export { clientArgv, clientScript, PROJECT_NODE, type ClientLaunch, type ClientName } from './launch.ts';
export { parseRedisLog, ackedWrites, verifyReport, type RedisSummary, type VerifyReport } from './redis-log.ts';
export { verifyAcked } from './redis-verify.ts';
export { parseHttpLog, type HttpSummary } from './http-log.ts';
export { parseDnsLog, type DnsSummary } from './dns-log.ts';
export { readJsonLines, type LogLine } from './json-log.ts';
