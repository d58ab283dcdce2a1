/**
 * @module tools/workloads/clients/args — the command line every client shares (`--host IP --port P
 * --log FILE --duration-ms N`) plus its own numeric and text options, validated once with
 * messages that name the option.
 */
import { parseArgs } from 'node:util';
import { FerryError } from '../../../core/errors.ts';

/** What every client is told. */
export interface CommonArgs {
  host: string;
  port: number;
  /** The JSON-lines log the client appends to. */
  log: string;
  /** How long to run; 0 = until SIGTERM or SIGINT. */
  durationMs: number;
}

/** A client's own options: camelCase name (`pauseMs` is `--pause-ms`) → default; a number default makes a number option. */
export type ExtraOptions = Record<string, string | number>;

/** The parsed values of {@link ExtraOptions}, each of its default's type. */
export type ExtraValues<E extends ExtraOptions> = { [K in keyof E]: E[K] extends number ? number : string };

/** Parses `argv` (without node and the script): common options, required unless `optional` names them, and the extras. */
export function parseClientArgs<E extends ExtraOptions>(
  argv: readonly string[], defaultPort: number, extras: E, optional: readonly ('host' | 'log')[] = [],
): CommonArgs & ExtraValues<E> {
  const options: Record<string, { type: 'string' }> = { 'host': { type: 'string' }, 'port': { type: 'string' }, 'log': { type: 'string' }, 'duration-ms': { type: 'string' } };
  for (const name of Object.keys(extras)) options[kebab(name)] = { type: 'string' };
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({ args: [...argv], options, strict: true, allowPositionals: false }));
  } catch (err) {
    throw new FerryError('FERRY_ERR_INVALID_INPUT', `${(err as Error).message}; options: ${Object.keys(options).map((o) => `--${o}`).join(' ')}`);
  }
  const text = (name: string): string | undefined => values[name] as string | undefined;
  for (const name of ['host', 'log'] as const) {
    if (text(name) === undefined && !optional.includes(name)) throw new FerryError('FERRY_ERR_INVALID_INPUT', `--${name} is required`);
  }
  const out: Record<string, string | number> = {
    host: text('host') ?? '', log: text('log') ?? '',
    port: numberOption('port', text('port'), defaultPort, 1, 65535),
    durationMs: numberOption('duration-ms', text('duration-ms'), 0, 0),
  };
  for (const [name, def] of Object.entries(extras)) {
    const flag = kebab(name);
    out[name] = typeof def === 'number' ? numberOption(flag, text(flag), def, 0) : text(flag) ?? def;
  }
  return out as CommonArgs & ExtraValues<E>;
}

/** A number option within [min, max], or `def` when absent. */
export function numberOption(name: string, value: string | undefined, def: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (value === undefined) return def;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < min || n > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `of at least ${min}` : `from ${min} to ${max}`;
    throw new FerryError('FERRY_ERR_INVALID_INPUT', `--${name} must be a number ${range}, got "${value}"`);
  }
  return n;
}

function kebab(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}
