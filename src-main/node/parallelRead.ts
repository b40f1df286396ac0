// Parallel reading of large extended-XYZ files in Node. The file is cut into K byte ranges at
// candidate frame starts (a line holding only an atom count, not itself preceded by such a line,
// followed by a comment line); worker threads (src-main/workers/parseChunkWorker.ts) parse the
// ranges with the sequential reader and the frames are joined in file order.
// Alignment is proved, not trusted. Range 0 starts at byte 0, a true frame start. The reader is
// deterministic from a frame start, and every cut lies on a line boundary (the worker checks that
// the byte before its range is '\n' and that the range does not start with a BOM), so when a range is
// parsed without error from a true frame start and the reader stops exactly at the range's last
// byte (only blank lines after its last frame), the sequential reader would have cut the file at
// the same place: the next range starts at a true frame start too, and by induction all do. Warning
// line numbers are shifted by the line counts of the ranges before. Anything else (a bad cut, a
// parse error, a worker that cannot start or dies) makes the whole file be read again sequentially,
// so the result (frames, warnings, label keys, errors and their line numbers) is always exactly
// what readStream gives. (This relies on readExtxyz keeping no state across frames that changes
// its output or warnings; its caches of column layouts and species do not.)
import { closeSync, openSync, readSync, promises as fsp } from 'node:fs';
import { availableParallelism } from 'node:os';
import { basename } from 'node:path';
import type { Worker } from 'node:worker_threads';
import { MAX_Z, symbolOf } from '../../src-shared/atoms/elements';
import type { Frame } from '../../src-shared/atoms/frame';
import type { ParseWarning } from '../../src-shared/io/errors';
import type { FormatSpec } from '../../src-shared/io/format';
import { extxyzFormat, readExtxyz } from '../../src-shared/io/formats/extxyz';
import { type LabelKeysUsed, type ReadResult, type StreamReadOptions, readStream } from '../../src-shared/io/read';
import type { ParseRangeReply, ParseRangeRequest, WireFrame } from '../workers/parseChunkWorker';
import { fileChunks } from './fileChunks';
import { spawnTsWorker } from './tsWorker';

/** Files smaller than this are read sequentially: starting workers and joining costs more than it saves. */
export const PARALLEL_MIN_BYTES = 16 << 20;

export interface ParallelReadOptions extends Omit<StreamReadOptions, 'fileName'> {
  /** Name used in messages; default: the path's base name. */
  fileName?: string;
  /** Format; parallel only for readers of extended XYZ (extxyz, xyz). Default extxyz. */
  format?: FormatSpec;
  /** Ranges (= worker threads); default min(os.availableParallelism(), 4). */
  workers?: number;
  /** Smaller files are read sequentially; default PARALLEL_MIN_BYTES. */
  minBytes?: number;
  /** Worker factory for bundled builds (electron-vite `?nodeWorker`); default spawnTsWorker. */
  spawnWorker?: () => Worker;
  /** Tests only: cut at these byte offsets instead of searching for frame starts. */
  splitsForTest?: number[];
}

export interface ParallelInfo {
  /** 'parallel' when the ranges' results were used; 'sequential' when readStream produced the result. */
  mode: 'parallel' | 'sequential';
  ranges: number;
  /** Why the result is sequential. */
  reason?: string;
}

export type ParallelReadResult = ReadResult & { parallel: ParallelInfo };

const WORKER_MODULE = '../workers/parseChunkWorker.ts'; // a variable: bundlers must not treat it as an asset
const SYMBOLS = Array.from({ length: MAX_Z + 1 }, (_, z) => symbolOf(z));
const PROGRESS_STEP = 1 << 20;

// ---------------------------------------------------------------------------------------------
// Worker pool: workers are kept (unref'd) for a while after a read, so reading several files in a
// row pays the start-up (and the JIT warm-up) once.

type Spawn = () => Worker;
const defaultSpawn: Spawn = () => spawnTsWorker(new URL(WORKER_MODULE, import.meta.url));
const idle = new Map<Spawn, Worker[]>();
const IDLE_MS = 20_000;
let idleTimer: ReturnType<typeof setTimeout> | null = null;

function acquire(spawn: Spawn): Worker {
  let w = idle.get(spawn)?.pop();
  if (!w) {
    w = spawn();
    const self = w;
    self.on('error', () => {}); // reported to the job that owns it; an idle one must not crash the host
    self.once('exit', () => idle.set(spawn, (idle.get(spawn) ?? []).filter((x) => x !== self)));
  }
  w.ref();
  return w;
}

function release(spawn: Spawn, w: Worker): void {
  w.unref();
  let list = idle.get(spawn);
  if (!list) idle.set(spawn, (list = []));
  list.push(w);
  if (idleTimer) clearTimeout(idleTimer);
  idleTimer = setTimeout(() => void closeParallelReadWorkers(), IDLE_MS);
  idleTimer.unref();
}

/** Stop the idle workers of the pool (tests, shutdown). */
export async function closeParallelReadWorkers(): Promise<void> {
  const all = [...idle.values()].flat();
  idle.clear();
  await Promise.all(all.map((w) => w.terminate()));
}

// ---------------------------------------------------------------------------------------------
// Where to cut: candidate frame starts.

const MAX_ATOMS = 1 << 27;

/** Value of a line holding one unsigned integer (spaces, tabs, CR around it), else -1. */
function countOf(buf: Uint8Array, s: number, e: number): number {
  while (s < e && (buf[s] === 32 || buf[s] === 9 || buf[s] === 13)) s++;
  while (e > s && (buf[e - 1] === 32 || buf[e - 1] === 9 || buf[e - 1] === 13)) e--;
  if (s >= e || e - s > 10) return -1;
  let v = 0;
  for (let i = s; i < e; i++) {
    const d = buf[i] - 48;
    if (d < 0 || d > 9) return -1;
    v = v * 10 + d;
  }
  return v;
}

/** Whether a line holds only a (signed) integer: such a line may be a count, so what follows is a comment. */
function isIntegerLine(buf: Uint8Array, s: number, e: number): boolean {
  while (s < e && (buf[s] === 32 || buf[s] === 9 || buf[s] === 13)) s++;
  if (s < e && (buf[s] === 43 || buf[s] === 45)) s++;
  return countOf(buf, s, e) >= 0;
}

function tokenCount(buf: Uint8Array, s: number, e: number): number {
  let n = 0;
  for (let i = s; i < e; ) {
    while (i < e && buf[i] <= 32) i++;
    if (i >= e) break;
    n++;
    while (i < e && buf[i] > 32) i++;
  }
  return n;
}

/**
 * Whether the line buf[ls, le) (le at its '\n') looks like the count line of a frame: one integer,
 * the line before it is not an integer line (else this would be a comment), a complete comment line
 * follows, and the first atom line (when in the buffer) has at least the 4 tokens "symbol x y z".
 */
function isFrameStart(buf: Uint8Array, ls: number, le: number, bufStartsFile: boolean): boolean {
  const n = countOf(buf, ls, le);
  if (n < 0 || n > MAX_ATOMS) return false;
  if (ls > 0) {
    const ps = ls >= 2 ? buf.lastIndexOf(10, ls - 2) + 1 : 0; // (a negative index would count from the end)
    if ((ps > 0 || bufStartsFile) && isIntegerLine(buf, ps, ls - 1)) return false;
  }
  const ce = buf.indexOf(10, le + 1);
  if (ce < 0) return false;
  if (n > 0) {
    const ae = buf.indexOf(10, ce + 1);
    if (ae >= 0 && tokenCount(buf, ce + 1, ae) < 4) return false;
  }
  return true;
}

/** First candidate frame start at or after `from` and before `limit`; -1 when none. */
function findFrameStart(fd: number, size: number, from: number, limit: number): number {
  const BACK = 4096;
  const WINDOW = 1 << 16;
  let at = from;
  while (at < limit) {
    const base = Math.max(0, at - BACK);
    let buf = new Uint8Array(Math.min(at - base + WINDOW, size - base));
    let got = 0;
    while (got < buf.length) {
      const n = readSync(fd, buf, got, buf.length - got, base + got);
      if (n === 0) break;
      got += n;
    }
    if (got < buf.length) buf = buf.subarray(0, got);
    let ls = at - base;
    if (ls > 0 && buf[ls - 1] !== 10) {
      const nl = buf.indexOf(10, ls);
      if (nl < 0 || nl + 1 >= got) return -1; // a line longer than the window: no cut here
      ls = nl + 1;
    }
    for (;;) {
      if (base + ls >= limit) return -1;
      const le = buf.indexOf(10, ls);
      if (le < 0) break;
      if (isFrameStart(buf, ls, le, base === 0)) return base + ls;
      ls = le + 1;
    }
    if (base + got >= size || base + ls <= at) return -1;
    at = base + ls; // read again from the first line not fully examined
  }
  return -1;
}

/** Byte offsets where to cut the file into `parts` ranges (fewer when frame starts are far apart). */
export function findFrameSplits(path: string, size: number, parts: number): number[] {
  const fd = openSync(path, 'r');
  try {
    const out: number[] = [];
    for (let i = 1; i < parts; i++) {
      const from = Math.max(Math.floor((i * size) / parts), (out[out.length - 1] ?? 0) + 1);
      const limit = Math.floor(((i + 1) * size) / parts);
      const s = findFrameStart(fd, size, from, limit);
      if (s > 0) out.push(s);
    }
    return out;
  } finally {
    closeSync(fd);
  }
}

// ---------------------------------------------------------------------------------------------
// One range in one worker.

type RangeReport = Extract<ParseRangeReply, { type: 'done' }>;
type RangeOutcome = { ok: true; report: RangeReport } | { ok: false; reason: string; alive: boolean };

let nextJob = 1;

function fromWire(w: WireFrame): Frame {
  const numbers = w.numbers;
  let symbols = w.symbols;
  if (!symbols) {
    symbols = new Array<string>(numbers.length);
    for (let i = 0; i < numbers.length; i++) symbols[i] = SYMBOLS[numbers[i]];
  }
  return {
    symbols,
    numbers,
    positionsA: w.positionsA,
    cellA: w.cellA,
    pbc: w.pbc,
    energyEv: w.energyEv,
    forcesEvPerA: w.forcesEvPerA,
    stressEvPerA3: w.stressEvPerA3,
    info: w.info,
    arrays: w.arrays,
  };
}

/** Parse one range in a pooled worker; frames are appended to `out` as they arrive. Never rejects. */
function runRange(spawn: Spawn, req: Omit<ParseRangeRequest, 'job' | 'type'>, out: Frame[], onProgress: (bytes: number, frames: number) => void): Promise<RangeOutcome> {
  const job = nextJob++;
  let w: Worker;
  try {
    w = acquire(spawn);
  } catch (e) {
    return Promise.resolve({ ok: false, reason: `cannot start a worker: ${e instanceof Error ? e.message : String(e)}`, alive: false });
  }
  return new Promise<RangeOutcome>((resolve) => {
    const finish = (o: RangeOutcome) => {
      w.off('message', onMessage);
      w.off('error', onError);
      w.off('exit', onExit);
      if (o.ok || o.alive) release(spawn, w);
      resolve(o);
    };
    const onMessage = (m: ParseRangeReply) => {
      if (m.job !== job) return;
      if (m.type === 'frames') for (const f of m.frames) out.push(fromWire(f));
      else if (m.type === 'progress') onProgress(m.bytes, m.frames);
      else if (m.type === 'done') finish({ ok: true, report: m });
      else finish({ ok: false, reason: m.message, alive: true });
    };
    const onError = (e: Error) => finish({ ok: false, reason: `worker error: ${e.message}`, alive: false });
    const onExit = (code: number) => finish({ ok: false, reason: `worker exited (${code})`, alive: false });
    w.on('message', onMessage);
    w.on('error', onError);
    w.on('exit', onExit);
    try {
      w.postMessage({ type: 'parse', job, ...req } satisfies ParseRangeRequest);
    } catch (e) {
      finish({ ok: false, reason: `cannot send the request: ${e instanceof Error ? e.message : String(e)}`, alive: true });
    }
  });
}

// ---------------------------------------------------------------------------------------------
// The reader.

async function readSequential(path: string, format: FormatSpec, opts: StreamReadOptions, info: ParallelInfo, progressFloor: number): Promise<ParallelReadResult> {
  const onProgress = opts.onProgress;
  // Two recycled 1 MB buffers (fileChunks.ts), not a fresh buffer per chunk as fs.createReadStream.
  const r = await readStream(format, fileChunks(path), {
    ...opts,
    // After a failed parallel attempt, progress does not go back: it resumes once passed.
    onProgress: onProgress && ((p) => (p.bytesRead > progressFloor || p.bytesRead === p.totalBytes) && onProgress(p)),
  });
  return { ...r, parallel: info };
}

/**
 * Read every frame of an extended XYZ file, in parallel when it is large. The result is exactly
 * that of readStream(format, fileChunks(path), opts) (the same as over fs.createReadStream(path)), plus `parallel` saying how it was
 * obtained. onFrame is called once all ranges are verified (frames are held until then, even with
 * collect: false).
 */
export async function readFramesParallel(path: string, opts: ParallelReadOptions = {}): Promise<ParallelReadResult> {
  const { format = extxyzFormat, workers, minBytes = PARALLEL_MIN_BYTES, spawnWorker = defaultSpawn, splitsForTest, ...rest } = opts;
  const fileName = opts.fileName ?? basename(path);
  const sopts: StreamReadOptions = { ...rest, fileName };
  const sequential = (reason: string, ranges = 1, floor = 0) => readSequential(path, format, sopts, { mode: 'sequential', ranges, reason }, floor);
  if (format.read !== readExtxyz) return sequential(`the ${format.name} format is read sequentially`);
  let size: number;
  try {
    size = (await fsp.stat(path)).size;
  } catch {
    return sequential('the file size is unknown');
  }
  // Without collecting, frames go to onFrame one by one: the sequential stream keeps memory bounded,
  // whereas the parallel ranges hold their frames until they can be delivered in order.
  if (sopts.collect === false && !splitsForTest) {
    return readSequential(path, format, { ...sopts, totalBytes: sopts.totalBytes ?? size }, { mode: 'sequential', ranges: 1, reason: 'frames are streamed, not kept (bounded memory)' }, 0);
  }
  const k = Math.max(1, Math.floor(workers ?? Math.min(availableParallelism(), 4)));
  if (!splitsForTest && (k < 2 || size < minBytes)) return sequential(k < 2 ? 'one worker' : `smaller than ${minBytes} bytes`);
  let splits: number[];
  try {
    splits = splitsForTest ?? findFrameSplits(path, size, k);
  } catch (e) {
    return sequential(`cannot look for frame starts: ${e instanceof Error ? e.message : String(e)}`);
  }
  const bounds = [0, ...splits, size];
  for (let i = 1; i < bounds.length; i++) if (!(bounds[i] > bounds[i - 1])) return sequential('no usable cuts');
  const nr = bounds.length - 1;
  if (nr < 2) return sequential('no frame start found to cut at');
  const totalBytes = sopts.totalBytes ?? size;
  const signal = sopts.signal;
  const cancelled = (): ParallelReadResult => ({
    ...{ ok: false, cancelled: true, frames: [], frameCount: 0, warnings: [], warningCount: 0, labelKeys: { energy: {}, forces: {}, stress: {} } },
    error: { file: fileName, line: 0, expected: 'reading to finish', message: `${fileName}: reading cancelled by the user` },
    parallel: { mode: 'parallel', ranges: nr },
  });
  if (signal?.aborted) return cancelled();

  // Start the ranges. One flag stops them all between chunks (a range failed, or the read was
  // cancelled); the workers stay alive and go back to the pool.
  const stop = new Int32Array(new SharedArrayBuffer(4));
  const frames: Frame[][] = bounds.slice(1).map(() => []);
  const bytes = new Array<number>(nr).fill(0);
  const counts = new Array<number>(nr).fill(0);
  let reported = 0;
  const progress = (i: number, b: number, f: number) => {
    bytes[i] = b;
    counts[i] = f;
    const sum = bytes.reduce((s, x) => s + x, 0);
    if (sopts.onProgress && sum - reported >= PROGRESS_STEP && sum < size) {
      reported = sum;
      sopts.onProgress({ bytesRead: sum, totalBytes, frames: counts.reduce((s, x) => s + x, 0) });
    }
  };
  // The ReadOptions part of the options (cloneable; callbacks and the signal stay here).
  const { signal: _s, onProgress: _p, onFrame: _f, totalBytes: _t, collect: _c, maxWarnings = 200, fileName: _n, ...readOptions } = sopts;
  const jobs = frames.map((out, i) => {
    const req = { path, start: bounds[i], end: bounds[i + 1], fileName, options: readOptions, maxWarnings, stop };
    return runRange(spawnWorker, req, out, (b, f) => progress(i, b, f)).then((o) => {
      if (!o.ok) Atomics.store(stop, 0, 1); // one failure decides: the file is read sequentially
      return o;
    });
  });
  let onAbort: (() => void) | null = null;
  const aborted = new Promise<'aborted'>((resolve) => {
    if (!signal) return;
    onAbort = () => resolve('aborted');
    signal.addEventListener('abort', onAbort, { once: true });
  });
  const outcome = await Promise.race([Promise.all(jobs), aborted]);
  if (onAbort) signal!.removeEventListener('abort', onAbort);
  if (outcome === 'aborted') {
    Atomics.store(stop, 0, 1);
    return cancelled();
  }

  // Verify the tiling (see the module comment), then join.
  const floor = bytes.reduce((s, x) => s + x, 0);
  const reports: RangeReport[] = [];
  for (let i = 0; i < nr; i++) {
    const o = outcome[i];
    if (!o.ok) return sequential(`range ${i + 1} of ${nr}: ${o.reason}`, nr, floor);
    const r = o.report;
    const [start, end] = [bounds[i], bounds[i + 1]];
    if (r.consumedEnd !== end || r.frameCount < 1 || !(r.lastFrameEnd > start && r.lastFrameEnd <= end) || frames[i].length !== r.frameCount) {
      return sequential(`range ${i + 1} of ${nr} did not end exactly at byte ${end}`, nr, floor);
    }
    reports.push(r);
  }
  const all = ([] as Frame[]).concat(...frames);
  const warnings: ParseWarning[] = [];
  let warningCount = 0;
  let lineOffset = 0;
  const labelKeys: LabelKeysUsed = { energy: {}, forces: {}, stress: {} };
  for (const r of reports) {
    for (const w of r.warnings) if (warnings.length < maxWarnings) warnings.push({ ...w, line: w.line + lineOffset });
    warningCount += r.warningCount;
    lineOffset += r.lineCount;
    for (const label of ['energy', 'forces', 'stress'] as const) {
      for (const [key, n] of Object.entries(r.labelKeys[label])) labelKeys[label][key] = (labelKeys[label][key] ?? 0) + n;
    }
  }
  if (sopts.onFrame) for (let i = 0; i < all.length; i++) sopts.onFrame(all[i], i);
  sopts.onProgress?.({ bytesRead: size, totalBytes, frames: all.length });
  return {
    ok: true,
    frames: sopts.collect === false ? [] : all,
    frameCount: all.length,
    warnings,
    warningCount,
    labelKeys,
    parallel: { mode: 'parallel', ranges: nr },
  };
}
