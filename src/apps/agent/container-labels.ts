/** @module apps/agent/container-labels — how the agent names a container of the engine and which of its labels it reports. */
import type { ContainerSummary } from '../../adapters/docker/types.ts';

/** The ferry.* labels of a container (the others are the image's or the user's business). */
export function ferryLabels(labels: Record<string, string> | null | undefined): Record<string, string> {
  return Object.fromEntries(Object.entries(labels ?? {}).filter(([k]) => k.startsWith('ferry.')));
}

/** The container's name without the engine's leading slash. */
export function containerName(c: Pick<ContainerSummary, 'Names' | 'Id'>): string {
  return (c.Names[0] ?? c.Id).replace(/^\//, '');
}
