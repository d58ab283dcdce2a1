import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderBarsSvg, renderRoundsSvg } from './svg.ts';
import { escapeXml } from '../report-kit/svg-kit.ts';
import { FIXTURE } from './fixture.test-data.ts';
import { BENCH_STRATEGIES, type BenchResults } from './results.ts';
import { assertWellFormed, texts } from '../report-kit/svg-test-support.ts';

test('the bar chart is well-formed, 900 px wide, and names every strategy, case and panel', () => {
  const svg = renderBarsSvg(FIXTURE);
  assertWellFormed(svg);
  assert.match(svg, /<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" width="900"/);
  const words = texts(svg);
  for (const s of BENCH_STRATEGIES.filter((x) => FIXTURE.rows.some((r) => r.strategy === x))) assert.ok(words.includes(s), `legend names ${s}`);
  for (const w of ['stream 1024 MiB, dirtying 50 MB/s, 1000 Mbit/s', 'compile 256 MiB, own dirty rate, 1000 Mbit/s', 'Downtime (probe), s', 'Total time, s', 'Bytes on the wire, MiB']) {
    assert.ok(words.includes(w), w);
  }
  assert.ok(words.includes('0.95') && words.includes('667.6'), 'bars carry their values in the report\'s format');
});

test('failed rows are hatched bars labelled failed, not missing', () => {
  const svg = renderBarsSvg(FIXTURE);
  const words = texts(svg);
  assert.ok(words.includes('podman (failed)'));
  assert.ok(words.includes('precopy (failed)'));
  assert.equal(words.filter((w) => w === 'failed').length, 2 * 3 + 1, 'two failed rows in three panels, and the legend');
  assert.equal(svg.match(/fill="url\(#failed-hatch\)"/g)?.length, 2 * 3 + 1);
  assert.match(svg, /<pattern id="failed-hatch"/);
});

test('the rounds chart is well-formed, has both pre-copy strategies and explains a failed row', () => {
  const svg = renderRoundsSvg(FIXTURE);
  assertWellFormed(svg);
  const words = texts(svg);
  assert.ok(words.includes('precopy (with deferral)') && words.includes('precopy-nodefer (no deferral)'));
  assert.ok(words.includes('precopy: 5 rounds, stopped by fits-downtime-budget'));
  assert.ok(words.some((w) => w.startsWith('precopy: failed after 2 rounds: restore failed')));
  assert.ok(words.includes('round') && words.includes('wire MiB'));
  assert.equal(svg.match(/<path d="M/g)?.length, 3 + 6, 'three axes and six lines');
});

test('text is escaped wherever it comes from', () => {
  const odd: BenchResults = { ...FIXTURE, machine: { ...FIXTURE.machine, hostname: 'a<b & "c"' } };
  for (const svg of [renderBarsSvg(odd), renderRoundsSvg(odd)]) {
    assertWellFormed(svg);
    assert.ok(svg.includes('a&lt;b &amp; &quot;c&quot;'));
  }
  const rows = FIXTURE.rows.map((r) => (r.strategy === 'precopy' && !r.ok ? { ...r, problem: '<script>&' } : r));
  const svg = renderRoundsSvg({ ...FIXTURE, rows });
  assertWellFormed(svg);
  assert.ok(svg.includes('&lt;script&gt;&amp;'));
  assert.equal(escapeXml(`<a href="x">'&'</a>`), '&lt;a href=&quot;x&quot;&gt;&apos;&amp;&apos;&lt;/a&gt;');
});

test('a run without pre-copy rows or rounds still draws, and says so', () => {
  const svg = renderRoundsSvg({ ...FIXTURE, rows: FIXTURE.rows.filter((r) => !r.strategy.startsWith('precopy')) });
  assertWellFormed(svg);
  assert.ok(texts(svg).includes('No pre-copy rows in this run.'));
  const bare = renderRoundsSvg({ ...FIXTURE, rows: FIXTURE.rows.map((r) => ({ ...r, rounds: undefined })) });
  assertWellFormed(bare);
  assert.ok(texts(bare).includes('precopy: no rounds recorded'));
  assertWellFormed(renderBarsSvg({ ...FIXTURE, rows: [] }));
});

test('a TLS-off twin is a paler bar under its row, labelled, with precopy\'s TLS ratios under the case; the rounds chart keeps the TLS rows', () => {
  const svg = renderBarsSvg(FIXTURE);
  assertWellFormed(svg);
  const words = texts(svg);
  assert.ok(words.includes('precopy, TLS off') && words.includes('stop-copy, TLS off'));
  assert.ok(words.includes('paler: TLS off (plain TCP)'));
  assert.ok(words.includes('precopy, TLS ÷ TLS off: total 1.056×, frozen 1.025×, downtime 1.056×, data link 0.957×'));
  assert.equal(svg.match(/fill-opacity="0\.5"/g)?.length, 2 * 3 + 1, 'two twins in three panels, and the legend');
  const rounds = renderRoundsSvg(FIXTURE);
  assert.equal(rounds.match(/<path d="M/g)?.length, 3 + 6, 'no line for a twin');
  assert.ok(!texts(renderBarsSvg({ ...FIXTURE, rows: FIXTURE.rows.filter((r) => r.tls !== false) })).some((w) => w.includes('TLS off')));
});
