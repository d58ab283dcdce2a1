/** @module dashboard/main — the dashboard's entry: the token, the tabs, the feed folded into the state and drawn. */
import './style.css';
import { runFeed } from './feed.ts';
import { emptyState, fold } from './state.ts';
import { eventsPage, mapPage, migrationsPage, plotsPage } from './views.ts';

const TOKEN_KEY = 'ferry-token';
const pages = { map: mapPage, migrations: migrationsPage, events: eventsPage, plots: plotsPage } as const;
type Page = keyof typeof pages;

const state = emptyState();
const status = document.getElementById('status') as HTMLElement;
const login = document.getElementById('login') as HTMLFormElement;
let current: Page = 'map';
let pending = false;

/** The page the location's hash names. */
function pageOf(hash: string): Page {
  const name = hash.replace(/^#/, '');
  return name in pages ? (name as Page) : 'map';
}

/** Draws the current page (at most once per frame). */
function draw(): void {
  if (pending) return;
  pending = true;
  requestAnimationFrame(() => {
    pending = false;
    for (const el of document.querySelectorAll<HTMLElement>('[data-page]')) el.hidden = el.dataset['page'] !== current;
    for (const a of document.querySelectorAll<HTMLElement>('[data-tab]')) a.classList.toggle('active', a.dataset['tab'] === current);
    document.getElementById(`page-${current}`)?.replaceChildren(pages[current](state));
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
