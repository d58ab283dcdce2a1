/**
 * @module core/import-graph — the project's plan as data: the layers and their folders, which
 * layer a source file is in, where a relative import lands, which imports reach a higher layer,
 * which pure files import I/O, and which files import each other in a circle (Tarjan's
 * strongly connected components). Pure: the caller reads the files and extracts the
 * specifiers (architecture.test.ts).
 */

/**
 * The layers, bottom up, and the folders of each. A file imports its own layer and those
 * below, never one above: the product (core to apps) never imports the tool wing, and only a
 * composition root imports one. The dashboard's page is an app of its own.
 */
export const LAYERS = [
  { name: 'core', folders: ['src/core/'], what: 'configuration, errors, events, the plan itself: imported by everything' },
  { name: 'domain', folders: ['src/domain/'], what: 'pure logic: no I/O, imports only core and domain' },
  { name: 'adapters', folders: ['src/adapters/'], what: 'the outside world behind small interfaces: Docker, the host (CRIU, runc, /proc, nftables), process memory, the data link, object stores, the HTTP control API' },
  { name: 'services', folders: ['src/services/'], what: 'what ferry does, composed from the domain and the adapters: migration, pre-storage, protection, metrics' },
  { name: 'apps', folders: ['src/apps/', 'dashboard/src/'], what: 'the agent, the controller, the CLI\'s client code and the dashboard: services behind routes' },
  { name: 'tools', folders: ['src/tools/'], what: 'the tool wing: test bed, doctor, workloads, benchmarks, demo, simulator, the project\'s Ceph' },
  { name: 'cmd', folders: ['src/cmd/'], what: 'composition roots of the binaries: they may import anything' },
] as const;

/** A layer's name. */
export type LayerName = (typeof LAYERS)[number]['name'];

/** The layer a file belongs to: 'test' for tests and test support (they may import anything), undefined outside the layers. */
export type Layer = LayerName | 'test';

/** Files a file imports, both as repository-relative posix paths. */
export type ImportGraph = ReadonlyMap<string, readonly string[]>;

/** One import that breaks a rule. */
export interface ImportEdge {
  from: string;
  to: string;
}

const TEST_FILE = /(\.test\.ts|\.test-data\.ts|\.test-support\.ts|(^|\/)test-support\.ts|\.conformance\.ts)$/;

/** Whether a file is a test or test support (they may import anything and are left out of the circle check). */
export function isTestFile(path: string): boolean {
  return TEST_FILE.test(path);
}

/** The layer of a repository-relative path, undefined for a file outside every layer's folders. */
export function layerOf(path: string): Layer | undefined {
  if (isTestFile(path)) return 'test';
  return LAYERS.find((l) => l.folders.some((f) => path.startsWith(f)))?.name;
}

/** A layer's height (core 0); undefined for tests and files outside the layers. */
export function rankOf(path: string): number | undefined {
  const layer = layerOf(path);
  const rank = LAYERS.findIndex((l) => l.name === layer);
  return rank < 0 ? undefined : rank;
}

/** Layer folders made of packages, one folder each (the rest, core, cmd and the dashboard, are one package). */
const GROUPING: ReadonlySet<string> = new Set(['src/domain/', 'src/adapters/', 'src/services/', 'src/apps/', 'src/tools/']);

/** The folders the plan names: each layer's folders and, under them, every first-level folder of `files` (e.g. src/services/migration/). */
export function plannedFolders(files: Iterable<string>): string[] {
  const out = new Set<string>();
  for (const f of files) {
    const layer = LAYERS.flatMap((l) => l.folders).find((folder) => f.startsWith(folder));
    if (!layer) continue;
    const rest = f.slice(layer.length).split('/');
    out.add(rest.length > 1 && GROUPING.has(layer) ? `${layer}${rest[0]}/` : layer);
  }
  return [...out].sort();
}

/** node: modules a pure (domain) file must not import: files, processes, sockets, timers, streams. */
const IO_MODULES = /^node:(fs|fs\/promises|child_process|net|http|https|http2|dgram|dns|os|tls|worker_threads|cluster|timers|timers\/promises|stream|stream\/promises|readline|process|inspector|v8|vm)$/;

/** The I/O modules among a domain file's specifiers, or none for any other file. */
export function impureImports(path: string, specifiers: readonly string[]): string[] {
  return layerOf(path) === 'domain' ? specifiers.filter((s) => IO_MODULES.test(s)) : [];
}

/** Joins a relative specifier onto the importing file's folder (posix, `.` and `..` folded). */
export function joinRelative(from: string, specifier: string): string {
  const parts = from.split('/').slice(0, -1);
  for (const part of specifier.split('/')) {
    if (part === '..') parts.pop();
    else if (part !== '.' && part !== '') parts.push(part);
  }
  return parts.join('/');
}

/**
 * The file a specifier names, among `files`; undefined for a package, a node: builtin or a
 * file that is not source code (a stylesheet).
 */
export function resolveImport(from: string, specifier: string, files: ReadonlySet<string>): string | undefined {
  if (!specifier.startsWith('./') && !specifier.startsWith('../')) return undefined;
  const joined = joinRelative(from, specifier);
  return [joined, `${joined}.ts`, `${joined}/index.ts`].find((candidate) => files.has(candidate));
}

/** Builds the graph from each file's import specifiers, keeping only imports that land on a listed file. */
export function buildGraph(specifiers: ReadonlyMap<string, readonly string[]>): ImportGraph {
  const files = new Set(specifiers.keys());
  const graph = new Map<string, string[]>();
  for (const [from, specs] of specifiers) {
    const targets = specs.map((s) => resolveImport(from, s, files)).filter((t): t is string => t !== undefined);
    graph.set(from, [...new Set(targets)]);
  }
  return graph;
}

/** Imports that reach a higher layer (the product into the tools, anything but a root into src/cmd, an adapter into a service...), sorted. */
export function upwardImports(graph: ImportGraph): ImportEdge[] {
  return edgesWhere(graph, (from, to) => {
    const a = rankOf(from);
    const b = rankOf(to);
    return a !== undefined && b !== undefined && b > a;
  });
}

/** The edges of the graph that `forbidden` picks, sorted. */
function edgesWhere(graph: ImportGraph, forbidden: (from: string, to: string) => boolean): ImportEdge[] {
  const edges: ImportEdge[] = [];
  for (const [from, targets] of graph) for (const to of targets) if (forbidden(from, to)) edges.push({ from, to });
  return edges.sort((a, b) => `${a.from} ${a.to}`.localeCompare(`${b.from} ${b.to}`));
}

/**
 * Import circles among non-test files: every strongly connected component of more than one
 * file (or a file that imports itself), each as its sorted files, the list sorted.
 */
export function importCircles(graph: ImportGraph): string[][] {
  const nodes = [...graph.keys()].filter((f) => !isTestFile(f)).sort();
  const inGraph = new Set(nodes);
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const circles: string[][] = [];
  let next = 0;

  const visit = (v: string): void => {
    index.set(v, next);
    low.set(v, next);
    next += 1;
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!inGraph.has(w)) continue;
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, index.get(w)!));
      }
    }
    if (low.get(v) !== index.get(v)) return;
    const component: string[] = [];
    let w: string;
    do {
      w = stack.pop()!;
      onStack.delete(w);
      component.push(w);
    } while (w !== v);
    if (component.length > 1 || (graph.get(v) ?? []).includes(v)) circles.push(component.sort());
  };

  for (const v of nodes) if (!index.has(v)) visit(v);
  return circles.sort((a, b) => a[0]!.localeCompare(b[0]!));
}
