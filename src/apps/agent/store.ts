/**
 * @module apps/agent/store — the agent's object store, opened on first use (an agent whose store
 * is not configured or not reachable still migrates by the other strategies) and then
 * shared by pre-stored migrations and protections.
 */
import type { Config } from '../../core/config.ts';
import type { ObjectStore } from '../../adapters/object-store/object-store.ts';
import { openStore } from '../../adapters/object-store/open-store.ts';

/** A function that opens the configured store once and returns it from then on (a failed open is retried next time). */
export function agentStore(config: Config['store']): () => Promise<ObjectStore> {
  let opened: Promise<ObjectStore> | undefined;
  return () => {
    opened ??= openStore(config).then(async (store) => {
      await store.check();
      return store;
    });
    opened.catch(() => (opened = undefined));
    return opened;
  };
}
