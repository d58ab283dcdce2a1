/**
 * @module services/prestore/tree-archive — a directory tree (writable layer, volume, the non-page
 * files of a checkpoint) as a byte stream for the object store: the data link's own frames
 * (ENTRY, DATA, ENTRY_END, STREAM_END), each with its checksum, so what is read back from the
 * store is checked frame by frame and file by file, and written by the same TreeSink that
 * guards the data link against paths that escape, whiteouts and opaque directories.
 */
import { FerryError } from '../../core/errors.ts';
import { FrameDecoder, FrameType, encodeFrame, type EncodeOptions } from '../../adapters/data-link/frame.ts';
import { EntryEndSchema, EntryMetaSchema, StreamEndSchema, parsePayload } from '../../adapters/data-link/messages.ts';
import { readTree, type TreeSourceOptions } from '../../adapters/data-link/tree-source.ts';
import { TreeSink } from '../../adapters/data-link/tree-sink.ts';

/** Largest frame an archive holds (a DATA frame carries at most 1 MiB). */
const MAX_FRAME_BYTES = 2 * 1024 * 1024;

const json = (type: (typeof FrameType)[keyof typeof FrameType], value: unknown, enc: EncodeOptions): Buffer => encodeFrame(type, Buffer.from(JSON.stringify(value)), enc);

/** The frames of one tree, as bytes. */
export async function* archiveTree(dir: string, options: Omit<TreeSourceOptions, 'chunkBytes'> = {}, enc: EncodeOptions = { compression: 'zstd', level: 1 }): AsyncGenerator<Buffer> {
  let entries = 0;
  let rawBytes = 0;
  for await (const item of readTree(dir, { chunkBytes: 1024 * 1024, ...options })) {
    if (item.kind === 'entry') {
      entries++;
      yield json(FrameType.ENTRY, item.meta, enc);
    } else if (item.kind === 'data') {
      rawBytes += item.chunk.length;
      yield encodeFrame(FrameType.DATA, item.chunk, enc);
    } else if (item.kind === 'entry-end') {
      yield json(FrameType.ENTRY_END, { sha256: item.sha256 }, enc);
    }
  }
  yield json(FrameType.STREAM_END, { entries, rawBytes }, enc);
}

/** Writes an archived tree into `dir`; every frame, file checksum and the totals are checked. */
export async function extractTree(source: AsyncIterable<Buffer>, dir: string, maxFileBytes: number): Promise<{ entries: number; rawBytes: number }> {
  const decoder = new FrameDecoder({ maxFrameBytes: MAX_FRAME_BYTES });
  const sink = new TreeSink(dir, { maxFileBytes });
  await sink.open();
  try {
    for await (const bytes of source) {
      for (const frame of decoder.push(bytes)) {
        switch (frame.type) {
          case FrameType.ENTRY:
            await sink.entry(parsePayload(frame, EntryMetaSchema), frame.index);
            break;
          case FrameType.DATA:
            await sink.data(frame.payload, frame.index);
            break;
          case FrameType.ENTRY_END:
            sink.entryEnd(parsePayload(frame, EntryEndSchema).sha256, frame.index);
            break;
          case FrameType.STREAM_END:
            return sink.finish(parsePayload(frame, StreamEndSchema), frame.index);
          default:
            throw new FerryError('FERRY_ERR_INTEGRITY', `stored tree for ${dir}: unexpected frame ${frame.index} of type ${frame.type}`);
        }
      }
    }
  } catch (err) {
    sink.abort();
    throw err;
  }
  sink.abort();
  throw new FerryError('FERRY_ERR_INTEGRITY', `stored tree for ${dir} ends before its last frame: the stored state is truncated`);
}
