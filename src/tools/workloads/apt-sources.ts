/**
 * @module tools/workloads/apt-sources — finds the Debian mirror this machine's apt already uses
 * (both sources formats: one-line `.list` and deb822 `.sources`), so that image builds fetch
 * from wherever the machine is allowed to. No I/O.
 */

/** One binary-package source: where, and which suites. */
export interface AptSource {
  uri: string;
  suites: string[];
}

/** The mirror used when the machine's sources name none for the suite. */
export const DEFAULT_MIRROR = 'http://deb.debian.org/debian';

/** Schemes debootstrap and apt-get can both fetch from. */
const USABLE = /^(https?|file):/;

/** The `deb` entries of a one-line sources.list. */
export function parseOneLineSources(text: string): AptSource[] {
  const out: AptSource[] = [];
  for (const raw of text.split('\n')) {
    // type, then options in brackets only right after it, then URI and suite
    const m = /^(\S+)\s+(?:\[[^\]]*\]\s+)?(\S+)\s+(\S+)/.exec(raw.replace(/#.*/, '').trim());
    const [, type, uri, suite] = m ?? [];
    if (type === 'deb' && uri && suite) out.push({ uri, suites: [suite] });
  }
  return out;
}

/** The enabled `deb` paragraphs of a deb822 .sources file. */
export function parseDeb822Sources(text: string): AptSource[] {
  const out: AptSource[] = [];
  for (const paragraph of text.split(/\n\s*\n/)) {
    const fields = new Map<string, string>();
    let key = '';
    for (const line of paragraph.split('\n')) {
      if (line.startsWith('#')) continue;
      const m = /^([A-Za-z-]+):\s*(.*)$/.exec(line);
      if (m) fields.set((key = (m[1] as string).toLowerCase()), (m[2] as string).trim());
      else if (key && /^\s/.test(line)) fields.set(key, `${fields.get(key) ?? ''} ${line.trim()}`);
    }
    const words = (k: string): string[] => (fields.get(k) ?? '').split(/\s+/).filter((w) => w !== '');
    if (!words('types').includes('deb') || fields.get('enabled')?.toLowerCase() === 'no') continue;
    for (const uri of words('uris')) out.push({ uri, suites: words('suites') });
  }
  return out;
}

/** The first source that serves `suite` itself over a usable scheme, without a trailing slash. */
export function mirrorFor(sources: readonly AptSource[], suite: string): string | undefined {
  return sources.find((s) => s.suites.includes(suite) && USABLE.test(s.uri))?.uri.replace(/\/+$/, '');
}
