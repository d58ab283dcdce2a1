/** @module services/protect/point-deps — what taking a protection point needs from the agent (shared by the point and its frozen capture). */
import type { Config } from '../../core/config.ts';
import type { Engine } from '../../adapters/docker/engine-port.ts';
import type { ObjectStore } from '../../adapters/object-store/object-store.ts';

/** What taking a point needs from the agent. */
export interface PointDeps {
  engine: Engine;
  store: ObjectStore;
  config: Config;
  /** The agent's state directory (the dump is written below it, then deleted). */
  stateDir: string;
  /** The engine's data root (where a Docker-API checkpoint lands). */
  dataRoot: string;
}
