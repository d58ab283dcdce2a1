/**
 * @module tools/sim/power — a host's power draw: linear in CPU utilisation between idle and peak
 * watts (as SPECpower tables are, near enough), a small draw while asleep, idle draw while it
 * wakes. Presets are named data with their source.
 */
import { z } from 'zod';

/** The power model of one kind of host. */
export const PowerModelSchema = z.strictObject({
  /** Watts at 0 % CPU, awake. */
  idleW: z.number().min(0),
  /** Watts at 100 % CPU. */
  peakW: z.number().min(0),
  /** Watts while asleep (suspend to RAM). */
  sleepW: z.number().min(0).default(10),
  /** Seconds from the wake request until the host takes work (it draws idleW meanwhile). */
  wakeS: z.number().min(0).default(60),
}).refine((p) => p.peakW >= p.idleW, { message: 'peakW must be at least idleW' });

/** A power model, defaults applied. */
export type PowerModel = z.infer<typeof PowerModelSchema>;

/**
 * Presets. The two HP ProLiant models are the ones CloudSim's PlanetLab experiments use
 * (SPECpower_ssj2008 results: ML110 G4 86 W idle, 117 W at 100 %; ML110 G5 93.7 W, 135 W);
 * `r710` stands for the paper's Dell PowerEdge R710 class of 2-socket server.
 */
export const POWER_PRESETS: Record<string, PowerModel> = {
  'hp-ml110-g4': { idleW: 86, peakW: 117, sleepW: 5, wakeS: 30 },
  'hp-ml110-g5': { idleW: 93.7, peakW: 135, sleepW: 5, wakeS: 30 },
  r710: { idleW: 110, peakW: 260, sleepW: 10, wakeS: 60 },
};

/** Watts drawn at a CPU utilisation (clamped to 0..1). */
export function wattsAt(model: PowerModel, cpuUtilisation: number): number {
  const u = Math.min(1, Math.max(0, cpuUtilisation));
  return model.idleW + (model.peakW - model.idleW) * u;
}
