// IO worker thread: parses a structure file (from a path, or from bytes streamed by the page) with
// the core readers, reports progress, honours cancellation, and hands the frames back by transfer.
import { parentPort } from 'node:worker_threads';
import { detectFormat } from '../../src-shared/io/registry';
import { readStream, type ReadProgress, type ReadResult } from '../../src-shared/io/read';
import type { FormatSpec } from '../../src-shared/io/format';
import { readFramesFromPath } from '../node/readFile';
import { frameBuffers, type FromIoWorker, type ToIoWorker } from './ioMessages';

if (!parentPort) throw new Error('ioWorker must run in a worker thread');
const port = parentPort;
const abort = new AbortController();

function post(msg: FromIoWorker, transfer: ArrayBuffer[] = []) {
  port.postMessage(msg, transfer);
}

function progress(total: number | null) {
  let last = 0;
  return (p: ReadProgress) => {
    const now = Date.now();
    const bytesTotal = p.totalBytes ?? total;
    if (now - last < 100 && p.bytesRead !== bytesTotal) return;
    last = now;
    post({ type: 'progress', bytesDone: p.bytesRead, bytesTotal, frames: p.frames });
  };
}

function finish(format: FormatSpec, sizeBytes: number, r: ReadResult) {
  if (r.ok) {
    post(
      {
        type: 'done',
        format: format.name,
        formatTitle: format.title,
        sizeBytes,
        frames: r.frames,
        labelKeys: r.labelKeys,
        warnings: r.warnings,
        warningCount: r.warningCount,
      },
      frameBuffers(r.frames),
    );
  } else {
    post({
      type: 'failed',
      error: { code: r.cancelled ? 'cancelled' : 'parse-error', message: r.error.message, parse: r.error },
    });
  }
}

/** Queue of streamed chunks consumed as an async iterable. */
class ChunkQueue implements AsyncIterable<Uint8Array> {
  private items: Uint8Array[] = [];
  private ended = false;
  private wake: (() => void) | null = null;
  push(b: Uint8Array) {
    this.items.push(b);
    this.wake?.();
  }
  end() {
    this.ended = true;
    this.wake?.();
  }
  async *[Symbol.asyncIterator]() {
    for (;;) {
      if (this.items.length) {
        yield this.items.shift()!;
        continue;
      }
      if (this.ended || abort.signal.aborted) return;
      await new Promise<void>((r) => (this.wake = r));
      this.wake = null;
    }
  }
  /** Collect bytes until `n` are buffered or the stream ended; returns them without consuming. */
  async peek(n: number): Promise<Uint8Array> {
    for (;;) {
      const have = this.items.reduce((s, b) => s + b.length, 0);
      if (have >= n || this.ended || abort.signal.aborted) {
        const out = new Uint8Array(Math.min(have, n));
        let o = 0;
        for (const b of this.items) {
          if (o >= out.length) break;
          const take = Math.min(b.length, out.length - o);
          out.set(b.subarray(0, take), o);
          o += take;
        }
        return out;
      }
      await new Promise<void>((r) => (this.wake = r));
      this.wake = null;
    }
  }
}

let queue: ChunkQueue | null = null;

port.on('message', async (msg: ToIoWorker) => {
  try {
    switch (msg.type) {
      case 'cancel':
        abort.abort();
        queue?.end();
        break;
      case 'chunk':
        queue?.push(msg.bytes);
        break;
      case 'end':
        queue?.end();
        break;
      case 'open-path': {
        const r = await readFramesFromPath(msg.path, {
          ...msg.options,
          signal: abort.signal,
          onProgress: progress(null),
        });
        if ('error' in r) {
          post({ type: 'failed', error: { code: 'not-found', message: r.error } });
          return;
        }
        finish(r.format, r.sizeBytes, r.result);
        break;
      }
      case 'open-stream': {
        queue = new ChunkQueue();
        const head = new TextDecoder().decode(await queue.peek(8192));
        const format = detectFormat(msg.fileName, head, msg.options.format);
        if ('error' in format) {
          post({ type: 'failed', error: { code: 'parse-error', message: format.error } });
          return;
        }
        const r = await readStream(format, queue, {
          ...msg.options,
          fileName: msg.fileName,
          totalBytes: msg.sizeBytes,
          signal: abort.signal,
          onProgress: progress(msg.sizeBytes),
        });
        finish(format, msg.sizeBytes, r);
        break;
      }
    }
  } catch (e) {
    post({ type: 'failed', error: { code: 'internal', message: e instanceof Error ? e.message : String(e) } });
  }
});
