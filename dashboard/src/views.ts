/** @module dashboard/views — the four pages drawn from the state: cluster map, migrations, event log, plots. */
import { h, s } from './dom.ts';
import { etaText } from './migration-page.ts';
import { FRAME, bars, linePath, niceMax } from './plot.ts';
import { bytes, ended, inFlight, type DashState, type MigrationView, type Point } from './state.ts';

const pct = (v: number): string => `${(v * 100).toFixed(1)}%`;
const time = (at: number): string => new Date(at).toLocaleTimeString();

/** The cluster map: one card per node. */
export function mapPage(st: DashState): Node {
  if (!st.nodes.length) return h('p', { class: 'empty' }, 'No node registered yet.');
  return h('div', { class: 'nodes' }, ...st.nodes.map((n) => h('article', { class: 'node', 'data-node': n.name, 'data-colour': n.colour ?? 'none', 'data-state': n.state },
    h('header', {}, h('span', { class: 'swatch', title: n.colour ?? 'not measured' }), h('strong', {}, n.name), h('span', { class: 'colour' }, n.colour ?? '—'), h('span', { class: 'state' }, n.state)),
    h('div', { class: 'wi' }, `Wi ${n.wi.toFixed(3)}`),
    h('div', { class: 'parts', title: 'λ·Wm + α·Wc + β·Wn' },
      h('span', { class: 'part memory', style: `width:${pct(Math.min(n.parts.memory, 1))}` }),
      h('span', { class: 'part cpu', style: `width:${pct(Math.min(n.parts.cpu, 1))}` }),
      h('span', { class: 'part network', style: `width:${pct(Math.min(n.parts.network, 1))}` })),
    h('dl', {}, h('dt', {}, 'memory λ·Wm'), h('dd', {}, n.parts.memory.toFixed(3)), h('dt', {}, 'cpu α·Wc'), h('dd', {}, n.parts.cpu.toFixed(3)), h('dt', {}, 'network β·Wn'), h('dd', {}, n.parts.network.toFixed(3))),
    h('ul', { class: 'containers' }, ...(n.containerNames.length ? n.containerNames.map((c) => h('li', {}, c)) : [h('li', { class: 'empty' }, 'no containers')])))));
}

/** One migration's row. */
function migrationRow(m: MigrationView): Node {
  return h('article', { class: `migration ${m.outcome}`, 'data-migration': m.id, 'data-container': m.container, 'data-phase': m.phase, 'data-outcome': m.outcome, 'data-rounds': m.rounds, 'data-eta': m.etaMs },
    h('header', {}, h('a', { href: `#migration/${encodeURIComponent(m.id)}`, class: 'open' }, h('strong', {}, m.container)), ` ${m.from} → ${m.to} `, h('span', { class: 'strategy' }, m.strategy), h('span', { class: 'phase' }, m.phase)),
    h('ol', { class: 'phases' }, ...m.phases.map((p, i) => h('li', { 'data-phase': p.phase, class: i === m.phases.length - 1 ? 'current' : 'past' }, p.phase))),
    h('div', { class: 'numbers' }, `${bytes(m.rawBytes)} read, ${bytes(m.wireBytes)} sent`, m.rounds ? `, ${m.rounds} pre-copy rounds` : '', m.outcome === 'running' && m.lastRound ? ` (last: ${m.lastRound.sentPages} pages sent, ${m.lastRound.deferredPages} held back, ${m.lastRound.ms} ms)` : '',
      m.etaMs !== undefined ? `, ${etaText(m)}` : '', m.frozenMs !== undefined ? `, frozen ${m.frozenMs} ms` : '', m.totalMs !== undefined ? `, total ${(m.totalMs / 1000).toFixed(1)} s` : '', m.error ? ` — ${m.error}` : ''));
}

/** Migrations in flight, then those that ended. */
export function migrationsPage(st: DashState): Node {
  const live = inFlight(st);
  const done = ended(st);
  return h('div', {},
    h('h2', {}, `In flight (${live.length})`), live.length ? h('div', { id: 'in-flight' }, ...live.map(migrationRow)) : h('p', { class: 'empty' }, 'No migration in flight.'),
    h('h2', {}, `Ended (${done.length})`), h('div', { id: 'ended' }, ...done.slice(0, 50).map(migrationRow)));
}

/** The event log, newest first, with each decision's reason and numbers. */
export function eventsPage(st: DashState): Node {
  const rows = [...st.events].reverse().slice(0, 300);
  return h('table', { class: 'events' },
    h('thead', {}, h('tr', {}, h('th', {}, 'time'), h('th', {}, 'kind'), h('th', {}, 'subject'), h('th', {}, 'reason'), h('th', {}, 'detail'), h('th', {}, 'numbers'))),
    h('tbody', {}, ...rows.map((e) => h('tr', { 'data-event': e.id, 'data-kind': e.kind },
      h('td', {}, time(e.at)), h('td', {}, e.kind), h('td', {}, e.subject), h('td', { class: 'reason' }, e.reason), h('td', {}, e.detail),
      h('td', { class: 'nums' }, Object.entries(e.numbers).map(([k, v]) => `${k}=${Number.isInteger(v) ? v : v.toFixed(3)}`).join(' '))))));
}

const PALETTE = ['#2563eb', '#db2777', '#16a34a', '#ea580c', '#7c3aed', '#0891b2', '#ca8a04', '#4b5563'];

/** Axes with a y label at 0 and max. */
function axes(yMax: number, unit: string): SVGElement[] {
  const f = FRAME;
  return [
    s('line', { x1: f.left, y1: f.height - f.bottom, x2: f.width - f.right, y2: f.height - f.bottom, class: 'axis' }),
    s('line', { x1: f.left, y1: f.top, x2: f.left, y2: f.height - f.bottom, class: 'axis' }),
    s('text', { x: f.left - 4, y: f.top + 10, 'text-anchor': 'end' }, `${yMax}${unit}`),
    s('text', { x: f.left - 4, y: f.height - f.bottom, 'text-anchor': 'end' }, `0${unit}`),
  ];
}

/** A plot of several series over time. */
function timePlot(id: string, title: string, series: Array<{ name: string; points: Point[] }>, unit: string, step = false): Node {
  const all = series.flatMap((x) => x.points);
  const x0 = Math.min(...all.map((p) => p.at));
  const x1 = Math.max(...all.map((p) => p.at));
  const yMax = niceMax(Math.max(0, ...all.map((p) => p.value)));
  return h('figure', { id },
    h('figcaption', {}, title),
    s('svg', { viewBox: `0 0 ${FRAME.width} ${FRAME.height}`, role: 'img', 'aria-label': title },
      ...axes(yMax, unit),
      ...series.map((x, i) => s('path', { d: linePath(x.points.map((p) => ({ x: p.at, y: p.value })), x0, x1, yMax, FRAME, step), stroke: PALETTE[i % PALETTE.length], fill: 'none', 'stroke-width': 2, 'data-series': x.name }))),
    h('div', { class: 'legend' }, ...series.map((x, i) => h('span', { style: `color:${PALETTE[i % PALETTE.length]}` }, `■ ${x.name}`))));
}

/** Per-node load, active hosts over the session, frozen time per migration. */
export function plotsPage(st: DashState): Node {
  const done = ended(st).filter((m) => m.frozenMs !== undefined).reverse().slice(-30);
  const yMax = niceMax(Math.max(0, ...done.map((m) => m.frozenMs ?? 0)));
  return h('div', { class: 'plots' },
    timePlot('plot-load', 'Per-node load Wi over the session', [...st.load.entries()].map(([name, points]) => ({ name, points })), ''),
    timePlot('plot-active', 'Active hosts over the session', [{ name: 'awake nodes', points: st.activeHosts }], '', true),
    h('figure', { id: 'plot-frozen' },
      h('figcaption', {}, 'Frozen time per migration (ms)'),
      s('svg', { viewBox: `0 0 ${FRAME.width} ${FRAME.height}`, role: 'img', 'aria-label': 'frozen time per migration' },
        ...axes(yMax, ' ms'),
        ...bars(done.map((m) => m.frozenMs ?? 0), yMax).map((b, i) => s('rect', { x: b.x, y: b.y, width: b.w, height: b.h, class: `bar ${done[i]?.outcome ?? ''}`, 'data-migration': done[i]?.id },
          s('title', {}, `${done[i]?.container ?? ''} ${done[i]?.from ?? ''}→${done[i]?.to ?? ''}: ${done[i]?.frozenMs ?? 0} ms`)))),
      done.length ? false : h('p', { class: 'empty' }, 'No migration has ended yet.')));
}
