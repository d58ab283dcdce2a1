/**
 * The plan of the house, checked: no product file imports the tool wing (test bed, doctor,
 * workloads, benchmarks, demo, simulator, the project's Ceph), only composition roots import
 * src/cmd, and no source files import each other in a circle (tests may import anything). Reads every .ts file under src/ and dashboard/src; the specifiers
 * come from TypeScript's own pre-processor (static, type-only, re-exports and import()).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { buildGraph, importCircles, importsOfRoots, productToToolImports, type ImportGraph } from './core/import-graph.ts';

const repo = path.join(import.meta.dirname, '..');

function sourceFiles(folder: string): string[] {
  return readdirSync(path.join(repo, folder), { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts') && !e.name.endsWith('.d.ts'))
    .map((e) => path.relative(repo, path.join(e.parentPath, e.name)).split(path.sep).join('/'));
}

function readGraph(): ImportGraph {
  const specifiers = new Map<string, string[]>();
  for (const file of [...sourceFiles('src'), ...sourceFiles('dashboard/src')]) {
    const info = ts.preProcessFile(readFileSync(path.join(repo, file), 'utf8'), true, true);
    specifiers.set(file, info.importedFiles.map((f) => f.fileName));
  }
  return buildGraph(specifiers);
}

const graph = readGraph();

test('the product imports nothing from the tool wing', () => {
  const edges = productToToolImports(graph).map((e) => `${e.from} -> ${e.to}`);
  assert.deepEqual(edges, [], `product files import tools (move what both need down into the product):\n${edges.join('\n')}`);
});

test('nothing but another composition root imports one (src/cmd)', () => {
  const edges = importsOfRoots(graph).map((e) => `${e.from} -> ${e.to}`);
  assert.deepEqual(edges, [], `files import a composition root (move what they need out of src/cmd into the product):\n${edges.join('\n')}`);
});

test('no import circles', () => {
  const circles = importCircles(graph).map((c) => c.join(' <-> '));
  assert.deepEqual(circles, [], `import circles (move shared types into a file of their own):\n${circles.join('\n')}`);
});
