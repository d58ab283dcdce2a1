/**
 * @module adapters/docker/thaw — unpausing a container that CRIU dumped. A CRIU that failed midway
 * thaws the cgroup it froze while Docker still records the container as paused; `docker
 * unpause` then fails with "container not paused" for ever. runc freezes it again, so that
 * Docker's unpause succeeds and its state matches the processes (a moment of freeze).
 */
import { log } from '../../core/events.ts';
import { runcPause } from '../host/runc.ts';
import type { Engine } from './engine-port.ts';

/** Unpauses `id`; returns true when Docker's paused state had to be brought back in step first. */
export async function thawAfterDump(engine: Engine, runc: { runcRoot: string; timeoutMs: number }, id: string): Promise<boolean> {
  try {
    await engine.unpause(id);
    return false;
  } catch (err) {
    if (!/not paused/i.test(String((err as Error).message))) throw err;
    log('warn', 'the container was thawed behind Docker\'s back (CRIU failed midway); re-freezing through runc so Docker can unpause it', { container: id });
    await runcPause({ runcRoot: runc.runcRoot, containerId: id, timeoutMs: runc.timeoutMs });
    await engine.unpause(id);
    return true;
  }
}
