// Reading structure files from disk or from a byte stream in Node: format detection from the name
// and the first bytes, then the streaming read driver of src-shared/io. Used by the IO worker and
// the CLI, so both read files exactly the same way.
import { promises as fsp } from 'node:fs';
import { basename } from 'node:path';
import type { FormatSpec, ReadOptions } from '../../src-shared/io/format';
import { detectFormat } from '../../src-shared/io/registry';
import type { ReadProgress, ReadResult } from '../../src-shared/io/read';
import { readFramesParallel } from './parallelRead';
import type { Frame } from '../../src-shared/atoms/frame';
import { isDeepmdPath, readDeepmdAsReadFileResult } from './deepmd';

export interface ReadFileOptions extends ReadOptions {
  format?: string;
  signal?: AbortSignal;
  onProgress?: (p: ReadProgress) => void;
  onFrame?: (f: Frame, index: number) => void;
  collect?: boolean;
}

export type ReadFileResult = { format: FormatSpec; sizeBytes: number; result: ReadResult } | { error: string };

const HEAD_BYTES = 8192;

export async function readHead(path: string): Promise<string> {
  const fh = await fsp.open(path, 'r');
  try {
    const buf = Buffer.alloc(HEAD_BYTES);
    const { bytesRead } = await fh.read(buf, 0, HEAD_BYTES, 0);
    return buf.subarray(0, bytesRead).toString('utf8');
  } finally {
    await fh.close();
  }
}

/** Read every frame of a file. Errors about the file itself (missing, a directory) come back as {error}. */
export async function readFramesFromPath(path: string, opts: ReadFileOptions = {}): Promise<ReadFileResult> {
  // DeePMD systems are folders (type.raw, set.*/*.npy), read outside the text-format registry.
  if ((await fsp.stat(path).catch(() => null))?.isDirectory() && (await isDeepmdPath(path))) return readDeepmdAsReadFileResult(path, opts);
  let sizeBytes: number;
  try {
    const st = await fsp.stat(path);
    if (!st.isFile()) return { error: `${path}: not a regular file` };
    sizeBytes = st.size;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return { error: code === 'ENOENT' ? `${path}: no such file` : `${path}: cannot read (${code ?? String(e)})` };
  }
  let head: string;
  try {
    head = await readHead(path);
  } catch (e) {
    return { error: `${path}: cannot read (${(e as NodeJS.ErrnoException).code ?? String(e)})` };
  }
  const format = detectFormat(path, head, opts.format);
  if ('error' in format) return { error: format.error };
  if (!format.read) return { error: `format ${format.name} cannot be read` };
  // Large extended-XYZ files are parsed in several worker threads (frame-aligned ranges, verified,
  // with a sequential fallback); everything else streams through readStream.
  const result = await readFramesParallel(path, { ...opts, format, fileName: basename(path), totalBytes: sizeBytes });
  return { format, sizeBytes, result };
}
