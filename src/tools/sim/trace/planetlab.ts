/**
 * @module tools/sim/trace/planetlab — reads a PlanetLab CoMon day as the CloudSim examples ship it
 * (../shared/data/planetlab/DAY.csv.gz): a `#` header line, then one VM per line with 288 CPU
 * utilisation samples (percent, 0–100) at 300 s intervals. Parsing is pure; `readPlanetLabDay`
 * only gunzips the file.
 */
import { readFile } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import { FerryError } from '../../../core/errors.ts';

/** Samples per VM in one day. */
export const PLANETLAB_SAMPLES = 288;
/** Seconds between samples. */
export const PLANETLAB_INTERVAL_S = 300;

/** One day of the trace. */
export interface PlanetLabDay {
  /** The header line, without its `#`. */
  header: string;
  /** Per VM, its CPU utilisation as fractions 0..1, PLANETLAB_SAMPLES of them. */
  vms: Float32Array[];
}

/** Parses the text of a day; a malformed line is refused with its line number. */
export function parsePlanetLabDay(text: string, source = 'trace'): PlanetLabDay {
  const lines = text.split('\n');
  let header = '';
  const vms: Float32Array[] = [];
  lines.forEach((raw, i) => {
    const line = raw.trim();
    if (!line) return;
    if (line.startsWith('#')) {
      if (!header) header = line.slice(1).trim();
      return;
    }
    const cells = line.split(',');
    if (cells.length !== PLANETLAB_SAMPLES) throw new FerryError('FERRY_ERR_INVALID_INPUT', `${source} line ${i + 1}: ${cells.length} samples, expected ${PLANETLAB_SAMPLES}`);
    const vm = new Float32Array(PLANETLAB_SAMPLES);
    for (let s = 0; s < PLANETLAB_SAMPLES; s++) {
      const v = Number(cells[s]);
      if (!Number.isFinite(v) || v < 0 || v > 100) throw new FerryError('FERRY_ERR_INVALID_INPUT', `${source} line ${i + 1}, sample ${s + 1}: "${cells[s]}" is not a percentage`);
      vm[s] = v / 100;
    }
    vms.push(vm);
  });
  if (vms.length === 0) throw new FerryError('FERRY_ERR_INVALID_INPUT', `${source} holds no VM lines`);
  return { header, vms };
}

/** Reads a day file (gzip or plain text). */
export async function readPlanetLabDay(file: string): Promise<PlanetLabDay> {
  const raw = await readFile(file);
  const text = raw[0] === 0x1f && raw[1] === 0x8b ? gunzipSync(raw).toString('utf8') : raw.toString('utf8');
  return parsePlanetLabDay(text, file);
}
