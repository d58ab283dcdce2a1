/** @module dashboard/main — the dashboard's entry: the token, the tabs, the feed folded into the state and drawn. */
import './style.css';
import { runFeed } from './feed.ts';
import { emptyState, fold } from './state.ts';
import { eventsPage, mapPage, migrationsPage, plotsPage } from './views.ts';
import { migrationPage } from './migration-page.ts';
import { policyPage } from './policy-page.ts';

const TOKEN_KEY = 'ferry-token';
const pages = { map: mapPage, migrations: migrationsPage, events: eventsPage, plots: plotsPage, policy: policyPage } as const;
/** A tab, or one migration's page (`#migration/ID`, under the migrations tab). */
type Page = keyof typeof pages | { migration: string };

const state = emptyState();
const status = document.getElementById('status') as HTMLElement;
const login = document.getElementById('login') as HTMLFormElement;
let current: Page = 'map';
let pending = false;

/** The page the location's hash names. */
function pageOf(hash: string): Page {
  const name = hash.replace(/^#/, '');
  const one = /^migration\/(.+)$/.exec(name);
  if (one?.[1]) return { migration: decodeURIComponent(one[1]) };
  return name in pages ? (name as keyof typeof pages) : 'map';
}

/** The section a page is drawn in and the tab it belongs to. */
function placeOf(p: Page): { section: string; tab: string } {
  return typeof p === 'string' ? { section: p, tab: p } : { section: 'migration', tab: 'migrations' };
}

/** Draws the current page (at most once per frame). */
function draw(): void {
  if (pending) return;
  pending = true;
  requestAnimationFrame(() => {
    pending = false;
    const { section, tab } = placeOf(current);
    for (const el of document.querySelectorAll<HTMLElement>('[data-page]')) el.hidden = el.dataset['page'] !== section;
    for (const a of document.querySelectorAll<HTMLElement>('[data-tab]')) a.classList.toggle('active', a.dataset['tab'] === tab);
    const page = typeof current === 'string' ? pages[current](state) : migrationPage(state.migrations.get(current.migration), current.migration);
    document.getElementById(`page-${section}`)?.replaceChildren(page);
  });
}

/** Connects with a token (or none, for a loopback controller without one). */
function connect(token: string | undefined): void {
  void runFeed(token, {
    message: (m) => {
      fold(state, m);
      draw();
    },
    status: (st) => {
      status.dataset['status'] = st;
      status.textContent = st;
      if (st === 'unauthorized') {
        sessionStorage.removeItem(TOKEN_KEY);
        login.hidden = false;
      }
    },
  }, new AbortController().signal);
}

login.addEventListener('submit', (e) => {
  e.preventDefault();
  const token = (document.getElementById('token') as HTMLInputElement).value.trim();
  sessionStorage.setItem(TOKEN_KEY, token);
  login.hidden = true;
  connect(token);
});
window.addEventListener('hashchange', () => {
  current = pageOf(location.hash);
  draw();
});
current = pageOf(location.hash);
draw();
connect(sessionStorage.getItem(TOKEN_KEY) ?? undefined);
