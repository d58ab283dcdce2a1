/** @module cmd/ferry/commands/bench — `ferry bench migrate` (the strategies side by side), `network` (clients of a moving container) and `scheduling-day`; results under bench/results/. */
import path from 'node:path';
import type { Command } from 'commander';
import { FerryError } from '../../../core/errors.ts';
import { repoRoot } from '../../../tools/testbed/index.ts';
import { BENCH_STRATEGIES, type BenchStrategy } from '../../../tools/bench/results.ts';
import { writeResults } from '../../../tools/bench/write.ts';
import { targets } from '../../../tools/bench/summary.ts';

/** Adds `ferry bench`. */
export function registerBench(program: Command): void {
  const bench = program.command('bench').description('Benchmarks, measured on a test bed of their own');
  bench
    .command('migrate')
    .description('Migrate workloads with every strategy and both baselines, ferry\'s rows with TLS on and off; write a table, JSON and plots')
    .option('--quick', 'one small case (stream 256 MiB @ 20 MB/s, 1 Gbit/s), a few minutes')
    .option('--headline', 'only the headline case (stream 1 GiB @ 50 MB/s, 1 Gbit/s), every strategy side by side')
    .option('--loop', 'only the loop case (0 MiB, 1 Gbit/s): the floor a strategy\'s downtime is compared with')
    .option('--out <dir>', 'where results go', path.join(repoRoot(), 'bench', 'results'))
    .option('--strategies <list>', `comma-separated subset of ${BENCH_STRATEGIES.join(', ')}`)
    .option('--no-tls-off', 'ferry rows with TLS only: no TLS-off twins (plain TCP, on a second test bed) to measure what TLS costs')
    .action(async (o: { quick?: boolean; headline?: boolean; loop?: boolean; out: string; strategies?: string; tlsOff: boolean }) => {
      if ([o.quick, o.headline, o.loop].filter(Boolean).length > 1) throw new FerryError('FERRY_ERR_INVALID_INPUT', '--quick, --headline and --loop choose different cases; give one');
      const strategies = o.strategies?.split(',').map((s) => s.trim());
      for (const s of strategies ?? []) {
        if (!(BENCH_STRATEGIES as readonly string[]).includes(s)) throw new FerryError('FERRY_ERR_INVALID_INPUT', `unknown strategy "${s}"; choose from ${BENCH_STRATEGIES.join(', ')}`);
      }
      const say = (line: string) => process.stderr.write(`${line}\n`);
      // Loaded on use: the benchmark pulls in the baselines and workloads, which other commands do not need.
      const { runMigrateBench } = await import('../../../tools/bench/migrate-bench.ts');
      const results = await runMigrateBench({ quick: o.quick === true, headline: o.headline === true, loop: o.loop === true, tlsOff: o.tlsOff, say, ...(strategies ? { strategies: strategies as BenchStrategy[] } : {}) });
      const files = await writeResults(o.out, results, o.quick ? 'migrate-quick' : o.headline ? 'migrate-headline' : o.loop ? 'migrate-loop' : 'migrate');
      for (const t of targets(results.summary)) say(`target ${t.name}: ${t.target}, measured ${t.value ?? '-'}: ${t.holds === undefined ? 'not measured' : t.holds ? 'holds' : 'does not hold'}`);
      process.stdout.write(`${files.join('\n')}\n`);
      process.exitCode = results.rows.every((r) => r.ok) ? 0 : 1;
    });
  bench
    .command('network')
    .description('Real servers (Redis, lighttpd, dnsmasq) on the cluster network, clients on the client host: the clients run still, then while the container moves back and forth; resets, lost writes, failed requests, waits per move')
    .option('--moves <n>', 'migrations back and forth', '10')
    .option('--strategy <name>', 'the strategy of every move', 'precopy')
    .option('--http-rate <n>', 'HTTP requests per second over 4 keep-alive connections', '200')
    .option('--out <dir>', 'where results go', path.join(repoRoot(), 'bench', 'results'))
    .action(async (o: { moves: string; strategy: string; httpRate: string; out: string }) => {
      const moves = Number(o.moves);
      if (!Number.isInteger(moves) || moves < 1 || moves > 100) throw new FerryError('FERRY_ERR_INVALID_INPUT', `--moves must be 1..100, got "${o.moves}"`);
      if (!['stop-copy', 'precopy', 'prestore', 'postcopy'].includes(o.strategy)) throw new FerryError('FERRY_ERR_INVALID_INPUT', `unknown strategy "${o.strategy}"; use stop-copy, precopy, prestore or postcopy`);
      const httpRate = Number(o.httpRate);
      if (!(httpRate > 0 && httpRate <= 5000)) throw new FerryError('FERRY_ERR_INVALID_INPUT', `--http-rate must be 1..5000, got "${o.httpRate}"`);
      const { runNetworkBench } = await import('../../../tools/bench/network-bench.ts');
      const { writeNetworkResults } = await import('../../../tools/bench/network-write.ts');
      const say = (line: string) => process.stderr.write(`${line}\n`);
      const results = await runNetworkBench({ moves, strategy: o.strategy as 'precopy', httpRate, settleMs: 3000, stillMs: 30_000, say });
      for (const t of results.targets) say(`target ${t.name}: ${t.target}, measured ${t.measured}: ${t.holds ? 'holds' : 'does not hold'}`);
      process.stdout.write(`${(await writeNetworkResults(o.out, results)).join('\n')}\n`);
      process.exitCode = results.targets.every((t) => t.holds) ? 0 : 1;
    });
  bench
    .command('scheduling-day')
    .description('Play a scripted day of load (steady, peak, quiet) on a 6-host test bed under each policy; node-hours awake, migrations, SLA seconds')
    .option('--policies <list>', 'comma-separated subset of elastic, spread, binpack, kube', 'elastic,spread,binpack,kube')
    .option('--seconds <n>', 'real seconds the day lasts', '300')
    .option('--out <dir>', 'where results go', path.join(repoRoot(), 'bench', 'results'))
    .action(async (o: { policies: string; seconds: string; out: string }) => {
      const { runDayBench, DAY_POLICIES } = await import('../../../tools/bench/scheduling/day-bench.ts');
      const { writeDayResults } = await import('../../../tools/bench/scheduling/day-write.ts');
      const policies = o.policies.split(',').map((s) => s.trim());
      for (const p of policies) if (!(DAY_POLICIES as readonly string[]).includes(p)) throw new FerryError('FERRY_ERR_INVALID_INPUT', `unknown policy "${p}"; choose from ${DAY_POLICIES.join(', ')}`);
      const seconds = Number(o.seconds);
      if (!(seconds >= 60)) throw new FerryError('FERRY_ERR_INVALID_INPUT', '--seconds must be at least 60');
      const results = await runDayBench({ policies, seconds, say: (l) => process.stderr.write(`${l}\n`) });
      process.stdout.write(`${(await writeDayResults(o.out, results)).join('\n')}\n`);
    });
}
