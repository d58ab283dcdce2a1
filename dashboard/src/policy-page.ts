/**
 * @module dashboard/policy-page — the scheduling policies as named data (the active one
 * marked), the thresholds behind the colours, drains and reliefs, and the application types
 * with their weights λ:α:β.
 */
import { h } from './dom.ts';
import type { DashState } from './state.ts';

/** The policy page. */
export function policyPage(st: DashState): Node {
  const p = st.policy;
  if (!p) return h('p', { class: 'empty' }, 'Waiting for the controller…');
  return h('div', { class: 'policy-page' },
    h('h2', {}, 'Policies'),
    h('table', { class: 'events', id: 'policies' },
      h('thead', {}, h('tr', {}, h('th', {}, 'policy'), h('th', {}, 'filters'), h('th', {}, 'scorers (weight)'), h('th', {}, 'wakes nodes'), h('th', {}, 'rebalances'), h('th', {}, 'what it does'))),
      h('tbody', {}, ...p.policies.map((x) => h('tr', { 'data-policy': x.name, class: x.name === p.active ? 'active' : '' },
        h('td', {}, h('strong', {}, x.name), x.name === p.active ? ' (active)' : ''), h('td', {}, x.filters.join(', ')),
        h('td', {}, x.scorers.map((sc) => `${sc.name} (${sc.weight})`).join(', ')), h('td', {}, x.wakeSleeping ? 'yes' : 'no'), h('td', {}, x.rebalances ? 'yes' : 'no'), h('td', {}, x.description))))),
    h('h2', {}, 'Thresholds'),
    h('dl', { class: 'facts', id: 'thresholds' }, ...Object.entries(p.thresholds).flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, String(v))])),
    h('h2', {}, 'Application types (Wi = λ·Wm + α·Wc + β·Wn)'),
    h('table', { class: 'events', id: 'app-types' },
      h('thead', {}, h('tr', {}, h('th', {}, 'type'), h('th', {}, 'λ memory'), h('th', {}, 'α cpu'), h('th', {}, 'β network'))),
      h('tbody', {}, ...Object.entries(p.appTypes).sort(([a], [b]) => a.localeCompare(b)).map(([name, w]) => h('tr', { 'data-app-type': name },
        h('td', {}, name, name === p.defaultAppType ? ' (default)' : ''), h('td', {}, w.memory.toFixed(2)), h('td', {}, w.cpu.toFixed(2)), h('td', {}, w.network.toFixed(2)))))));
}
