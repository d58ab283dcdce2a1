/**
 * @module domain/scheduler/node-index — node positions by name, so the scheduler finds the few nodes
 * a reservation book or an exclude set names by position, once per call, instead of looking
 * each of 10,000 names up per node. The index is built once and checked against each new
 * view (same names, same order: a cluster's views list their nodes alike).
 */
import type { ClusterView, NodeView } from './types.ts';

/** Node positions by name, and the names by position they were built from. */
interface Positions {
  nodes: readonly NodeView[];
  names: string[];
  first: Map<string, number>;
  more: Map<string, number[]> | undefined;
}

/** The last index built; views of one cluster list the same names in the same order, so it is checked, not rebuilt, for a new view. */
let cached: Positions | undefined;
const NONE: readonly number[] = Object.freeze([]);

/** Every position of the view's nodes called `name` (usually one; none when it is not in the view). */
export function positionsOf(view: ClusterView, name: string): readonly number[] {
  const nodes = view.nodes;
  let p = cached;
  if (p === undefined || (p.nodes !== nodes && !sameNames(p.names, nodes))) p = build(nodes);
  p.nodes = nodes;
  let at = p.first.get(name);
  // A node replaced in place under another name: rebuild.
  if (at !== undefined && nodes[at]?.name !== name) {
    p = build(nodes);
    at = p.first.get(name);
  }
  if (at === undefined) return NONE;
  return p.more?.get(name) ?? [at];
}

/** True when `nodes` lists exactly `names`, in order. */
function sameNames(names: readonly string[], nodes: readonly NodeView[]): boolean {
  if (names.length !== nodes.length) return false;
  for (let i = 0; i < names.length; i++) if (nodes[i]!.name !== names[i]) return false;
  return true;
}

function build(nodes: readonly NodeView[]): Positions {
  const names: string[] = [];
  const first = new Map<string, number>();
  let more: Map<string, number[]> | undefined;
  for (let i = 0; i < nodes.length; i++) {
    const name = nodes[i]!.name;
    names.push(name);
    const at = first.get(name);
    if (at === undefined) first.set(name, i);
    else {
      more ??= new Map();
      const list = more.get(name) ?? [at];
      list.push(i);
      more.set(name, list);
    }
  }
  return (cached = { nodes, names, first, more });
}
