/**
 * @module core/import-graph — the project's plan as data: which layer a source file is in,
 * where a relative import lands, which product imports reach into the tool wing, which files
 * below the composition roots import one, and which files import each other in a circle (Tarjan's strongly connected components). Pure: the
 * caller reads the files and extracts the specifiers (architecture.test.ts).
 */

/** Tool folders: they may import the product; the product never imports them. */
export const TOOL_FOLDERS: readonly string[] = [
  'src/testbed/', 'src/doctor/', 'src/workloads/', 'src/bench/', 'src/demo/', 'src/sim/', 'src/storage/',
];

/** Composition roots of the binaries: they may import anything. */
export const ROOT_FOLDERS: readonly string[] = ['src/cmd/'];

/** The layer a file belongs to, for the rule "the product imports no tool". */
export type Layer = 'test' | 'root' | 'tool' | 'product';

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

/** The layer of a repository-relative path. */
export function layerOf(path: string): Layer {
  if (isTestFile(path)) return 'test';
  if (ROOT_FOLDERS.some((f) => path.startsWith(f))) return 'root';
  if (TOOL_FOLDERS.some((f) => path.startsWith(f))) return 'tool';
  return 'product';
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

/** Imports from a product file into a tool folder, sorted. */
export function productToToolImports(graph: ImportGraph): ImportEdge[] {
  return edgesWhere(graph, (from, to) => layerOf(from) === 'product' && layerOf(to) === 'tool');
}

/** The edges of the graph that `forbidden` picks, sorted. */
function edgesWhere(graph: ImportGraph, forbidden: (from: string, to: string) => boolean): ImportEdge[] {
  const edges: ImportEdge[] = [];
  for (const [from, targets] of graph) for (const to of targets) if (forbidden(from, to)) edges.push({ from, to });
  return edges.sort((a, b) => `${a.from} ${a.to}`.localeCompare(`${b.from} ${b.to}`));
}

/** Imports of a composition root (src/cmd) from anything but another root or a test, sorted: roots sit above every folder. */
export function importsOfRoots(graph: ImportGraph): ImportEdge[] {
  return edgesWhere(graph, (from, to) => layerOf(to) === 'root' && layerOf(from) !== 'root' && layerOf(from) !== 'test');
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
