import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderMarkdown } from './markdown.ts';
import { FIXTURE } from './fixture.test-data.ts';
import type { BenchResults } from './results.ts';

const md = renderMarkdown(FIXTURE);

test('the machine is described', () => {
  assert.match(md, /\| bench-1 \| 6\.8\.0-57-generic \| 16 × AMD EPYC 7443P 24-Core Processor \| 62\.7 \| v24\.9\.0 \| 28\.1\.1 \| 4\.1 \| 5\.4\.2 \|/);
});

test('one table per case, strategies in a fixed order, seconds with 2 decimals, MiB with 1, ratios vs baseline', () => {
  assert.match(md, /^## stream 1024 MiB, dirtying 50 MB\/s, 1000 Mbit\/s$/m);
  assert.match(md, /^## stream 1024 MiB, dirtying 50 MB\/s, 200 Mbit\/s$/m);
  assert.match(md, /^## compile 256 MiB, own dirty rate, 1000 Mbit\/s$/m);
  assert.ok(md.includes('| baseline-stopcopy | ✓ | 14.20 | 13.90 | 15.10 | 1068.1 | — | — | 1.000× | 1.000× |'));
  assert.ok(md.includes('| precopy | ✓ | 0.95 | 0.82 | 7.60 | 667.6 | 5 | fits-downtime-budget | 0.067× | 0.503× |'));
  assert.ok(md.includes('| bound | ✓ | — | — | 4.80 | 572.2 | — | — | — | 0.318× |'), 'the bound has no downtime');
  const headline = md.slice(md.indexOf('## stream 1024 MiB, dirtying 50 MB/s, 1000'), md.indexOf('## stream 1024 MiB, dirtying 50 MB/s, 200'));
  const order = ['baseline-stopcopy', 'podman', 'stop-copy', 'precopy-nodefer', 'precopy', 'bound'].map((s) => headline.indexOf(`| ${s} |`));
  assert.deepEqual([...order].sort((a, b) => a - b), order);
});

test('a failed row is marked and its numbers are not compared', () => {
  assert.ok(md.includes('| podman | ✗ | — | — | — | — | — | — | — | — |'));
  assert.ok(md.includes('| precopy | ✗ | — | — | 3.40 | — | 2 | — | — | — |'));
});

test('rounds of every pre-copy row, failed ones marked', () => {
  assert.match(md, /^### precopy, stream 1024 MiB, dirtying 50 MB\/s, 1000 Mbit\/s$/m);
  assert.match(md, /^### precopy-nodefer, stream 1024 MiB, dirtying 50 MB\/s, 200 Mbit\/s$/m);
  assert.match(md, /^### precopy, compile 256 MiB, own dirty rate, 1000 Mbit\/s \(failed\)$/m);
  assert.ok(md.includes('| 2 | 61000 | 38000 | 23000 | 49.6 | 420 |'));
  assert.ok(!md.includes('### baseline-stopcopy'));
});

test('the targets with the ratio and whether each holds', () => {
  assert.ok(md.includes('| downtime vs baseline stop-copy | ≤ 0.25 | 0.067× | ✓ |'));
  assert.ok(md.includes('| total time vs physical bound | ≤ 1.5 | 1.583× | ✗ |'));
  const partial: BenchResults = { ...FIXTURE, summary: { headline: FIXTURE.summary.headline, downtimeRatioVsBaseline: 0.3 } };
  const out = renderMarkdown(partial);
  assert.ok(out.includes('| downtime vs baseline stop-copy | ≤ 0.25 | 0.300× | ✗ |'));
  assert.ok(out.includes('| downtime vs podman | < 1 | — | — |'));
});

test('every problem is listed, escaped', () => {
  assert.ok(md.includes('- **podman**, compile 256 MiB, own dirty rate, 1000 Mbit/s: failed: podman container checkpoint: CRIU dump failed \\| unix socket &lt;ext> & "peer" not found'));
  assert.ok(md.includes('- **precopy-nodefer**, stream 1024 MiB, dirtying 50 MB/s, 200 Mbit/s: sent 3x the footprint before stopping'));
  assert.ok(md.includes('failed: restore failed: CRIU restore exited 1'));
  assert.ok(renderMarkdown({ ...FIXTURE, rows: FIXTURE.rows.filter((r) => r.ok && !r.problem) }).includes('## Problems\n\nNone.\n'));
});

test('a machine without podman says so; a quick run says it was quick', () => {
  const out = renderMarkdown({ ...FIXTURE, quick: true, machine: { ...FIXTURE.machine, podman: undefined } });
  assert.match(out, /\| not installed \|$/m);
  assert.match(out, /\(quick: fewer and smaller cases\)/);
});

test('a TLS-off twin is labelled in its case\'s table, right after its row', () => {
  assert.ok(md.includes('| stop-copy | ✓ | 6.10 | 5.90 | 6.60 | 591.3 | — | — | 0.430× | 0.437× |\n| stop-copy, TLS off | ✓ | 5.90 | 5.70 | 6.30 | 590.3 | — | — | 0.415× | 0.417× |'));
  assert.match(md, /^### precopy, TLS off, stream 1024 MiB, dirtying 50 MB\/s, 1000 Mbit\/s$/m);
});

test('what TLS costs: each twinned strategy with TLS and without, the ratios, the data link both ways; the ≤ 1.1 target', () => {
  assert.match(md, /^## What TLS costs$/m);
  assert.ok(md.includes('| precopy | stream 1024 MiB, dirtying 50 MB/s, 1000 Mbit/s | 7.60 | 7.20 | 1.056× | 0.82 | 0.80 | 1.025× | 0.95 | 0.90 | 1.056× | 104.9 | 109.7 | 0.957× |'));
  assert.ok(md.includes('| stop-copy | stream 1024 MiB, dirtying 50 MB/s, 1000 Mbit/s | 6.60 | 6.30 | 1.048× |'));
  assert.ok(md.includes('| total time with TLS vs TLS off | ≤ 1.1 | 1.056× | ✓ |'));
  const failed = renderMarkdown({ ...FIXTURE, rows: FIXTURE.rows.map((r) => (r.strategy === 'precopy' && r.tls === false ? { ...r, ok: false, problem: 'restore failed' } : r)) });
  assert.ok(failed.includes('| precopy | stream 1024 MiB, dirtying 50 MB/s, 1000 Mbit/s | 7.60 | — | — | 0.82 | — | — | 0.95 | — | — | 104.9 | — | — |'));
  assert.ok(failed.includes('- **precopy, TLS off**, stream 1024 MiB, dirtying 50 MB/s, 1000 Mbit/s: failed: restore failed'));
  assert.ok(!renderMarkdown({ ...FIXTURE, rows: FIXTURE.rows.filter((r) => r.tls !== false) }).includes('## What TLS costs'), 'no twins, no section');
});
