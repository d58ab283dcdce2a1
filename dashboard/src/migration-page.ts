/**
 * @module dashboard/migration-page — one migration's page: where it stands (live phases and
 * ETA while it runs), then its report: the numbers, the time per phase, the frozen time's
 * breakdown, the pre-copy rounds, pre-storage, the network as clients saw it, and the cause
 * and rollback of a failure.
 */
import { h, s } from './dom.ts';
import { FRAME, bars, niceMax } from './plot.ts';
import { frozenSegments, roundBars, stack } from './report-charts.ts';
import { bytes, type MigrationView } from './state.ts';
import type { MigrationReport } from '../../src/domain/migration/report.ts';

const SEGMENT_COLOURS: Record<string, string> = { freeze: '#7c3aed', dump: '#db2777', transfer: '#2563eb', restore: '#16a34a', other: '#9ca3af' };
const ms = (v: number | undefined): string => (v === undefined ? '—' : v >= 10_000 ? `${(v / 1000).toFixed(1)} s` : `${Math.round(v)} ms`);

/** A count for an axis or a label: 950, 12.3k, 1.2M. */
export function compact(n: number): string {
  return n >= 1e6 ? `${(n / 1e6).toFixed(1)}M` : n >= 1e4 ? `${(n / 1e3).toFixed(1)}k` : String(n);
}

/** Seconds for an ETA: "about 12 s". */
export function etaText(v: MigrationView): string {
  return v.etaMs === undefined ? '' : `about ${Math.ceil(v.etaMs / 1000)} s left of the first copy`;
}

/** A definition list from pairs (undefined values left out). */
function facts(pairs: Array<[string, string | undefined]>): Node {
  return h('dl', { class: 'facts' }, ...pairs.flatMap(([k, v]) => (v === undefined ? [] : [h('dt', {}, k), h('dd', {}, v)])));
}

/** The time per phase as horizontal bars. */
function phaseChart(r: MigrationReport): Node {
  const max = Math.max(1, ...r.phases.map((p) => p.ms));
  const rowH = 22;
  const width = 640;
  const left = 90;
  return h('figure', { id: 'chart-phases' }, h('figcaption', {}, 'Time per phase'),
    s('svg', { viewBox: `0 0 ${width} ${r.phases.length * rowH + 4}`, role: 'img', 'aria-label': 'time per phase' },
      ...r.phases.flatMap((p, i) => {
        const w = (p.ms / max) * (width - left - 80);
        return [
          s('text', { x: left - 6, y: i * rowH + 15, 'text-anchor': 'end' }, p.phase),
          s('rect', { x: left, y: i * rowH + 3, width: w, height: rowH - 6, class: 'bar', 'data-phase': p.phase }),
          s('text', { x: left + w + 4, y: i * rowH + 15 }, ms(p.ms)),
        ];
      })));
}

/** The frozen time as one stacked bar with a legend. */
function frozenChart(r: MigrationReport): Node | false {
  const parts = frozenSegments(r);
  if (!parts.length) return false;
  const width = 640;
  return h('figure', { id: 'chart-frozen' }, h('figcaption', {}, `Frozen time: ${ms(r.frozenMs)}`),
    s('svg', { viewBox: `0 0 ${width} 30`, role: 'img', 'aria-label': 'frozen time breakdown' },
      ...stack(parts, width).map((seg) => s('rect', { x: seg.x, y: 2, width: seg.w, height: 26, fill: SEGMENT_COLOURS[seg.name], 'data-part': seg.name }, s('title', {}, `${seg.name}: ${ms(seg.value)}`)))),
    h('div', { class: 'legend' }, ...parts.map((p) => h('span', { style: `color:${SEGMENT_COLOURS[p.name] ?? '#111'}` }, `■ ${p.name} ${ms(p.value)}`))));
}

/** Pages sent per pre-copy round (held-back pages stacked on top), the frozen round in red. */
function roundsChart(r: MigrationReport): Node | false {
  const rows = roundBars(r);
  if (!rows.length) return false;
  const pc = r.precopy;
  const yMax = niceMax(Math.max(...rows.map((x) => x.sentPages + x.deferredPages)));
  const sent = bars(rows.map((x) => x.sentPages), yMax);
  const both = bars(rows.map((x) => x.sentPages + x.deferredPages), yMax);
  const f = FRAME;
  return h('figure', { id: 'chart-rounds' },
    h('figcaption', {}, `Pre-copy rounds: ${pc?.rounds.length ?? 0}, stopped by ${pc?.stopRule ?? '—'}${pc?.stopDetail ? ` (${pc.stopDetail})` : ''}`),
    s('svg', { viewBox: `0 0 ${f.width} ${f.height}`, role: 'img', 'aria-label': 'pre-copy rounds' },
      s('line', { x1: f.left, y1: f.height - f.bottom, x2: f.width - f.right, y2: f.height - f.bottom, class: 'axis' }),
      s('text', { x: f.left - 4, y: f.top + 10, 'text-anchor': 'end' }, compact(yMax)),
      s('text', { x: f.left - 4, y: f.top + 24, 'text-anchor': 'end' }, 'pages'),
      ...rows.flatMap((x, i) => {
        const a = sent[i];
        const b = both[i];
        if (!a || !b) return [];
        return [
          s('rect', { x: b.x, y: b.y, width: b.w, height: b.h - a.h, class: 'bar deferred' }, s('title', {}, `${x.deferredPages} pages held back`)),
          s('rect', { x: a.x, y: a.y, width: a.w, height: a.h, class: `bar${x.frozen ? ' frozen' : ''}`, 'data-round': x.label }, s('title', {}, `round ${x.label}: ${x.sentPages} pages, ${bytes(x.wireBytes)} on the wire in ${ms(x.ms)}`)),
          s('text', { x: a.x + a.w / 2, y: f.height - 8, 'text-anchor': 'middle' }, x.label),
          s('text', { x: a.x + a.w / 2, y: Math.max(f.top + 10, b.y - 4), 'text-anchor': 'middle', class: 'value' }, `${compact(x.sentPages)}${x.deferredPages ? ` +${compact(x.deferredPages)}` : ''}`),
        ];
      })),
    h('div', { class: 'legend' }, h('span', { class: 'sent' }, '■ pages sent'), h('span', { class: 'held' }, '■ held back (hot)'), h('span', { class: 'frozen' }, '■ final round (frozen)')));
}

/** The report's sections. */
function reportSections(r: MigrationReport): Node[] {
  const n = r.network;
  const ps = r.prestore;
  return [
    facts([
      ['total', ms(r.totalMs)], ['frozen', ms(r.frozenMs)], ['client-visible gap', n?.clientGapMs !== undefined ? ms(n.clientGapMs) : undefined],
      ['read', bytes(r.bytes.rawBytes)], ['on the wire', `${bytes(r.bytes.wireBytes)} (compression ${r.bytes.compressionRatio.toFixed(2)}×)`],
      ['dumped by', r.dumpedBy], ['restored', r.restoredBy], ['lazy window', r.lazyWindowMs !== undefined ? ms(r.lazyWindowMs) : undefined],
    ]),
    phaseChart(r),
    frozenChart(r) || h('p', { class: 'empty' }, 'Never frozen.'),
    roundsChart(r) || h('span', {}),
    ps ? h('section', { id: 'prestore' }, h('h3', {}, 'Pre-storage'), facts([
      ['store', ps.store], ['uploaded in rounds', `${bytes(ps.uploadedBytes)} (${ps.uploadedPages} pages, ${ps.packs} packs)`], ['fetched by the destination', bytes(ps.fetchedBytes ?? 0)],
      ['direct', bytes(ps.directBytes ?? 0)], ['stale uploads', `${ps.stalePages ?? 0} pages (${bytes(ps.staleBytes ?? 0)})`], ['image', ps.image === 'store' ? `through the store (${bytes(ps.imageUploadedBytes)})` : 'already there'],
    ])) : h('span', {}),
    n ? h('section', { id: 'network' }, h('h3', {}, 'Network'), facts([
      ['address', n.address ? `${n.address.ip} (${n.address.mac}) on ${n.address.network}, kept` : 'changed with the host'],
      ['connections', `${n.connections.outside} outside, ${n.connections.inside} inside, ${n.tcp === 'established' ? 'carried' : 'closed'}`], ['announce', n.announce],
    ])) : h('span', {}),
    r.error ? h('p', { class: 'cause' }, `${r.error.code}: ${r.error.message}`) : h('span', {}),
    r.rollback?.length ? h('section', { id: 'rollback' }, h('h3', {}, 'Rollback'), h('ol', {}, ...r.rollback.map((x) => h('li', {}, x)))) : h('span', {}),
  ];
}

/** The page of migration `id`. */
export function migrationPage(v: MigrationView | undefined, id: string): Node {
  if (!v) return h('p', { class: 'empty' }, `No migration ${id} seen yet (the feed shows those of awake nodes).`);
  return h('div', { class: 'migration-page', 'data-migration': v.id, 'data-outcome': v.outcome },
    h('p', {}, h('a', { href: '#migrations' }, '← all migrations')),
    h('h2', {}, `${v.container}: ${v.from} → ${v.to} (${v.strategy || '…'}) — ${v.outcome}`),
    h('ol', { class: 'phases' }, ...v.phases.map((p, i) => h('li', { 'data-phase': p.phase, class: i === v.phases.length - 1 ? 'current' : 'past' }, p.phase))),
    v.outcome === 'running' ? h('p', { class: 'numbers' }, `${bytes(v.rawBytes)} read, ${bytes(v.wireBytes)} sent`, v.expectedBytes !== undefined ? ` of about ${bytes(v.expectedBytes)} for the first copy` : '', v.etaMs !== undefined ? ` — ${etaText(v)}` : '') : h('span', {}),
    ...(v.report ? reportSections(v.report) : [h('p', { class: 'empty' }, 'The report appears when the migration ends.')]));
}
