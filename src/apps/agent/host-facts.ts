/** @module apps/agent/host-facts — what an agent reports of its host: engine, CRIU, room. */
import type { Engine } from '../../adapters/docker/engine-port.ts';
import { capacity, type Capacity } from '../../adapters/host/capacity.ts';
import type { CriuFacts } from '../../adapters/host/criu.ts';

/** The facts of one host. */
export interface HostFacts {
  name: string;
  docker: { version: string; dataRoot: string; driver: string; experimental: boolean };
  criu: CriuFacts;
  dirtyTracking: 'soft-dirty' | 'content-hash';
  capacity: Capacity;
}

/** Gathers the facts. */
export async function hostFacts(name: string, engine: Engine, criu: () => Promise<CriuFacts>): Promise<HostFacts> {
  const info = await engine.info();
  const c = await criu();
  return {
    name,
    docker: { version: info.ServerVersion, dataRoot: info.DockerRootDir, driver: info.Driver, experimental: info.ExperimentalBuild },
    criu: c,
    dirtyTracking: c.memDirtyTrack ? 'soft-dirty' : 'content-hash',
    capacity: await capacity(info.DockerRootDir),
  };
}

/** Caches an async probe for `ttlMs`. */
export function cached<T>(probe: () => Promise<T>, ttlMs: number): () => Promise<T> {
  let value: { at: number; p: Promise<T> } | undefined;
  return () => {
    if (!value || Date.now() - value.at > ttlMs) value = { at: Date.now(), p: probe() };
    return value.p;
  };
}
