import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { NO_PNG_WARNING, writeSimReport } from './write.ts';
import { SIM_FIXTURE } from './fixture.test-data.ts';

function tempDir(): string {
  return mkdtempSync(path.join(os.tmpdir(), 'ferry-sim-report-'));
}

test('writes the JSON, the markdown, each chart as SVG and a PNG beside each the converter makes', async () => {
  const dir = path.join(tempDir(), 'out');
  try {
    const asked: string[][] = [];
    const written = await writeSimReport(dir, 'tiny', SIM_FIXTURE, (svg, png) => {
      asked.push([path.basename(svg), path.basename(png)]);
      writeFileSync(png, 'png');
      return Promise.resolve(true);
    });
    assert.deepEqual(written.map((f) => path.relative(dir, f)), [
      'tiny.json', 'tiny.md',
      'tiny-active-hosts.svg', 'tiny-active-hosts.png',
      'tiny-energy.svg', 'tiny-energy.png',
      'tiny-migrations.svg', 'tiny-migrations.png',
    ]);
    assert.deepEqual(asked, [['tiny-active-hosts.svg', 'tiny-active-hosts.png'], ['tiny-energy.svg', 'tiny-energy.png'], ['tiny-migrations.svg', 'tiny-migrations.png']]);
    const json = readFileSync(path.join(dir, 'tiny.json'), 'utf8');
    assert.match(json, /^\{\n {2}"kind": "ferry-sim",/);
    assert.deepEqual(JSON.parse(json), SIM_FIXTURE, 'the whole report, timelines included');
    assert.match(readFileSync(path.join(dir, 'tiny.md'), 'utf8'), /^# ferry sim: tiny\n/);
    assert.match(readFileSync(path.join(dir, 'tiny-energy.svg'), 'utf8'), /^<\?xml/);
  } finally {
    rmSync(path.dirname(dir), { recursive: true, force: true });
  }
});

test('without a converter only the SVGs are written, and a warning names the missing PNGs', async () => {
  const dir = tempDir();
  try {
    const warned = once(process, 'warning');
    const written = await writeSimReport(dir, 'noconv', SIM_FIXTURE, () => Promise.resolve(false));
    assert.deepEqual(written.map((f) => path.basename(f)), ['noconv.json', 'noconv.md', 'noconv-active-hosts.svg', 'noconv-energy.svg', 'noconv-migrations.svg']);
    assert.deepEqual(readdirSync(dir).sort(), ['noconv-active-hosts.svg', 'noconv-energy.svg', 'noconv-migrations.svg', 'noconv.json', 'noconv.md']);
    const [warning] = (await warned) as [Error & { code?: string }];
    assert.equal(warning.code, NO_PNG_WARNING);
    assert.match(warning.message, /noconv-active-hosts\.png, noconv-energy\.png, noconv-migrations\.png/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a rerun keeps the numbers of the report it replaces, of the same scenario only', async () => {
  const dir = tempDir();
  try {
    const noPng = () => Promise.resolve(true);
    await writeSimReport(dir, 'tiny', SIM_FIXTURE, noPng);
    const rerun = { ...SIM_FIXTURE, startedAt: '2026-12-06T12:00:00.000Z', perPolicy: { elastic: { migrations: 3 } } };
    await writeSimReport(dir, 'tiny', { ...rerun, perPolicy: {} }, noPng);
    const second = JSON.parse(readFileSync(path.join(dir, 'tiny.json'), 'utf8')) as typeof SIM_FIXTURE;
    assert.deepEqual(second.previous, { startedAt: SIM_FIXTURE.startedAt, perPolicy: {} });
    await writeSimReport(dir, 'tiny', rerun, noPng);
    await writeSimReport(dir, 'tiny', rerun, noPng);
    const fourth = JSON.parse(readFileSync(path.join(dir, 'tiny.json'), 'utf8')) as typeof SIM_FIXTURE;
    assert.deepEqual(fourth.previous, { startedAt: rerun.startedAt, perPolicy: { elastic: { migrations: 3 } } });
    assert.match(readFileSync(path.join(dir, 'tiny.md'), 'utf8'), /## Against the previous run\n\nThe report this one replaced: run 2026-12-06T12:00:00\.000Z/);
    await writeSimReport(dir, 'tiny', { ...SIM_FIXTURE, scenario: 'other' }, noPng);
    assert.equal((JSON.parse(readFileSync(path.join(dir, 'tiny.json'), 'utf8')) as typeof SIM_FIXTURE).previous, undefined, 'another scenario under the same name');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
