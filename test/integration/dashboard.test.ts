/**
 * @module test/integration/dashboard.test — the controller's web dashboard driven in Debian's
 * Chromium (playwright-core, `/usr/bin/chromium`, headless, never a downloaded browser)
 * against a real controller and a 2-host test bed (subnet 10.238.0): the page asks for the
 * cluster token and shows every node with its colour; a migration started with the CLI's
 * `migrate()` appears live, phase by phase, until it ends, and its page shows its report (time
 * per phase, the frozen time's parts, the pre-copy rounds); a new event appears in the log; the
 * policy page shows the active policy and the application types. From a host's namespace (outside
 * loopback) the controller's feed, API and /metrics refuse a request without the token.
 * Screenshots of each page go to $FERRY_DASHBOARD_SHOTS (default: the test bed's state dir).
 * Needs root, the `chromium` package (`ferry doctor --fix`) and a built dashboard
 * (`npm run build:dashboard`, which scripts/test.sh runs).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { chromium, type Browser, type Page } from 'playwright-core';
import { parseConfig } from '../../src/core/config.ts';
import { DockerEngine } from '../../src/adapters/docker/engine.ts';
import { testbedDown, testbedUp, readToken, bedCredentials, type Cluster, clusterFile } from '../../src/tools/testbed/index.ts';
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

/** Saves a screenshot of the current page. */
async function shot(name: string): Promise<void> {
  const file = path.join(shots, `dashboard-${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  console.log(`# screenshot ${file}`);
}

/** The HTTP status of a request made with curl from inside network namespace `netns`. */
function statusFrom(netns: string, url: string, authorization?: string): Promise<string> {
  const args = ['netns', 'exec', netns, 'curl', '-s', '-o', '/dev/null', '-w', '%{http_code}', '--max-time', '5', ...(authorization ? ['-H', `Authorization: ${authorization}`] : []), url];
  return new Promise((resolve, reject) => execFile('ip', args, { timeout: 10_000 }, (err, stdout) => {
    if (err && !stdout) reject(new Error(`curl in ${netns}: ${err.message}`));
    else resolve(String(stdout).trim());
  }));
}

before(async () => {
  assert.ok(existsSync(path.join(DASHBOARD_DIR, 'index.html')), 'the dashboard is built (npm run build:dashboard)');
  mkdirSync(shots, { recursive: true });
  cluster = await logs.watch(testbedUp({ config, log: () => undefined }));
  token = await readToken(cluster.tokenFile);
  ctl = await startControllerProcess({ clusterFile: clusterFile(stateDir), stateDir: path.join(stateDir, 'controller'), port: CONTROLLER_PORT, credentials: await bedCredentials(cluster), env: CONTROLLER_ENV, logFile: path.join(stateDir, 'controller.log'), policy: 'spread' });
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS });
  page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
}, LONG);

after(async () => {
  await browser?.close();
  if (ctl) await stopControllerProcess(ctl);
  await logs.keep();
  await testbedDown({ config, log: () => undefined });
}, LONG);

describe('the web dashboard in Chromium', () => {
  it('serves the page openly but its feed only with the token; shows every node with its colour', LONG, async () => {
    const base = `http://127.0.0.1:${CONTROLLER_PORT}`;
    assert.equal((await fetch(`${base}/v1/stream`)).status, 401);
    assert.equal((await fetch(`${base}/%2e%2e/package.json`)).status, 401, 'no file outside the dashboard');
    await page.goto(`${base}/#map`);
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

  it('from a host of the test bed (outside loopback), the feed, the API and /metrics refuse a request without the right token', LONG, async () => {
    const netns = cluster.hosts[0]?.netns ?? '';
    const outside = `http://${cluster.subnet}.1:${CONTROLLER_PORT}`;
    const seen: string[] = [];
    for (const [route, auth] of [['/v1/stream', undefined], ['/v1/stream', 'Bearer not-the-token'], ['/v1/nodes', undefined], ['/metrics', undefined]] as const) {
      const status = await statusFrom(netns, `${outside}${route}`, auth);
      seen.push(`${route}${auth ? ' (wrong token)' : ''}: ${status}`);
      assert.equal(status, '401', `${route} without the right token from ${netns}`);
    }
    assert.equal(await statusFrom(netns, `${outside}/v1/nodes`, `Bearer ${token}`), '200', 'reachable from there with the token');
    console.log(`# from ${netns}: ${seen.join(', ')}; /v1/nodes with the token: 200`);
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
    const row = page.locator('#in-flight [data-container="dash"]');
    const seen: string[] = [];
    let roundsSeen = 0;
    const etas: number[] = [];
    let shotTaken = false;
    const moving = migrate('dash', { strategy: 'precopy', cluster: clusterFile(stateDir), from: 'h1', to: 'h2' });
    let settled = false;
    void moving.finally(() => (settled = true)).catch(() => undefined);
    // Watch the page (not the API): the phases it shows while the migration runs.
    while (!settled) {
      const phase = await row.getAttribute('data-phase', { timeout: 200 }).catch(() => null);
      if (phase && seen.at(-1) !== phase) seen.push(phase);
      roundsSeen = Math.max(roundsSeen, Number(await row.getAttribute('data-rounds', { timeout: 200 }).catch(() => null) ?? 0));
      const eta = await row.getAttribute('data-eta', { timeout: 200 }).catch(() => null);
      if (eta !== null) etas.push(Number(eta));
      if (phase && !shotTaken && seen.length >= 3) {
        await shot('migrations');
        shotTaken = true;
      }
      await sleep(50);
    }
    const report = await moving;
    assert.equal(report.outcome, 'migrated', JSON.stringify(report.error));
    const done = page.locator(`#ended [data-migration="${report.migrationId}"][data-outcome="migrated"]`);
    await done.waitFor({ timeout: 15_000 });
    const listed = await done.locator('.phases li').allInnerTexts();
    console.log(`# phases the page showed live: ${seen.join(' → ')}; its phase list: ${listed.join(' → ')}; frozen ${report.frozenMs} ms`);
    assert.ok(seen.length >= 2, `the page showed the migration in at least two phases while it ran (saw ${seen.join(', ')})`);
    console.log(`# while it ran, the page showed ${roundsSeen} pre-copy rounds (report: ${report.precopy?.rounds.length ?? 0}) and ${etas.length ? `${etas.length} ETAs from ${Math.max(...etas)} ms down to ${Math.min(...etas)} ms` : 'no ETA'}; the first copy (round 1) took ${report.precopy?.rounds[0]?.ms ?? '?'} ms`);
    assert.ok(roundsSeen >= 1, 'the page counted pre-copy rounds live');
    assert.ok(etas.length >= 1, 'the page showed an ETA while the first copy (256 MiB) ran');
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

    await page.goto(`http://127.0.0.1:${CONTROLLER_PORT}/#migration/${encodeURIComponent(report.migrationId)}`);
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
