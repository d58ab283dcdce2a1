/**
 * @module apps/agent/power — the node's power state (awake or sleeping), persisted in the agent's
 * state directory so that a restarted agent stays asleep, and the two transitions: sleep
 * (refused while the node is busy; stops the engine-backed services, then runs the power hook
 * with `off`) and wake (the hook with `on`, waits for the engine, starts the services). Both
 * are idempotent and run one at a time. It is also the gate the route table puts in front of
 * every route that needs the engine.
 */
import { readFile, rename, writeFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { FerryError } from '../../core/errors.ts';
import { log } from '../../core/events.ts';
import { run, type RunResult } from '../../adapters/host/run.ts';
import type { PowerState } from './metrics-protocol.ts';
import type { AwakeGate } from './sleep-guard.ts';

/** How long the power hook may run, in ms. */
const HOOK_TIMEOUT_MS = 120_000;
/** How long wake waits for the engine to answer after the hook, in ms. */
const WAKE_TIMEOUT_MS = 60_000;

/** What the power switch acts on. */
export interface PowerDeps {
  /** The JSON file that keeps the state. */
  file: string;
  /** The hook's argv; `off` or `on` is appended. Absent: the node cannot be put to sleep. */
  hook: readonly string[] | undefined;
  /** True when the engine answers. */
  ping: () => Promise<boolean>;
  /** Why the node cannot sleep now (containers, migrations), or undefined. */
  busy: () => Promise<string | undefined>;
  /** Stops the engine-backed services (before the engine goes down). */
  down: () => Promise<void>;
  /** Starts the engine-backed services (once the engine answers). */
  up: () => Promise<void>;
  /** Runs the hook (tests replace it). */
  runHook?: (argv: readonly string[]) => Promise<RunResult>;
  wakeTimeoutMs?: number;
}

/** Reads the persisted state; no file (or an unreadable one) means awake. */
export async function readPowerState(file: string): Promise<PowerState> {
  try {
    const saved = JSON.parse(await readFile(file, 'utf8')) as { state?: unknown };
    return saved.state === 'sleeping' ? 'sleeping' : 'awake';
  } catch {
    return 'awake';
  }
}

/** Writes the state atomically (a crash leaves the old file or the new one). */
async function writePowerState(file: string, state: PowerState): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const tmp = `${file}.tmp`;
  await writeFile(tmp, `${JSON.stringify({ state, at: Date.now() })}\n`);
  await rename(tmp, file);
}

/** The node's power state and its transitions. */
export class PowerSwitch implements AwakeGate {
  private readonly deps: PowerDeps;
  private current: PowerState;
  private changing = false;
  private inflight = 0;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(deps: PowerDeps, initial: PowerState) {
    this.deps = deps;
    this.current = initial;
  }

  /** The state reached (a transition changes it only once it has finished). */
  get state(): PowerState {
    return this.current;
  }

  /** True while engine work is served: awake and not changing state. */
  get awake(): boolean {
    return this.current === 'awake' && !this.changing;
  }

  /** Admits one request that needs the engine; refuses it while asleep or changing state. */
  enter(): () => void {
    if (!this.awake) {
      throw new FerryError('FERRY_ERR_NODE_ASLEEP', this.current === 'sleeping' ? 'this node is asleep (its engine is powered down)' : 'this node is going to sleep');
    }
    this.inflight++;
    let left = false;
    return () => {
      if (!left) this.inflight--;
      left = true;
    };
  }

  /** Puts the node to sleep: refused while it is busy or has no power hook. */
  sleep(): Promise<PowerState> {
    return this.serially(async (): Promise<PowerState> => {
      if (this.current === 'sleeping') return 'sleeping';
      const hook = this.deps.hook;
      if (!hook) throw new FerryError('FERRY_ERR_CONFIG', 'this agent has no power hook, so its node cannot sleep: start it with --power-hook \'["/path/to/hook"]\' (the agent appends off or on)');
      this.changing = true; // no new engine work from here on
      try {
        const why = this.inflight > 0 ? `${this.inflight} request(s) to its engine are in progress` : await this.deps.busy();
        if (why) throw new FerryError('FERRY_ERR_NODE_BUSY', `this node cannot sleep: ${why}`);
        // Written first: an agent that dies from here on restarts asleep, and a wake (the hook's `on`) sets things right whatever the engine's state.
        await writePowerState(this.deps.file, 'sleeping');
        try {
          await this.deps.down();
          await this.hook(hook, 'off');
        } catch (err) {
          await writePowerState(this.deps.file, 'awake');
          await this.deps.up().catch((e: unknown) => log('error', 'services did not come back after a failed sleep', { err: String(e) }));
          throw err;
        }
        this.current = 'sleeping';
        log('info', 'node asleep');
        return 'sleeping';
      } finally {
        this.changing = false;
      }
    });
  }

  /** Wakes the node: powers its engine up, waits until it answers, starts the services. */
  wake(): Promise<PowerState> {
    return this.serially(async (): Promise<PowerState> => {
      if (this.current === 'awake') return 'awake';
      this.changing = true;
      try {
        if (this.deps.hook) await this.hook(this.deps.hook, 'on');
        else if (!(await this.deps.ping())) throw new FerryError('FERRY_ERR_CONFIG', 'this agent has no power hook to wake its engine, and the engine does not answer: start the engine, or restart the agent with --power-hook');
        await this.waitForEngine();
        await this.deps.up();
        await writePowerState(this.deps.file, 'awake');
        this.current = 'awake';
        log('info', 'node awake');
        return 'awake';
      } finally {
        this.changing = false;
      }
    });
  }

  /** Runs the hook with `off` or `on`; a failure names the hook, its exit and its stderr. */
  private async hook(argv: readonly string[], word: 'off' | 'on'): Promise<void> {
    const [file, ...args] = argv;
    const runHook = this.deps.runHook ?? ((a: readonly string[]) => run(a[0] ?? '', a.slice(1), { timeoutMs: HOOK_TIMEOUT_MS }));
    const r = await runHook([file ?? '', ...args, word]);
    if (r.code !== 0 || r.failure) {
      throw new FerryError('FERRY_ERR_DOCKER', `the power hook ${JSON.stringify([...argv, word])} failed (${r.failure ?? `exit ${r.code}`}): ${r.stderr.trim().slice(-500)}`);
    }
  }

  private async waitForEngine(): Promise<void> {
    const until = Date.now() + (this.deps.wakeTimeoutMs ?? WAKE_TIMEOUT_MS);
    while (!(await this.deps.ping())) {
      if (Date.now() > until) throw new FerryError('FERRY_ERR_DOCKER', `the engine did not answer within ${this.deps.wakeTimeoutMs ?? WAKE_TIMEOUT_MS} ms of waking`);
      await sleep(200);
    }
  }

  /** Runs transitions one at a time. */
  private serially<T>(work: () => Promise<T>): Promise<T> {
    const next = this.queue.then(work, work);
    this.queue = next.catch(() => undefined);
    return next;
  }
}
