/**
 * @module tools/bench/markdown — pure: the `ferry bench migrate` report as Markdown: the machine,
 * one table per case, what TLS costs, the pre-copy rounds, the headline targets and every problem in words.
 */
import { benchCases, caseLabel, findRow, measured, ratioOf, rowLabel, rowsOfCase } from './cases.ts';
import { count, mebibytes, NO_VALUE, ratio, seconds } from '../report-kit/format.ts';
import { markdownTable, markdownText } from '../report-kit/markdown-table.ts';
import type { BenchCase, BenchMachine, BenchResults, BenchRow, BenchSummary } from './results.ts';
import { targets } from './summary.ts';
import { tlsCosts } from './tls-cost.ts';

/** The whole report, ending in a newline. */
export function renderMarkdown(results: BenchResults): string {
  const lines = [
    '# ferry bench migrate',
    '',
    `Run from ${results.startedAt} to ${results.finishedAt}${results.quick ? ' (quick: fewer and smaller cases)' : ''}.`,
    '',
    ...machineSection(results.machine),
    ...benchCases(results.rows).flatMap((c) => caseSection(results.rows, c)),
    ...tlsSection(results.rows),
    ...frozenSection(results.rows),
    ...roundsSection(results.rows),
    ...targetsSection(results.summary),
    ...problemsSection(results.rows),
  ];
  return lines.join('\n').trimEnd() + '\n';
}

function machineSection(m: BenchMachine): string[] {
  return [
    '## Machine',
    '',
    ...markdownTable(['host', 'kernel', 'CPUs', 'memory GiB', 'node', 'docker', 'CRIU', 'podman'], [
      [m.hostname, m.kernel, `${m.cpus} × ${m.cpuModel}`, m.memoryGiB.toFixed(1), m.node, m.docker, m.criu, m.podman ?? 'not installed'],
    ], 'lllrllll'),
  ];
}

function caseSection(rows: readonly BenchRow[], c: BenchCase): string[] {
  const baseline = findRow(rows, c, 'baseline-stopcopy');
  const header = ['strategy', 'ok', 'downtime (probe) s', 'frozen s', 'total s', 'wire MiB', 'rounds', 'stop rule', 'downtime ÷ baseline', 'total ÷ baseline'];
  const body = rowsOfCase(rows, c).map((r) => [
    rowLabel(r),
    r.ok ? '✓' : '✗',
    seconds(r.downtimeMs),
    seconds(r.frozenMs),
    seconds(r.totalMs),
    mebibytes(r.wireBytes),
    count(r.rounds?.length),
    r.stopRule ?? NO_VALUE,
    ratio(ratioOf(measured(r, 'downtimeMs'), measured(baseline, 'downtimeMs'))),
    ratio(ratioOf(measured(r, 'totalMs'), measured(baseline, 'totalMs'))),
  ]);
  return [`## ${caseLabel(c)}`, '', ...markdownTable(header, body, 'lcrrrrrlrr')];
}

/** Each ferry strategy with TLS over its TLS-off twin: total, frozen, downtime and the data link's throughput. */
function tlsSection(rows: readonly BenchRow[]): string[] {
  const costs = tlsCosts(rows);
  if (costs.length === 0) return [];
  const side = (r: BenchRow | undefined, f: (r: BenchRow) => string): string => (r?.ok ? f(r) : NO_VALUE);
  return [
    '## What TLS costs',
    '',
    'Every ferry row above ran over mutual TLS 1.3 (control API and data link); its twin "TLS off" ran the same strategy and case on a second test bed of the same shape with testbed.tls=false (plain TCP with the cluster token), right before or after it (the order flips every other strategy, so a drift of the machine weighs on both sides). Data link = wire bytes per second over the transfer that carries the bulk: pre-copy\'s first round, stop-copy\'s transfer phase, pre-storage\'s final round, post-copy\'s transfer plus lazy window.',
    '',
    ...markdownTable(
      ['strategy', 'case', 'total s TLS', 'total s off', 'total ÷', 'frozen s TLS', 'frozen s off', 'frozen ÷', 'downtime s TLS', 'downtime s off', 'downtime ÷', 'data link MiB/s TLS', 'data link MiB/s off', 'data link ÷'],
      costs.map((t) => {
        const on = findRow(rows, t.case, t.strategy, 'tls');
        const off = findRow(rows, t.case, t.strategy, 'plain');
        return [
          t.strategy, caseLabel(t.case),
          side(on, (r) => seconds(r.totalMs)), side(off, (r) => seconds(r.totalMs)), ratio(t.totalRatio),
          side(on, (r) => seconds(r.frozenMs)), side(off, (r) => seconds(r.frozenMs)), ratio(t.frozenRatio),
          side(on, (r) => seconds(r.downtimeMs)), side(off, (r) => seconds(r.downtimeMs)), ratio(t.downtimeRatio),
          mebibytes(t.linkBps.tls), mebibytes(t.linkBps.plain), ratio(t.linkRatio),
        ];
      }),
      'llrrrrrrrrrrrr',
    ),
  ];
}

/** Where each ferry row's frozen time went, and the lazy window after it. */
function frozenSection(rows: readonly BenchRow[]): string[] {
  const ferry = benchCases(rows).flatMap((c) => rowsOfCase(rows, c)).filter((r) => r.phases && r.frozenMs !== undefined);
  if (ferry.length === 0) return [];
  return [
    '## Frozen time and lazy window',
    '',
    'Frozen = freeze (cgroup freezer) + CRIU dump + transfer while frozen + restore + the rest (control calls); first beat = the heartbeat\'s silence minus the frozen time, i.e. about how long after the resume the workload beat again. The lazy window follows the resume: the container runs while its memory is filled; pace is the workload\'s beats per second in that window over its pace before the migration; every page in = total (until the container runs on the destination) + the lazy window, when the destination holds all of its memory and the source may go.',
    '',
    ...markdownTable(['strategy', 'case', 'freeze s', 'dump s', 'transfer s', 'restore s', 'rest s', 'frozen s', 'first beat s', 'restored by', 'lazy window s', 'pace in window', 'every page in s'], ferry.map((r) => [
      rowLabel(r), caseLabel(r.case), seconds(r.frozenParts?.freezeMs), seconds(r.frozenParts?.dumpMs), seconds(r.frozenParts?.transferMs ?? r.phases?.['transfer']), seconds(r.frozenParts?.restoreMs ?? r.phases?.['restore']), seconds(r.frozenParts?.otherMs), seconds(r.frozenMs), seconds(r.downtimeMs !== undefined && r.frozenMs !== undefined ? Math.max(0, r.downtimeMs - r.frozenMs) : undefined), r.restoredBy ?? NO_VALUE, seconds(r.lazyWindowMs), r.lazyPace !== undefined ? `${(r.lazyPace * 100).toFixed(0)} %` : NO_VALUE, seconds(r.totalMs !== undefined ? r.totalMs + (r.lazyWindowMs ?? 0) : undefined),
    ]), 'llrrrrrrrlrrr'),
  ];
}

function roundsSection(rows: readonly BenchRow[]): string[] {
  const withRounds = benchCases(rows).flatMap((c) => rowsOfCase(rows, c)).filter((r) => r.strategy.startsWith('precopy') && r.rounds?.length);
  if (withRounds.length === 0) return [];
  return [
    '## Pre-copy rounds',
    '',
    ...withRounds.flatMap((r) => [
      `### ${rowLabel(r)}, ${caseLabel(r.case)}${r.ok ? '' : ' (failed)'}`,
      '',
      ...markdownTable(['round', 'dirty pages', 'deferred pages', 'sent pages', 'wire MiB', 'ms'], (r.rounds ?? []).map((d) => [
        d.final ? `${d.round} (final)` : String(d.round), count(d.dirtyPages), count(d.deferredPages), count(d.sentPages), mebibytes(d.wireBytes), count(d.ms),
      ]), 'rrrrrr'),
    ]),
  ];
}

function targetsSection(summary: BenchSummary): string[] {
  const holds = (h: boolean | undefined): string => (h === undefined ? NO_VALUE : h ? '✓' : '✗');
  return [
    '## Targets',
    '',
    `Headline case: ${caseLabel(summary.headline)}. A dash means one side did not run or failed.`,
    '',
    ...markdownTable(['target', 'goal', 'ratio', 'holds'], targets(summary).map((t) => [t.name, t.target, ratio(t.value), holds(t.holds)]), 'llrc'),
  ];
}

function problemsSection(rows: readonly BenchRow[]): string[] {
  const problems = rows.filter((r) => !r.ok || r.problem);
  const items = problems.map((r) => `- **${rowLabel(r)}**, ${caseLabel(r.case)}: ${r.ok ? '' : 'failed: '}${markdownText(r.problem ?? 'no reason given')}${r.keptLogs ? ` (logs kept in \`${r.keptLogs}\`)` : ''}`);
  return ['## Problems', '', ...(items.length ? items : ['None.']), ''];
}
