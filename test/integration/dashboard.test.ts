/**
 * @module test/integration/dashboard.test — the controller's web dashboard driven in Debian's
 * Chromium (playwright-core, `/usr/bin/chromium`, headless, never a downloaded browser)
 * against a real controller and a 2-host test bed (subnet 10.238.0), all over mutual TLS 1.3:
 * the browser presents the operator's client certificate (playwright-core's `clientCertificates`,
 * whose proxy checks the controller's certificate against the cluster CA — no
 * `ignoreHTTPSErrors`); the page asks for the cluster token and shows every node with its
 * colour; a migration started with the CLI's
 * `migrate()` appears live, phase by phase, until it ends, and its page shows its report (time
 * per phase, the frozen time's parts, the pre-copy rounds); a new event appears in the log; the
 * policy page shows the active policy and the application types. From a host's namespace (outside
 * loopback) the controller refuses plain HTTP, a request without a client certificate (even with
 * the token), an operator's certificate without the right token, and an agent's certificate with
 * it; the operator's certificate with the token gets in.
 * Screenshots of each page go to $FERRY_DASHBOARD_SHOTS (default: the test bed's state dir).
 * Needs root, the `chromium` package (`ferry doctor --fix`) and a built dashboard
 * (`npm run build:dashboard`, which scripts/test.sh runs).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import tls from 'node:tls';
import { chromium, type Browser, type Page } from 'playwright-core';
import { Agent, fetch } from 'undici';
import { parseConfig } from '../../src/core/config.ts';
import { DockerEngine } from '../../src/adapters/docker/engine.ts';
import { testbedDown, testbedUp, bedCredentials, type Cluster, clusterFile } from '../../src/tools/testbed/index.ts';
import { pkiFiles, subjectFiles } from '../../src/adapters/pki/cluster-pki.ts';
import type { TlsIdentity } from '../../src/adapters/pki/tls-identity.ts';
import { migrate } from '../../src/apps/cli/migrate-client.ts';
import { stopControllerProcess } from '../../src/apps/controller/process.ts';
import { DASHBOARD_DIR } from '../../src/apps/controller/dashboard-files.ts';
import { COUNTER_IMAGE, ensureCounterImage } from '../../src/tools/workloads/counter-image.ts';
import { waitForBeats } from '../../src/tools/demo/demo.ts';
import { startControllerProcess, type ControllerProcess } from '../support/controller.ts';
import { keepLogsOnFailure } from '../support/kept-logs.ts';

const stateDir = path.join(tmpdir(), `ferry-it-dashboard-${process.pid}`);
const config = parseConfig({ testbed: { stateDir, subnet: '10.238.0', hosts: 2, bandwidthMbit: 1000 } });
const logs = keepLogsOnFailure(import.meta.filename, config);
const LONG = { timeout: 300_000 };
const SCHEDULER_ENV: Record<string, string> = { FERRY_SCHEDULER_SAMPLE_EVERY_MS: '1000', FERRY_SCHEDULER_SAMPLES: '2', FERRY_CONTROLLER_TICK_MS: '1000' };
Object.assign(process.env, SCHEDULER_ENV);
/** The controller listens beyond loopback (it has a token), so the client host can try it. */
const CONTROLLER_ENV = { ...SCHEDULER_ENV, FERRY_CONTROLLER_LISTEN: '0.0.0.0' };
const CONTROLLER_PORT = 7185;
const shots = process.env['FERRY_DASHBOARD_SHOTS'] ?? path.join(stateDir, 'screenshots');
/** Chromium's flags on this closed network: no background connections, no sandbox as root. */
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

let cluster: Cluster;
let ctl: ControllerProcess | undefined;
let browser: Browser | undefined;
let page: Page;
let token: string;
/** What the page's in-flight row of a container showed, each change once (kept in `window.ferryShown`). */
interface Shown { phase: string | null; rounds: string | null; eta: string | null }

/** The little of the page's globals used below (this project's TypeScript has no DOM library). */
interface PageGlobals {
  ferryShown: Shown[];
  document: { body: unknown; querySelector(selector: string): { getAttribute(name: string): string | null } | null };
  MutationObserver: new (changed: () => void) => { observe(target: unknown, options: object): void };
}

/** Runs in the page: records the in-flight row of `container` whenever the DOM changes. */
function recordInFlight(container: string): void {
  const g = globalThis as unknown as PageGlobals;
  const shown: Shown[] = [];
  g.ferryShown = shown;
  let last = '';
  new g.MutationObserver(() => {
    const row = g.document.querySelector(`#in-flight [data-container="${container}"]`);
    if (!row) return;
    const now: Shown = { phase: row.getAttribute('data-phase'), rounds: row.getAttribute('data-rounds'), eta: row.getAttribute('data-eta') };
    const key = JSON.stringify(now);
    if (key !== last) shown.push(now);
    last = key;
  }).observe(g.document.body, { subtree: true, childList: true, attributes: true });
}

/** The phases (in order), the most pre-copy rounds and the ETAs the page's in-flight row showed so far. */
async function shownSoFar(): Promise<{ phases: string[]; rounds: number; etas: number[]; trail: string }> {
  const shown = await page.evaluate(() => (globalThis as unknown as PageGlobals).ferryShown);
  const phases: string[] = [];
  for (const s of shown) if (s.phase && phases.at(-1) !== s.phase) phases.push(s.phase);
  // For a failure's message: each phase with its rounds and how many of its states had an ETA.
  const trail = phases.map((p) => {
    const of = shown.filter((s) => s.phase === p);
    return `${p} (rounds ${of.at(-1)?.rounds ?? '-'}, ${of.filter((s) => s.eta !== null).length}/${of.length} with an ETA)`;
  }).join(' → ');
  return { phases, rounds: Math.max(0, ...shown.map((s) => Number(s.rounds ?? 0))), etas: shown.flatMap((s) => (s.eta === null ? [] : [Number(s.eta)])), trail };
}

/** The operator `testbed`'s identity (the CLI's and this test's). */
let operator: TlsIdentity;
/** Connections that present the operator's certificate and trust only the cluster CA. */
let asOperator: Agent | undefined;

/** Saves a screenshot of the current page. */
async function shot(name: string): Promise<void> {
  const file = path.join(shots, `dashboard-${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  console.log(`# screenshot ${file}`);
}

/** What curl presents: the CA it trusts, a client certificate and key, an Authorization header. */
interface CurlAs {
  cacert?: string;
  cert?: { cert: string; key: string };
  authorization?: string;
}

/** The HTTP status and body of a request made with curl from inside network namespace `netns`. */
function curlFrom(netns: string, url: string, as: CurlAs): Promise<{ status: string; body: string }> {
  const args = ['netns', 'exec', netns, 'curl', '-s', '-w', '\n%{http_code}', '--max-time', '5',
    ...(as.cacert ? ['--cacert', as.cacert] : []), ...(as.cert ? ['--cert', as.cert.cert, '--key', as.cert.key] : []),
    ...(as.authorization ? ['-H', `Authorization: ${as.authorization}`] : []), url];
  return new Promise((resolve, reject) => execFile('ip', args, { timeout: 10_000 }, (err, stdout) => {
    const out = String(stdout);
    const cut = out.lastIndexOf('\n');
    if (err && !out) reject(new Error(`curl in ${netns}: ${err.message}`));
    else resolve({ status: out.slice(cut + 1).trim(), body: out.slice(0, Math.max(cut, 0)) });
  }));
}

/** GET over TLS through `dispatcher`: the status and the body's text. */
async function get(url: string, dispatcher: Agent, authorization?: string): Promise<{ status: number; body: string }> {
  const res = await fetch(url, { dispatcher, headers: authorization ? { authorization } : {} });
  return { status: res.status, body: await res.text() };
}

before(async () => {
  assert.ok(existsSync(path.join(DASHBOARD_DIR, 'index.html')), 'the dashboard is built (npm run build:dashboard)');
  mkdirSync(shots, { recursive: true });
  cluster = await logs.watch(testbedUp({ config, log: () => undefined }));
  const credentials = await bedCredentials(cluster);
  assert.ok(cluster.pki && credentials.tls, 'the test bed runs over mutual TLS (testbed.tls)');
  token = credentials.token ?? '';
  operator = credentials.tls;
  asOperator = new Agent({ connect: operator.clientOptions() });
  ctl = await startControllerProcess({ clusterFile: clusterFile(stateDir), stateDir: path.join(stateDir, 'controller'), port: CONTROLLER_PORT, credentials, env: CONTROLLER_ENV, logFile: path.join(stateDir, 'controller.log'), policy: 'spread' });
  assert.match(ctl.url, /^https:/);
  // Chromium talks to playwright-core's proxy, which does the TLS to the controller with the
  // client certificate below and checks the controller's certificate against Node's default CAs:
  // the cluster CA joins them here (this test process only), so nothing is accepted blindly.
  tls.setDefaultCACertificates([...tls.getCACertificates('default'), readFileSync(pkiFiles(cluster.pki.dir).caCert, 'utf8')]);
  const mine = subjectFiles(cluster.pki.dir, operator.self);
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS });
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, clientCertificates: [{ origin: ctl.url, certPath: mine.cert, keyPath: mine.key }] });
  page = await context.newPage();
}, LONG);

after(async () => {
  await browser?.close();
  await asOperator?.close();
  if (ctl) await stopControllerProcess(ctl);
  await logs.keep();
  await testbedDown({ config, log: () => undefined });
}, LONG);

describe('the web dashboard in Chromium', () => {
  it('serves the page to an operator\'s certificate without the token, but its feed only with the token; shows every node with its colour', LONG, async () => {
    const base = ctl?.url ?? '';
    const via = asOperator as Agent;
    assert.equal((await get(`${base}/`, via)).status, 200, 'the page, to the operator\'s certificate without the token');
    assert.equal((await get(`${base}/v1/stream`, via)).status, 401);
    assert.equal((await get(`${base}/%2e%2e/package.json`, via)).status, 401, 'no file outside the dashboard');
    const answer = await page.goto(`${base}/#map`);
    assert.equal(answer?.status(), 200, 'Chromium got the page over TLS with the operator\'s certificate');
    await page.locator('#login').waitFor({ state: 'visible' });
    await page.fill('#token', token);
    await page.click('#login button');
    await page.locator('#status[data-status="live"]').waitFor({ timeout: 15_000 });
    for (const h of cluster.hosts) {
      await page.locator(`[data-node="${h.name}"][data-colour="blue"], [data-node="${h.name}"][data-colour="green"], [data-node="${h.name}"][data-colour="red"]`).waitFor({ timeout: 60_000 });
    }
    const colours: string[] = [];
    for (const card of await page.locator('[data-node]').all()) colours.push(`${await card.getAttribute('data-node')}=${await card.getAttribute('data-colour')}`);
    console.log(`# nodes on the map: ${colours.join(', ')}`);
    assert.equal(colours.length, cluster.hosts.length);
  });

  it('from a host of the test bed (outside loopback), the controller wants TLS, a client certificate of the cluster, an operator\'s role and the token', LONG, async () => {
    const pki = cluster.pki?.dir ?? '';
    const netns = cluster.hosts[0]?.netns ?? '';
    const hostPort = `${cluster.subnet}.1:${CONTROLLER_PORT}`;
    const outside = `https://${hostPort}`;
    const cacert = pkiFiles(pki).caCert;
    const mine = subjectFiles(pki, operator.self);
    const agentH1 = subjectFiles(pki, { role: 'agent', name: 'h1' });
    const bearer = `Bearer ${token}`;
    const seen: string[] = [];
    const expect = async (what: string, url: string, as: CurlAs, status: string, body?: RegExp): Promise<void> => {
      const r = await curlFrom(netns, url, as);
      seen.push(`${what}: ${r.status}`);
      assert.equal(r.status, status, `${what} from ${netns}: ${r.body}`);
      if (body) assert.match(r.body, body, `${what} from ${netns}`);
    };
    await expect('plain http /v1/nodes with the token', `http://${hostPort}/v1/nodes`, { authorization: bearer }, '401', /https:\/\//);
    for (const route of ['/', '/v1/stream', '/v1/nodes', '/metrics']) {
      await expect(`${route} without a client certificate (with the token)`, `${outside}${route}`, { cacert, authorization: bearer }, '401', /no client certificate/);
    }
    for (const [route, auth] of [['/v1/stream', undefined], ['/v1/stream', 'Bearer not-the-token'], ['/v1/nodes', undefined], ['/metrics', undefined]] as const) {
      await expect(`${route} with the operator's certificate, ${auth ? 'a wrong' : 'no'} token`, `${outside}${route}`, { cacert, cert: mine, ...(auth ? { authorization: auth } : {}) }, '401', /token/);
    }
    await expect('/v1/nodes with agent h1\'s certificate and the token', `${outside}/v1/nodes`, { cacert, cert: agentH1, authorization: bearer }, '403', /FERRY_ERR_FORBIDDEN/);
    await expect('/v1/nodes with the operator\'s certificate and the token', `${outside}/v1/nodes`, { cacert, cert: mine, authorization: bearer }, '200');
    console.log(`# from ${netns}: ${seen.join('; ')}`);
  });

  it('a migration started with the CLI shows live, phase by phase, until it ends; an event appears in the log', LONG, async () => {
    const engine = new DockerEngine(cluster.hosts[0]?.dockerSocket ?? '');
    await ensureCounterImage(engine);
    const id = await engine.createContainer('dash', { Image: COUNTER_IMAGE, Env: ['BALLAST_MIB=256'] });
    await engine.startContainer(id);
    await waitForBeats(engine, 'dash', 5);
    await page.locator('[data-node="h1"] .containers li', { hasText: 'dash' }).waitFor({ timeout: 30_000 });
    await shot('map');
    await page.click('[data-tab="migrations"]');
    // The page records what its in-flight row shows at every change of the DOM: what the page
    // showed does not depend on how often this test looks (a screenshot can take seconds).
    await page.evaluate(recordInFlight, 'dash');
    const moving = migrate('dash', { strategy: 'precopy', cluster: clusterFile(stateDir), from: 'h1', to: 'h2' });
    let settled = false;
    void moving.finally(() => (settled = true)).catch(() => undefined);
    let shotTaken = false;
    while (!settled) {
      if (!shotTaken && (await shownSoFar()).phases.length >= 3) {
        await shot('migrations');
        shotTaken = true;
      }
      await sleep(100);
    }
    const report = await moving;
    assert.equal(report.outcome, 'migrated', JSON.stringify(report.error));
    const done = page.locator(`#ended [data-migration="${report.migrationId}"][data-outcome="migrated"]`);
    await done.waitFor({ timeout: 15_000 });
    const listed = await done.locator('.phases li').allInnerTexts();
    const { phases: seen, rounds: roundsSeen, etas, trail } = await shownSoFar();
    console.log(`# phases the page showed live: ${seen.join(' → ')}; its phase list: ${listed.join(' → ')}; frozen ${report.frozenMs} ms`);
    assert.ok(seen.length >= 2, `the page showed the migration in at least two phases while it ran (saw ${seen.join(', ')})`);
    console.log(`# while it ran, the page showed ${roundsSeen} pre-copy rounds (report: ${report.precopy?.rounds.length ?? 0}) and ${etas.length ? `${etas.length} ETAs from ${Math.max(...etas)} ms down to ${Math.min(...etas)} ms` : 'no ETA'}; the first copy (round 1) took ${report.precopy?.rounds[0]?.ms ?? '?'} ms`);
    console.log(`# the page's in-flight row: ${trail}`);
    assert.ok(roundsSeen >= 1, 'the page counted pre-copy rounds live');
    assert.ok(etas.length >= 1, `the page showed an ETA while the first copy (256 MiB) ran; it showed ${trail}`);
    assert.ok(listed.length >= 3 && listed.includes('done'), `phase by phase until it ended: ${listed.join(', ')}`);
    if (!shotTaken) await shot('migrations');

    await page.click('[data-tab="events"]');
    await ctl?.client.call('POST', '/v1/app-types/dashboard-test', { memory: 0.5, cpu: 0.3, network: 0.2 });
    const row2 = page.locator('tr[data-kind="app-type"]', { hasText: 'dashboard-test' });
    await row2.waitFor({ timeout: 15_000 });
    assert.match(await row2.locator('.reason').innerText(), /defined-by-user/);
    await shot('events');

    await page.click('[data-tab="plots"]');
    await page.locator(`#plot-frozen rect[data-migration="${report.migrationId}"]`).waitFor({ timeout: 10_000 });
    assert.ok(await page.locator('#plot-load path[data-series="h1"]').count() === 1);
    await shot('plots');

    await page.goto(`${ctl?.url ?? ''}/#migration/${encodeURIComponent(report.migrationId)}`);
    const mp = page.locator(`.migration-page[data-migration="${report.migrationId}"]`);
    await mp.waitFor({ timeout: 10_000 });
    const phaseBars = await mp.locator('#chart-phases rect[data-phase]').count();
    const parts = await mp.locator('#chart-frozen rect[data-part]').count();
    const rounds = await mp.locator('#chart-rounds rect[data-round]').count();
    console.log(`# migration page: ${phaseBars} phase bars, ${parts} frozen-time parts, ${rounds} round bars (report: ${report.precopy?.rounds.length ?? 0} rounds + final)`);
    assert.equal(phaseBars, report.phases.length);
    assert.equal(parts, 5);
    assert.equal(rounds, (report.precopy?.rounds.length ?? 0) + (report.precopy?.final ? 1 : 0));
    await shot('migration');

    await page.click('[data-tab="policy"]');
    await page.locator('#policies tr[data-policy="spread"].active').waitFor({ timeout: 10_000 });
    await page.locator('#app-types tr[data-app-type="dashboard-test"]').waitFor({ timeout: 10_000 });
    assert.equal(await page.locator('#policies tr[data-policy]').count(), 4);
    await shot('policy');
    await engine.removeContainer('dash').catch(() => undefined);
    await new DockerEngine(cluster.hosts[1]?.dockerSocket ?? '').removeContainer('dash').catch(() => undefined);
  });
});
