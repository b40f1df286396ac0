// Fuzz harness for the format readers (issue 9): every mutated file must end in data or in a
// located error, never in an exception, a hang or an "Internal reader error" (read.ts's safety net
// for a reader bug). Pure: callers (the CI spec, bench/fuzz.ts) load the fixture bytes.
//
// The contract checked for each case:
//   ok     every frame has N symbols, N atomic numbers, 3N FINITE positions and a finite 9-value
//          cell (or none); labels, when present, have the right length. Non-finite positions or
//          cells are a located error in every format (nothing downstream can use them); non-finite
//          labels are kept as read where the format allows it (extended XYZ round-trips nan/inf
//          labels, as ASE does) and are refused by the DFT-output readers.
//   error  error.file is the file name and the message names it; 1 <= line <= lines + 1 (the line
//          after the last one is where "the file ended" is reported); `expected` is not empty;
//          the message is not read.ts's "Internal reader error".
//   hang   each case is time-boxed twice: a step budget on the line cursor (a reader that keeps
//          asking for lines after the end is stopped after lines + 10,000 calls) and time (over
//          `maxMs`, default 2 s, is a failure; the clock is injectable: the Node callers use the
//          process's CPU time, which a loaded CI machine does not inflate).
// Half of the cases are also read through readStream in random-sized chunks (1 byte to 8 KiB,
// at most ~2,000 per file), the path file streams take, and must meet the same contract.
import type { Frame } from '../../atoms/frame';
import { createRng } from '../../space/rng';
import type { FormatSpec, ReadOptions } from '../format';
import { LineCursor } from '../lineCursor';
import { readStream, readText, type ReadResult } from '../read';
import { caseSeed, mutate } from './mutate';

export interface FuzzFixture {
  /** File name as the reader sees it (used in messages). */
  name: string;
  bytes: Uint8Array;
  options?: ReadOptions;
}

export type Verdict = 'ok' | 'error' | 'failure';

export interface CaseResult {
  verdict: Verdict;
  /** Why the case failed (failures only). */
  reason?: string;
  ms: number;
  /** Frames read (ok) or the error message (error). */
  detail: string;
}

export interface FuzzFailure {
  format: string;
  fixture: string;
  index: number;
  seed: number;
  mutation: string;
  reason: string;
}

export interface FormatStats {
  format: string;
  cases: number;
  ok: number;
  error: number;
  failure: number;
  maxMs: number;
  failures: FuzzFailure[];
}

export interface FuzzOptions {
  seed: number;
  count: number;
  /** Time limit of one case, ms (default 2000). */
  maxMs?: number;
  /** Clock in ms (default performance.now; Node callers pass process CPU time, steadier under load). */
  clock?: () => number;
  /** Called before each case (a watchdog can report the case that hung). */
  onCase?: (info: { format: string; index: number; fixture: string; mutation: string }) => void;
}

class StepBudgetExceeded extends Error {
  constructor(steps: number) {
    super(`step budget exceeded: ${steps} line requests`);
  }
}

/**
 * Run `fn` with LineCursor.next counting its calls; throws StepBudgetExceeded (turned by read.ts
 * into an internal error, which the harness reports as a hang) after `budget` calls.
 */
function withStepBudget<T>(budget: number, fn: () => T): T {
  const proto = LineCursor.prototype;
  const original = proto.next;
  let steps = 0;
  proto.next = function (this: LineCursor) {
    if (++steps > budget) throw new StepBudgetExceeded(steps);
    return original.call(this);
  };
  try {
    return fn();
  } finally {
    proto.next = original;
  }
}

async function withStepBudgetAsync<T>(budget: number, fn: () => Promise<T>): Promise<T> {
  const proto = LineCursor.prototype;
  const original = proto.next;
  let steps = 0;
  proto.next = function (this: LineCursor) {
    if (++steps > budget) throw new StepBudgetExceeded(steps);
    return original.call(this);
  };
  try {
    return await fn();
  } finally {
    proto.next = original;
  }
}

/** Number of lines as the line cursor counts them ('\n'-terminated, plus a last unterminated one). */
export function countLines(b: Uint8Array): number {
  let n = 0;
  for (let i = 0; i < b.length; i++) if (b[i] === 10) n++;
  if (b.length > 0 && b[b.length - 1] !== 10) n++;
  return n;
}

const allFinite = (a: ArrayLike<number>) => {
  for (let i = 0; i < a.length; i++) if (!Number.isFinite(a[i])) return false;
  return true;
};

/** Why a parsed frame breaks the contract, or null. */
export function frameProblem(f: Frame): string | null {
  const n = f.symbols.length;
  if (f.numbers.length !== n) return `${f.numbers.length} atomic numbers for ${n} symbols`;
  if (f.positionsA.length !== 3 * n) return `${f.positionsA.length} position values for ${n} atoms`;
  if (!allFinite(f.positionsA)) return 'non-finite positions';
  if (f.cellA && (f.cellA.length !== 9 || !allFinite(f.cellA))) return 'non-finite or malformed cell';
  if (f.forcesEvPerA && f.forcesEvPerA.length !== 3 * n) return `${f.forcesEvPerA.length} force values for ${n} atoms`;
  if (f.stressEvPerA3 && f.stressEvPerA3.length !== 9) return `${f.stressEvPerA3.length} stress values`;
  for (const [k, a] of Object.entries(f.arrays)) {
    if (a.data.length !== a.width * n) return `array ${k}: ${a.data.length} values for ${n} atoms x ${a.width}`;
  }
  return null;
}

/** Check a ReadResult against the contract; null when it holds. */
export function resultProblem(r: ReadResult, fileName: string, lines: number): string | null {
  if (r.ok) {
    for (let i = 0; i < r.frames.length; i++) {
      const p = frameProblem(r.frames[i]);
      if (p) return `frame ${i}: ${p}`;
    }
    return null;
  }
  const e = r.error;
  if (/Internal reader error/.test(e.message)) return `internal error: ${e.message}`;
  if (e.file !== fileName) return `error names file "${e.file}", not "${fileName}"`;
  if (!e.message.includes(fileName)) return `message does not name the file: ${e.message}`;
  if (!Number.isInteger(e.line) || e.line < 1 || e.line > lines + 1) return `line ${e.line} outside 1..${lines + 1}: ${e.message}`;
  if (!e.expected || !e.expected.trim()) return `empty "expected": ${e.message}`;
  return null;
}

function summarize(r: ReadResult): string {
  return r.ok ? `${r.frameCount} frames` : r.error.message.slice(0, 200);
}

export interface CaseLimits {
  maxMs?: number;
  clock?: () => number;
}

/** Read `bytes` once (synchronously) and judge the outcome. */
export function runCase(format: FormatSpec, bytes: Uint8Array, fileName: string, options: ReadOptions = {}, limits: CaseLimits = {}): CaseResult {
  const { maxMs = 2000, clock = () => performance.now() } = limits;
  const lines = countLines(bytes);
  const t0 = clock();
  let r: ReadResult;
  try {
    r = withStepBudget(lines + 10_000, () => readText(format, bytes, { ...options, fileName }));
  } catch (e) {
    return { verdict: 'failure', reason: `uncaught: ${e instanceof Error ? e.stack ?? e.message : String(e)}`, ms: clock() - t0, detail: '' };
  }
  return judge(r, fileName, lines, clock() - t0, maxMs);
}

/** Read `bytes` through readStream in chunks of random sizes and judge the outcome. */
export async function runStreamCase(format: FormatSpec, bytes: Uint8Array, fileName: string, chunkSeed: number, options: ReadOptions = {}, limits: CaseLimits = {}): Promise<CaseResult> {
  const { maxMs = 2000, clock = () => performance.now() } = limits;
  const lines = countLines(bytes);
  const rng = createRng(chunkSeed);
  const chunks: Uint8Array[] = [];
  // At most ~2,000 chunks: the line cursor copies a line that spans chunks once per chunk, so a
  // 1 MB line cut into 8-byte pieces is quadratic; real streams (files, uploads) use 16-64 KiB.
  const minSize = Math.ceil(bytes.length / 2000);
  for (let k = 0; k < bytes.length; ) {
    const size = minSize + 1 + rng.int(rng.next() < 0.5 ? 16 : 8192);
    chunks.push(bytes.subarray(k, k + size));
    k += size;
  }
  const t0 = clock();
  let r: ReadResult;
  try {
    r = await withStepBudgetAsync(lines + 10_000 + 4 * chunks.length, () => readStream(format, chunks, { ...options, fileName }));
  } catch (e) {
    return { verdict: 'failure', reason: `uncaught (stream): ${e instanceof Error ? e.stack ?? e.message : String(e)}`, ms: clock() - t0, detail: '' };
  }
  const c = judge(r, fileName, lines, clock() - t0, maxMs);
  if (c.reason) c.reason = `stream: ${c.reason}`;
  return c;
}

function judge(r: ReadResult, fileName: string, lines: number, ms: number, maxMs: number): CaseResult {
  if (!r.ok && /step budget exceeded/.test(r.error.message)) return { verdict: 'failure', reason: `hang: ${r.error.message}`, ms, detail: '' };
  const p = resultProblem(r, fileName, lines);
  if (p) return { verdict: 'failure', reason: p, ms, detail: summarize(r) };
  if (ms > maxMs) return { verdict: 'failure', reason: `took ${ms.toFixed(0)} ms (limit ${maxMs} ms)`, ms, detail: summarize(r) };
  return { verdict: r.ok ? 'ok' : 'error', ms, detail: summarize(r) };
}

/** `count` mutated cases of the fixtures of one format; fixtures are used round-robin. */
export async function fuzzFormat(format: FormatSpec, fixtures: FuzzFixture[], opts: FuzzOptions): Promise<FormatStats> {
  const stats: FormatStats = { format: format.name, cases: 0, ok: 0, error: 0, failure: 0, maxMs: 0, failures: [] };
  if (fixtures.length === 0) throw new Error(`no fixtures for format ${format.name}`);
  for (let i = 0; i < opts.count; i++) {
    const fx = fixtures[i % fixtures.length];
    const seed = caseSeed(opts.seed, format.name, i);
    const m = mutate(fx.bytes, seed);
    opts.onCase?.({ format: format.name, index: i, fixture: fx.name, mutation: m.description });
    const limits = { maxMs: opts.maxMs, clock: opts.clock };
    let c = runCase(format, m.bytes, fx.name, fx.options, limits);
    if (c.verdict !== 'failure' && i % 2 === 1) {
      const s = await runStreamCase(format, m.bytes, fx.name, seed ^ 0x5bd1e995, fx.options, limits);
      if (s.verdict === 'failure') c = s;
    }
    stats.cases++;
    stats[c.verdict]++;
    stats.maxMs = Math.max(stats.maxMs, c.ms);
    if (c.verdict === 'failure') stats.failures.push({ format: format.name, fixture: fx.name, index: i, seed, mutation: m.description, reason: c.reason ?? '' });
  }
  return stats;
}

/** Reproduce one case by its seed (for a failure report). */
export function reproduceCase(format: FormatSpec, fixture: FuzzFixture, seed: number): { mutation: string; bytes: Uint8Array; result: CaseResult } {
  const m = mutate(fixture.bytes, seed);
  return { mutation: m.description, bytes: m.bytes, result: runCase(format, m.bytes, fixture.name, fixture.options) };
}
