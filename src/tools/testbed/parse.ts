/** @module tools/testbed/parse — pure parsers of what the kernel and tools print: tc qdiscs, mountinfo, /proc/PID/stat, `ip -j`. */

/** The root qdisc of a device, as `tc qdisc show dev DEV` prints it. */
export interface QdiscInfo {
  kind: string;
  /** Shaped rate in Mbit/s (tbf, htb...), or null when the qdisc has no rate. */
  rateMbit: number | null;
}

const UNIT: Record<string, number> = { '': 1, K: 1e3, M: 1e6, G: 1e9, T: 1e12 };

/** Parses a tc rate ("100Mbit", "1Gbit", "12500Kbit", "125Mbps" [bytes]) into Mbit/s. */
export function parseTcRateText(text: string): number | null {
  const m = /^(\d+(?:\.\d+)?)([KMGT]?)(bit|bps)$/i.exec(text.trim());
  if (!m?.[1] || m[3] === undefined) return null;
  const unit = UNIT[(m[2] ?? '').toUpperCase()] ?? 1;
  const bits = Number(m[1]) * unit * (m[3].toLowerCase() === 'bps' ? 8 : 1);
  return Math.round((bits / 1e6) * 1000) / 1000;
}

/** Parses `tc qdisc show dev DEV` into its root qdisc; null when there is none. */
export function parseRootQdisc(output: string): QdiscInfo | null {
  for (const line of output.split('\n')) {
    const m = /^qdisc\s+(\S+)\s+\S+\s+root\b(.*)$/.exec(line.trim());
    if (!m?.[1]) continue;
    const rate = /\brate\s+(\S+)/.exec(m[2] ?? '');
    return { kind: m[1], rateMbit: rate?.[1] ? parseTcRateText(rate[1]) : null };
  }
  return null;
}

/** One line of /proc/self/mountinfo. */
export interface MountEntry {
  id: number;
  parentId: number;
  mountPoint: string;
  fsType: string;
  source: string;
}

function unescapeMount(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_, oct: string) => String.fromCharCode(parseInt(oct, 8)));
}

/** Parses /proc/self/mountinfo. */
export function parseMountinfo(text: string): MountEntry[] {
  const out: MountEntry[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const [left, right] = line.split(' - ');
    const f = (left ?? '').split(' ');
    const r = (right ?? '').split(' ');
    if (f.length < 5 || f[4] === undefined) continue;
    out.push({ id: Number(f[0]), parentId: Number(f[1]), mountPoint: unescapeMount(f[4]), fsType: r[0] ?? '', source: unescapeMount(r[1] ?? '') });
  }
  return out;
}

/** True when `path` is `root` or inside it. */
export function isUnder(path: string, root: string): boolean {
  const r = root.endsWith('/') ? root.slice(0, -1) : root;
  return path === r || path.startsWith(`${r}/`);
}

/** The mounts at or under any of `roots`, deepest first (later mounts first on the same point), so they unmount in order. */
export function mountsUnder(entries: readonly MountEntry[], roots: readonly string[]): MountEntry[] {
  const depth = (p: string): number => p.split('/').length;
  return entries
    .filter((e) => roots.some((r) => isUnder(e.mountPoint, r)))
    .sort((a, b) => depth(b.mountPoint) - depth(a.mountPoint) || b.id - a.id);
}

/** The fields of /proc/PID/stat that matter here. */
export interface ProcStat {
  state: string;
  ppid: number;
}

/** Parses /proc/PID/stat (the command name may hold spaces and parentheses). */
export function parseProcStat(text: string): ProcStat | null {
  const close = text.lastIndexOf(')');
  if (close < 0) return null;
  const rest = text.slice(close + 2).split(' ');
  const state = rest[0];
  const ppid = Number(rest[1]);
  if (!state || !Number.isInteger(ppid)) return null;
  return { state, ppid };
}

/** Interface names from `ip -j link show`. */
export function parseIpLinkNames(json: string): string[] {
  const parsed: unknown = JSON.parse(json || '[]');
  if (!Array.isArray(parsed)) return [];
  return parsed.flatMap((l: unknown) => {
    const name = (l as { ifname?: unknown }).ifname;
    return typeof name === 'string' ? [name] : [];
  });
}

/** Operational state of one interface from `ip -j link show dev X` ("UP", "DOWN", "LOWERLAYERDOWN"...), or null. */
export function parseIpLinkState(json: string): { operstate: string; adminUp: boolean } | null {
  const parsed: unknown = JSON.parse(json || '[]');
  if (!Array.isArray(parsed) || parsed.length === 0) return null;
  const l = parsed[0] as { operstate?: unknown; flags?: unknown };
  const flags = Array.isArray(l.flags) ? l.flags : [];
  return { operstate: typeof l.operstate === 'string' ? l.operstate : 'UNKNOWN', adminUp: flags.includes('UP') };
}
