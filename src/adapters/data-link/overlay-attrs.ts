/**
 * @module adapters/data-link/overlay-attrs — the overlayfs markers Node cannot touch by itself: opaque
 * directories (xattr trusted.overlay.opaque=y, via getfattr/setfattr of Debian's `attr`)
 * and whiteouts (0:0 character devices, via mknod). Parsing the getfattr dump is pure.
 */
import { execFile } from 'node:child_process';
import { FerryError } from '../../core/errors.ts';

/** The xattr overlayfs puts on a directory that hides the lower layers below it. */
export const OPAQUE_XATTR = 'trusted.overlay.opaque';

/** Decodes getfattr's escapes (`\012` for a newline, `\134` for a backslash) back to bytes. */
function unescapeBytes(text: string): Buffer {
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    const octal = text.slice(i + 1, i + 4);
    if (code === 0x5c && /^[0-7]{3}$/.test(octal)) {
      bytes.push(parseInt(octal, 8) & 0xff);
      i += 3;
    } else {
      bytes.push(code & 0xff);
    }
  }
  return Buffer.from(bytes);
}

/** Decodes an xattr value as getfattr prints it: "text", 0x hex or 0s base64. */
function decodeValue(value: string): Buffer {
  if (value.startsWith('"') && value.endsWith('"') && value.length >= 2) return unescapeBytes(value.slice(1, -1));
  if (value.startsWith('0x')) return Buffer.from(value.slice(2), 'hex');
  if (value.startsWith('0s')) return Buffer.from(value.slice(2), 'base64');
  return unescapeBytes(value);
}

/**
 * Finds the opaque directories in a `getfattr -R --absolute-names -d` dump of `root`
 * (absolute, normalised); returns paths relative to it, "." for the root itself.
 */
export function parseOpaqueDirs(dump: Buffer, root: string): Set<string> {
  const opaque = new Set<string>();
  let current: string | undefined;
  // latin1 maps each byte to one char, so escapes and raw UTF-8 bytes both survive to unescapeBytes.
  for (const line of dump.toString('latin1').split('\n')) {
    if (line.startsWith('# file: ')) {
      const name = unescapeBytes(line.slice('# file: '.length)).toString('utf8');
      current = name === root ? '.' : name.startsWith(`${root}/`) ? name.slice(root.length + 1) : undefined;
      continue;
    }
    const eq = line.indexOf('=');
    if (current === undefined || eq < 0 || line.slice(0, eq) !== OPAQUE_XATTR) continue;
    if (decodeValue(line.slice(eq + 1)).toString('latin1') === 'y') opaque.add(current);
  }
  return opaque;
}

/** Runs one of the `attr`/coreutils tools; a missing tool is a prerequisite error. */
function run(tool: string, args: string[], what: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    execFile(tool, args, { encoding: 'buffer', maxBuffer: 512 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (!err) return resolve(stdout);
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') {
        const pkg = tool === 'mknod' ? 'coreutils' : 'attr';
        return reject(new FerryError('FERRY_ERR_PREREQUISITE', `${tool} is not installed; it is needed to ${what} (Debian package ${pkg})`));
      }
      const said = stderr.toString('utf8').trim() || err.message;
      reject(Object.assign(new Error(`${tool} failed to ${what}: ${said}`), { stderr: said, stdout }));
    });
  });
}

/** Lists the opaque directories of a tree with one getfattr walk (symlinks not followed). */
export async function readOpaqueDirs(root: string): Promise<Set<string>> {
  let dump: Buffer;
  try {
    // -P: do not walk into symlinked directories; -h: read a symlink's own xattrs, not its target's.
    dump = await run('getfattr', ['-R', '-P', '-h', '--absolute-names', '-m', '^trusted\\.overlay', '-d', root], `read the overlay xattrs of ${root}`);
  } catch (err) {
    if (err instanceof FerryError) throw err;
    const { stderr, stdout } = err as { stderr?: string; stdout?: Buffer };
    // A file that vanished mid-walk is no reason to fail; the walk that follows skips it too.
    const onlyVanished = stderr !== undefined && stderr.split('\n').every((line) => line.endsWith('No such file or directory'));
    if (!onlyVanished || !stdout) throw new FerryError('FERRY_ERR_TRANSFER_IO', (err as Error).message, { cause: err });
    dump = stdout;
  }
  return parseOpaqueDirs(dump, root);
}

/** Marks a directory opaque; the caller has checked it is a real directory. */
export async function markOpaque(dir: string): Promise<void> {
  await run('setfattr', ['-h', '-n', OPAQUE_XATTR, '-v', 'y', dir], `mark ${dir} opaque`);
}

/** Creates an overlay whiteout (character device 0:0); fails if anything exists there. */
export async function makeWhiteout(file: string): Promise<void> {
  await run('mknod', [file, 'c', '0', '0'], `create the whiteout ${file}`);
}

/** True when an error from setfattr/mknod says the disk (or quota) is full. */
export function saysDiskFull(err: unknown): boolean {
  const { stderr, message } = (err ?? {}) as { stderr?: unknown; message?: unknown };
  const text = typeof stderr === 'string' ? stderr : typeof message === 'string' ? message : '';
  return /No space left on device|Disk quota exceeded/i.test(text);
}
