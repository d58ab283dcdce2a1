import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildGraph, importCircles, impureImports, isTestFile, layerOf, plannedFolders, resolveImport, upwardImports } from './import-graph.ts';

test('layers: each folder\'s, tests apart, nothing outside', () => {
  assert.equal(layerOf('src/tools/testbed/up.ts'), 'tools');
  assert.equal(layerOf('src/cmd/ferry/main.ts'), 'cmd');
  assert.equal(layerOf('src/adapters/object-store/s3-store.ts'), 'adapters');
  assert.equal(layerOf('src/domain/scheduler/schedule.ts'), 'domain');
  assert.equal(layerOf('dashboard/src/main.ts'), 'apps');
  assert.equal(layerOf('src/architecture.ts'), undefined);
  for (const f of ['src/a/x.test.ts', 'src/a/x.test-data.ts', 'src/a/x.test-support.ts', 'src/a/test-support.ts', 'src/a/node-port.conformance.ts']) {
    assert.ok(isTestFile(f), f);
    assert.equal(layerOf(f), 'test');
  }
  assert.equal(isTestFile('src/adapters/object-store/conformance.ts'), false);
});

test('relative specifiers resolve to listed files; packages and other files do not', () => {
  const files = new Set(['src/a/x.ts', 'src/b/index.ts', 'src/b/y.ts']);
  assert.equal(resolveImport('src/a/x.ts', '../b/y.ts', files), 'src/b/y.ts');
  assert.equal(resolveImport('src/a/x.ts', '../b', files), 'src/b/index.ts');
  assert.equal(resolveImport('src/b/y.ts', './index.ts', files), 'src/b/index.ts');
  assert.equal(resolveImport('src/a/x.ts', 'node:fs', files), undefined);
  assert.equal(resolveImport('src/a/x.ts', 'zod', files), undefined);
  assert.equal(resolveImport('src/a/x.ts', './style.css', files), undefined);
});

test('an import into a higher layer is reported: the product into a tool, a tool into a root, an adapter into a service; tests and roots may', () => {
  const graph = buildGraph(new Map([
    ['src/apps/agent/a.ts', ['../../tools/testbed/t.ts', '../../core/c.ts']],
    ['src/tools/testbed/t.ts', ['../../apps/agent/a.ts', '../../cmd/m.ts']],
    ['src/cmd/m.ts', ['../tools/testbed/t.ts']],
    ['src/apps/agent/a.test.ts', ['../../tools/testbed/t.ts']],
    ['src/adapters/host/h.ts', ['../../services/migration/s.ts']],
    ['src/services/migration/s.ts', ['../../adapters/host/h.ts']],
    ['src/core/c.ts', []],
  ]));
  assert.deepEqual(upwardImports(graph), [
    { from: 'src/adapters/host/h.ts', to: 'src/services/migration/s.ts' },
    { from: 'src/apps/agent/a.ts', to: 'src/tools/testbed/t.ts' },
    { from: 'src/tools/testbed/t.ts', to: 'src/cmd/m.ts' },
  ]);
});

test('domain files may not import I/O modules; other layers may', () => {
  assert.deepEqual(impureImports('src/domain/scheduler/x.ts', ['node:crypto', 'node:fs/promises', 'zod', 'node:child_process']), ['node:fs/promises', 'node:child_process']);
  assert.deepEqual(impureImports('src/adapters/host/x.ts', ['node:fs']), []);
});

test('the planned folders: each layer and its first-level folders', () => {
  assert.deepEqual(plannedFolders(['src/core/errors.ts', 'src/domain/scheduler/plugins/x.ts', 'src/cmd/ferry/main.ts', 'dashboard/src/main.ts', 'src/architecture.test.ts']),
    ['dashboard/src/', 'src/cmd/', 'src/core/', 'src/domain/scheduler/']);
});

test('circles: each strongly connected component once, tests left out, self-imports count', () => {
  const graph = buildGraph(new Map([
    ['src/w/a.ts', ['./b.ts']],
    ['src/w/b.ts', ['./c.ts', './d.ts']],
    ['src/w/c.ts', ['./a.ts']],
    ['src/w/d.ts', ['./e.ts']],
    ['src/w/e.ts', ['./d.ts']],
    ['src/w/f.ts', ['./f.ts']],
    ['src/w/g.ts', ['./a.ts', './g.test.ts']],
    ['src/w/g.test.ts', ['./g.ts']],
  ]));
  assert.deepEqual(importCircles(graph), [
    ['src/w/a.ts', 'src/w/b.ts', 'src/w/c.ts'],
    ['src/w/d.ts', 'src/w/e.ts'],
    ['src/w/f.ts'],
  ]);
  assert.deepEqual(importCircles(buildGraph(new Map([['src/x.ts', ['./y.ts']], ['src/y.ts', []]]))), []);
});
