import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildGraph, importCircles, importsOfRoots, isTestFile, layerOf, productToToolImports, resolveImport } from './import-graph.ts';

test('layers: tools, roots, tests and the product', () => {
  assert.equal(layerOf('src/testbed/up.ts'), 'tool');
  assert.equal(layerOf('src/storage/ceph/plan.ts'), 'tool');
  assert.equal(layerOf('src/cmd/ferry/main.ts'), 'root');
  assert.equal(layerOf('src/store/s3-store.ts'), 'product');
  assert.equal(layerOf('dashboard/src/main.ts'), 'product');
  for (const f of ['src/a/x.test.ts', 'src/a/x.test-data.ts', 'src/a/x.test-support.ts', 'src/a/test-support.ts', 'src/a/node-port.conformance.ts']) {
    assert.ok(isTestFile(f), f);
    assert.equal(layerOf(f), 'test');
  }
  assert.equal(isTestFile('src/store/conformance.ts'), false);
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

test('a product file importing a tool is reported; tools, roots and tests may import anything', () => {
  const graph = buildGraph(new Map([
    ['src/agent/a.ts', ['../testbed/t.ts', '../core/c.ts']],
    ['src/testbed/t.ts', ['../agent/a.ts']],
    ['src/cmd/m.ts', ['../testbed/t.ts']],
    ['src/agent/a.test.ts', ['../testbed/t.ts']],
    ['src/core/c.ts', []],
  ]));
  assert.deepEqual(productToToolImports(graph), [{ from: 'src/agent/a.ts', to: 'src/testbed/t.ts' }]);
});

test('only roots and tests import a composition root', () => {
  const graph = buildGraph(new Map([
    ['src/cmd/a.ts', ['./b.ts']],
    ['src/cmd/b.ts', []],
    ['src/bench/x.ts', ['../cmd/b.ts']],
    ['src/cli/y.ts', ['../cmd/b.ts']],
    ['src/cli/y.test.ts', ['../cmd/a.ts']],
  ]));
  assert.deepEqual(importsOfRoots(graph), [{ from: 'src/bench/x.ts', to: 'src/cmd/b.ts' }, { from: 'src/cli/y.ts', to: 'src/cmd/b.ts' }]);
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
