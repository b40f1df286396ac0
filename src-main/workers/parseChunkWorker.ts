// Range-parse worker for parallel extended-XYZ reading (src-main/node/parallelRead.ts). It parses
// one byte range [start, end) of a file as if the range were a whole file, with the same reader as
// the sequential path (readExtxyz over a LineCursor), and sends the frames back in batches with
// their typed arrays in the transfer list. It also reports what the host needs to prove that the
// ranges tile the file exactly as the sequential reader cuts it: the file offset where its last
// frame ended, that every byte of the range was consumed, and how many lines the range held (to
// shift warning line numbers to file lines). Any problem is reported as `failed`; the host then
// rereads the whole file sequentially, so messages and line numbers are always the sequential ones.
// A plain module: runs from TypeScript through spawnTsWorker or bundled by electron-vite `?nodeWorker`.
import { closeSync, openSync, readSync } from 'node:fs';
import { parentPort } from 'node:worker_threads';
import type { Frame } from '../../src-shared/atoms/frame';
import { MAX_Z, symbolOf } from '../../src-shared/atoms/elements';
import type { ParseWarning } from '../../src-shared/io/errors';
import type { ReadContext, ReadOptions } from '../../src-shared/io/format';
import { readExtxyz } from '../../src-shared/io/formats/extxyz';
import { LineCursor, NEED_MORE } from '../../src-shared/io/lineCursor';
import type { LabelKeysUsed } from '../../src-shared/io/read';
import { frameBuffers } from './ioMessages';

export interface ParseRangeRequest {
  type: 'parse';
  job: number;
  path: string;
  /** Byte range of the file, [start, end); start is a frame start (checked by the host afterwards). */
  start: number;
  end: number;
  fileName: string;
  options: ReadOptions;
  maxWarnings: number;
  /** Set to non-zero by the host to stop the parse (checked between chunks): another range failed or the read was cancelled. */
  stop: Int32Array;
}

/**
 * A frame on the wire. `symbols` is left out when every symbol is the canonical one of its atomic
 * number (always, with the current reader): the host rebuilds it from `numbers`, which is much
 * cheaper than cloning one string per atom.
 */
export type WireFrame = Omit<Frame, 'symbols'> & { symbols?: string[] };

export type ParseRangeReply =
  | { type: 'frames'; job: number; frames: WireFrame[] }
  | { type: 'progress'; job: number; bytes: number; frames: number }
  | {
      type: 'done';
      job: number;
      frameCount: number;
      /** Lines in the range (the cursor's line number at its end). */
      lineCount: number;
      /** File offset just after the last frame's last line; only blank lines follow it in the range. */
      lastFrameEnd: number;
      /** File offset up to which the reader consumed the range (must equal `end`). */
      consumedEnd: number;
      warnings: ParseWarning[];
      warningCount: number;
      labelKeys: LabelKeysUsed;
    }
  | { type: 'failed'; job: number; message: string };

const CHUNK_BYTES = 1 << 21;
let spareBuffer: Uint8Array | null = null;
const SYMBOLS = Array.from({ length: MAX_Z + 1 }, (_, z) => symbolOf(z));

function toWire(f: Frame): WireFrame {
  const { symbols, numbers } = f;
  for (let i = 0; i < numbers.length; i++) {
    if (symbols[i] !== SYMBOLS[numbers[i]]) return f;
  }
  const w: WireFrame = { ...f };
  delete w.symbols;
  return w;
}

/** Read up to `want` bytes at file offset `pos` into buf[0..). */
function readAt(fd: number, buf: Uint8Array, want: number, pos: number): number {
  let got = 0;
  while (got < want) {
    const n = readSync(fd, buf, got, want - got, pos + got);
    if (n === 0) break;
    got += n;
  }
  return got;
}

/** Parse one range, posting frames, progress and the final report through `post`. Never throws. */
export function parseRange(req: ParseRangeRequest, post: (msg: ParseRangeReply, transfer?: ArrayBuffer[]) => void): void {
  const { job, start, end } = req;
  let fd = -1;
  try {
    fd = openSync(req.path, 'r');
    if (start > 0) {
      // A cut inside a line would make line numbers after it off by one even when frames agree.
      const before = new Uint8Array(1);
      if (readAt(fd, before, 1, start - 1) !== 1 || before[0] !== 10) throw new Error(`byte ${start} is not the start of a line`);
    }
    const cur = new LineCursor();
    const warnings: ParseWarning[] = [];
    let warningCount = 0;
    const labelKeys: LabelKeysUsed = { energy: {}, forces: {}, stress: {} };
    const ctx: ReadContext = {
      fileName: req.fileName,
      options: req.options,
      warn(line, message) {
        warningCount++;
        if (warnings.length < req.maxWarnings) warnings.push({ file: req.fileName, line, message });
      },
      noteLabelKey(label, key) {
        labelKeys[label][key] = (labelKeys[label][key] ?? 0) + 1;
      },
    };
    const gen = readExtxyz(cur, ctx);
    // The read buffer of the previous job is reused (no frame refers to it): fresh memory costs a
    // page fault per 4 KiB on first touch, which on some hosts costs more than parsing it.
    let buf = spareBuffer ?? new Uint8Array(CHUNK_BYTES);
    spareBuffer = null;
    let pos = start;
    let frameCount = 0;
    let lastFrameEnd = -1;
    let batch: WireFrame[] = [];
    let batchBuffers: ArrayBuffer[] = [];
    for (let finished = false; !finished; ) {
      // Next piece: whole lines only, so the cursor never keeps a partial line and `buf` can be
      // reused; the unfinished tail of a read is read again at the start of the next one.
      let len = 0;
      let eof = false;
      for (;;) {
        const got = readAt(fd, buf, Math.min(buf.length, end - pos), pos);
        if (pos + got >= end) {
          len = got;
          eof = true;
          break;
        }
        if (got === 0) throw new Error(`the file ended at byte ${pos}, before the range end ${end}; was it changed while being read?`);
        const nl = buf.lastIndexOf(10, got - 1);
        if (nl >= 0) {
          len = nl + 1;
          break;
        }
        buf = new Uint8Array(buf.length * 2); // a line longer than the buffer
      }
      const piece = buf.subarray(0, len);
      if (pos === start && start > 0 && piece[0] === 0xef && piece[1] === 0xbb && piece[2] === 0xbf) {
        throw new Error('a range may not start with a byte order mark');
      }
      pos += len;
      cur.push(piece, eof);
      for (;;) {
        const r = gen.next();
        if (r.done) {
          finished = true;
          break;
        }
        if (r.value === NEED_MORE) {
          if (cur.eof) throw new Error(`the range ends inside a frame (line ${cur.lineNo} of the range)`);
          break;
        }
        const f = r.value as Frame;
        frameCount++;
        lastFrameEnd = start + cur.consumedBytes;
        batch.push(toWire(f));
      }
      // The reader must have consumed every whole line pushed; otherwise `buf` cannot be reused.
      if (!finished && cur.unreadStart() !== len) buf = new Uint8Array(buf.length);
      if (batch.length) {
        for (const b of frameBuffers(batch as Frame[])) batchBuffers.push(b);
        post({ type: 'frames', job, frames: batch }, batchBuffers);
        batch = [];
        batchBuffers = [];
      }
      post({ type: 'progress', job, bytes: pos - start, frames: frameCount });
      if (Atomics.load(req.stop, 0) !== 0) throw new Error('stopped');
      if (eof && !finished) throw new Error('the reader did not finish at the end of the range');
    }
    spareBuffer = buf;
    post({
      type: 'done',
      job,
      frameCount,
      lineCount: cur.lineNo,
      lastFrameEnd,
      consumedEnd: start + cur.consumedBytes,
      warnings,
      warningCount,
      labelKeys,
    });
  } catch (e) {
    post({ type: 'failed', job, message: e instanceof Error ? e.message : String(e) });
  } finally {
    if (fd >= 0) closeSync(fd);
  }
}

if (parentPort) {
  const port = parentPort;
  port.on('message', (req: ParseRangeRequest) => {
    if (req?.type === 'parse') parseRange(req, (msg, transfer) => port.postMessage(msg, transfer ?? []));
  });
}
