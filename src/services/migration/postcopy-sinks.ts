/**
 * @module services/migration/postcopy-sinks — where a post-copy's streams go on the destination: the
 * eager pages into sparse page files of full length (only the pages CRIU's restorer reads
 * itself are written), and the pushed pages into the migration's remote pages.
 */
import { open, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { Writable } from 'node:stream';
import { FerryError } from '../../core/errors.ts';
import { PAGE } from '../../domain/pages/page-delta.ts';
import { EagerParser, RecordParser, type EagerHeader } from '../../domain/pages/postcopy-frames.ts';
import type { RemotePages } from './remote-pages.ts';

/** Writes a post-copy's eager pages into sparse page files of full length as they come. */
export function eagerSink(dir: string, onHeader: (h: EagerHeader) => void): Writable {
  const parser = new EagerParser();
  let header: EagerHeader | undefined;
  let file = 0;
  let next = 0;
  let fh: FileHandle | undefined;
  const openFile = async (): Promise<void> => {
    for (; header && file < header.files.length; file++, next = 0) {
      const f = header.files[file] as EagerHeader['files'][number];
      if (!fh) {
        fh = await open(path.join(dir, f.name), 'wx', 0o600);
        await fh.truncate(f.pages * PAGE);
      }
      if (next < f.eager.length) return;
      await fh.close();
      fh = undefined;
    }
  };
  return new Writable({
    write: (chunk: Buffer, _enc, done) => {
      void (async () => {
        const got = parser.push(chunk);
        if (got.header) {
          header = got.header;
          onHeader(header);
          await openFile();
        }
        for (let off = 0; off < got.pages.length; off += PAGE) {
          const f = header?.files[file];
          if (!f || !fh) throw new FerryError('FERRY_ERR_PROTOCOL', 'the post-copy eager pages run past what their header lists');
          await fh.write(got.pages, off, PAGE, (f.eager[next] as number) * PAGE);
          next++;
          await openFile();
        }
      })().then(() => done(), (err: unknown) => done(err as Error));
    },
    final: (done) => {
      void (async () => {
        await openFile();
        if (!header || file < header.files.length || parser.rest) throw new FerryError('FERRY_ERR_PROTOCOL', 'the post-copy eager pages ended before every listed page came');
      })().then(() => done(), (err: unknown) => done(err as Error));
    },
    destroy: (err, done) => {
      void (fh?.close() ?? Promise.resolve()).finally(() => done(err));
    },
  });
}

/** Hands pushed post-copy pages to the migration's remote pages. */
export function recordSink(remote: () => Promise<RemotePages>): Writable {
  const parser = new RecordParser();
  return new Writable({
    write: (chunk: Buffer, _enc, done) => {
      remote().then((r) => {
        for (const rec of parser.push(chunk)) r.put(rec);
        done();
      }).catch((err: unknown) => done(err as Error));
    },
    final: (done) => done(parser.rest ? new FerryError('FERRY_ERR_PROTOCOL', `the post-copy page push ended ${parser.rest} bytes into a record`) : null),
  });
}
