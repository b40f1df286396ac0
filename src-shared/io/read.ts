// Read driver: runs a format's generator over byte chunks (a file stream, an upload, a string),
// with progress, cancellation, warnings and located errors returned as values.
import type { Frame } from '../atoms/frame';
import { ParseError, type ParseErrorInfo, type ParseWarning, errorInfo } from './errors';
import type { FormatSpec, ReadOptions } from './format';
import { LineCursor, NEED_MORE } from './lineCursor';

export interface ReadProgress {
  bytesRead: number;
  /** Total bytes when known. */
  totalBytes?: number;
  frames: number;
}

export interface StreamReadOptions extends ReadOptions {
  fileName: string;
  totalBytes?: number;
  signal?: AbortSignal;
  onProgress?: (p: ReadProgress) => void;
  /** Called for every frame as soon as it is parsed (streaming consumers). */
  onFrame?: (f: Frame, index: number) => void;
  /** Keep frames in the result (default true). */
  collect?: boolean;
  /** Stop after this many warnings are stored (they are still counted). */
  maxWarnings?: number;
}

/** Which file keys the labels came from, with how many frames used each key. */
export type LabelKeysUsed = Record<'energy' | 'forces' | 'stress', Record<string, number>>;

interface ReadBase {
  frames: Frame[];
  frameCount: number;
  warnings: ParseWarning[];
  warningCount: number;
  labelKeys: LabelKeysUsed;
}

export type ReadResult =
  | ({ ok: true } & ReadBase)
  | ({ ok: false; cancelled?: boolean; error: ParseErrorInfo } & ReadBase);

class Cancelled extends Error {}

/** Read all frames from an async stream of byte chunks. Never throws for bad content. */
export async function readStream(
  format: FormatSpec,
  chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  opts: StreamReadOptions,
): Promise<ReadResult> {
  const session = startSession(format, opts);
  try {
    for await (const chunk of chunks as AsyncIterable<Uint8Array>) {
      if (opts.signal?.aborted) throw new Cancelled();
      session.feed(chunk, false);
    }
    session.feed(new Uint8Array(0), true);
    return session.result();
  } catch (e) {
    return session.fail(e);
  }
}

/** Read all frames from a complete string or byte array, synchronously. */
export function readText(format: FormatSpec, text: string | Uint8Array, opts: StreamReadOptions): ReadResult {
  const session = startSession(format, opts);
  try {
    const bytes = typeof text === 'string' ? new TextEncoder().encode(text) : text;
    session.feed(bytes, true);
    return session.result();
  } catch (e) {
    return session.fail(e);
  }
}

/**
 * Every reader's frames must have finite positions and cell: NaN, Inf or an overflow (1e400, or a
 * huge fractional coordinate times the cell) is a located error at the frame's last line, the same
 * rule for every format (issue 9). Labels are left as read (extended XYZ round-trips nan labels).
 */
function checkFinite(frame: Frame, fileName: string, line: number): void {
  const p = frame.positionsA;
  for (let k = 0; k < p.length; k++) {
    if (Number.isFinite(p[k])) continue;
    const i = Math.floor(k / 3);
    throw new ParseError(fileName, Math.max(line, 1), 'finite positions (Å) for every atom', `atom ${i + 1} (${frame.symbols[i]}): ${p[3 * i]} ${p[3 * i + 1]} ${p[3 * i + 2]}`,
      'NaN, Inf or out-of-range numbers (beyond ±1.8e308, or fractional coordinates that overflow once scaled by the cell) cannot be used; the frame ends on this line');
  }
  const c = frame.cellA;
  if (c && !c.every(Number.isFinite)) {
    throw new ParseError(fileName, Math.max(line, 1), 'a cell with finite vectors (Å)', Array.from(c).join(' '), 'the frame ends on this line');
  }
}

function startSession(format: FormatSpec, opts: StreamReadOptions) {
  if (!format.read) throw new Error(`format ${format.name} cannot be read`);
  const cur = new LineCursor();
  const frames: Frame[] = [];
  const warnings: ParseWarning[] = [];
  const maxWarnings = opts.maxWarnings ?? 200;
  let warningCount = 0;
  let frameCount = 0;
  const labelKeys: LabelKeysUsed = { energy: {}, forces: {}, stress: {} };
  const collect = opts.collect !== false;
  const ctx = {
    fileName: opts.fileName,
    options: opts,
    warn(line: number, message: string) {
      warningCount++;
      if (warnings.length < maxWarnings) warnings.push({ file: opts.fileName, line, message });
    },
    noteLabelKey(label: 'energy' | 'forces' | 'stress', key: string) {
      labelKeys[label][key] = (labelKeys[label][key] ?? 0) + 1;
    },
  };
  const gen = format.read(cur, ctx);
  let done = false;
  let lastReport = 0;
  const feed = (chunk: Uint8Array, eof: boolean) => {
    // A chunk usually starts inside a line left over from the previous one. Joining the leftover
    // to the whole chunk would copy every byte of the file once more; instead the chunk's first
    // line goes in alone (a small copy), and the rest, pushed once that line is consumed, is used
    // in place.
    const nl = eof || chunk.length < 4096 ? -1 : chunk.indexOf(10);
    if (nl >= 0 && nl + 1 < chunk.length) {
      run(chunk.subarray(0, nl + 1), false);
      run(chunk.subarray(nl + 1), false);
    } else {
      run(chunk, eof);
    }
  };
  const run = (chunk: Uint8Array, eof: boolean) => {
    if (done) return;
    cur.push(chunk, eof);
    for (;;) {
      const r = gen.next();
      if (r.done) {
        done = true;
        break;
      }
      if (r.value === NEED_MORE) {
        if (cur.eof) throw new ParseError(opts.fileName, cur.lineNo, 'more lines', 'end of file', 'The file appears truncated.');
        break;
      }
      const frame = r.value as Frame;
      checkFinite(frame, opts.fileName, cur.lineNo);
      if (collect) frames.push(frame);
      opts.onFrame?.(frame, frameCount);
      frameCount++;
      if (opts.signal?.aborted) throw new Cancelled();
    }
    if (opts.onProgress && (eof || cur.consumedBytes - lastReport > 1 << 20)) {
      lastReport = cur.consumedBytes;
      opts.onProgress({ bytesRead: cur.consumedBytes, totalBytes: opts.totalBytes, frames: frameCount });
    }
  };
  const base = (): ReadBase => ({ frames, frameCount, warnings, warningCount, labelKeys });
  return {
    feed,
    result(): ReadResult {
      if (frameCount === 0) {
        return {
          ok: false,
          error: errorInfo(new ParseError(opts.fileName, Math.max(cur.lineNo, 1), `at least one ${format.title} frame`, cur.lineNo === 0 ? 'an empty file' : 'none')),
          ...base(),
        };
      }
      return { ok: true, ...base() };
    },
    fail(e: unknown): ReadResult {
      if (e instanceof Cancelled) {
        return { ok: false, cancelled: true, error: { file: opts.fileName, line: cur.lineNo, expected: 'reading to finish', message: `${opts.fileName}: reading cancelled by the user` }, ...base() };
      }
      if (e instanceof ParseError) return { ok: false, error: errorInfo(e), ...base() };
      // A bug in a parser must still not crash the caller: report it located.
      const msg = e instanceof Error ? e.message : String(e);
      return {
        ok: false,
        error: errorInfo(new ParseError(opts.fileName, cur.lineNo, `readable ${format.title} content`, undefined, `Internal reader error: ${msg}`)),
        ...base(),
      };
    },
  };
}
