/**
 * The plan of the house, checked: every file imports only its own layer and those below
 * (core, domain, adapters, services, apps, tools, cmd; so the product never imports the tool
 * wing and only a composition root imports src/cmd), domain files import no I/O, no source
 * files import each other in a circle (tests may import anything), and docs/ARCHITECTURE.md's
 * opening table names every folder. Reads every .ts file under src/ and dashboard/src; the
 * specifiers come from TypeScript's own pre-processor (static, type-only, re-exports and import()).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { buildGraph, importCircles, impureImports, plannedFolders, upwardImports } from './core/import-graph.ts';
import { repoRoot } from './core/paths.ts';

const repo = repoRoot();

function sourceFiles(folder: string): string[] {
  return readdirSync(path.join(repo, folder), { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts') && !e.name.endsWith('.d.ts'))
    .map((e) => path.relative(repo, path.join(e.parentPath, e.name)).split(path.sep).join('/'));
}

const specifiers = new Map<string, string[]>();
for (const file of [...sourceFiles('src'), ...sourceFiles('dashboard/src')]) {
  const info = ts.preProcessFile(readFileSync(path.join(repo, file), 'utf8'), true, true);
  specifiers.set(file, info.importedFiles.map((f) => f.fileName));
}
const graph = buildGraph(specifiers);

test('every import stays in its layer or goes down (the product never imports the tool wing; only roots import src/cmd)', () => {
  const edges = upwardImports(graph).map((e) => `${e.from} -> ${e.to}`);
  assert.deepEqual(edges, [], `imports reach a higher layer (move what both need down):\n${edges.join('\n')}`);
});

test('domain files are pure: no file, process, socket, timer or stream module', () => {
  const found = [...specifiers].flatMap(([file, specs]) => impureImports(file, specs).map((s) => `${file} imports ${s}`));
  assert.deepEqual(found, [], `I/O in the domain layer (move the file to an adapter or a service):\n${found.join('\n')}`);
});

test('no import circles', () => {
  const circles = importCircles(graph).map((c) => c.join(' <-> '));
  assert.deepEqual(circles, [], `import circles (move shared types into a file of their own):\n${circles.join('\n')}`);
});

test('docs/ARCHITECTURE.md opens with a table of the layers that names every folder', () => {
  const doc = readFileSync(path.join(repo, 'docs', 'ARCHITECTURE.md'), 'utf8');
  const table = /^\|.*\n\|[-| ]+\n(?:\|.*\n)+/m.exec(doc);
  const second = doc.indexOf('\n## ', doc.indexOf('\n## ') + 1);
  assert.ok(table && table.index < second, 'the first section of docs/ARCHITECTURE.md has a table');
  const missing = plannedFolders(specifiers.keys()).filter((f) => !table[0].includes(`\`${f}\``));
  assert.deepEqual(missing, [], `folders missing from the layer table of docs/ARCHITECTURE.md:\n${missing.join('\n')}`);
});
